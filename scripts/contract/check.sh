#!/usr/bin/env bash
# Contract test of /api/openapi.json, as a mobile team generates its clients from it:
#   1. Spectral's OAS ruleset (spectral:oas): no error, no warning;
#   2. TypeScript types (openapi-typescript) and an agent's day with openapi-fetch, compiled by tsc --strict;
#   3. the Python client (openapi-python-client) and an agent's day, checked by mypy --strict.
# Each Node tool installs from its own package.json and lock file (npm ci); the Python tools in
# .build/contract-venv from python/requirements.txt. Each install is redone only when its lock file changes.
# Usage: scripts/contract/check.sh [openapi.json]   (default: the document built offline from the routes)
# Settings: ABS_CONTRACT_PYTHON (the Python that makes the venv, default python3).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="$ROOT/.build"
OUT="$BUILD/contract"
mkdir -p "$OUT"

die() { echo "error: $*" >&2; exit 2; }
step() { echo "contract: $*"; }
command -v npm >/dev/null || die "npm is not installed (Debian: apt-get install nodejs npm; Node 18 or later)."

DOCUMENT="${1:-}"
if [ -z "$DOCUMENT" ]; then
    DOCUMENT="$OUT/openapi.json"
    step "building the OpenAPI document offline -> $DOCUMENT"
    mkdir -p "$BUILD/addons" && ln -sfn "$ROOT" "$BUILD/addons/abs_connector"
    "${ABS_PYTHON:-python3}" "$HERE/dump_openapi.py" "$BUILD/addons" > "$DOCUMENT"
fi
DOCUMENT="$(cd "$(dirname "$DOCUMENT")" && pwd)/$(basename "$DOCUMENT")"

# npm ci wipes node_modules: only when the lock file changed since the last install.
npm_ci() {
    local dir="$1" stamp="$1/node_modules/.abs-lock-sha256" sum
    sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
        step "npm ci in ${dir#"$ROOT"/}"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $dir (no network? run it once with network)."
        echo "$sum" > "$stamp"
    fi
}

step "Spectral (spectral:oas) on $DOCUMENT"
npm_ci "$HERE/spectral"
(cd "$HERE/spectral" && npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity warn "$DOCUMENT")

step "TypeScript: openapi-typescript, then tsc --strict on typescript/agent-day.ts"
npm_ci "$HERE/typescript"
mkdir -p "$HERE/typescript/generated"
(cd "$HERE/typescript" && npx --no-install openapi-typescript "$DOCUMENT" -o generated/api.d.ts --silent \
    && npx --no-install tsc -p tsconfig.json)

step "Python: openapi-python-client, then mypy --strict on python/agent_day.py"
VENV="$BUILD/contract-venv"
REQUIREMENTS="$HERE/python/requirements.txt"
sum="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [ "$(cat "$VENV/.abs-requirements-sha256" 2>/dev/null)" != "$sum" ]; then
    step "installing the Python tools in ${VENV#"$ROOT"/}"
    [ -x "$VENV/bin/python" ] || "${ABS_CONTRACT_PYTHON:-python3}" -m venv "$VENV" \
        || die "could not make a virtualenv (Debian: apt-get install python3-venv)."
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS" \
        || die "pip could not install $REQUIREMENTS (no network? run it once with network)."
    echo "$sum" > "$VENV/.abs-requirements-sha256"
fi
rm -rf "$OUT/python"
mkdir -p "$OUT/python"
# The generator formats its output with ruff, which it finds on PATH only: the venv's ruff, not the machine's.
(cd "$OUT/python" && PATH="$VENV/bin:$PATH" "$VENV/bin/openapi-python-client" generate --path "$DOCUMENT" --output-path abs_api_client \
    --meta none --overwrite --fail-on-warning >/dev/null)
# Type-checked beside the generated package, outside the addon (whose own modules are not typed).
cp "$HERE/python/agent_day.py" "$OUT/python/"
(cd "$OUT/python" && "$VENV/bin/mypy" --strict --no-error-summary --cache-dir "$OUT/mypy-cache" agent_day.py)
step "OK: no Spectral finding; the TypeScript and Python agent's days compile against the generated clients"
