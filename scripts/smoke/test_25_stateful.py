"""Schemathesis' stateful phase over the served /api/openapi.json: sequences driven by the document's links.

The links declared on the routes (``api_route(links=...)``) chain the sale: a quotation is created,
confirmed, its delivery validated, the order invoiced, the invoice posted and paid; customers are
created, read and updated. Schemathesis walks those links as a state machine (each answer feeds the
path parameters of the next call), with generated bodies and queries.

Bounded and deterministic: rounds of ABS_SMOKE_STATEFUL_SCENARIOS scenarios (default 25) of at most
ABS_SMOKE_STATEFUL_STEPS steps (default 25), no shrinking, each round seeded (``abs-stateful-<round>``), until
every step of the sale has been reached or ABS_SMOKE_STATEFUL_ROUNDS rounds (default 4) have run. One
derandomized walk is a single draw: a change anywhere in the document (a route, a description) reshuffles
it, and one round alone missed the invoice posting while the next seed reached everything. Only the declared links are
walked (schemathesis' own link inference is off). Checks on every answer: no 5xx, and the answer conforms
to the document (status code documented, content type, body schema). Then the run must have reached the
end of the sale through links: a confirmation, a delivery validation, an invoice, its posting and a
payment, each answered with success, else the links lead nowhere and the test fails.

What is not generated: the quotation's body (a generated one names customers and products that do not
exist, so no sale would ever start), the fields that name records by id that no link provides (delivery
moves, order lines, journals: see ``UNKNOWABLE_FIELDS``) and ``X-SA-ID`` (tg.manager acts in its only SA).
test_20_fuzz sends all of those generated. Every other body, query and parameter the links do not fill is
schemathesis' own.
"""

import collections
import os
import random
import time

import requests
import schemathesis
from conftest import DEMO_PASSWORD, TIMEOUT
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

BASE_URL = os.environ.get("ABS_SMOKE_URL", "").rstrip("/")
SCENARIOS = int(os.environ.get("ABS_SMOKE_STATEFUL_SCENARIOS", "25"))
STEPS = int(os.environ.get("ABS_SMOKE_STATEFUL_STEPS", "25"))
ROUNDS = int(os.environ.get("ABS_SMOKE_STATEFUL_ROUNDS", "4"))
RUN = str(int(time.time()))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "positive", "with-security-parameters": False},
        "phases": {"stateful": {"enabled": True, "max-steps": STEPS, "inference": {"algorithms": []}}},
    }
)
# The sale and the customers; the portal (customer token), logins and stock operations are left to test_20.
schema = schemathesis.openapi.from_url(f"{BASE_URL}/api/openapi.json", config=CONFIG, timeout=TIMEOUT).include(
    path_regex=r"^/api/(quotations|orders|stock/deliveries|invoices|payments|customers)(/|$)"
)

# The operations that end the sale, each to be reached through a link and answered with success.
SALE_STEPS = {
    ("POST", "/api/orders/{order_id}/confirm"): "confirmation",
    ("POST", "/api/stock/deliveries/{delivery_id}/validate"): "delivery validation",
    ("POST", "/api/orders/{order_id}/invoice"): "invoice",
    ("POST", "/api/orders/{order_id}/invoices/{invoice_id}/confirm"): "invoice posting",
    ("POST", "/api/orders/{order_id}/register-payment"): "payment",
}
# Body fields naming records by id that no link provides: a generated id never exists (a 400 or 404 every
# time), so they are left out and the API's defaults apply (every reserved line, everything invoiceable, the
# payment source's journal, the order's open invoice).
UNKNOWABLE_FIELDS = {
    ("POST", "/api/stock/deliveries/{delivery_id}/validate"): ("lines",),
    ("POST", "/api/orders/{order_id}/invoice"): ("lines",),
    ("POST", "/api/orders/{order_id}/register-payment"): ("journal_id", "invoice_id"),
}


def _setup(session):
    """tg.manager's token, and a quotation body of a storable product with plenty of stock and a service."""
    login = session.post(
        f"{BASE_URL}/api/auth/login", json={"login": "tg.manager", "password": DEMO_PASSWORD}, timeout=TIMEOUT
    )
    login.raise_for_status()
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}

    def post(path, body):
        response = session.post(f"{BASE_URL}{path}", json=body, headers=headers, timeout=TIMEOUT)
        assert response.status_code == 201, f"{path}: {response.status_code} {response.text[:1000]}"
        return response.json()

    lamp = post("/api/products", {"name": f"Stateful Lamp {RUN}", "default_code": f"ST-LAMP-{RUN}", "list_price": 9.0})
    service = post(
        "/api/products",
        {"name": f"Stateful Visit {RUN}", "pu_category": "service", "invoice_policy": "order", "list_price": 5.0},
    )
    post("/api/stock/receive", {"lines": [{"product_id": lamp["product"]["id"], "quantity": 10000}]})
    customer = post("/api/customers", {"name": f"Stateful Customer {RUN}"})
    quotation = {
        "customer_id": customer["customer"]["id"],
        "products": [
            {"product_id": lamp["product"]["id"], "quantity": 2},
            {"product_id": service["product"]["id"], "quantity": 1},
        ],
    }
    return headers, quotation


def test_stateful_sale_through_the_links():
    session = requests.Session()
    headers, quotation = _setup(session)
    calls = collections.Counter()  # (method, path, status, through a link)

    class SaleWorkflow(schema.as_state_machine()):
        def before_call(self, case):
            operation = (case.method, case.path)
            if operation == ("POST", "/api/quotations"):
                case.body = dict(quotation)
            elif operation in UNKNOWABLE_FIELDS and isinstance(case.body, dict):
                case.body = {k: v for k, v in case.body.items() if k not in UNKNOWABLE_FIELDS[operation]}
            # No generated Idempotency-Key: derandomized scenarios draw the same keys again, and a replayed
            # (or 409 reused-key) answer would make a scenario depend on the ones before it.
            dropped = {"x-sa-id", "idempotency-key"}
            case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in dropped}

        def get_call_kwargs(self, case):
            return {"session": session, "headers": headers, "timeout": TIMEOUT}

        def step(self, input):
            output = super().step(input)
            # Through a link: the link filled the target's path (an id taken from an earlier answer).
            linked = any(location.value == "path" for location, _name in input.applied_parameters)
            calls[(input.case.method, input.case.path, output.response.status_code, linked)] += 1
            return output

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder)

    def reached():
        return {
            what
            for (method, path, status, linked) in calls
            if linked and status in (200, 201) and (what := SALE_STEPS.get((method, path)))
        }

    for round_number in range(ROUNDS):
        # Hypothesis draws its seed from the global random generator when not derandomized: one seed a round.
        random.seed(f"abs-stateful-{round_number}")
        SaleWorkflow.run(
            settings=settings(
                max_examples=SCENARIOS,
                stateful_step_count=STEPS,
                derandomize=False,
                database=None,
                deadline=None,
                phases=[Phase.generate],  # no shrinking: a failure is reported as found
                suppress_health_check=list(HealthCheck),
            )
        )
        if set(SALE_STEPS.values()) <= reached():
            break

    summary = "\n".join(
        f"{n:4} {m} {p} -> {s}{' (link)' if link else ''}" for (m, p, s, link), n in sorted(calls.items())
    )
    print(f"stateful run: {round_number + 1} round(s), {sum(calls.values())} calls\n{summary}")
    missing = sorted(set(SALE_STEPS.values()) - reached())
    assert not missing, f"never reached with success through a link: {', '.join(missing)}\n{summary}"
