"""One node's turn of the scheduled jobs; run by scripts/cluster.sh through `odoo shell` (``env`` given),
once with each node's configuration, both at the same time.

The jobs' own code (``abs.subscription._cron_invoice_due``, ``abs.payment.attempt._cron_abs_settle_pending``),
as a cron worker runs it, without the ``ir.cron`` row lock that would let only one node in: so the two
runs really overlap, and only the jobs' own guards (``SKIP LOCKED`` batches, the unique billed period,
the attempt's row lock) keep each period billed once and each attempt settled once.
Writes ``<ABS_CLUSTER_GO>-<node>`` when loaded, then waits for the file ``ABS_CLUSTER_GO`` (both
processes loaded) before running; prints one JSON line.
"""
# ruff: noqa: F821  (``env`` is the global that `odoo shell` provides)

import json
import os
import time

from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

go = os.environ["ABS_CLUSTER_GO"]
open(f"{go}-{os.environ['ABS_CLUSTER_NODE']}", "w").close()  # this one is ready
deadline = time.time() + 120
while not os.path.exists(go) and time.time() < deadline:
    time.sleep(0.05)
retries = {"billing": 0, "settling": 0}


def run(job, call):
    """``call`` in its own transaction; a concurrency failure (the other node held the rows) is rolled back
    and the job run again, as Odoo's cron runner does at its next turn."""
    for _ in range(10):
        try:
            call()
            env.cr.commit()
            return
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            env.cr.rollback()
            env.invalidate_all()
            retries[job] += 1
            time.sleep(0.2)
    raise RuntimeError(f"{job}: still conflicting after 10 runs")


started = time.time()
if os.environ.get("ABS_CLUSTER_TRIGGER") == "1":
    # and the nodes' own cron threads (max_cron_threads = 1 each) join in: Odoo lets one of them take each job
    for xmlid in ("abs_connector.ir_cron_subscription_invoicing", "abs_connector.ir_cron_mobile_money_status"):
        env.ref(xmlid)._trigger()
env.cr.commit()
# Settlement first (short: 10 attempts), so that both processes and a node's cron thread meet on it.
run("settling", lambda: env["abs.payment.attempt"]._cron_abs_settle_pending(minutes=5))
settled = time.time()
run("billing", lambda: env["abs.subscription"]._cron_invoice_due(batch_size=5))
print(
    json.dumps(
        {
            "node": os.environ["ABS_CLUSTER_NODE"],
            "settling_s": round(settled - started, 2),
            "billing_s": round(time.time() - settled, 2),
            "retries": retries,
        }
    )
)
