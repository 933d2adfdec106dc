#!/usr/bin/env bash
# Benchmarks on a fresh database (no demo):
#   stock          the stock API against Odoo's JSON-RPC: a realistic warehouse loaded in batch, Odoo on a free
#                  local port, then bench/stock_bench.py prints p50/p95 and ratios;
#   subscriptions  the subscription invoicing cron on 1,000 and 10,000 subscriptions due today, in-process
#                  (bench/subscription_bench.py): invoices/s and queries per invoice against core's
#                  _create_invoices, cost linear; exits non-zero if a limit fails (a few minutes);
#   report         the per-agent report (GET /api/reports/sa-summary?by=agent) on 50 agents and 20,000 payments
#                  loaded in batch (bench/load_report.py), against the JSON-RPC read_group calls that fetch the
#                  same figures (bench/report_bench.py): p50/p95, queries per request, the ratio;
#   payg           pay-as-you-go, in-process (bench/payg_bench.py): 10,000 payments over 1,000 PAYG accounts
#                  (tokens per second, queries per payment against the same payments without PAYG), then the
#                  daily job on 1,000 and 10,000 accounts, cost linear; exits non-zero if a limit fails;
#   sync           offline sync (bench/load_sync.py, bench/sync_bench.py): an agent's first sync of 10,000 rows
#                  and an incremental pull of 100 changes among 100,000 rows against the JSON-RPC calls that
#                  fetch the same rows; time, queries, bytes, and the change-log read's plan (on its index).
# Settings: ABS_BENCH (stock, subscriptions, report, payg, sync or all: default all), ABS_BENCH_DB (default
# abs_connector_bench), ABS_BENCH_N (requests per endpoint, default 200), ABS_BENCH_SUB_SIZES (default
# 1000,10000), ABS_BENCH_REPORT_AGENTS / ABS_BENCH_REPORT_PAYMENTS (default 50 / 20000), ABS_BENCH_REPORT_N
# (timed rounds of each side, default 30), ABS_BENCH_PAYG_ACCOUNTS (default 1000), ABS_BENCH_PAYG_PAYMENTS
# (default 10000), ABS_BENCH_PAYG_JOB_SIZES (default 1000,10000).
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
check_odoo
check_postgres
prepare_addons_path

DB="${ABS_BENCH_DB:-abs_connector_bench}"
N="${ABS_BENCH_N:-200}"
WHICH="${ABS_BENCH:-all}"
case "$WHICH" in
    stock | subscriptions | report | payg | sync | all) ;;
    *) die "ABS_BENCH is stock, subscriptions, report, payg, sync or all, not '$WHICH'." ;;
esac
PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
CONF="$BUILD/bench.conf"
write_config "$CONF" "$DB" "without_demo = all" "http_interface = 127.0.0.1" "http_port = $PORT" "workers = 0" \
    "max_cron_threads = 0" "log_level = warn" "log_handler = :WARNING,werkzeug:INFO"

install_addon "$CONF" "$DB" 0

bench_subscriptions() {
    echo "Subscription invoicing: the cron on ${ABS_BENCH_SUB_SIZES:-1000,10000} subscriptions due today..."
    "$PYTHON" "$ROOT/bench/subscription_bench.py" -c "$CONF" -d "$DB" --sizes "${ABS_BENCH_SUB_SIZES:-1000,10000}"
}

# start_bench_server: Odoo (threaded, workers = 0) on $PORT, its log in $BUILD/bench-server.log
# (werkzeug's request lines carry each request's queries).
start_bench_server() {
    echo "Starting Odoo on http://127.0.0.1:$PORT ..."
    # Python itself in the background (not the odoo_bin function's subshell), so $! is the server to stop.
    "$PYTHON" -c 'import sys, odoo.cli; sys.argv[0] = "odoo"; odoo.cli.main()' -c "$CONF" -d "$DB" \
        > "$BUILD/bench-server.log" 2>&1 &
    SERVER_PID=$!
    on_exit stop_server
    for _ in $(seq 1 120); do
        curl -fs "http://127.0.0.1:$PORT/web/health" >/dev/null 2>&1 && break
        sleep 1
    done
}

bench_report() {
    echo "Per-agent report: loading ${ABS_BENCH_REPORT_AGENTS:-50} agents and ${ABS_BENCH_REPORT_PAYMENTS:-20000} payments..."
    local fixture="$BUILD/bench-report-fixture.json"
    odoo_bin shell -c "$CONF" -d "$DB" --no-http --log-level=error < "$ROOT/bench/load_report.py" | tail -n 1 > "$fixture"
    start_bench_server
    # its status kept by hand: run as `bench_report || ...`, errexit does not stop at a failure inside
    local status=0
    "$PYTHON" "$ROOT/bench/report_bench.py" --url "http://127.0.0.1:$PORT" --db "$DB" --fixture "$fixture" \
        -n "${ABS_BENCH_REPORT_N:-30}" --server-log "$BUILD/bench-server.log" || status=$?
    stop_server
    return "$status"
}

bench_sync() {
    echo "Offline sync: loading 100,000 customers, 10,000 in an agent's SA (a few minutes)..."
    local fixture="$BUILD/bench-sync-fixture.json"
    odoo_bin shell -c "$CONF" -d "$DB" --no-http --log-level=error < "$ROOT/bench/load_sync.py" | tail -n 1 > "$fixture"
    start_bench_server
    local status=0  # as in bench_report
    "$PYTHON" "$ROOT/bench/sync_bench.py" --url "http://127.0.0.1:$PORT" --db "$DB" --fixture "$fixture" \
        --server-log "$BUILD/bench-server.log" || status=$?
    stop_server
    return "$status"
}

bench_payg() {
    echo "Pay-as-you-go: token issuing, then the daily job on ${ABS_BENCH_PAYG_JOB_SIZES:-1000,10000} accounts..."
    "$PYTHON" "$ROOT/bench/payg_bench.py" -c "$CONF" -d "$DB" --accounts "${ABS_BENCH_PAYG_ACCOUNTS:-1000}" \
        --payments "${ABS_BENCH_PAYG_PAYMENTS:-10000}" --job-sizes "${ABS_BENCH_PAYG_JOB_SIZES:-1000,10000}"
}

if [ "$WHICH" = "subscriptions" ]; then
    bench_subscriptions
    exit
fi
if [ "$WHICH" = "report" ]; then
    bench_report
    exit
fi
if [ "$WHICH" = "payg" ]; then
    bench_payg
    exit
fi
if [ "$WHICH" = "sync" ]; then
    bench_sync
    exit
fi

echo "Loading the warehouse (200 products, 6,000 serials, 1,000 delivery pickings)..."
FIXTURE="$BUILD/bench-fixture.json"
odoo_bin shell -c "$CONF" -d "$DB" --no-http --log-level=error < "$ROOT/bench/load_stock.py" | tail -n 1 > "$FIXTURE"

start_bench_server
"$PYTHON" "$ROOT/bench/stock_bench.py" --url "http://127.0.0.1:$PORT" --db "$DB" --fixture "$FIXTURE" -n "$N" \
    --server-log "$BUILD/bench-server.log"
stop_server

if [ "$WHICH" = "all" ]; then
    echo
    # every part runs; the run fails if one of them did
    status=0
    bench_subscriptions || status=$?
    echo
    bench_report || status=$?
    echo
    bench_payg || status=$?
    echo
    bench_sync || status=$?
    exit "$status"
fi
