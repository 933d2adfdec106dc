#!/usr/bin/env bash
# Smoke run outside Odoo's test mode: a fresh demo database installed as `make run` installs it, a real
# Odoo server (2 workers, no cron thread, log to a file) on a free loopback port, then plain pytest over
# scripts/smoke/ (the demo journey over HTTP, schemathesis fuzzing of every operation, /api/docs in headless
# Chromium, and last the server log). The server is stopped on exit.
# Usage: scripts/smoke.sh [pytest args...]
# Settings: ABS_SMOKE_DB (default abs_connector_smoke), ABS_CHROMIUM (default: chromium on PATH).
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
check_odoo
check_debian_packages
check_postgres
check_gevent
# /api/docs is rendered in Chromium: without it that check is skipped, except in CI where it must run.
if [ "${CI:-}" = "true" ] && [ -z "${ABS_CHROMIUM:-}" ] && ! command -v chromium > /dev/null && ! command -v chromium-browser > /dev/null; then
    die "chromium is missing (the smoke run renders /api/docs in it): apt-get install chromium, or set ABS_CHROMIUM."
fi
prepare_addons_path

DB="${ABS_SMOKE_DB:-abs_connector_smoke}"
CONF="$BUILD/smoke.conf"
LOG="$BUILD/smoke-server.log"
{ read -r PORT; read -r GEVENT_PORT; } < <(free_ports 2)
# As `make run` (demo data), but served by the prefork server, as in production.
write_config "$CONF" "$DB" "http_interface = 127.0.0.1" "http_port = $PORT" "gevent_port = $GEVENT_PORT" \
    "workers = 2" "max_cron_threads = 0"

install_addon "$CONF" "$DB" 0
API_KEY="$(generate_api_key "$CONF" "$DB" "smoke key (scripts/smoke.sh)")"

echo "Starting Odoo (2 workers) on http://127.0.0.1:$PORT, log in $LOG ..."
start_server "$CONF" "$DB" "$LOG"
on_exit stop_server
wait_for_server "http://127.0.0.1:$PORT/api/openapi.json" "$LOG"

export ABS_SMOKE_URL="http://127.0.0.1:$PORT" ABS_SMOKE_API_KEY="$API_KEY" ABS_SMOKE_LOG="$LOG" ABS_SMOKE_BUILD="$BUILD" \
    ABS_SMOKE_DB="$DB" HYPOTHESIS_STORAGE_DIRECTORY="$BUILD/hypothesis"
cd "$ROOT/scripts/smoke"
# Its own rootdir and pytest.ini (-p no:odoo): plain pytest, none of pytest-odoo's test-mode set-up.
status=0
"$PYTHON" -m pytest "$@" || status=$?
exit "$status"
