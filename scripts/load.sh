#!/usr/bin/env bash
# Load run: a day of field work. A fresh demo database with 50 agents (25 per demo SA) and the day's
# serials received (bench/load_day_setup.py), Odoo's prefork server (workers, no cron) on free loopback
# ports, then Locust headless (bench/load_day.py) for at most ABS_LOAD_CYCLES sales per agent and
# ABS_LOAD_RUN_TIME; last, with the server stopped, the database is checked (bench/load_day_check.py):
# every payment once, every serial in one place, stock totals, deliveries, invoices.
# Prints throughput, p50/p95 per endpoint and the errors; exits non-zero on any error or failed check.
# Settings: ABS_LOAD_DB (abs_connector_load), ABS_LOAD_WORKERS (4; 0: Odoo's threaded server,
#   whose connection pool (db_maxconn 64) runs out under 50 agents: 500s),
#   ABS_LOAD_CYCLES (sales per agent, 2), ABS_LOAD_RUN_TIME (Locust's bound, 180s),
#   ABS_LOAD_SPAWN_RATE (agents logging in per second, 1),
#   ABS_LOAD_THINK (mean seconds between two screens of an agent's app, 3.0).
# Locust lives in its own virtualenv (.build/load-venv, from bench/requirements-load.txt): Odoo's prefork
# server needs gevent 22 / greenlet 2, Locust newer ones, so they cannot share one environment.
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
check_odoo
check_postgres
prepare_addons_path

DB="${ABS_LOAD_DB:-abs_connector_load}"
WORKERS="${ABS_LOAD_WORKERS:-4}"
[ "$WORKERS" = "0" ] || check_gevent
CYCLES="${ABS_LOAD_CYCLES:-2}"
RUN_TIME="${ABS_LOAD_RUN_TIME:-180s}"
SPAWN_RATE="${ABS_LOAD_SPAWN_RATE:-1}"
CONF="$BUILD/load.conf"
LOG="$BUILD/load-server.log"
export ABS_LOAD_PASSWORD="load-day-1234" ABS_LOAD_CYCLES="$CYCLES" ABS_LOAD_SERIALS_PER_AGENT="$((CYCLES + 2))"
export ABS_LOAD_FIXTURE="$BUILD/load-fixture.json" ABS_LOAD_LEDGER="$BUILD/load-ledger.json" \
    ABS_LOAD_SUMMARY="$BUILD/load-summary.json"

ensure_locust  # the load client, in its own virtualenv

{ read -r PORT; read -r GEVENT_PORT; } < <(free_ports 2)
write_config "$CONF" "$DB" "http_interface = 127.0.0.1" "http_port = $PORT" "gevent_port = $GEVENT_PORT" \
    "workers = $WORKERS" "max_cron_threads = 0" "limit_time_real = 300"
install_addon "$CONF" "$DB" 0
echo "Creating 50 agents and receiving $((50 * (CYCLES + 2))) serials ..."
odoo_bin shell -c "$CONF" -d "$DB" --no-http --log-level=error < "$ROOT/bench/load_day_setup.py" \
    | tail -n 1 > "$ABS_LOAD_FIXTURE"
grep -q '"agents"' "$ABS_LOAD_FIXTURE" || die "the load set-up printed no fixture: run bench/load_day_setup.py by hand (see $ABS_LOAD_FIXTURE)."

echo "Starting Odoo ($WORKERS workers) on http://127.0.0.1:$PORT, log in $LOG ..."
# A worker waits 2 s (Odoo's default) for a request to arrive on a connection it accepted, then drops it. In
# production a buffering proxy sends whole requests; here the client shares the 2 cores with the server and
# can be slower than that under load: 10 s, as a proxy would give.
export ODOO_HTTP_SOCKET_TIMEOUT="${ODOO_HTTP_SOCKET_TIMEOUT:-10}"
start_server "$CONF" "$DB" "$LOG"
on_exit stop_server
wait_for_server "http://127.0.0.1:$PORT/web/health" "$LOG"

echo "Locust: 50 agents, $CYCLES sales each, at most $RUN_TIME ..."
status=0
rm -f "$ABS_LOAD_LEDGER" "$ABS_LOAD_SUMMARY"
"$LOCUST_VENV/bin/locust" -f "$ROOT/bench/load_day.py" --headless --host "http://127.0.0.1:$PORT" \
    --users 50 --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" --stop-timeout 120 \
    --only-summary --loglevel WARNING || status=$?
[ -s "$ABS_LOAD_LEDGER" ] || die "Locust wrote no ledger ($ABS_LOAD_LEDGER): see its output above."
stop_server

echo
read -r retries errors < <(server_log_errors "$LOG")
echo "Server log ($LOG): $errors errors or tracebacks; $retries serialization failures retried by Odoo"
if [ "$errors" != "0" ]; then
    grep -v 'could not serialize\|odoo.sql_db: bad query' "$LOG" | grep -m 5 -A 3 ' ERROR \| CRITICAL \|Traceback' >&2 || true
    status=1
fi
echo "Checking the database (nothing lost, nothing doubled) ..."
odoo_bin shell -c "$CONF" -d "$DB" --no-http --log-level=error < "$ROOT/bench/load_day_check.py" \
    | tee "$BUILD/load-checks.txt" | grep -E '^  (ok|FAIL|note)|^LOAD CHECKS' || true
grep -q '^LOAD CHECKS: OK' "$BUILD/load-checks.txt" || status=1
"$PYTHON" - "$ABS_LOAD_SUMMARY" <<'PY' || status=1
import json, sys
summary = json.load(open(sys.argv[1]))
print(f"\nLoad run: {summary['requests']} requests in {summary['seconds']} s = {summary['throughput_rps']} requests/s, "
      f"p50 {summary['p50_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms, {summary['failures']} errors; "
      f"{summary['sales_complete']}/{summary['sales_started']} sales complete, {summary['payments']} payments")
sys.exit(1 if summary["failures"] or summary["sales_complete"] != summary["sales_started"] else 0)
PY
exit "$status"
