"""Payments and mobile money over real HTTP (seed workflow 9), on the demo data.

An order of services confirmed into a draft invoice, a partial cash payment (the invoice is posted on
the way), the rest by mobile money: started by the agent, settled by the sandbox provider's signed
callback (paid once; a replay gets the same answer; a bad signature 401), then 409 on a paid order.
The smoke run signs the callback as the sandbox provider would, with the secret read by the
administrator over JSON-RPC: the API exposes no secret.
"""

import hashlib
import hmac
import json
import time

import pytest
import requests
from conftest import TIMEOUT, check_envelope

RUN = str(int(time.time()))


@pytest.fixture(scope="module")
def service(api, manager_token, togo):
    body = {"name": f"Smoke Payment Service {RUN}", "pu_category": "service", "invoice_policy": "order"}
    body.update(default_code=f"SMOKE-PAY-{RUN}", list_price=50.0)
    return api.post("/api/products", token=manager_token, sa_id=togo["id"], json=body, expect=201)["product"]


@pytest.fixture(scope="module")
def order(api, agent_token, service):
    return api.sell(agent_token, f"Smoke Payer {RUN}", f"+228 97 {RUN[-6:]}", [(service["id"], 2)])


def post_callback(base_url, raw, signature):
    response = requests.post(
        f"{base_url}/api/payments/mobile-money/callback",
        data=raw,
        headers={"Content-Type": "application/json", "X-Signature": signature},
        timeout=TIMEOUT,
    )
    return response.status_code, check_envelope(response)


def test_cash_then_mobile_money_pays_the_order_once(api, agent_token, kenya_token, base_url, order, sandbox_secret):
    path = f"/api/orders/{order['id']}/register-payment"
    paid = api.post(path, token=agent_token, json={"amount": 40.0, "payment_source": "cash"}, expect=201)
    invoice = paid["invoice"]
    assert (invoice["payment_state"], invoice["amount_residual"]) == ("partial", invoice["amount_total"] - 40.0), paid
    assert paid["payment"]["payment_source"] == "cash"
    api.post(path, token=agent_token, json={"amount": invoice["amount_residual"] + 1}, expect=400)
    api.post(path, token=kenya_token, json={}, expect=404)

    attempt = api.post(
        "/api/payments/mobile-money",
        token=agent_token,
        json={"invoice_id": invoice["id"], "phone": "+228 90 55 44 33"},
        expect=201,
    )["attempt"]
    assert (attempt["state"], attempt["amount"]) == ("pending", invoice["amount_residual"]), attempt

    raw = json.dumps({"reference": attempt["reference"], "status": "success", "provider": "sandbox"}).encode()
    assert post_callback(base_url, raw, "sha256=" + "0" * 64)[0] == 401
    signature = "sha256=" + hmac.new(sandbox_secret.encode(), raw, hashlib.sha256).hexdigest()
    first = post_callback(base_url, raw, signature)
    assert first[0] == 200 and first[1]["state"] == "done" and first[1]["payment_id"], first
    assert post_callback(base_url, raw, signature) == first  # a replay: the first answer, nothing written

    payment = api.get(f"/api/payments/{first[1]['payment_id']}", token=agent_token, expect=200)["payment"]
    assert payment["payment_source"] == "mobile_money" and payment["invoices"][0]["id"] == invoice["id"], payment
    conflict = api.post(path, token=agent_token, json={}, expect=409)
    assert conflict["details"]["payment_state"] == "paid", conflict

    customer_id = order["partner"]["id"]
    history = api.get(f"/api/customers/{customer_id}/payments", token=agent_token, expect=200)
    assert history["total"] == 2, history
    board = api.get(f"/api/customers/{customer_id}/dashboard", token=agent_token, expect=200)["dashboard"]
    assert (board["outstanding"], board["paid"], board["payments"]["count"]) == (0.0, invoice["amount_total"], 2), board
    api.get(f"/api/payments/{first[1]['payment_id']}", token=kenya_token, expect=404)
