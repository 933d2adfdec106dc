"""Subscriptions over real HTTP (seed workflow 10), on the demo data, outside Odoo's test mode.

An agent sells the kit with the demo's recurring warranty: confirming the order makes its subscription,
whose first period is billed by the order's own invoice. A subscription sold with a start 40 days back
bills its two started periods at once; another, made due by the administrator (its start moved back over
JSON-RPC, as a late start would be), is billed by the real scheduled job
``abs_connector.ir_cron_subscription_invoicing``, run twice through JSON-RPC: each due period once, the
second run bills nothing. The demo customer Marie Dupont lists hers, pauses one (400 the second time),
resumes it (the days paused counted, the next invoice moved by them) and cancels it for a configured reason;
another customer's subscription answers 404 to her and to another SA.

Runs after the fuzzing (test_20), which may have archived or changed demo products with the API key:
a demo product that is no longer sellable is replaced by one the manager creates for SA Togo.
"""

import os
import time
from datetime import date, timedelta

import pytest
from conftest import rpc
from dateutil.relativedelta import relativedelta

RUN = str(int(time.time()))
CRON_XMLID = ("abs_connector", "ir_cron_subscription_invoicing")


@pytest.fixture(scope="module")
def admin(base_url):
    """``execute(model, method, *args)`` as the demo database's administrator, over JSON-RPC."""
    db = os.environ.get("ABS_SMOKE_DB", "abs_connector_smoke")
    uid = rpc(base_url, "common", "login", db, "admin", "admin")
    assert uid, "the demo database's admin/admin login failed"

    def execute(model, method, *args):
        return rpc(base_url, "object", "execute_kw", db, uid, "admin", model, method, list(args))

    return execute


@pytest.fixture(scope="module")
def run_cron(admin):
    """Runs the real subscription invoicing job, as the backend's "Run Manually" button does."""
    module, name = CRON_XMLID
    [data] = admin("ir.model.data", "search_read", [["module", "=", module], ["name", "=", name]], ["model", "res_id"])
    assert data["model"] == "ir.cron", data
    [cron] = admin("ir.cron", "read", [data["res_id"]], ["active", "code"])
    assert cron["active"] and "_cron_invoice_due" in cron["code"], cron

    def run():
        assert admin("ir.cron", "method_direct_trigger", [data["res_id"]]) is True

    return run


@pytest.fixture(scope="module")
def products(api, manager_token, togo):
    """The demo kit and the demo's recurring 2-year warranty, by internal reference."""
    wanted = {
        "kit": ("SK-200W", {"product_type": "storable", "invoice_policy": "delivery", "list_price": 450.0}),
        "warranty": (
            "SRV-WARRANTY-2Y",
            {"pu_category": "contract", "invoice_policy": "order", "list_price": 60.0, "recurring_invoice": True},
        ),
    }
    found = {}
    for key, (code, fallback) in wanted.items():
        listed = api.get("/api/products", token=manager_token, params={"q": code, "limit": 200}, expect=200)
        usable = [
            p
            for p in listed["products"]
            if p["default_code"] == code
            and p["active"]
            and p["sale_ok"]
            and all(p.get(field) == value for field, value in fallback.items() if field != "product_type")
        ]
        if usable:
            found[key] = usable[0]
        else:
            body = {"name": f"Smoke sub {key} {RUN}", "default_code": f"SMOKE-SUB-{key}-{RUN}", **fallback}
            found[key] = api.post("/api/products", token=manager_token, sa_id=togo["id"], json=body, expect=201)[
                "product"
            ]
    assert found["warranty"]["recurring_invoice"] is True, found["warranty"]
    return found


@pytest.fixture(scope="module")
def buyer(api, agent_token):
    body = {"name": f"Smoke Subscriber {RUN}", "phone": f"+228 93 {RUN[-6:-4]} {RUN[-4:-2]} {RUN[-2:]}"}
    return api.post("/api/customers", token=agent_token, json=body, expect=201)["customer"]


@pytest.fixture(scope="module")
def marie(api, customer_token):
    return api.get("/api/customer/me", token=customer_token, expect=200)["customer"]


@pytest.fixture(scope="module")
def ordered(api, agent_token, buyer, products):
    """The confirmed order of the kit and the warranty, and the subscription its warranty line made."""
    lines = [
        {"product_id": products["kit"]["id"], "quantity": 1},
        {"product_id": products["warranty"]["id"], "quantity": 1},
    ]
    quotation = api.post(
        "/api/quotations", token=agent_token, json={"customer_id": buyer["id"], "products": lines}, expect=201
    )["order"]
    order = api.post(f"/api/orders/{quotation['id']}/confirm", token=agent_token, json={}, expect=200)["order"]
    assert order["state"] == "sale", order
    listed = subscriptions_of(api, agent_token, buyer)
    made = [s for s in listed if s["origin_order"] and s["origin_order"]["id"] == order["id"]]
    assert len(made) == 1, f"one subscription per recurring line of order {order['id']}: {listed}"
    return order, made[0]


def subscriptions_of(api, token, partner):
    params = {"partner_id": partner["id"], "limit": 200}
    return api.get("/api/subscriptions", token=token, params=params, expect=200)["subscriptions"]


def detail(api, token, subscription):
    return api.get(f"/api/subscriptions/{subscription['id']}", token=token, expect=200)["subscription"]


def purchase(api, token, partner, product, **values):
    body = {"partner_id": partner["id"], "product_id": product["id"], **values}
    return api.post("/api/subscription/purchase", token=token, json=body, expect=201)["subscription"]


def billed_starts(subscription):
    return sorted(period["period_start"] for period in subscription["billed_periods"])


def test_the_warranty_line_makes_a_subscription_billed_by_the_order_invoice(api, agent_token, ordered, products):
    order, listed = ordered
    subscription = detail(api, agent_token, listed)
    assert subscription["state"] == "active", subscription
    assert subscription["product"]["id"] == products["warranty"]["id"], subscription
    assert subscription["customer"]["id"] == order["partner"]["id"], subscription
    assert subscription["service_account"]["id"] == order["service_account"]["id"], subscription
    [period] = subscription["billed_periods"]
    assert period["invoice"]["id"] in {invoice["id"] for invoice in order["invoices"]}, (period, order["invoices"])
    start = date.fromisoformat(period["period_start"])
    assert subscription["next_invoice_date"] == str(start + relativedelta(months=1)), subscription


def test_the_cron_run_twice_bills_each_due_period_once(api, agent_token, kenya_token, admin, run_cron, buyer, ordered):
    warranty_id = ordered[1]["product"]["id"]
    warranty = {"id": warranty_id}
    today = date.today()
    # Sold with a start 40 days back: its two started periods are billed at once, by the purchase.
    back_dated = purchase(api, agent_token, buyer, warranty, start_date=str(today - timedelta(days=40)))
    assert len(back_dated["billed_periods"]) == 2, back_dated
    assert len({period["invoice"]["id"] for period in back_dated["billed_periods"]}) == 2, back_dated
    # Sold to start in a month, then its start moved 40 days back by the administrator: due, not billed.
    late = purchase(api, agent_token, buyer, warranty, start_date=str(today + timedelta(days=30)))
    assert late["billed_periods"] == [] and late["state"] == "active", late
    start = today - timedelta(days=40)
    admin("abs.subscription", "write", [late["id"]], {"start_date": str(start)})
    late = detail(api, agent_token, late)
    assert (late["next_invoice_date"], late["billed_periods"]) == (str(start), []), late
    watched = [ordered[1], back_dated, late]
    before = {s["id"]: billed_starts(detail(api, agent_token, s)) for s in watched}

    run_cron()
    after_first = {s["id"]: detail(api, agent_token, s) for s in watched}
    run_cron()
    after_second = {s["id"]: detail(api, agent_token, s) for s in watched}

    due = [str(start), str(start + relativedelta(months=1))]
    assert billed_starts(after_first[late["id"]]) == due, after_first[late["id"]]
    assert after_first[late["id"]]["next_invoice_date"] == str(start + relativedelta(months=2))
    invoices = [period["invoice"] for period in after_first[late["id"]]["billed_periods"]]
    assert all(invoices) and len({invoice["id"] for invoice in invoices}) == 2, invoices
    for subscription in (ordered[1], back_dated):
        assert billed_starts(after_first[subscription["id"]]) == before[subscription["id"]], "billed again"
    for subscription_id, first in after_first.items():
        second = after_second[subscription_id]
        assert second["billed_periods"] == first["billed_periods"], f"the second run billed {subscription_id} again"
        assert second["next_invoice_date"] == first["next_invoice_date"], second
    status = api.get(f"/api/subscription/status/{late['code']}", token=agent_token, expect=200)["subscription"]
    assert status["open_invoices"] == 2 and status["amount_due"] > 0, status
    api.get(f"/api/subscriptions/{late['id']}", token=kenya_token, expect=404)
    api.get(f"/api/subscription/status/{late['code']}", token=kenya_token, expect=404)


def test_customer_pauses_resumes_and_cancels_her_subscription(api, agent_token, customer_token, admin, marie, ordered):
    warranty = {"id": ordered[1]["product"]["id"]}
    sold = purchase(api, agent_token, marie, warranty)
    path = f"/api/customer/subscriptions/{sold['id']}"
    mine = api.get("/api/customer/subscriptions", token=customer_token, params={"limit": 200}, expect=200)
    assert sold["id"] in {s["id"] for s in mine["subscriptions"]}, mine
    assert all(s["customer"]["id"] == marie["id"] for s in mine["subscriptions"]), mine
    assert api.get(path, token=customer_token, expect=200)["subscription"]["billed_periods"], "the first period"

    paused = api.post(f"{path}/pause", token=customer_token, json={}, expect=200)["subscription"]
    assert (paused["state"], paused["paused_days"]) == ("paused", 0) and paused["paused_on"], paused
    again = api.post(f"{path}/pause", token=customer_token, json={}, expect=400)
    assert again["code"] == "invalid_state", again
    # Paused 5 days ago (the administrator moves the pause back: a smoke run lasts minutes, not days).
    paused_on = date.fromisoformat(paused["paused_on"]) - timedelta(days=5)
    admin("abs.subscription", "write", [sold["id"]], {"paused_on": str(paused_on)})
    resumed = api.post(f"{path}/resume", token=customer_token, json={}, expect=200)["subscription"]
    assert (resumed["state"], resumed["paused_days"], resumed["paused_on"]) == ("active", 5, None), resumed
    moved = date.fromisoformat(paused["next_invoice_date"]) + timedelta(days=5)
    assert resumed["next_invoice_date"] == str(moved), (paused, resumed)
    assert api.post(f"{path}/resume", token=customer_token, json={}, expect=400)["code"] == "invalid_state"

    reasons = api.get("/api/subscription/close-reasons", token=customer_token, expect=200)["reasons"]
    assert reasons and all(reason["code"] and reason["name"] for reason in reasons), reasons
    refused = api.post(f"{path}/cancel", token=customer_token, json={"reason": f"no-such-{RUN}"}, expect=400)
    assert refused["code"] == "invalid_reason", refused
    assert api.get(path, token=customer_token, expect=200)["subscription"]["state"] == "active"
    cancelled = api.post(f"{path}/cancel", token=customer_token, json={"reason": reasons[0]["code"]}, expect=200)
    cancelled = cancelled["subscription"]
    assert (cancelled["state"], cancelled["close_reason"]["code"]) == ("cancelled", reasons[0]["code"]), cancelled
    assert cancelled["close_date"], cancelled
    again = api.post(f"{path}/cancel", token=customer_token, json={"reason": reasons[0]["code"]}, expect=400)
    assert again["code"] == "invalid_state", again


def test_another_customers_subscription_answers_404(api, agent_token, customer_token, ordered):
    other = ordered[1]
    path = f"/api/customer/subscriptions/{other['id']}"
    assert api.get(path, token=customer_token, expect=404)["code"] == "not_found"
    api.post(f"{path}/pause", token=customer_token, json={}, expect=404)
    api.post(f"{path}/cancel", token=customer_token, json={"reason": "other"}, expect=404)
    assert detail(api, agent_token, other)["state"] == "active", "nothing changed"
    mine = api.get("/api/customer/subscriptions", token=customer_token, params={"limit": 200}, expect=200)
    assert other["id"] not in {s["id"] for s in mine["subscriptions"]}
