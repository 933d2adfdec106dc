"""Loads the offline-sync bench into the bench database; run by scripts/bench.sh through `odoo shell` (``env`` given).

One agent of SA "Sync Bench" with 10,000 customers in scope, and 90,000 customers of another SA: 100,000
rows in the table and their changes in the sync log (each customer's creation and assignment). Created in
batches of 2,000 and committed. Prints one JSON line the measuring script reads.
"""
# ruff: noqa: F821  (``env`` is the global that `odoo shell` provides)

import json

BATCH = 2000
IN_SCOPE = 10_000
OTHERS = 90_000
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}

company = env.company
Account = env["ov.serviced_account"]
account = Account.create({"name": "Sync Bench SA", "code": "SYNCB", "company_id": company.id})
other = Account.create({"name": "Sync Other SA", "code": "SYNCO", "company_id": company.id})
agent = env["abs.employee"].create({"name": "Sync Bench Agent", "login": "sync.agent", "password": "bench-pass"})
env["ov.membership"].create({"employee_id": agent.id, "account_id": account.id, "role_code": "agent"})
env.cr.commit()

Partner = env["res.partner"].with_context(**QUIET)
for sa, count, prefix in ((account, IN_SCOPE, "Sync Customer"), (other, OTHERS, "Other Customer")):
    for start in range(0, count, BATCH):
        Partner.create(
            [
                {
                    "name": f"{prefix} {index:06d}",
                    "phone": f"+228 90 {index:06d}",
                    "customer_rank": 1,
                    "company_id": company.id,
                    "x_sa_id": sa.id,
                }
                for index in range(start, min(start + BATCH, count))
            ]
        )
        env.cr.commit()
        env.invalidate_all()

env.cr.execute("SELECT count(*) FROM abs_sync_log")
print(
    json.dumps(
        {
            "login": "sync.agent",
            "password": "bench-pass",
            "account_id": account.id,
            "in_scope": IN_SCOPE,
            "customers": IN_SCOPE + OTHERS,
            "log_rows": env.cr.fetchone()[0],
        }
    )
)
