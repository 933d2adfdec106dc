#!/usr/bin/env bash
# Benchmarks on a fresh database (no demo):
#   stock          the stock API against Odoo's JSON-RPC: a realistic warehouse loaded in batch, Odoo on a free
#                  local port, then bench/stock_bench.py prints p50/p95 and ratios;
#   subscriptions  the subscription invoicing cron on 1,000 and 10,000 subscriptions due today, in-process
#                  (bench/subscription_bench.py): invoices/s and queries per invoice against core's
#                  _create_invoices, cost linear; exits non-zero if a limit fails (a few minutes).
#   payg           pay-as-you-go, in-process (bench/payg_bench.py): 10,000 payments over 1,000 PAYG accounts
#                  (tokens per second, queries per payment against the same payments without PAYG), then the
#                  daily job on 1,000 and 10,000 accounts, cost linear; exits non-zero if a limit fails.
# Settings: ABS_BENCH (stock, subscriptions, payg or all: default all), ABS_BENCH_DB (default abs_connector_bench),
# ABS_BENCH_N (requests per endpoint, default 200), ABS_BENCH_SUB_SIZES (default 1000,10000),
# ABS_BENCH_PAYG_ACCOUNTS (default 1000), ABS_BENCH_PAYG_PAYMENTS (default 10000), ABS_BENCH_PAYG_JOB_SIZES
# (default 1000,10000).
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
check_odoo
check_postgres
prepare_addons_path

DB="${ABS_BENCH_DB:-abs_connector_bench}"
N="${ABS_BENCH_N:-200}"
WHICH="${ABS_BENCH:-all}"
case "$WHICH" in stock | subscriptions | payg | all) ;; *) die "ABS_BENCH is stock, subscriptions, payg or all, not '$WHICH'." ;; esac
PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
CONF="$BUILD/bench.conf"
write_config "$CONF" "$DB" "without_demo = all" "http_interface = 127.0.0.1" "http_port = $PORT" "workers = 0" \
    "max_cron_threads = 0" "log_level = warn" "log_handler = :WARNING,werkzeug:INFO"

install_addon "$CONF" "$DB" 0

bench_subscriptions() {
    echo "Subscription invoicing: the cron on ${ABS_BENCH_SUB_SIZES:-1000,10000} subscriptions due today..."
    "$PYTHON" "$ROOT/bench/subscription_bench.py" -c "$CONF" -d "$DB" --sizes "${ABS_BENCH_SUB_SIZES:-1000,10000}"
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
if [ "$WHICH" = "payg" ]; then
    bench_payg
    exit
fi

echo "Loading the warehouse (200 products, 6,000 serials, 1,000 delivery pickings)..."
FIXTURE="$BUILD/bench-fixture.json"
odoo_bin shell -c "$CONF" -d "$DB" --no-http --log-level=error < "$ROOT/bench/load_stock.py" | tail -n 1 > "$FIXTURE"

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

"$PYTHON" "$ROOT/bench/stock_bench.py" --url "http://127.0.0.1:$PORT" --db "$DB" --fixture "$FIXTURE" -n "$N" \
    --server-log "$BUILD/bench-server.log"
stop_server

if [ "$WHICH" = "all" ]; then
    echo
    subscriptions=0
    bench_subscriptions || subscriptions=$?
    echo
    bench_payg  # set -e: its failure ends the run with its status
    exit "$subscriptions"
fi
