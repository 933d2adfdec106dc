"""Quotations, approval and confirmation over real HTTP (seed workflows 2-4), on the demo data.

A quotation by lines and one from the demo Bill of Products, an order above SA Togo's approval
threshold approved by tg.manager (an agent gets 403), confirmation (a delivery for the goods, a draft
invoice for the services), the pro-forma as a real PDF, the quotation mail queued.

Runs after the fuzzing (test_20), which may have archived or changed demo products with the API key:
a demo product that is no longer sellable is replaced by one the manager creates for SA Togo.
"""

import base64
import time

import pytest

RUN = str(int(time.time()))
THRESHOLD_TOGO = 1000  # demo data: SA Togo's approval threshold


@pytest.fixture(scope="module")
def products(api, manager_token, togo):
    """Kit, installation and warranty of the seed's mixed order: the demo ones by internal reference."""
    wanted = {
        "kit": ("SK-200W", {"product_type": "storable", "invoice_policy": "delivery", "list_price": 450.0}),
        "install": ("SRV-INSTALL", {"pu_category": "service", "invoice_policy": "order", "list_price": 50.0}),
        "warranty": ("SRV-WARRANTY-2Y", {"pu_category": "contract", "invoice_policy": "order", "list_price": 60.0}),
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
            and (p["list_price"], p["invoice_policy"]) == (fallback["list_price"], fallback["invoice_policy"])
        ]
        if usable:
            found[key] = usable[0]
        else:
            body = {"name": f"Smoke {key} {RUN}", "default_code": f"SMOKE-{key}-{RUN}", **fallback}
            found[key] = api.post("/api/products", token=manager_token, sa_id=togo["id"], json=body, expect=201)[
                "product"
            ]
    return found


@pytest.fixture(scope="module")
def customer(api, agent_token):
    body = {"name": f"Smoke Buyer {RUN}", "phone": f"+228 96 {RUN[-6:-4]} {RUN[-4:-2]} {RUN[-2:]}"}
    body["email"] = f"buyer.{RUN}@example.com"
    return api.post("/api/customers", token=agent_token, json=body, expect=201)["customer"]


def quote(api, token, customer, lines, expect=201, **extra):
    body = {"customer_id": customer["id"], "products": lines, **extra}
    return api.post("/api/quotations", token=token, json=body, expect=expect)


def line(product, quantity=1):
    return {"product_id": product["id"], "quantity": quantity}


def test_mixed_quotation_confirms_into_one_delivery_and_one_draft_invoice(api, agent_token, customer, products):
    order = quote(
        api, agent_token, customer, [line(products["kit"]), line(products["install"]), line(products["warranty"])]
    )["order"]
    assert order["state"] == "draft" and order["approval"]["state"] == "none", order
    assert order["amount_total"] < THRESHOLD_TOGO, order
    assert order["service_account"]["name"].endswith("SA Togo"), order
    confirmed = api.post(f"/api/orders/{order['id']}/confirm", token=agent_token, json={}, expect=200)["order"]
    assert confirmed["state"] == "sale", confirmed
    assert len(confirmed["deliveries"]) == 1, confirmed
    assert [invoice["state"] for invoice in confirmed["invoices"]] == ["draft"], confirmed
    kit_line = next(item for item in confirmed["lines"] if item["product"]["id"] == products["kit"]["id"])
    assert kit_line["qty_invoiced"] == 0, "the kit is invoiced after delivery"
    finalized = api.post(f"/api/orders/{order['id']}/finalize", token=agent_token, json={}, expect=200)["order"]
    assert finalized["locked"] is True


def test_quotation_from_the_demo_bill_of_products(api, agent_token, customer):
    bop = api.get("/api/products/SHS-200W/bop", token=agent_token, expect=200)["bop"]
    colour = next(prop for prop in bop["properties"] if prop["name"] == "Panel Colour")
    black = next(value for value in colour["values"] if value["name"] == "Black")
    order = quote(api, agent_token, customer, [], bop_id=bop["id"], property_value_ids=[black["id"]])["order"]
    assert order["lines"], order
    names = {item["product"]["name"] for item in order["lines"]}
    assert not any("Silver" in name for name in names), names


def test_above_the_threshold_a_manager_approves_before_confirmation(
    api, agent_token, manager_token, customer, products
):
    order = quote(api, agent_token, customer, [line(products["kit"], 3)])["order"]
    assert order["amount_total"] > THRESHOLD_TOGO, order
    path = f"/api/orders/{order['id']}"
    refused = api.post(f"{path}/confirm", token=agent_token, json={}, expect=409)
    assert refused["code"] == "approval_required", refused
    waiting = api.post(f"{path}/request-approval", token=agent_token, json={}, expect=200)["order"]
    assert waiting["approval"]["state"] == "waiting"
    assert api.post(f"{path}/approve", token=agent_token, json={}, expect=403)["code"] == "role_forbidden"
    approved = api.post(f"{path}/approve", token=manager_token, json={"note": f"smoke {RUN}"}, expect=200)["order"]
    assert approved["approval"]["state"] == "approved" and approved["approval"]["note"] == f"smoke {RUN}"
    confirmed = api.post(f"{path}/confirm", token=agent_token, json={"reserve": False}, expect=200)["order"]
    assert confirmed["state"] == "sale" and len(confirmed["deliveries"]) == 1, confirmed


def test_rejected_order_is_back_to_draft_with_the_reason(api, agent_token, manager_token, customer, products):
    order = quote(api, agent_token, customer, [line(products["kit"], 3)])["order"]
    path = f"/api/orders/{order['id']}"
    api.post(f"{path}/request-approval", token=agent_token, json={}, expect=200)
    rejected = api.post(f"{path}/reject", token=manager_token, json={"reason": "Renegotiate"}, expect=200)["order"]
    assert (rejected["state"], rejected["approval"]["state"]) == ("draft", "rejected")
    assert api.get(path, token=agent_token, expect=200)["order"]["approval"]["reject_reason"] == "Renegotiate"


def test_proforma_pdf_and_quotation_mail(api, agent_token, customer, products):
    order = quote(api, agent_token, customer, [line(products["install"])])["order"]
    path = f"/api/orders/{order['id']}"
    pdf = api.get(f"{path}/proforma-pdf", token=agent_token, expect=200)
    assert pdf["mimetype"] == "application/pdf" and pdf["filename"].endswith(".pdf")
    assert base64.b64decode(pdf["content_base64"]).startswith(b"%PDF")
    sent = api.post(f"{path}/send", token=agent_token, json={}, expect=200)
    assert sent["order"]["state"] == "sent" and sent["mail_ids"], sent


def test_another_sa_never_sees_the_order(api, agent_token, kenya_token, customer, products):
    order = quote(api, agent_token, customer, [line(products["install"])])["order"]
    assert api.get(f"/api/orders/{order['id']}", token=kenya_token, expect=404)["code"] == "not_found"
    listed = api.get("/api/orders", token=kenya_token, params={"limit": 200}, expect=200)["orders"]
    assert order["id"] not in {item["id"] for item in listed}


def test_agent_changes_and_removes_quotation_lines_then_cancels_it(api, agent_token, customer, products):
    """The agent's day on the real server: a line changed and one removed while draft, then the quotation
    cancelled by its own agent; each answer carries the order's delivery and invoice status."""
    order = quote(api, agent_token, customer, [line(products["install"]), line(products["warranty"])])["order"]
    assert (order["delivery_status"], order["invoice_status"]) == (None, "no")
    first, second = order["lines"]
    changed = api.put(
        f"/api/orders/{order['id']}/lines/{first['id']}", token=agent_token, json={"quantity": 3}, expect=200
    )["order"]
    assert next(item for item in changed["lines"] if item["id"] == first["id"])["quantity"] == 3
    assert changed["amount_untaxed"] > order["amount_untaxed"]
    removed = api.call("DELETE", f"/api/orders/{order['id']}/lines/{second['id']}", token=agent_token, expect=200)
    assert [item["id"] for item in removed["order"]["lines"]] == [first["id"]]
    api.call("DELETE", f"/api/orders/{order['id']}/lines/{first['id']}", token=agent_token, expect=400)
    cancelled = api.post(f"/api/orders/{order['id']}/cancel", token=agent_token, json={"reason": "smoke"}, expect=200)
    assert cancelled["order"]["state"] == "cancel"
    # The product answer shows the price the quotation used (SA Togo's, else the sales price).
    product = api.get(f"/api/products/{products['install']['id']}", token=agent_token, expect=200)["product"]
    assert product["price"]["price_unit"] == pytest.approx(first["price_unit"])
