"""Loads the per-agent report's population into the bench database; run by scripts/bench.sh through
`odoo shell` (``env`` given).

One bench SA with a staff member and ABS_BENCH_REPORT_AGENTS agents (default 50), its customers, and
ABS_BENCH_REPORT_PAYMENTS posted payments (default 20,000) the agents took, round robin over the agents and
over the cash, bank and mobile-money journals, dated over the last 30 days; then each agent hands half of its
cash over and the cashier counts it 1.00 short (a confirmed handover, a shortage). Everything in batch:
payments created and posted 2,000 at a time, one commit per batch.
Prints one JSON line the measuring script reads: credentials, the SA and the counts.
"""
# ruff: noqa: F821  (``env`` is the global that `odoo shell` provides)

import json
import os
import time
from datetime import timedelta

from odoo import fields

AGENTS = int(os.environ.get("ABS_BENCH_REPORT_AGENTS", "50"))
PAYMENTS = int(os.environ.get("ABS_BENCH_REPORT_PAYMENTS", "20000"))
BATCH = 2000
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}

start = time.perf_counter()
env = env(context=dict(env.context, **QUIET))
company = env.company
account = env["ov.serviced_account"].create({"name": "Bench Report SA", "code": "BRPT", "company_id": company.id})
Employee = env["abs.employee"]
staff = Employee.create({"name": "Bench Report Manager", "login": "bench.report.manager", "password": "bench-pass"})
agents = Employee.create(
    [{"name": f"Bench Agent {i:02d}", "login": f"bench.report.agent.{i:02d}"} for i in range(AGENTS)]
)
env["ov.membership"].create(
    [{"employee_id": staff.id, "account_id": account.id, "role_code": "staff"}]
    + [{"employee_id": agent.id, "account_id": account.id, "role_code": "agent"} for agent in agents]
)
customers = env["res.partner"].create([{"name": f"Bench Report Customer {i:03d}"} for i in range(200)])
Journal = env["account.journal"]
journals = [Journal._abs_payment_journal(company, source) for source in ("cash", "bank", "mobile_money")]
today = fields.Date.context_today(account)
Payment = env["account.payment"]
for first in range(0, PAYMENTS, BATCH):
    payments = Payment.create(
        [
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": customers[i % len(customers)].id,
                "amount": 5.0 + i % 50,
                "journal_id": journals[i % 3].id,
                "date": today - timedelta(days=i % 30),
                "x_sa_id": account.id,
                "x_actor_id": agents[i % AGENTS].id,
            }
            for i in range(first, min(first + BATCH, PAYMENTS))
        ]
    )
    payments.action_post()
    env.cr.commit()
loaded = time.perf_counter() - start

# Each agent hands over half of its cash; the cashier counts it 1.00 short.
Handover = env["abs.cash.handover"]
cash = Payment.search(
    [("x_sa_id", "=", account.id), ("journal_id", "=", journals[0].id), ("state", "in", ("in_process", "paid"))]
)
by_agent = {}
for payment in cash:
    by_agent.setdefault(payment.x_actor_id, []).append(payment.id)
for agent, ids in by_agent.items():
    half = ids[: len(ids) // 2]
    if not half:
        continue
    handover = Handover._abs_declare(agent, account, half, sum(Payment.browse(half).mapped("amount")))
    handover._abs_confirm(handover.expected_amount - 1.0)
env.cr.commit()
# Fresh statistics, as autovacuum would have them on a live database.
env.cr.execute(
    "ANALYZE account_payment, account_move, account_move_line, ov_sa_payment_assignment, abs_cash_handover, "
    "abs_employee, res_partner"
)
env.cr.commit()

print(
    json.dumps(
        {
            "login": "bench.report.manager",
            "password": "bench-pass",
            "sa_id": account.id,
            "date_from": str(today - timedelta(days=29)),
            "date_to": str(today),
            "cash_in_hand_account_id": account.abs_cash_in_hand_account_id.id,
            "counts": {
                "agents": AGENTS,
                "payments": Payment.search_count([("x_sa_id", "=", account.id)]),
                "handovers": Handover.search_count([("x_sa_id", "=", account.id)]),
            },
            "load_seconds": round(loaded, 1),
        }
    )
)
