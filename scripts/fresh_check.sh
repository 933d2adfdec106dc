#!/usr/bin/env bash
# The fresh machine, proved: a clean clone of this repository (its committed HEAD) and a Python without Odoo
# (a virtualenv of python3, without the system's site-packages) run the README's two commands, which build
# .build/venv with Odoo 18 from ODOO_SOURCE and the addon's requirements:
#   1. scripts/test.sh (ABS_SKIP_SMOKE=1, a few tests): builds the venv step by step, installs, runs pytest-odoo;
#   2. the build resumes where it stopped: one step's marker removed, only that step runs again;
#   3. scripts/run.sh (make run) serves the demo database: an agent logs in over HTTP; then it is stopped.
# Usage: ODOO_SOURCE=<odoo 18 source folder, archive or git URL> scripts/fresh_check.sh
# Settings: ABS_TEST_DB, ABS_DB (suffixed _fresh), ABS_FRESH_KEEP=1 keeps the clone (and its venv) for inspection.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fail() { echo "fresh machine check FAILED: $*" >&2; exit 1; }
[ -n "${ODOO_SOURCE:-}" ] || fail "set ODOO_SOURCE (an Odoo 18 source folder, archive or git URL)."

WORK="$(mktemp -d "${TMPDIR:-/tmp}/abs-fresh.XXXXXX")"
RUN_PID=""
cleanup() {
    if [ -n "$RUN_PID" ]; then kill -TERM -- "-$RUN_PID" 2> /dev/null || true; wait "$RUN_PID" 2> /dev/null || true; fi
    [ "${ABS_FRESH_KEEP:-0}" = "1" ] && echo "kept $WORK" || rm -rf "$WORK"
}
# shellcheck source=scripts/_common.sh
source "$ROOT/scripts/_common.sh"  # on_exit only: nothing in it needs Odoo
on_exit cleanup

echo "== fresh machine: clean clone of $(git -C "$ROOT" rev-parse --short HEAD) in $WORK/clone"
git clone --quiet "$ROOT" "$WORK/clone"
# A Python without Odoo: the system's python3, in a virtualenv that does not see the system's site-packages.
python3 -m venv "$WORK/bare"
BARE="$WORK/bare/bin/python"
if "$BARE" -c 'import odoo' 2> /dev/null; then fail "$BARE imports odoo: the check needs a Python without it."; fi
export ABS_PYTHON="$BARE" ODOO_SOURCE
export ABS_TEST_DB="${ABS_TEST_DB:-abs_connector_test}_fresh" ABS_DB="${ABS_DB:-abs_connector_demo}_fresh"
cd "$WORK/clone"
start=$(date +%s)

echo "== 1. scripts/test.sh (suite only: the login tests; pytest runs in .build) on the clean clone"
ABS_SKIP_SMOKE=1 scripts/test.sh addons/abs_connector/tests/test_api_auth.py -k "login" 2>&1 | tee "$WORK/test.out" \
    || fail "scripts/test.sh failed on the clean clone."
grep -q "\[6/6\]" "$WORK/test.out" || fail "scripts/test.sh did not build the virtualenv (no step 6/6 printed)."
grep -qE "[0-9]+ passed" "$WORK/test.out" || fail "no test passed in the fresh virtualenv."
VPY="$WORK/clone/.build/venv/bin/python"
"$VPY" -c 'import odoo.release; assert odoo.release.version_info[0] == 18' || fail "the venv has no Odoo 18."
"$VPY" -c 'import sys; assert sys.prefix != sys.base_prefix' || fail "$VPY is not a virtualenv."
echo "   built and tested in $(( $(date +%s) - start )) s"

echo "== 2. resume: without step 5's marker, steps 1-4 are skipped and 5-6 run again"
rm "$WORK/clone/.build/venv/.abs-setup/gevent"
scripts/setup_odoo.sh 2>&1 | tee "$WORK/resume.out" || fail "scripts/setup_odoo.sh failed on resume."
for step in 1 3 4; do grep -q "\[$step/6\].*done before" "$WORK/resume.out" || fail "step $step ran again on resume."; done
grep -qE "\[2/6\].*(done before|the folder)" "$WORK/resume.out" || fail "step 2 ran again on resume."
grep -q "\[5/6\] pinning" "$WORK/resume.out" || fail "step 5 did not run again on resume."
"$VPY" -c 'import gevent.monkey; gevent.monkey.patch_all()' || fail "gevent does not load in the venv."
scripts/setup_odoo.sh > "$WORK/again.out" 2>&1 || fail "scripts/setup_odoo.sh failed on a built venv."
grep -q "\[" "$WORK/again.out" && fail "a built venv ran setup steps again: $(cat "$WORK/again.out")"

echo "== 3. scripts/run.sh (make run) on the clean clone"
PORT="$("$VPY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
ABS_HTTP_PORT="$PORT" setsid scripts/run.sh > "$WORK/run.out" 2>&1 &
RUN_PID=$!
for _ in $(seq 1 300); do
    grep -q "^Serving" "$WORK/run.out" && break
    kill -0 "$RUN_PID" 2> /dev/null || { cat "$WORK/run.out"; fail "scripts/run.sh stopped."; }
    sleep 1
done
grep -q "^Serving" "$WORK/run.out" || { cat "$WORK/run.out"; fail "scripts/run.sh did not serve within 5 minutes."; }
answer="$(curl -fsS -X POST "http://127.0.0.1:$PORT/api/auth/login" -H 'Content-Type: application/json' \
    -d '{"login": "tg.agent", "password": "demo1234"}')" || fail "the agent's login failed on the served demo."
case "$answer" in *'"access_token"'*) ;; *) fail "login answered without a token: $answer" ;; esac
grep -q "API key (X-API-KEY): ." "$WORK/run.out" || fail "scripts/run.sh printed no API key."
kill -TERM -- "-$RUN_PID"; wait "$RUN_PID" 2> /dev/null || true; RUN_PID=""
echo "   served and logged in; $(( $(date +%s) - start )) s in all"
echo "== 4. what is missing is said in one line (exit 2): no network for the source, a folder that is not Odoo, the role"
one_line() {  # one_line EXPECTED-TEXT COMMAND...: the command fails with exit 2 and one line containing the text
    local expected="$1" out status=0; shift
    out="$("$@" 2>&1 > /dev/null)" || status=$?
    [ "$status" = 2 ] || fail "'$*' exited $status, not 2: $out"
    [ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] || fail "'$*' said more than one line: $out"
    case "$out" in *"$expected"*) echo "   $out" ;; *) fail "'$*' did not say '$expected': $out" ;; esac
}
git clone --quiet "$ROOT" "$WORK/other"
cd "$WORK/other"
one_line "could not clone" env ODOO_SOURCE="http://127.0.0.1:9/odoo.git" scripts/setup_odoo.sh
mkdir "$WORK/not-odoo"
one_line "is not an Odoo source folder" env ODOO_SOURCE="$WORK/not-odoo" scripts/setup_odoo.sh
cd "$WORK/clone"
one_line "PostgreSQL has no role 'abs_no_such_role'" env PGUSER=abs_no_such_role scripts/test.sh
echo "fresh machine check: 4 passed, 0 failed"
