"""Latency of the stock API against Odoo's own JSON-RPC (``/jsonrpc`` execute_kw) on the same data.

Run by scripts/bench.sh (which builds the database and starts Odoo); by hand:
    python3 bench/stock_bench.py --url http://127.0.0.1:PORT --db abs_connector_bench --fixture fixture.json [-n 200]
For each pair, requests alternate (API, RPC, API, ...) after a warm-up so both see the same server state.
The JSON-RPC side makes every call a client needs for the same answer (the page and its total; a delivery,
its moves and their move lines). With --server-log (Odoo's werkzeug INFO lines), it also prints the SQL
queries per request of each side, read from the server's own request log.
This is a script, not a test: it prints a table and asserts nothing.
"""

import argparse
import itertools
import json
import os
import re
import statistics
import time

import requests


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Bench:
    def __init__(self, url, db, fixture):
        self.url, self.db, self.fixture = url.rstrip("/"), db, fixture
        self.http = requests.Session()
        answer = self.http.post(
            f"{self.url}/api/auth/login", json={"login": fixture["login"], "password": fixture["password"]}, timeout=30
        )
        answer.raise_for_status()
        self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        self.uid = self.rpc("common", "login", db, "admin", "admin")
        assert self.uid, "admin/admin login failed"
        self.rpc_ids = itertools.count(1)

    def rpc(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"service": service, "method": method, "args": list(args)},
        }
        answer = self.http.post(f"{self.url}/jsonrpc", json=payload, timeout=60)
        answer.raise_for_status()
        body = answer.json()
        if "error" in body:
            raise RuntimeError(body["error"])
        return body["result"]

    def execute(self, model, method, args, kwargs):
        return self.rpc("object", "execute_kw", self.db, self.uid, "admin", model, method, args, kwargs)

    def api(self, path):
        answer = self.http.get(f"{self.url}{path}", headers=self.headers, timeout=60)
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:200]}")
        return answer.json()

    @staticmethod
    def timed(func):
        start = time.perf_counter()
        func()
        return (time.perf_counter() - start) * 1000

    def compare(self, label, api_call, rpc_call, n, warmup, server_log=None):
        samples = {"api": [], "rpc": []}
        for i in range(warmup):
            api_call(i), rpc_call(i)
        log_start = os.path.getsize(server_log) if server_log else 0
        for i in range(n):
            samples["api"].append(self.timed(lambda i=i: api_call(i)))
            samples["rpc"].append(self.timed(lambda i=i: rpc_call(i)))
        row = {"endpoint": label}
        for kind, values in samples.items():
            row[f"{kind}_p50"] = statistics.median(values)
            row[f"{kind}_p95"] = percentile(values, 95)
        if server_log:
            time.sleep(0.2)  # the server logs a request once its answer is sent
            row.update(queries_per_request(server_log, log_start, n))
        return row


# werkzeug's request line, as Odoo logs it: ... "GET /path HTTP/1.1" 200 - <queries> <query time> <other time>
REQUEST_LINE = re.compile(r'"(?:GET|POST) (?P<path>\S+) HTTP/[\d.]+" \d+ - (?P<queries>\d+) ')


def queries_per_request(server_log, start, n):
    """SQL queries per timed iteration of each side, from the server's request log since ``start``."""
    totals = {"api": 0, "rpc": 0}
    with open(server_log, encoding="utf-8", errors="replace") as handle:
        handle.seek(start)
        for line in handle:
            match = REQUEST_LINE.search(line)
            if match:
                side = "rpc" if match["path"].startswith("/jsonrpc") else "api"
                totals[side] += int(match["queries"])
    return {"api_queries": totals["api"] / n, "rpc_queries": totals["rpc"] / n}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--fixture", required=True, help="JSON line printed by bench/load_stock.py")
    parser.add_argument("-n", type=int, default=200, help="timed requests per endpoint and side")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--server-log", help="Odoo's log with werkzeug INFO lines: prints queries per request")
    args = parser.parse_args()
    with open(args.fixture) as handle:
        fixture = json.loads(handle.read().strip().splitlines()[-1])
    bench = Bench(args.url, args.db, fixture)
    serials, products, deliveries = fixture["serial_names"], fixture["product_ids"], fixture["delivery_ids"]
    internal = [("location_id.usage", "=", "internal")]
    quant_fields = ["product_id", "location_id", "lot_id", "quantity", "reserved_quantity"]
    picking_fields = [
        "name",
        "state",
        "scheduled_date",
        "date_done",
        "origin",
        "partner_id",
        "sale_id",
        "location_id",
        "location_dest_id",
    ]
    move_fields = ["product_id", "product_uom_qty", "quantity", "product_uom", "state", "move_line_ids"]
    pending_deliveries = [("picking_type_code", "=", "outgoing"), ("state", "not in", ["done", "cancel"])]
    pick = lambda seq, i: seq[i % len(seq)]  # noqa: E731

    rows = [
        bench.compare(
            "GET /api/stock/levels?limit=50",
            lambda i: bench.api("/api/stock/levels?limit=50"),
            lambda i: (
                bench.execute("stock.quant", "search_read", [internal], {"fields": quant_fields, "limit": 50}),
                bench.execute("stock.quant", "search_count", [internal], {}),
            ),
            args.n,
            args.warmup,
            args.server_log,
        ),
        bench.compare(
            "GET /api/stock/lots?limit=50",
            lambda i: bench.api("/api/stock/lots?limit=50"),
            lambda i: (
                bench.execute(
                    "stock.lot",
                    "search_read",
                    [[]],
                    {"fields": ["name", "ref", "product_id", "product_qty"], "limit": 50, "order": "id desc"},
                ),
                bench.execute("stock.lot", "search_count", [[]], {}),
            ),
            args.n,
            args.warmup,
            args.server_log,
        ),
        bench.compare(
            "GET /api/stock/lots/<name>",
            lambda i: bench.api(f"/api/stock/lots/{pick(serials, i)}"),
            lambda i: (
                bench.execute(
                    "stock.lot",
                    "search_read",
                    [[("name", "=", pick(serials, i))]],
                    {"fields": ["name", "ref", "product_id"]},
                ),
                bench.execute(
                    "stock.quant",
                    "search_read",
                    [internal + [("lot_id.name", "=", pick(serials, i))]],
                    {"fields": quant_fields},
                ),
            ),
            args.n,
            args.warmup,
            args.server_log,
        ),
        bench.compare(
            "GET /api/stock/levels/<id>",
            lambda i: bench.api(f"/api/stock/levels/{pick(products, i)}"),
            lambda i: (
                bench.execute(
                    "product.product",
                    "read",
                    [[pick(products, i)]],
                    {"fields": ["display_name", "default_code", "tracking", "qty_available", "virtual_available"]},
                ),
                bench.execute(
                    "stock.quant",
                    "search_read",
                    [internal + [("product_id", "=", pick(products, i))]],
                    {"fields": quant_fields},
                ),
            ),
            args.n,
            args.warmup,
            args.server_log,
        ),
        bench.compare(
            "GET /api/stock/deliveries?limit=50",
            lambda i: bench.api("/api/stock/deliveries?limit=50"),
            lambda i: (
                bench.execute(
                    "stock.picking",
                    "search_read",
                    [pending_deliveries],
                    {"fields": picking_fields, "limit": 50, "order": "scheduled_date asc, id asc"},
                ),
                bench.execute("stock.picking", "search_count", [pending_deliveries], {}),
            ),
            args.n,
            args.warmup,
            args.server_log,
        ),
        bench.compare(
            "GET /api/stock/deliveries/<id>",
            lambda i: bench.api(f"/api/stock/deliveries/{pick(deliveries, i)}"),
            lambda i: (
                bench.execute("stock.picking", "read", [[pick(deliveries, i)]], {"fields": picking_fields}),
                bench.execute(
                    "stock.move", "search_read", [[("picking_id", "=", pick(deliveries, i))]], {"fields": move_fields}
                ),
                bench.execute(
                    "stock.move.line",
                    "search_read",
                    [[("picking_id", "=", pick(deliveries, i))]],
                    {"fields": ["move_id", "lot_id", "quantity", "location_id", "picked"]},
                ),
            ),
            args.n,
            args.warmup,
            args.server_log,
        ),
    ]
    product_fields = [
        "name",
        "default_code",
        "barcode",
        "description_sale",
        "type",
        "is_storable",
        "x_pu_category",
        "x_service_type",
        "x_contract_type",
        "x_pu_metric",
        "recurring_invoice",
        "tracking",
        "invoice_policy",
        "lst_price",
        "uom_id",
        "categ_id",
        "x_sa_id",
        "sale_ok",
        "active",
        # the live stock the API answers with: on hand, available (on hand - reserved), forecast
        "qty_available",
        "free_qty",
        "virtual_available",
    ]
    sellable = [("sale_ok", "=", True)]
    rows.append(
        bench.compare(
            "GET /api/products?limit=200",
            lambda i: bench.api("/api/products?limit=200"),
            lambda i: (
                bench.execute(
                    "product.product",
                    "search_read",
                    [sellable],
                    {"fields": product_fields, "limit": 200, "order": "id"},
                ),
                bench.execute("product.product", "search_count", [sellable], {}),
            ),
            args.n,
            args.warmup,
            args.server_log,
        )
    )
    order_fields = [
        "name",
        "state",
        "locked",
        "abs_approval_state",
        "abs_approval_note",
        "abs_reject_reason",
        "abs_approved_by",
        "abs_approval_user_id",
        "abs_approval_date",
        "partner_id",
        "x_sa_id",
        "x_actor_id",
        "x_outlet_id",
        "client_order_ref",
        "date_order",
        "validity_date",
        "amount_untaxed",
        "amount_tax",
        "amount_total",
        "currency_id",
        "invoice_status",
    ]
    # The bench SA's orders: what its manager may see (the JSON-RPC admin filters on the stamp).
    own_orders = [("x_sa_id.code", "=", "BENCH")]
    rows.append(
        bench.compare(
            "GET /api/orders?limit=200",
            lambda i: bench.api("/api/orders?limit=200"),
            lambda i: (
                bench.execute(
                    "sale.order",
                    "search_read",
                    [own_orders],
                    {"fields": order_fields, "limit": 200, "order": "date_order desc, id desc"},
                ),
                bench.execute("sale.order", "search_count", [own_orders], {}),
            ),
            args.n,
            args.warmup,
            args.server_log,
        )
    )
    invoice_fields = [
        "name",
        "move_type",
        "state",
        "payment_state",
        "partner_id",
        "x_sa_id",
        "invoice_origin",
        "invoice_date",
        "invoice_date_due",
        "amount_untaxed",
        "amount_tax",
        "amount_total",
        "amount_residual",
        "currency_id",
        "reversed_entry_id",
    ]
    own_invoices = [("move_type", "in", ["out_invoice", "out_refund"]), ("x_sa_id.code", "=", "BENCH")]
    rows.append(
        bench.compare(
            "GET /api/invoices?limit=200",
            lambda i: bench.api("/api/invoices?limit=200"),
            lambda i: (
                bench.execute(
                    "account.move",
                    "search_read",
                    [own_invoices],
                    {"fields": invoice_fields, "limit": 200, "order": "invoice_date desc, id desc"},
                ),
                bench.execute("account.move", "search_count", [own_invoices], {}),
            ),
            args.n,
            args.warmup,
            args.server_log,
        )
    )
    dashboard_customers = fixture["dashboard_customer_ids"]

    def dashboard_rpc(i):
        # The same figures by hand: the customer, its orders by state, posted invoices (total,
        # outstanding), overdue ones, its payments; each read_group scoped to the bench SA.
        customer = pick(dashboard_customers, i)
        partner = [("partner_id", "=", customer)]
        posted = [*own_invoices, *partner, ("state", "=", "posted")]
        bench.execute("res.partner", "read", [[customer]], {"fields": ["display_name", "commercial_partner_id"]})
        bench.execute("sale.order", "read_group", [[*own_orders, *partner], ["state"], ["state"]], {"lazy": False})
        bench.execute("account.move", "read_group", [posted, ["amount_total_signed", "amount_residual_signed"], []], {})
        bench.execute(
            "account.move",
            "read_group",
            [
                [*posted, ("invoice_date_due", "<", time.strftime("%Y-%m-%d")), ("amount_residual_signed", ">", 0)],
                ["amount_residual_signed"],
                [],
            ],
            {},
        )
        bench.execute(
            "account.payment",
            "read_group",
            [[*partner, ("x_sa_id.code", "=", "BENCH")], ["amount_company_currency_signed"], []],
            {},
        )
        bench.execute(
            "ov.asset",
            "read_group",
            [[*partner, ("x_sa_id.code", "=", "BENCH")], ["state"], ["state"]],
            {"lazy": False},
        )

    rows.append(
        bench.compare(
            "GET /api/customers/<id>/dashboard",
            lambda i: bench.api(f"/api/customers/{pick(dashboard_customers, i)}/dashboard"),
            dashboard_rpc,
            args.n,
            args.warmup,
            args.server_log,
        )
    )
    print(f"\nData: {json.dumps(fixture['counts'])}   n={args.n} per side (after {args.warmup} warm-up)")
    header = (
        f"{'endpoint':36} {'API p50':>8} {'API p95':>8} {'RPC p50':>8} {'RPC p95':>8} {'p50 ratio':>9} {'p95 ratio':>9}"
        f" {'API q/req':>9} {'RPC q/req':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['endpoint']:36} {row['api_p50']:8.1f} {row['api_p95']:8.1f} {row['rpc_p50']:8.1f} "
            f"{row['rpc_p95']:8.1f} {row['api_p50'] / row['rpc_p50']:9.2f} {row['api_p95'] / row['rpc_p95']:9.2f}"
            f" {row.get('api_queries', float('nan')):9.1f} {row.get('rpc_queries', float('nan')):9.1f}"
        )
    print(
        "(milliseconds; ratio = API / JSON-RPC, below 1 means the API is faster; "
        "q/req = SQL queries per answer, all of the side's calls together)"
    )


if __name__ == "__main__":
    main()
