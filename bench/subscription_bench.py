"""Recurring billing at scale: the subscription cron on 1,000 and 10,000 subscriptions due today.

Run by scripts/bench.sh (ABS_BENCH=subscriptions, or after the stock bench); by hand, in-process with Odoo,
on a database where abs_connector is installed (no demo data needed):
    python3 bench/subscription_bench.py -c odoo.conf -d abs_connector_bench [--sizes 1000,10000]

For each size N: one bench SA, its customers (each with an email: every invoice queues its mail) and a
monthly recurring product; N active subscriptions starting today are created in batches of 1,000 and
committed (not billed). Then the real scheduled job ``abs.subscription._cron_invoice_due()`` runs on a real
cursor (it commits batch by batch itself); its wall time and SQL queries (``cr.sql_log_count``, the counter
of every statement the cursor executes) are measured. Before the sizes, a small warm-up run fills Odoo's
caches, so neither size pays the first-call cost alone.

Baseline, in the same run: core's ``sale.order._create_invoices()`` on a confirmed order of ONE line of a
service product (invoice policy "order", no SA, so none of this addon's confirmation hooks invoice it);
its queries are counted on several orders and the median of the warm ones is kept.

Limits of the issue, checked at the end (exit 1 if one fails):
  * queries per invoice <= baseline + 10, for each size;
  * cost linear: the 10,000 run takes at most 11 times the 1,000 run (largest size / smallest, scaled), in
    CPU time of this process and of its PostgreSQL backend (the work done, which the other processes of a
    shared machine do not change); in wall time too with --wall-limit. Both ratios are printed.
Correctness, checked for each size (exit 1 if wrong): every subscription billed exactly once (N periods,
no two for one (subscription, period start), each with its own posted invoice), next invoice date a month on.
With --profile, the statements of each size are grouped by shape and the slowest are printed.
"""

import argparse
import collections
import os
import re
import statistics
import sys
import threading
import time
from contextlib import contextmanager

from dateutil.relativedelta import relativedelta

import odoo
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry

CREATE_BATCH = 1000
CUSTOMERS = 1000
WARMUP = 100
QUERY_MARGIN = 10  # the issue: at most core's own _create_invoices (one line) + 10 queries per invoice
LINEAR_FACTOR = 1.1  # the issue: 10x the subscriptions within 11x the time
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}


def linear_cost_failures(rows, wall_limit, what=""):
    """Print how the cost grows from the smallest run to the largest (``rows``: ``n``, ``seconds``, ``cpu``) and
    return the failures: more than LINEAR_FACTOR times the size's ratio.

    The cost is the work done: CPU time of this process and of its PostgreSQL backend, which other processes
    on a shared machine do not change. Wall time is checked too with ``wall_limit``, or when the CPU time
    cannot be read (PostgreSQL on another machine).
    """
    small, large = rows[0], rows[-1]
    scale = large["n"] / small["n"]
    allowed = scale * LINEAR_FACTOR
    ratios = {"wall time": large["seconds"] / small["seconds"]}
    if small["cpu"] and large["cpu"] is not None:
        ratios["CPU time"] = large["cpu"] / small["cpu"]
    for name, ratio in ratios.items():
        label = f"{what}{name}"
        print(
            f"{label[0].upper()}{label[1:]} ratio {large['n']:,} / {small['n']:,}: {ratio:.2f}x "
            f"(limit {allowed:g}x, linear = {scale:g}x)"
        )
    checked = ratios if wall_limit or "CPU time" not in ratios else {"CPU time": ratios["CPU time"]}
    return [
        f"{what}{name} ratio {ratio:.2f}x above {allowed:g}x: the cost is not linear"
        for name, ratio in checked.items()
        if ratio > allowed
    ]


@contextmanager
def counting(cr):
    """Yields a dict filled on exit with the cursor's queries, the wall time of the block and its CPU time:
    this process's and its PostgreSQL backend's (None when the server's processes are not on this machine)."""
    result = {}
    cr.execute("SELECT pg_backend_pid()")
    backend = cr.fetchone()[0]  # the cursor keeps its connection across the cron's commits
    before, start = cr.sql_log_count, time.perf_counter()
    cpu_start, backend_start = time.process_time(), backend_cpu(backend)
    try:
        yield result
    finally:
        result["queries"] = cr.sql_log_count - before
        result["seconds"] = time.perf_counter() - start
        backend_end = backend_cpu(backend)
        result["cpu"] = (
            time.process_time() - cpu_start + backend_end - backend_start
            if backend_start is not None and backend_end is not None
            else None
        )


def backend_cpu(pid):
    """CPU seconds (user + system) of a local PostgreSQL backend, from /proc; None if not readable."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields_ = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields_[11]) + int(fields_[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


@contextmanager
def statement_shapes(enabled):
    """With ``enabled``: {shape: [count, seconds]} of the statements run in the block (this thread)."""
    shapes = collections.defaultdict(lambda: [0, 0.0])
    if not enabled:
        yield shapes
        return

    def hook(cr, query, params, start, delay):
        text = query.decode() if isinstance(query, bytes) else str(query)
        text = re.sub(r"\s+", " ", text).strip()
        text = re.sub(r"'[^']*'", "?", text)
        text = re.sub(r"\b\d+\b", "N", text)
        text = re.sub(r"(%s|N|\?)(, ?(%s|N|\?))+", "...", text)
        shape = shapes[text[:150]]
        shape[0] += 1
        shape[1] += delay

    thread = threading.current_thread()
    hooks = getattr(thread, "query_hooks", ())
    thread.query_hooks = (*hooks, hook)
    try:
        yield shapes
    finally:
        thread.query_hooks = hooks


def fixtures(env, tag):
    """The bench SA, its customers and the two products (found again on a second run)."""
    account = env["ov.serviced_account"].search([("code", "=", "SUBBENCH")], limit=1)
    if not account:
        account = env["ov.serviced_account"].create(
            {"name": "Subscription Bench SA", "code": "SUBBENCH", "company_id": env.company.id}
        )
    Product = env["product.product"].with_context(**QUIET)
    warranty = Product.search([("default_code", "=", "SUBBENCH-WARRANTY")], limit=1) or Product.create(
        {
            "name": "Bench Warranty (monthly)",
            "default_code": "SUBBENCH-WARRANTY",
            "type": "service",
            "invoice_policy": "order",
            "list_price": 15.0,
            "x_pu_category": "contract",
            "recurring_invoice": True,
            "x_subscription_cadence": "monthly",
        }
    )
    service = Product.search([("default_code", "=", "SUBBENCH-SERVICE")], limit=1) or Product.create(
        {
            "name": "Bench Service",
            "default_code": "SUBBENCH-SERVICE",
            "type": "service",
            "invoice_policy": "order",
            "list_price": 15.0,
        }
    )
    assert warranty.recurring_invoice, "the bench product must be recurring"
    Partner = env["res.partner"].with_context(**QUIET)
    customers = Partner.search([("ref", "=like", "SUBBENCH-%")], order="id")
    if len(customers) < CUSTOMERS:
        customers |= Partner.create(
            [
                {
                    "name": f"Subscription Bench Customer {i:04d}",
                    "ref": f"SUBBENCH-{tag}-{i:04d}",
                    "email": f"sub.bench.{tag}.{i}@example.com",
                    "customer_rank": 1,
                    "company_id": env.company.id,
                    "x_sa_id": account.id,  # governed by the bench SA (its create writes the V3 assignment)
                }
                for i in range(CUSTOMERS - len(customers))
            ]
        )
    return account, warranty, service, customers[:CUSTOMERS]


def create_due_subscriptions(env, n, tag, account, product, customers, today):
    """N active subscriptions starting today (due now), created in batches and not billed."""
    Subscription = env["abs.subscription"].with_context(**QUIET)
    ids = []
    for offset in range(0, n, CREATE_BATCH):
        vals_list = [
            {
                "code": f"SUB-BENCH-{tag}-{n}-{i:05d}",
                "partner_id": customers[i % len(customers)].id,
                "product_id": product.id,
                "quantity": 1.0,
                "price_unit": 15.0,
                "cadence": "monthly",
                "start_date": today,
                "state": "active",
                "x_sa_id": account.id,
                "company_id": account.company_id.id,
            }
            for i in range(offset, min(n, offset + CREATE_BATCH))
        ]
        ids += Subscription.create(vals_list).ids
        env.flush_all()
        env.invalidate_all()
    env.cr.commit()
    # Fresh statistics, as autovacuum keeps them on a live database (the bench databases run without it).
    # Planned on stale ones (account_move nearly empty at the last ANALYZE), core's sequence query of each
    # posted invoice sorts every move of the journal's year: billing turns quadratic, which is not the product's.
    env.cr.execute("ANALYZE")
    env.cr.commit()
    return ids


def check_billed_once(env, ids, period_floor, today):
    """Problems with the billing of these subscriptions (empty: each billed exactly once)."""
    cr, problems = env.cr, []
    cr.execute(
        """
        SELECT count(*), count(DISTINCT (p.subscription_id, p.period_start)), count(DISTINCT p.invoice_id),
               count(*) FILTER (WHERE m.state = 'posted'), count(*) FILTER (WHERE p.period_start <> %s)
          FROM abs_subscription_period p LEFT JOIN account_move m ON m.id = p.invoice_id
         WHERE p.subscription_id = ANY(%s)
        """,
        [today, ids],
    )
    periods, distinct, invoices, posted, other_start = cr.fetchone()
    n = len(ids)
    if periods != n:
        problems.append(f"{periods} billed periods for {n} subscriptions")
    if distinct != periods:
        problems.append(f"{periods - distinct} periods billed twice")
    if invoices != periods or posted != periods:
        problems.append(f"{periods} periods, {invoices} distinct invoices, {posted} posted")
    if other_start:
        problems.append(f"{other_start} periods do not start today")
    cr.execute(
        """
        SELECT count(*) FROM abs_subscription
         WHERE id = ANY(%s) AND (billed_period_count <> 1 OR next_invoice_date <> %s OR billing_error IS NOT NULL)
        """,
        [ids, today + relativedelta(months=1)],
    )
    if wrong := cr.fetchone()[0]:
        problems.append(f"{wrong} subscriptions not moved to next month's period (or with a billing error)")
    cr.execute("SELECT count(*) FROM abs_subscription_period WHERE id > %s", [period_floor])
    if (everything := cr.fetchone()[0]) != periods:
        problems.append(f"the run billed {everything - periods} periods of other subscriptions")
    return problems


def run_size(registry, n, tag, profile=False):
    """Create N due subscriptions, run the cron on them; returns the row of the table."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        today = fields.Date.context_today(env["abs.subscription"])
        account, warranty, _service, customers = fixtures(env, tag)
        due_before = env["abs.subscription"].search_count(env["abs.subscription"]._abs_due_domain(today))
        if due_before:
            sys.exit(f"{due_before} subscriptions are already due in this database: the bench would bill them too.")
        setup_start = time.perf_counter()
        ids = create_due_subscriptions(env, n, tag, account, warranty, customers, today)
        setup_seconds = time.perf_counter() - setup_start
        cr.execute("SELECT coalesce(max(id), 0) FROM abs_subscription_period")
        period_floor = cr.fetchone()[0]
        cr.execute("SELECT coalesce(max(id), 0) FROM mail_mail")
        mail_floor = cr.fetchone()[0]
        env.invalidate_all()
        with statement_shapes(profile) as shapes, counting(cr) as measured:
            done = env["abs.subscription"]._cron_invoice_due()
        env.invalidate_all()
        cr.execute(
            "SELECT count(*) FROM abs_subscription_period WHERE id > %s AND invoice_id IS NOT NULL", [period_floor]
        )
        invoices = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM mail_mail WHERE id > %s", [mail_floor])
        mails = cr.fetchone()[0]
        problems = check_billed_once(env, ids, period_floor, today)
        tenths = batch_tenths(cr, ids)
        if done != n:
            problems.append(f"the cron reported {done} subscriptions done, not {n}")
        cr.commit()
    return {
        "n": n,
        "invoices": invoices,
        "mails": mails,
        "seconds": measured["seconds"],
        "cpu": measured["cpu"],
        "queries": measured["queries"],
        "setup_seconds": setup_seconds,
        "problems": problems,
        "shapes": shapes,
        "tenths": tenths,
    }


def batch_tenths(cr, ids):
    """Milliseconds per subscription of the first and the last tenth of the run's batches, or None.

    A batch is one transaction, and a record's ``create_date`` is its transaction's timestamp: the billed
    periods of a batch share it, and the gap to the next batch's is the batch's time. A cost that grows
    with the data already billed shows as a last tenth slower than the first (the machine's load varies too).
    """
    cr.execute(
        """
        SELECT create_date, count(*) FROM abs_subscription_period
         WHERE subscription_id = ANY(%s) GROUP BY create_date ORDER BY create_date
        """,
        [ids],
    )
    starts = cr.fetchall()
    batches = [
        (count, (following - start).total_seconds())
        for (start, count), (following, _n) in zip(starts, starts[1:], strict=False)
    ]
    if len(batches) < 10:
        return None
    tenth = len(batches) // 10

    def per_subscription(rows):
        return 1000 * sum(seconds for _count, seconds in rows) / sum(count for count, _seconds in rows)

    return per_subscription(batches[:tenth]), per_subscription(batches[-tenth:])


def core_baseline(registry, orders=7, warm_from=2):
    """Queries of core's ``sale.order._create_invoices()`` for a confirmed order of one service line."""
    counts = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        _account, _warranty, service, customers = fixtures(env, "base")
        for i in range(orders):
            order = (
                env["sale.order"]
                .with_context(**QUIET)
                .create(
                    {
                        "partner_id": customers[i].id,
                        "order_line": [Command.create({"product_id": service.id, "product_uom_qty": 1})],
                    }
                )
            )
            order.action_confirm()
            assert not order.invoice_ids, "the baseline order must not be invoiced at confirmation"
            env.flush_all()
            env.invalidate_all()
            with counting(cr) as measured:
                invoice = order._create_invoices()
                env.flush_all()
            assert len(invoice) == 1 and len(invoice.invoice_line_ids) == 1, invoice
            counts.append(measured["queries"])
        cr.rollback()  # the baseline leaves nothing behind
    return statistics.median(counts[warm_from:]), counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--db", required=True, help="database with abs_connector installed")
    parser.add_argument("--sizes", default="1000,10000", help="subscriptions per run, comma-separated")
    parser.add_argument("--profile", action="store_true", help="print the slowest statements of each run")
    parser.add_argument(
        "--wall-limit", action="store_true", help="fail on the wall-time ratio too (on a machine of its own)"
    )
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db, "--log-level=warn"])
    registry = Registry(args.db)
    tag = time.strftime("%Y%m%d%H%M%S")

    baseline, baseline_counts = core_baseline(registry)
    print(
        f"Core sale.order._create_invoices(), one service line: {baseline_counts} queries (median of warm: {baseline})"
    )
    print(f"Warm-up: {WARMUP} subscriptions...", flush=True)
    warm = run_size(registry, WARMUP, f"{tag}w")
    rows = []
    for n in sizes:
        print(f"Creating {n:,} active subscriptions due today and running the cron...", flush=True)
        rows.append(run_size(registry, n, tag, profile=args.profile))
        row = rows[-1]
        cpu = f", CPU {row['cpu']:.1f} s (Odoo + PostgreSQL)" if row["cpu"] is not None else ""
        print(f"  set-up {row['setup_seconds']:.1f} s, cron {row['seconds']:.1f} s{cpu}", flush=True)

    limit = baseline + QUERY_MARGIN
    failures = [f"warm-up: {problem}" for problem in warm["problems"]]
    header = (
        f"{'N':>7} {'invoices':>9} {'mails':>7} {'seconds':>8} {'CPU s':>7} {'invoices/s':>10} {'queries':>9}"
        f" {'q/invoice':>9}"
    )
    print()
    print(header)
    print("-" * len(header))
    for row in rows:
        per_invoice = row["queries"] / row["invoices"] if row["invoices"] else float("inf")
        rate = row["invoices"] / row["seconds"] if row["seconds"] else float("inf")
        print(
            f"{row['n']:7,} {row['invoices']:9,} {row['mails']:7,} {row['seconds']:8.1f} {row['cpu'] or 0:7.1f}"
            f" {rate:10.1f} {row['queries']:9,} {per_invoice:9.1f}"
        )
        failures += [f"N={row['n']}: {problem}" for problem in row["problems"]]
        if per_invoice > limit:
            failures.append(f"N={row['n']}: {per_invoice:.1f} queries per invoice, above the limit {limit:g}")
    for row in rows:
        if row["tenths"]:
            first, last = row["tenths"]
            print(
                f"N={row['n']:,}: first tenth of the batches {first:.1f} ms per subscription, last tenth {last:.1f}"
                f" ({last / first:.2f}x: above 1 if a batch costs more as the data billed before grows)"
            )
    print(f"Baseline: core _create_invoices (1 line) = {baseline:g} queries; limit per invoice = {limit:g}")
    if len(rows) > 1:
        failures += linear_cost_failures(rows, args.wall_limit)
    for row in rows:
        if row["shapes"]:
            invoices = max(row["invoices"], 1)
            sql_seconds = sum(seconds for _count, seconds in row["shapes"].values())
            print(f"\nStatements of the N={row['n']:,} run: {sql_seconds:.1f} s in SQL of {row['seconds']:.1f} s")
            print(f"{'per invoice':>11} {'ms/invoice':>10}  statement (slowest first)")
            for shape, (count, seconds) in sorted(row["shapes"].items(), key=lambda item: -item[1][1])[:25]:
                print(f"{count / invoices:11.2f} {1000 * seconds / invoices:10.2f}  {shape}")
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    print("\nOK: every subscription billed exactly once; queries per invoice and time ratio within the limits.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
