"""Prepares the cluster run's jobs; run by scripts/cluster.sh through `odoo shell` (``env`` given).

* ``ABS_CLUSTER_SUBSCRIPTIONS`` monthly subscriptions of SA Togo started 40 days ago: two periods due
  each, left unbilled for the billing job to run on both nodes at once;
* ``ABS_CLUSTER_ATTEMPTS`` posted invoices (subscriptions billed here, once) each with a pending mobile-money
  attempt the sandbox provider reports as paid, created 10 minutes ago: no callback came, so the
  settlement job settles them.
Prints one JSON line: the ids the checks read.
"""
# ruff: noqa: F821  (``env`` is the global that `odoo shell` provides)

import json
import os
from datetime import timedelta

from odoo import fields

SUBSCRIPTIONS = int(os.environ.get("ABS_CLUSTER_SUBSCRIPTIONS", "40"))
ATTEMPTS = int(os.environ.get("ABS_CLUSTER_ATTEMPTS", "10"))

account = env.ref("abs_connector.demo_sa_togo")
partner = env["res.partner"].create(
    {"name": "Cluster Customer", "phone": "+228 90 00 00 01", "email": "cluster@example.com", "x_sa_id": account.id}
)
product = env["product.product"].create(
    {
        "name": "Cluster Maintenance",
        "type": "service",
        "list_price": 9.0,
        "x_pu_category": "contract",
        "recurring_invoice": True,
    }
)
today = fields.Date.context_today(env["abs.subscription"])


def subscriptions(count, start):
    return env["abs.subscription"].create(
        [
            {
                "partner_id": partner.id,
                "product_id": product.id,
                "price_unit": 9.0,
                "cadence": "monthly",
                "start_date": start,
                "x_sa_id": account.id,
                "company_id": account.company_id.id,
                "state": "active",
            }
            for _ in range(count)
        ]
    )


# The invoices to collect: billed here, once (a period due today), then each one's pending attempt.
collected = subscriptions(ATTEMPTS, today)
invoices = collected._abs_bill_isolated(today)[0]
assert len(invoices) == ATTEMPTS, f"{len(invoices)} invoices billed for {ATTEMPTS} subscriptions"
Attempt = env["abs.payment.attempt"]
attempts = Attempt.browse([Attempt._abs_start(invoice, "+228 90 00 00 01").id for invoice in invoices])
attempts.write({"sandbox_outcome": "done"})
env.cr.execute(
    "UPDATE abs_payment_attempt SET create_date = %s WHERE id IN %s",
    [fields.Datetime.now() - timedelta(minutes=10), tuple(attempts.ids)],
)
due = subscriptions(SUBSCRIPTIONS, today - timedelta(days=40))
# The nodes' cron threads would run both jobs as soon as they start: not before the run triggers them.
crons = env.ref("abs_connector.ir_cron_subscription_invoicing") | env.ref("abs_connector.ir_cron_mobile_money_status")
crons.write({"nextcall": fields.Datetime.now() + timedelta(days=1)})
env.cr.commit()
print(
    json.dumps(
        {
            "subscription_ids": due.ids,
            "attempt_ids": attempts.ids,
            "periods_due": 2 * len(due),
            "invoice_id": invoices[0].id,
        }
    )
)
