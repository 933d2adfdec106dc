"""Offline sync at scale (issue 19): an agent's first sync of 10,000 rows and an incremental pull of 100 changes
among 100,000 rows, against the JSON-RPC calls that fetch the same answer, in the same run.

Run by scripts/bench.sh (ABS_BENCH=sync, or part of all) on the server it started, after bench/load_sync.py:
    python3 bench/sync_bench.py --url http://127.0.0.1:8069 --db abs_connector_bench --fixture f.json --server-log s.log

First sync: ``GET /api/sync`` page by page (5,000 rows a page) against ``search_read`` of the same customers,
products and categories in pages of 5,000 (JSON-RPC ``execute_kw``). Incremental: 100 of the agent's customers
change (one JSON-RPC write), then ``GET /api/sync?last_pulled_at=`` against ``search_read`` of the customers
whose ``write_date`` is after the first sync (what a client without a change log would do). For each: wall
time, SQL queries (the server's request log), bytes. Then the plan of the change-log read: it must use the
index (``abs_sync_log (table_name, txid)``), never read the whole log (exit 1 otherwise).
"""

import argparse
import json
import re
import sys
import time

import psycopg2
from stock_bench import Bench as StockBench

REQUEST_LINE = re.compile(r'"(?:GET|POST) (?P<path>\S+) HTTP/[\d.]+" \d+ - (?P<queries>\d+) ')
PAGE = 5000
CUSTOMER_FIELDS = ["name", "phone", "email", "street", "city", "ref", "x_sa_id"]
PRODUCT_FIELDS = ["name", "default_code", "categ_id", "lst_price", "qty_available"]


def sa_scope(account_id):
    """The customers an SA governs (an active assignment): what the agent's phone holds."""
    return [("abs_sa_assignment_ids", "any", [("account_id", "=", account_id), ("state", "=", "active")])]


class Bench(StockBench):
    """The stock bench's client (the agent's JWT, admin's JSON-RPC), counting the bytes of every answer."""

    def __init__(self, url, db, fixture, server_log):
        super().__init__(url, db, fixture)
        self.server_log = server_log
        self.bytes = 0
        self.http.hooks["response"].append(self._count_bytes)

    def _count_bytes(self, response, *args, **kwargs):
        self.bytes += len(response.content)

    def pull(self, last_pulled_at=None):
        """Every page of one pull: (rows, timestamp)."""
        rows, page, timestamp = 0, None, None
        while True:
            params = {"limit": PAGE, "last_pulled_at": last_pulled_at or ""}
            if page:
                params["page"] = page
            answer = self.http.get(f"{self.url}/api/sync", params=params, headers=self.headers, timeout=600)
            answer.raise_for_status()
            body = answer.json()
            rows += sum(len(c["created"]) + len(c["updated"]) + len(c["deleted"]) for c in body["changes"].values())
            timestamp, page = body["timestamp"], body["next"]
            if not page:
                return rows, timestamp

    def measure(self, func):
        """(result, seconds, queries, bytes) of one call of ``func``."""
        self.bytes = 0
        time.sleep(0.3)
        with open(self.server_log, "rb") as handle:
            handle.seek(0, 2)
            start = handle.tell()
        began = time.perf_counter()
        result = func()
        seconds = time.perf_counter() - began
        time.sleep(0.5)  # the server logs a request once its answer is sent
        queries = 0
        with open(self.server_log, encoding="utf-8", errors="replace") as handle:
            handle.seek(start)
            for line in handle:
                match = REQUEST_LINE.search(line)
                if match:
                    queries += int(match["queries"])
        return result, seconds, queries, self.bytes

    def rpc_first_sync(self):
        scope = sa_scope(self.fixture["account_id"])
        rows = 0
        for model, domain, fields in (
            ("res.partner", scope, CUSTOMER_FIELDS),
            ("product.product", [("sale_ok", "=", True)], PRODUCT_FIELDS),
            ("product.category", [], ["name", "complete_name", "parent_id"]),
        ):
            offset = 0
            while True:
                kwargs = {"fields": fields, "limit": PAGE, "offset": offset, "order": "id"}
                batch = self.execute(model, "search_read", [domain], kwargs)
                rows += len(batch)
                offset += PAGE
                if len(batch) < PAGE:
                    break
        return rows

    def rpc_changed_since(self, since):
        domain = [("write_date", ">", since), *sa_scope(self.fixture["account_id"])]
        return len(self.execute("res.partner", "search_read", [domain], {"fields": CUSTOMER_FIELDS}))


def row(label, api, rpc):
    (api_rows, api_s, api_q, api_b), (rpc_rows, rpc_s, rpc_q, rpc_b) = api, rpc
    return (
        f"{label:<34} api {api_rows:>6} rows {api_s * 1000:>8.0f} ms {api_q:>5} queries {api_b / 1e6:>7.2f} MB | "
        f"json-rpc {rpc_rows:>6} rows {rpc_s * 1000:>8.0f} ms {rpc_q:>5} queries {rpc_b / 1e6:>7.2f} MB | "
        f"time ×{api_s / rpc_s:.2f}, queries ×{api_q / max(rpc_q, 1):.2f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--fixture", required=True, help="JSON line printed by bench/load_sync.py")
    parser.add_argument("--server-log", required=True)
    args = parser.parse_args()
    with open(args.fixture) as handle:
        fixture = json.loads(handle.read().strip().splitlines()[-1])
    bench = Bench(args.url, args.db, fixture, args.server_log)
    print(
        f"Offline sync: {fixture['in_scope']:,} customers in the agent's scope among {fixture['customers']:,}, "
        f"{fixture['log_rows']:,} rows in the change log"
    )
    bench.pull()  # warm-up: caches a first call fills
    first = bench.measure(bench.pull)
    (first_rows, timestamp) = first[0]
    rpc_first = bench.measure(bench.rpc_first_sync)
    print(row("first sync", (first_rows, *first[1:]), rpc_first))

    # 100 of the agent's customers change, after a moment (write_date has a second's precision).
    time.sleep(1.1)
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    time.sleep(1.1)
    changed = bench.execute(
        "res.partner", "search", [sa_scope(fixture["account_id"])], {"limit": 100, "order": "id desc"}
    )
    bench.execute("res.partner", "write", [changed, {"city": "Sokodé"}], {})
    _warm, last = bench.pull(timestamp)
    bench.execute("res.partner", "write", [changed, {"city": "Kara"}], {})
    incremental = bench.measure(lambda: bench.pull(last)[0])
    rpc_incremental = bench.measure(lambda: bench.rpc_changed_since(since))
    print(row("incremental pull of 100 changes", incremental, rpc_incremental))
    failed = []
    if incremental[0] != 100:
        failed.append(f"the incremental pull sent {incremental[0]} rows, not the 100 changed")
    if first_rows < fixture["in_scope"]:
        failed.append(f"the first sync sent {first_rows} rows, fewer than the {fixture['in_scope']} in scope")

    # The plan of the change-log read of an incremental pull: on the index, not the whole log.
    with psycopg2.connect(dbname=args.db) as connection, connection.cursor() as cr:
        cr.execute("SELECT snapshot::text FROM abs_sync_cursor WHERE id = %s", [last])
        snapshot = cr.fetchone()[0]
        cr.execute(
            """EXPLAIN SELECT res_id, bool_or(op = 'c'), bool_or(op = 'x') FROM abs_sync_log
                WHERE table_name = 'customers' AND txid >= pg_snapshot_xmin(%s::pg_snapshot)::text::bigint
                  AND NOT pg_visible_in_snapshot(txid::text::xid8, %s::pg_snapshot) GROUP BY res_id""",
            [snapshot, snapshot],
        )
        plan = [line for (line,) in cr.fetchall()]
    scan = next((line.strip() for line in plan if "Index" in line and "abs_sync_log_table_txid_idx" in line), "")
    print(f"change-log read of the incremental pull: {scan or 'no index scan'}")
    if not scan:
        failed.append("the incremental pull's change-log read does not use the index:\n" + "\n".join(plan))
    for message in failed:
        print(f"FAILED: {message}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
