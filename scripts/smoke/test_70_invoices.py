"""Invoices and SA reporting over real HTTP (seed workflows 6-7), on the demo data.

A quotation with a service line confirmed into a draft invoice, the same draft returned by
POST .../invoice, posted, read, printed as a real PDF (styled: a real multi-worker server), sent
(queued), partly credited; another SA's agent gets 404; the SA summary shows the revenue.
"""

import base64
import time

import pytest

RUN = str(int(time.time()))


@pytest.fixture(scope="module")
def service(api, manager_token, togo):
    """A service invoiced on order, made by the manager for SA Togo (the fuzzing may have changed the demo ones)."""
    body = {
        "name": f"Smoke Invoice Service {RUN}",
        "default_code": f"SMOKE-INV-{RUN}",
        "pu_category": "service",
        "invoice_policy": "order",
        "list_price": 50.0,
    }
    return api.post("/api/products", token=manager_token, sa_id=togo["id"], json=body, expect=201)["product"]


@pytest.fixture(scope="module")
def customer(api, agent_token):
    body = {
        "name": f"Smoke Invoice Buyer {RUN}",
        "phone": f"+228 97 {RUN[-6:-4]} {RUN[-4:-2]} {RUN[-2:]}",
        "email": f"invoice.{RUN}@example.com",
    }
    return api.post("/api/customers", token=agent_token, json=body, expect=201)["customer"]


def test_quotation_to_posted_invoice_pdf_credit_note_and_summary(
    api, agent_token, manager_token, kenya_token, customer, service
):
    body = {"customer_id": customer["id"], "products": [{"product_id": service["id"], "quantity": 2}]}
    order = api.post("/api/quotations", token=agent_token, json=body, expect=201)["order"]
    confirmed = api.post(f"/api/orders/{order['id']}/confirm", token=agent_token, json={}, expect=200)["order"]
    [draft_ref] = confirmed["invoices"]
    # The draft made at confirmation is returned, not duplicated.
    again = api.post(f"/api/orders/{order['id']}/invoice", token=agent_token, json={}, expect=200)
    assert again["created"] is False and again["invoice"]["id"] == draft_ref["id"], again
    invoice_id = draft_ref["id"]
    posted = api.post(
        f"/api/orders/{order['id']}/invoices/{invoice_id}/confirm", token=agent_token, json={}, expect=200
    )["invoice"]
    assert posted["state"] == "posted" and posted["payment_state"] == "not_paid", posted
    assert posted["amount_residual"] == posted["amount_total"] > 0, posted
    assert posted["lines"] and posted["invoice_date_due"], posted
    api.post(f"/api/orders/{order['id']}/invoices/{invoice_id}/confirm", token=agent_token, json={}, expect=409)

    pdf = api.get(f"/api/invoices/{invoice_id}/pdf", token=agent_token, expect=200)
    assert base64.b64decode(pdf["content_base64"]).startswith(b"%PDF"), pdf["content_base64"][:40]
    sent = api.post(f"/api/invoices/{invoice_id}/send", token=agent_token, json={}, expect=200)
    assert sent["mail_ids"], sent

    listed = api.get("/api/invoices", token=agent_token, params={"state": "posted", "limit": 200}, expect=200)
    assert invoice_id in [item["id"] for item in listed["invoices"]]
    pending = api.get(f"/api/customers/{customer['id']}/invoices/pending", token=agent_token, expect=200)
    assert [item["id"] for item in pending["invoices"]] == [invoice_id], pending

    # Another SA's agent: as if it did not exist.
    api.get(f"/api/invoices/{invoice_id}", token=kenya_token, expect=404)
    api.get(f"/api/invoices/{invoice_id}/pdf", token=kenya_token, expect=404)
    kenya_list = api.get("/api/invoices", token=kenya_token, params={"limit": 200}, expect=200)
    assert invoice_id not in [item["id"] for item in kenya_list["invoices"]]

    line_id = posted["lines"][0]["id"]
    credit = api.post(
        f"/api/orders/{order['id']}/credit-note",
        token=agent_token,
        json={
            "invoice_id": invoice_id,
            "reason": "one visit cancelled",
            "lines": [{"invoice_line_id": line_id, "quantity": 1}],
        },
        expect=201,
    )
    assert credit["credit_note"]["move_type"] == "out_refund", credit
    assert credit["credit_note"]["service_account"] == posted["service_account"], credit
    assert credit["invoice"]["payment_state"] == "partial", credit

    summary = api.get("/api/reports/sa-summary", token=manager_token, expect=200)["service_accounts"]
    [togo] = [item for item in summary if item["id"] == posted["service_account"]["id"]]
    assert togo["revenue"] > 0 and togo["receivables"] > 0, togo
    api.get("/api/reports/sa-summary", token=agent_token, expect=403)
