"""The per-agent report (``GET /api/reports/sa-summary?by=agent``) against Odoo's JSON-RPC ``read_group`` calls
that fetch the same figures, on the population of bench/load_report.py (50 agents, 20,000 payments).

Run by scripts/bench.sh (ABS_BENCH=report, or within all: it builds the database and starts Odoo); by hand:
    python3 bench/report_bench.py --url http://127.0.0.1:PORT --db abs_connector_bench --fixture report.json
        [-n 30] [--server-log odoo.log]
Requests alternate (API, then the JSON-RPC calls) after a warm-up, so both see the same server state. The
JSON-RPC side makes every call a client needs for the same answer (a read_group per figure, the journals'
payment sources, the agents' ledger partners); its figures are checked equal to the API's before timing.
With --server-log (Odoo's werkzeug INFO lines), it prints the SQL queries per request of each side.
This is a script, not a test: it prints a table and asserts nothing but the figures' equality.
"""

import argparse
import json
import sys
from collections import defaultdict

from stock_bench import Bench


class ReportBench(Bench):
    def __init__(self, url, db, fixture):
        super().__init__(url, db, fixture)
        self.headers["X-SA-ID"] = str(fixture["sa_id"])
        self.fixture = fixture
        period = f"date_from={fixture['date_from']}&date_to={fixture['date_to']}"
        self.path = f"/api/reports/sa-summary?by=agent&{period}"

    def api_report(self):
        return self.api(self.path)["service_accounts"][0]

    def rpc_report(self):
        """The SA's per-agent figures through JSON-RPC: what a client without the API calls for them."""
        fx = self.fixture
        sa, date_from, date_to = fx["sa_id"], fx["date_from"], fx["date_to"]
        start_dt, end_dt = f"{date_from} 00:00:00", f"{date_to} 23:59:59"
        rg = self.read_group
        received = rg(
            "account.payment",
            [
                ("x_sa_id", "=", sa),
                ("payment_type", "=", "inbound"),
                ("state", "in", ["in_process", "paid"]),
                ("date", ">=", date_from),
                ("date", "<=", date_to),
            ],
            ["amount_company_currency_signed:sum"],
            ["journal_id", "x_actor_id"],
        )
        in_hand = rg(
            "account.move.line",
            [
                ("account_id", "=", fx["cash_in_hand_account_id"]),
                ("parent_state", "=", "posted"),
                ("date", "<=", date_to),
            ],
            ["balance:sum"],
            ["partner_id"],
        )
        confirmed = [("x_sa_id", "=", sa), ("state", "=", "confirmed")]
        confirmed += [("confirmed_at", ">=", start_dt), ("confirmed_at", "<=", end_dt)]
        handed = rg("abs.cash.handover", confirmed, ["expected_amount:sum"], ["x_actor_id"])
        short = rg("abs.cash.handover", [*confirmed, ("difference", "<", 0)], ["difference:sum"], ["x_actor_id"])
        sales = rg(
            "sale.order",
            [
                ("x_sa_id", "=", sa),
                ("state", "=", "sale"),
                ("date_order", ">=", start_dt),
                ("date_order", "<=", end_dt),
            ],
            ["amount_untaxed:sum"],
            ["x_actor_id"],
        )
        invoices = rg(
            "account.move",
            [
                ("x_sa_id", "=", sa),
                ("state", "=", "posted"),
                ("move_type", "in", ["out_invoice", "out_refund"]),
                ("invoice_date", ">=", date_from),
                ("invoice_date", "<=", date_to),
            ],
            ["amount_untaxed_signed:sum", "amount_total_signed:sum", "amount_residual_signed:sum"],
            [],
        )
        deliveries = rg(
            "ov.sa_delivery_assignment",
            [
                ("account_id", "=", sa),
                ("state", "=", "active"),
                ("picking_id.state", "=", "done"),
                ("picking_id.picking_type_code", "=", "outgoing"),
            ],
            ["__count"],
            [],
        )
        kits = rg(
            "stock.move.line",
            [
                ("picking_id.abs_sa_assignment_ids", "any", [("account_id", "=", sa), ("state", "=", "active")]),
                ("state", "=", "done"),
                ("picking_code", "=", "outgoing"),
                ("product_id.tracking", "=", "serial"),
                ("date", ">=", start_dt),
                ("date", "<=", end_dt),
            ],
            ["quantity:sum"],
            [],
        )
        journal_ids = list({group["journal_id"][0] for group in received})
        sources = {
            journal["id"]: journal["abs_payment_source"] or "other"
            for journal in self.execute("account.journal", "read", [journal_ids, ["abs_payment_source"]], {})
        }
        partner_ids = [group["partner_id"][0] for group in in_hand if group["partner_id"]]
        agent_of_partner = {
            agent["partner_id"][0]: agent["id"]
            for agent in self.execute(
                "abs.employee",
                "search_read",
                [[("partner_id", "in", partner_ids)]],
                {"fields": ["partner_id"], "context": {"active_test": False}},
            )
        }
        rows = defaultdict(lambda: defaultdict(float))
        totals = defaultdict(float)
        for group in received:
            agent = group["x_actor_id"][0] if group["x_actor_id"] else None
            rows[agent]["collected"] += group["amount_company_currency_signed"]
            totals[sources[group["journal_id"][0]]] += group["amount_company_currency_signed"]
        for group in in_hand:
            rows[agent_of_partner.get(group["partner_id"] and group["partner_id"][0])]["cash_in_hand"] += group[
                "balance"
            ]
        for groups, key, field, sign in (
            (handed, "handed_over", "expected_amount", 1),
            (short, "shortages", "difference", -1),
            (sales, "sales", "amount_untaxed", 1),
        ):
            for group in groups:
                rows[group["x_actor_id"][0] if group["x_actor_id"] else None][key] += sign * group[field]
        return {"rows": rows, "received": totals, "extra": (invoices, deliveries, kits)}

    def read_group(self, model, domain, aggregates, groupby):
        return self.execute(model, "read_group", [domain, aggregates, groupby], {"lazy": False})


def check_same_figures(api, rpc):
    """The API's per-agent rows equal the JSON-RPC side's (to the cent)."""
    for row in api["agents"]:
        agent = row["agent"]["id"] if row["agent"] else None
        theirs = rpc["rows"].get(agent, {})
        for key in ("collected", "cash_in_hand", "handed_over", "shortages", "sales"):
            if abs(row[key] - theirs.get(key, 0.0)) > 0.005:
                sys.exit(f"figures differ for agent {agent} {key}: API {row[key]}, JSON-RPC {theirs.get(key, 0.0)}")
    for key in ("cash", "bank", "mobile_money"):
        if abs(api["received"][key] - rpc["received"].get(key, 0.0)) > 0.005:
            sys.exit(f"received {key} differs: API {api['received'][key]}, JSON-RPC {rpc['received'].get(key)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--fixture", required=True, help="JSON line printed by bench/load_report.py")
    parser.add_argument("-n", type=int, default=30, help="timed rounds of each side")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--server-log", help="Odoo's log with werkzeug INFO lines: prints queries per request")
    args = parser.parse_args()
    with open(args.fixture) as handle:
        fixture = json.loads(handle.read().strip().splitlines()[-1])
    bench = ReportBench(args.url, args.db, fixture)
    api = bench.api_report()
    check_same_figures(api, bench.rpc_report())
    row = bench.compare(
        "GET /api/reports/sa-summary?by=agent",
        lambda i: bench.api_report(),
        lambda i: bench.rpc_report(),
        args.n,
        args.warmup,
        args.server_log,
    )
    counts = fixture["counts"]
    print(
        f"Per-agent report: {counts['agents']} agents, {counts['payments']} payments, {counts['handovers']} "
        f"confirmed handovers (loaded in {fixture['load_seconds']} s); {len(api['agents'])} agent rows."
    )
    print(f"{'':44} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for side, label in (("api", row["endpoint"]), ("rpc", "JSON-RPC: 8 read_group + 2 reads")):
        queries = row.get(f"{side}_queries")
        print(
            f"{label:44} {row[f'{side}_p50']:8.1f} {row[f'{side}_p95']:8.1f} "
            f"{'' if queries is None else f'{queries:8.0f}'}"
        )
    print(f"ratio JSON-RPC / API (p50): {row['rpc_p50'] / row['api_p50']:.2f}x")


if __name__ == "__main__":
    main()
