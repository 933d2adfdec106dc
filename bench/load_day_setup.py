"""Prepares the load run's demo database; run by scripts/load.sh through `odoo shell` (``env`` given).

50 field agents (``load.tg.01`` … ``load.ke.25``, password ``LOAD_PASSWORD``), half in each demo SA, and
the serials of the day received into WH/Stock through the addon's own receipt method
(``stock.picking._abs_receive``, what ``POST /api/stock/receive`` calls). Stock is the company's, not
an SA's: each agent gets a pool of serials of its own (``LOAD-<agent>-<n>``), so that two agents never
deliver the same serial. Concurrent agents racing for one serial would be a real conflict (409
``serial_unavailable``, the losing request rolled back): that is the product's answer to a race, which
the test suite proves (tests/test_stock_concurrency.py); here the goal is a day without expected
conflicts, so a 409 counts as an error.
Prints one JSON line (the fixture the load client reads).
"""
# ruff: noqa: F821  (``env`` is the global that `odoo shell` provides)

import json
import os

AGENTS_PER_SA = int(os.environ.get("ABS_LOAD_AGENTS_PER_SA", "25"))
SERIALS_PER_AGENT = int(os.environ["ABS_LOAD_SERIALS_PER_AGENT"])
PASSWORD = os.environ["ABS_LOAD_PASSWORD"]

kit = env.ref("abs_connector.demo_product_solar_kit_200w")
service = env.ref("abs_connector.demo_product_installation")
accounts = [
    (env.ref("abs_connector.demo_sa_togo"), env.ref("abs_connector.demo_outlet_lome"), "tg"),
    (env.ref("abs_connector.demo_sa_kenya"), env.ref("abs_connector.demo_outlet_nairobi"), "ke"),
]

# One hash for all: hashing 50 times the same password (Odoo's slow passlib scheme) would cost a minute.
password_hash = env["res.users"]._crypt_context().hash(PASSWORD)
agents = []
employees = env["abs.employee"].create(
    [
        {"name": f"Load Agent {code.upper()} {i:02d}", "login": f"load.{code}.{i:02d}"}
        for _sa, _outlet, code in accounts
        for i in range(1, AGENTS_PER_SA + 1)
    ]
)
# sudo: the hash field is restricted to system; the shell's env is the superuser anyway
employees.sudo().write({"password_hash": password_hash})
for index, employee in enumerate(employees):
    sa, outlet, code = accounts[index // AGENTS_PER_SA]
    agents.append(
        {
            "login": employee.login,
            "employee_id": employee.id,
            "sa_id": sa.id,
            "sa_code": code,
            "outlet_id": outlet.id,
            "serials": [f"LOAD-{employee.login.upper()}-{n:03d}" for n in range(1, SERIALS_PER_AGENT + 1)],
        }
    )
env["ov.membership"].create(
    [
        {"employee_id": agent["employee_id"], "account_id": agent["sa_id"], "role_code": "agent", "date_from": False}
        for agent in agents
    ]
)

serials = [name for agent in agents for name in agent["serials"]]
receipt = env["stock.picking"]._abs_receive(
    [{"product_id": kit.id, "quantity": len(serials), "lot_names": serials}], origin="Load run: the day's serials"
)
assert receipt.state == "done", receipt.state
env.cr.commit()
print(
    json.dumps(
        {
            "agents": agents,
            "kit_id": kit.id,
            "service_id": service.id,
            "receipt_id": receipt.id,
            "received_serials": len(serials),
        }
    )
)
