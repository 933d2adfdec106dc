"""Pay-as-you-go at scale: token issuing on 10,000 payments over 1,000 accounts, and the daily job on 1,000 and
10,000 accounts.

Run by scripts/bench.sh (ABS_BENCH=payg, or with all); by hand, in-process with Odoo, on a database where
abs_connector is installed (no demo data needed):
    python3 bench/payg_bench.py -c odoo.conf -d abs_connector_bench [--accounts 1000 --payments 10000]
        [--job-sizes 1000,10000]

Token issuing. One bench SA, its customers, a serial-tracked kit on a per-day plan and one posted invoice per
account, its line linked to the sale order line the account was opened for (the accounts and their serials,
with generated device secrets, are created in batches: the set-up, not what is measured). Then:
  * the payments (10 per account by default), booked in batches as drafts of their invoices, are credited one
    by one, round after round over the accounts, by ``abs.payg.account._abs_credit_payments``, the token method
    of every payment path (the days, the OpenPAYGO token, the account's chatter), committed every 500: tokens
    per second and queries per token;
  * the whole payment, ``account.move._abs_register_payment`` (core's Register Payment wizard books and
    reconciles it, then the same token method), on a sample of the PAYG invoices and, the baseline, on as many
    invoices of a kit sold without a plan: queries per payment of both, the difference is the price of the token.
    (The whole path for all 10,000 payments would take the better part of an hour at 3 to 10 payments a second.)
Checked: one token per payment, never a count twice on an account, the days credited the tokens' days.

The daily job. For each size N: N accounts created in batches (a third whose credit ran out yesterday, a third
disabled whose credit came back, a third expiring tomorrow, to remind: their customers have an email, so the
reminders are queued mails), then the real scheduled job ``abs.payg.account._cron_refresh_states()`` runs on a
real cursor (it commits batch by batch itself). Before each size, a run of the job settles what other runs
left, unmeasured. Checked: every account in the state it should be, one reminder per account to remind.

Limits of the issue (exit 1 if one fails):
  * a payment with a token costs at most QUERY_MARGIN queries more than the same payment without;
  * the job's cost is linear: the largest size within 1.1 × (largest / smallest) of the smallest's cost, in
    CPU time of this process and its PostgreSQL backend (the work done, which the other processes of a shared
    machine do not change), in wall time too with --wall-limit. Both ratios are printed.
"""

import argparse
import os
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from subscription_bench import counting, linear_cost_failures  # noqa: E402 (the recurring-billing bench's measures)

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, Command, api, fields  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

CREATE_BATCH = 1000
COMMIT_EVERY = 500
BASELINE_INVOICES = 100
QUERY_MARGIN = 40  # the test's bound (tests/test_payg.py: test_a_token_costs_a_constant_number_of_queries)
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
PRICE = 5000.0
PER_DAY = 1.0


def bench_sa(env):
    account = env["ov.serviced_account"].search([("code", "=", "PAYGBENCH")], limit=1)
    return account or env["ov.serviced_account"].create(
        {"name": "PAYG Bench SA", "code": "PAYGBENCH", "company_id": env.company.id}
    )


def bench_products(env, tag):
    plan = env["abs.payg.plan"].create(
        {"name": f"PAYG Bench {tag}", "deposit": 0.0, "price_per_day": PER_DAY, "price_to_own": PRICE}
    )
    Product = env["product.product"].with_context(**QUIET)
    common = {"type": "consu", "is_storable": True, "tracking": "serial", "list_price": PRICE, "taxes_id": []}
    kit = Product.create({**common, "name": f"PAYG Bench Kit {tag}", "abs_payg_plan_id": plan.id})
    plain = Product.create({**common, "name": f"Bench Kit (no plan) {tag}"})
    return plan, kit, plain


def customers(env, sa, n, tag):
    return (
        env["res.partner"]
        .with_context(**QUIET)
        .create(
            [
                {
                    "name": f"PAYG Bench Customer {tag}-{i:05d}",
                    "email": f"payg.bench.{tag}.{i}@example.com",
                    "customer_rank": 1,
                    "company_id": env.company.id,
                    "x_sa_id": sa.id,
                }
                for i in range(n)
            ]
        )
    )


def sold_invoices(env, sa, product, partners, tag):
    """One draft sale order line and one posted invoice of ``product`` per partner (batched, not confirmed: the
    orders' deliveries are not what is measured). Returns the invoices and their order lines."""
    invoices, lines = env["account.move"], env["sale.order.line"]
    Order = env["sale.order"].with_context(**QUIET)
    for offset in range(0, len(partners), CREATE_BATCH):
        chunk = partners[offset : offset + CREATE_BATCH]
        orders = Order.create(
            [
                {
                    "partner_id": partner.id,
                    "x_sa_id": sa.id,
                    "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
                }
                for partner in chunk
            ]
        )
        moves = (
            env["account.move"]
            .with_context(**QUIET)
            .create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": order.partner_id.id,
                        "x_sa_id": sa.id,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "quantity": 1,
                                    "price_unit": PRICE,
                                    "tax_ids": [Command.clear()],
                                    "sale_line_ids": [Command.set(order.order_line.ids)],
                                }
                            )
                        ],
                    }
                    for order in orders
                ]
            )
        )
        moves.action_post()
        invoices |= moves
        lines |= orders.order_line
        env.cr.commit()
    return invoices, lines


def open_accounts(env, sa, plan, product, partner_ids, tag, lines=None, vals_of=None, secrets=True):
    """One PAYG account per customer of ``partner_ids`` (with its order line of ``lines``, if given) and its
    serial (with a generated device secret when the bench issues tokens), created in batches."""
    today = fields.Date.context_today(env["abs.payg.account"])
    Account = env["abs.payg.account"].with_context(**QUIET)
    accounts = Account.browse()
    for offset in range(0, len(partner_ids), CREATE_BATCH):
        chunk = partner_ids[offset : offset + CREATE_BATCH]
        lots = env["stock.lot"].create(
            [{"name": f"PAYGBENCH-{tag}-{offset + i:06d}", "product_id": product.id} for i in range(len(chunk))]
        )
        if secrets:
            lots._abs_payg_ensure_secret()
        vals_list = []
        for i, (partner_id, lot) in enumerate(zip(chunk, lots, strict=True)):
            vals = {
                "name": lot.name,
                "partner_id": partner_id,
                "lot_id": lot.id,
                "product_id": product.id,
                "plan_id": plan.id,
                "sale_line_id": lines[offset + i].id if lines else False,
                "x_sa_id": sa.id,
                "company_id": sa.company_id.id,
                "deposit": plan.deposit,
                "price_per_day": plan.price_per_day,
                "price_to_own": PRICE,
                "activation_date": today,
                "credit_expiry": today,
            }
            vals_list.append({**vals, **(vals_of(offset + i, today) if vals_of else {})})
        accounts |= Account.create(vals_list)
        env.flush_all()
        env.invalidate_all()
        env.cr.commit()
    return accounts


def pay_rounds(env, invoices, rounds, amount_of):
    """``rounds`` payments on each invoice through ``_abs_register_payment`` (core's wizard books and reconciles
    each), round after round, committed every COMMIT_EVERY payments."""
    cr = env.cr
    done = 0
    with counting(cr) as measured:
        for round_ in range(rounds):
            for invoice in invoices:
                invoice._abs_register_payment(amount_of(round_))
                done += 1
                if done % COMMIT_EVERY == 0:
                    cr.commit()
                    env.invalidate_all()
        cr.commit()
    return {**measured, "payments": done}


def credit_rounds(env, invoices, rounds, amount_of):
    """``rounds`` payments on each invoice, booked in batches (drafts of the invoice: not what is measured),
    then each credited alone by ``abs.payg.account._abs_credit_payments``, the token method of every payment
    path, in order, committed every COMMIT_EVERY payments."""
    cr = env.cr
    Payment = env["account.payment"].with_context(**QUIET)
    vals_list = [
        {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": invoice.partner_id.id,
            "amount": amount_of(round_),
            "invoice_ids": [Command.set(invoice.ids)],
        }
        for round_ in range(rounds)
        for invoice in invoices
    ]
    payments = Payment.browse()
    for offset in range(0, len(vals_list), CREATE_BATCH):
        payments |= Payment.create(vals_list[offset : offset + CREATE_BATCH])
        cr.commit()
    env.invalidate_all()
    Account = env["abs.payg.account"]
    done = 0
    with counting(cr) as measured:
        for payment in payments:
            Account._abs_credit_payments(payment)
            done += 1
            if done % COMMIT_EVERY == 0:
                cr.commit()
                env.invalidate_all()
        cr.commit()
    return {**measured, "payments": done}


def bench_tokens(registry, n_accounts, n_payments, sample, tag):
    rounds = max(n_payments // n_accounts, 1)
    sample_rounds = 2
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        sa = bench_sa(env)
        plan, kit, plain = bench_products(env, tag)
        start = time.perf_counter()
        partners = customers(env, sa, n_accounts, f"{tag}t")
        payg_invoices, lines = sold_invoices(env, sa, kit, partners, f"{tag}t")
        accounts = open_accounts(env, sa, plan, kit, lines.order_id.partner_id.ids, f"{tag}t", lines=lines)
        n_sample = max(sample // sample_rounds, 1)
        plain_invoices, _lines = sold_invoices(env, sa, plain, partners[:n_sample], f"{tag}p")
        print(f"  set-up {time.perf_counter() - start:.1f} s", flush=True)
        days = lambda round_: 1 + round_ % 3  # noqa: E731 (1, 2 or 3 days a payment)
        # Warm both paths (the first payments pay Odoo's first-call costs), outside the measure.
        pay_rounds(env, payg_invoices[-5:] | plain_invoices[-5:], 1, lambda _r: 1.0)
        print(f"  {len(plain_invoices) * sample_rounds:,} payments without PAYG, the whole path...", flush=True)
        baseline = pay_rounds(env, plain_invoices, sample_rounds, lambda r: days(r) * PER_DAY)
        print(f"  {len(plain_invoices) * sample_rounds:,} payments with PAYG, the whole path...", flush=True)
        whole = pay_rounds(env, payg_invoices[:n_sample], sample_rounds, lambda r: days(r) * PER_DAY)
        print(f"  {n_accounts * rounds:,} payments on {n_accounts:,} PAYG accounts credited...", flush=True)
        tokens = credit_rounds(env, payg_invoices, rounds, lambda r: days(r) * PER_DAY)
        # Every payment on these accounts: the warm-up's, the whole path's and the credited ones.
        problems = check_tokens(env, accounts, 5 + n_sample * sample_rounds + n_accounts * rounds)
    return {"tokens": tokens, "whole": whole, "baseline": baseline, "problems": problems}


def check_tokens(env, accounts, expected):
    """One token per payment, never a count twice on an account, the last count the account's, the days credited
    the tokens' days."""
    cr, problems = env.cr, []
    cr.execute(
        """
        SELECT count(*), count(DISTINCT t.payment_id), count(DISTINCT (t.account_id, t.count)),
               count(*) FILTER (WHERE t.payment_id IS NULL)
          FROM abs_payg_token t WHERE t.account_id = ANY(%s)
        """,
        [accounts.ids],
    )
    tokens, payments, counts, without = cr.fetchone()
    if tokens != expected or payments != tokens or counts != tokens or without:
        problems.append(f"{tokens} tokens, {payments} payments, {counts} distinct counts (expected {expected} each)")
    cr.execute(
        """
        SELECT count(*) FROM (
            SELECT a.id FROM abs_payg_account a JOIN abs_payg_token t ON t.account_id = a.id
             WHERE a.id = ANY(%s)
             GROUP BY a.id, a.token_count, a.days_credited
            HAVING max(t.count) <> a.token_count OR count(DISTINCT t.count) <> count(*)
                OR sum(t.days) <> a.days_credited
        ) wrong
        """,
        [accounts.ids],
    )
    if wrong := cr.fetchone()[0]:
        problems.append(f"{wrong} accounts whose counts or days are not their tokens'")
    return problems


def job_state(index, today):
    """A third ran out yesterday (to disable), a third disabled with credit again (to activate), a third expiring
    tomorrow (to remind)."""
    kind = index % 3
    if kind == 0:
        return {"state": "active", "credit_expiry": today - timedelta(days=1)}
    if kind == 1:
        return {"state": "disabled", "credit_expiry": today + timedelta(days=10), "disabled_since": today}
    return {"state": "active", "credit_expiry": today + timedelta(days=1)}


def bench_job(registry, n, tag):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Account = env["abs.payg.account"]
        Account._cron_refresh_states()  # settle what other runs left, unmeasured
        sa = bench_sa(env)
        plan, kit, _plain = bench_products(env, f"{tag}j{n}")
        start = time.perf_counter()
        partners = customers(env, sa, min(n, 1000), f"{tag}j{n}")
        # The job reads no order nor device secret: accounts of no order line, customers in turn.
        partner_ids = [partners.ids[i % len(partners)] for i in range(n)]
        accounts = open_accounts(env, sa, plan, kit, partner_ids, f"{tag}j{n}", vals_of=job_state, secrets=False)
        cr.execute("ANALYZE")
        cr.commit()
        setup = time.perf_counter() - start
        cr.execute("SELECT coalesce(max(id), 0) FROM mail_mail")
        mail_floor = cr.fetchone()[0]
        env.invalidate_all()
        with counting(cr) as measured:
            done = Account._cron_refresh_states()
        env.invalidate_all()
        today = fields.Date.context_today(Account)
        problems = []
        cr.execute(
            """
            SELECT count(*) FILTER (WHERE state = 'disabled' AND credit_expiry < %(today)s),
                   count(*) FILTER (WHERE state = 'active' AND credit_expiry > %(today)s + 1),
                   count(*) FILTER (WHERE state = 'active' AND reminder_sent_for = credit_expiry)
              FROM abs_payg_account WHERE id = ANY(%(ids)s)
            """,
            {"today": today, "ids": accounts.ids},
        )
        disabled, active, reminded = cr.fetchone()
        expected = [len(range(k, n, 3)) for k in range(3)]
        if [disabled, active, reminded] != expected:
            problems.append(f"disabled/activated/reminded {[disabled, active, reminded]}, expected {expected}")
        cr.execute("SELECT count(*) FROM mail_mail WHERE id > %s", [mail_floor])
        mails = cr.fetchone()[0]
        if mails != expected[2]:
            problems.append(f"{mails} reminder mails for {expected[2]} accounts to remind")
        if done < n:
            problems.append(f"the job reported {done} accounts done, fewer than {n}")
        cr.commit()
    return {"n": n, "setup": setup, "mails": mails, "problems": problems, **measured}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--db", required=True, help="database with abs_connector installed")
    parser.add_argument("--accounts", type=int, default=1000, help="PAYG accounts the payments are spread over")
    parser.add_argument("--payments", type=int, default=10000, help="payments with a token, in all")
    parser.add_argument(
        "--sample", type=int, default=100, help="whole payments, with PAYG and without, compared (each)"
    )
    parser.add_argument("--job-sizes", default="1000,10000", help="accounts per daily-job run, comma-separated")
    parser.add_argument(
        "--wall-limit", action="store_true", help="fail on the wall-time ratio too (on a machine of its own)"
    )
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.job_sizes.split(","))
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db, "--log-level=warn"])
    registry = Registry(args.db)
    tag = time.strftime("%Y%m%d%H%M%S")
    failures = []

    print(f"Token issuing: {args.payments:,} payments over {args.accounts:,} PAYG accounts...", flush=True)
    result = bench_tokens(registry, args.accounts, args.payments, args.sample, tag)
    failures += result["problems"]
    tokens, payg, base = result["tokens"], result["whole"], result["baseline"]
    per_payg = payg["queries"] / payg["payments"]
    per_base = base["queries"] / base["payments"]
    header = f"{'':34} {'payments':>9} {'seconds':>8} {'payments/s':>10} {'queries':>10} {'q/payment':>9}"
    print()
    print(header)
    print("-" * len(header))
    for label, row in (
        ("tokens issued (_abs_credit_payments)", tokens),
        ("whole payment with PAYG token", payg),
        ("whole payment without PAYG", base),
    ):
        print(
            f"{label:34} {row['payments']:9,} {row['seconds']:8.1f} {row['payments'] / row['seconds']:10.1f}"
            f" {row['queries']:10,} {row['queries'] / row['payments']:9.1f}"
        )
    print(
        f"Tokens per second: {tokens['payments'] / tokens['seconds']:.1f} ({tokens['queries'] / tokens['payments']:.1f}"
        f" queries a token); a payment with a token costs {per_payg - per_base:+.1f} queries more than without"
        f" (limit +{QUERY_MARGIN})"
    )
    if per_payg - per_base > QUERY_MARGIN:
        failures.append(f"a payment with a token costs {per_payg - per_base:.1f} queries more (limit {QUERY_MARGIN})")

    rows = []
    for n in sizes:
        print(f"\nDaily job on {n:,} accounts...", flush=True)
        rows.append(bench_job(registry, n, tag))
        row = rows[-1]
        cpu = f", CPU {row['cpu']:.1f} s (Odoo + PostgreSQL)" if row["cpu"] is not None else ""
        print(
            f"  set-up {row['setup']:.1f} s, job {row['seconds']:.2f} s{cpu}, {row['queries']:,} queries,"
            f" {row['mails']:,} reminder mails",
            flush=True,
        )
        failures += [f"job N={n}: {problem}" for problem in row["problems"]]
    if len(rows) > 1:
        failures += linear_cost_failures(rows, args.wall_limit, what="daily job ")
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    print("\nOK: one token per payment, never a count twice; the token's query cost and the job's ratio within limits.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
