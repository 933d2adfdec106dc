#!/usr/bin/env bash
# More than one machine: two Odoo nodes on one database behind nginx, played on this machine.
#   1. a fresh demo database, attachments stored in it (ir_attachment.location = db: the nodes share no
#      disk), the load run's agents (bench/load_day_setup.py, small) and the jobs' data (bench/cluster_setup.py);
#   2. node A and node B: Odoo's prefork server (2 workers, max_cron_threads = 1), each with its own data
#      folder (.build/cluster-a, .build/cluster-b), on free loopback ports;
#   3. nginx (Debian's) in the foreground with a generated config (.build/cluster-nginx/nginx.conf): one
#      port, the two nodes as upstream (/api round robin: JWT, no session; the backend sticky per browser
#      with a cookie nginx sets, as Odoo's sessions are files in each node's data folder; /websocket to each
#      node's gevent port), the node that served each answer in its X-Upstream header;
#   4. scripts/cluster_check.py http: a PDF rendered on A served by B, a logout and an ended membership on
#      one node refused on the other;
#   5. bench/cluster_jobs.py in two `odoo shell` processes, one with each node's config, at once (and the
#      nodes' cron threads triggered): billing and mobile-money settlement, then every period billed once;
#   6. the load run (bench/load_day.py, Locust) through the proxy, then the nodes stopped, both logs checked
#      and the database checked (bench/load_day_check.py: nothing lost or doubled).
# Everything is stopped on exit. Exits 0 exactly when every check held.
# Settings: ABS_CLUSTER_DB (abs_connector_cluster), ABS_CLUSTER_WORKERS (2 per node),
#   ABS_CLUSTER_AGENTS_PER_SA (5: 10 agents), ABS_CLUSTER_RUN_TIME (60s), ABS_CLUSTER_SUBSCRIPTIONS (40).
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
source "$ROOT/scripts/cluster_proxy.sh"
check_odoo
check_debian_packages
check_postgres
check_gevent
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$NGINX" ] || die "nginx is missing (the proxy in front of the two nodes): apt-get install nginx."
prepare_addons_path
ensure_locust

DB="${ABS_CLUSTER_DB:-abs_connector_cluster}"
WORKERS="${ABS_CLUSTER_WORKERS:-2}"
AGENTS_PER_SA="${ABS_CLUSTER_AGENTS_PER_SA:-5}"
RUN_TIME="${ABS_CLUSTER_RUN_TIME:-60s}"
OUT="$BUILD/cluster"
PROXY_DIR="$OUT/nginx"
rm -rf "$OUT" && mkdir -p "$PROXY_DIR"
SUMMARY="$OUT/summary.json"
export ABS_LOAD_PASSWORD="load-day-1234" ABS_LOAD_CYCLES=1 ABS_LOAD_SERIALS_PER_AGENT=3 \
    ABS_LOAD_AGENTS_PER_SA="$AGENTS_PER_SA" ABS_LOAD_FIXTURE="$OUT/load-fixture.json" \
    ABS_LOAD_LEDGER="$OUT/load-ledger.json" ABS_LOAD_SUMMARY="$OUT/load-summary.json"

{ read -r PORT_A; read -r GEVENT_A; read -r PORT_B; read -r GEVENT_B; read -r PROXY_PORT; } < <(free_ports 5)
# node_config NODE PORT GEVENT_PORT: the node's config, with its own data folder.
node_config() {
    local conf="$OUT/node-$1.conf"
    write_config "$conf" "$DB" "http_interface = 127.0.0.1" "http_port = $2" "gevent_port = $3" \
        "workers = $WORKERS" "max_cron_threads = 1" "limit_time_real = 300" "proxy_mode = True"
    sed -i "s|^data_dir = .*|data_dir = $BUILD/cluster-$1|" "$conf"
    rm -rf "$BUILD/cluster-$1" && mkdir -p "$BUILD/cluster-$1"
    echo "$conf"
}
CONF_A="$(node_config a "$PORT_A" "$GEVENT_A")"
CONF_B="$(node_config b "$PORT_B" "$GEVENT_B")"

# 1. The database.
install_addon "$CONF_A" "$DB" 0
store_attachments_in_db "$CONF_A" "$DB"
echo "Creating $((2 * AGENTS_PER_SA)) agents, due subscriptions and pending mobile-money attempts ..."
odoo_bin shell -c "$CONF_A" -d "$DB" --no-http --log-level=error < "$ROOT/bench/load_day_setup.py" \
    | tail -n 1 > "$ABS_LOAD_FIXTURE"
grep -q '"agents"' "$ABS_LOAD_FIXTURE" || die "the load set-up printed no fixture (see $ABS_LOAD_FIXTURE)."
odoo_bin shell -c "$CONF_A" -d "$DB" --no-http --log-level=error < "$ROOT/bench/cluster_setup.py" \
    | tail -n 1 > "$OUT/jobs-fixture.json"
grep -q '"subscription_ids"' "$OUT/jobs-fixture.json" || die "the cluster set-up printed no fixture (see $OUT/jobs-fixture.json)."

# 2. The nodes, and 3. the proxy; all stopped on exit.
NODE_PIDS=()
PROXY_PID=""
teardown() {
    local pid
    if [ -n "$PROXY_PID" ]; then
        kill -TERM "$PROXY_PID" 2>/dev/null || true
        { wait "$PROXY_PID"; } 2>/dev/null || true
        PROXY_PID=""
    fi
    for pid in "${NODE_PIDS[@]}"; do
        SERVER_PID="$pid" && stop_server
    done
    NODE_PIDS=()
}
on_exit teardown
export ODOO_HTTP_SOCKET_TIMEOUT="${ODOO_HTTP_SOCKET_TIMEOUT:-10}"  # as load.sh: the proxy buffers anyway
for node in a b; do
    conf="$OUT/node-$node.conf" && log="$OUT/node-$node.log"
    port="$(sed -n 's/^http_port = //p' "$conf")"
    echo "Starting node ${node^^} ($WORKERS workers, 1 cron thread) on http://127.0.0.1:$port, log in $log ..."
    start_server "$conf" "$DB" "$log"
    NODE_PIDS+=("$SERVER_PID")
    wait_for_server "http://127.0.0.1:$port/web/health" "$log"
done

write_proxy_config "$PROXY_DIR" "$PROXY_PORT" "$PORT_A" "$GEVENT_A" "$PORT_B" "$GEVENT_B"
"$NGINX" -t -q -p "$PROXY_DIR" -c "$PROXY_DIR/nginx.conf" > "$PROXY_DIR/check.log" 2>&1 \
    || { cat "$PROXY_DIR/check.log" >&2; die "nginx refuses the generated config $PROXY_DIR/nginx.conf (see above)."; }
"$NGINX" -p "$PROXY_DIR" -c "$PROXY_DIR/nginx.conf" 2> "$PROXY_DIR/stderr.log" &
PROXY_PID=$!
PROXY="http://127.0.0.1:$PROXY_PORT"
for _ in $(seq 1 30); do curl -fs -o /dev/null "$PROXY/web/health" && break; sleep 0.5; done
curl -fs -o /dev/null "$PROXY/web/health" || { cat "$PROXY_DIR/stderr.log" "$PROXY_DIR/error.log" >&2 2>/dev/null; die "nginx did not answer on $PROXY"; }
echo "nginx on $PROXY: node A 127.0.0.1:$PORT_A (websocket $GEVENT_A), node B 127.0.0.1:$PORT_B (websocket $GEVENT_B)"

status=0
# 4. Across nodes.
"$PYTHON" "$ROOT/scripts/cluster_check.py" http --db "$DB" --fixture "$OUT/jobs-fixture.json" --summary "$SUMMARY" \
    --proxy "$PROXY" --node-a "127.0.0.1:$PORT_A" --node-b "127.0.0.1:$PORT_B" || status=1

# 5. The jobs on both nodes at once.
echo "Billing and settlement: both nodes' job code at once (two odoo shell processes) ..."
GO="$OUT/jobs-go"
export ABS_CLUSTER_GO="$GO"
JOB_PIDS=()
for node in a b; do
    ABS_CLUSTER_NODE="$node" ABS_CLUSTER_TRIGGER="$([ "$node" = a ] && echo 1 || echo 0)" \
        odoo_bin shell -c "$OUT/node-$node.conf" -d "$DB" --no-http --log-level=warn \
        < "$ROOT/bench/cluster_jobs.py" > "$OUT/jobs-$node.out" 2>&1 &
    JOB_PIDS+=("$!")
done
for _ in $(seq 1 240); do  # both shells loaded (each says so, then waits for $GO, at most 2 minutes)
    [ -f "$GO-a" ] && [ -f "$GO-b" ] && break
    sleep 0.5
done
touch "$GO"
for pid in "${JOB_PIDS[@]}"; do wait "$pid" || status=1; done
"$PYTHON" "$ROOT/scripts/cluster_check.py" jobs --db "$DB" --fixture "$OUT/jobs-fixture.json" --summary "$SUMMARY" \
    --runs "$OUT/jobs-a.out" "$OUT/jobs-b.out" || status=1
for node in a b; do
    ran="$(grep -o "Job '\(Service Accounts: Subscription Invoicing\|ABS: settle pending mobile-money payments\)' ([0-9]*) done" "$OUT/node-$node.log" | cut -d"'" -f2 | paste -sd, || true)"
    echo "  node ${node^^}'s cron thread ran: ${ran:-none of them}"
done

# 6. The load run across both nodes.
AGENTS="$((2 * AGENTS_PER_SA))"
echo "Locust through the proxy: $AGENTS agents, 1 sale each, at most $RUN_TIME ..."
: > "$PROXY_DIR/access.log"
"$LOCUST_VENV/bin/locust" -f "$ROOT/bench/load_day.py" --headless --host "$PROXY" \
    --users "$AGENTS" --spawn-rate 2 --run-time "$RUN_TIME" --stop-timeout 120 \
    --only-summary --loglevel WARNING || status=1
[ -s "$ABS_LOAD_LEDGER" ] || { echo "Locust wrote no ledger ($ABS_LOAD_LEDGER)" >&2; status=1; }
teardown
for node in a b; do
    read -r retries errors < <(server_log_errors "$OUT/node-$node.log")
    echo "Node ${node^^}'s log: $errors errors or tracebacks; $retries serialization failures retried by Odoo"
    if [ "$errors" != "0" ]; then
        grep -v 'could not serialize\|odoo.sql_db: bad query' "$OUT/node-$node.log" | grep -m 5 -A 3 ' ERROR \| CRITICAL \|Traceback' >&2 || true
        status=1
    fi
done
echo "Checking the database (nothing lost, nothing doubled) ..."
odoo_bin shell -c "$CONF_A" -d "$DB" --no-http --log-level=error < "$ROOT/bench/load_day_check.py" \
    | tee "$OUT/load-checks.txt" | grep -E '^  (ok|FAIL|note)|^LOAD CHECKS' || true
grep -q '^LOAD CHECKS: OK' "$OUT/load-checks.txt" || status=1

"$PYTHON" - "$SUMMARY" "$ABS_LOAD_SUMMARY" "$PROXY_DIR/access.log" "$PORT_A" "$PORT_B" "$status" <<'PY' || status=1
import collections, json, os, sys
summary_path, load_path, access_log, port_a, port_b, status = sys.argv[1:]
summary = json.load(open(summary_path)) if os.path.exists(summary_path) else {}
load = json.load(open(load_path)) if os.path.exists(load_path) else {}
nodes = {f"127.0.0.1:{port_a}": "A", f"127.0.0.1:{port_b}": "B"}
served = collections.Counter(nodes.get(line.split(" ", 1)[0], "other") for line in open(access_log) if line.strip())
print("\nCluster run (2 nodes behind nginx, one database):")
if load:
    print(f"  load: {load['requests']} requests in {load['seconds']} s = {load['throughput_rps']} requests/s, "
          f"p50 {load['p50_ms']:.0f} ms, p95 {load['p95_ms']:.0f} ms, {load['failures']} errors; "
          f"{load['sales_complete']}/{load['sales_started']} sales complete; served by node A {served['A']}, "
          f"node B {served['B']}" + (f", other {served['other']}" if served["other"] else ""))
print(f"  jobs: {summary.get('periods_billed')} periods billed for {summary.get('periods_due')} due, "
      f"{summary.get('attempts_settled')} attempts settled with {summary.get('payments')} payments")
print(f"  checks across nodes: {len(summary.get('http_failures', [])) + len(summary.get('jobs_failures', []))} failed")
summary["load"] = load
summary["load_served_by_node"] = dict(served)
json.dump(summary, open(summary_path, "w"), indent=1)
bad = not load or load["failures"] or load["sales_complete"] != load["sales_started"] or not served["A"] or not served["B"]
print("CLUSTER: " + ("FAILED" if bad or status != "0" else "OK"))
sys.exit(1 if bad else 0)
PY
exit "$status"
