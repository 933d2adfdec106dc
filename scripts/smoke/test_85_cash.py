"""Agents' cash over real HTTP on the demo data (seed workflow 9): an agent's cash payment is cash in its
hands (a ledger balance), it hands it over, the SA's manager counts it short: the handover is confirmed, the
shortage booked and flagged, and the SA summary's per-agent rows say so. Another SA's agent and staff: 404.
"""

import time

import pytest

RUN = str(int(time.time()))


@pytest.fixture(scope="module")
def service(api, manager_token, togo):
    body = {"name": f"Smoke Cash Service {RUN}", "pu_category": "service", "invoice_policy": "order"}
    body.update(default_code=f"SMOKE-CASH-{RUN}", list_price=30.0)
    return api.post("/api/products", token=manager_token, sa_id=togo["id"], json=body, expect=201)["product"]


def test_cash_in_hand_handed_over_and_counted_short(api, agent_token, kenya_token, manager_token, togo, service):
    order = api.sell(agent_token, f"Smoke Cash Payer {RUN}", f"+228 96 {RUN[-6:]}", [(service["id"], 2)])
    paid = api.post(
        f"/api/orders/{order['id']}/register-payment", token=agent_token, json={"payment_source": "cash"}, expect=201
    )
    payment = paid["payment"]
    agent = api.get("/api/auth/me", token=agent_token, expect=200)["employee"]
    assert payment["agent"]["id"] == agent["id"], payment

    mine = api.get(
        "/api/payments", token=agent_token, params={"agent_id": agent["id"], "source": "cash", "limit": 200}, expect=200
    )
    assert payment["id"] in {p["id"] for p in mine["payments"]}
    before = api.get("/api/agents/me/cash", token=agent_token, expect=200)["cash"]
    assert payment["id"] in {p["id"] for p in before["payments"]}, before
    assert before["balance"] >= payment["amount"], before
    staff_view = api.get(f"/api/agents/{agent['id']}/cash", token=manager_token, expect=200)["cash"]
    assert staff_view["balance"] == before["balance"], staff_view
    api.get(f"/api/agents/{agent['id']}/cash", token=kenya_token, expect=403)  # an agent: staff only

    body = {"amount": payment["amount"], "payment_ids": [payment["id"]]}
    api.post("/api/cash-handovers", token=kenya_token, json=body, expect=404)
    handover = api.post("/api/cash-handovers", token=agent_token, json=body, expect=201)["handover"]
    assert (handover["state"], handover["expected_amount"]) == ("declared", payment["amount"]), handover
    api.post("/api/cash-handovers", token=agent_token, json=body, expect=409)
    api.get(f"/api/cash-handovers/{handover['id']}", token=kenya_token, expect=404)

    counted = payment["amount"] - 5.0
    confirmed = api.post(
        f"/api/cash-handovers/{handover['id']}/confirm",
        token=manager_token,
        json={"counted_amount": counted},
        expect=200,
    )["handover"]
    assert (confirmed["state"], confirmed["difference"]) == ("confirmed", -5.0), confirmed
    assert confirmed["move_id"], confirmed
    after = api.get("/api/agents/me/cash", token=agent_token, expect=200)["cash"]
    assert payment["id"] not in {p["id"] for p in after["payments"]}, after
    assert after["balance"] == before["balance"] - payment["amount"], after
    assert after["flagged"] is True, after

    report = api.get("/api/reports/sa-summary", token=manager_token, params={"by": "agent"}, expect=200)[
        "service_accounts"
    ]
    [sa] = [item for item in report if item["id"] == togo["id"]]
    [row] = [row for row in sa["agents"] if row["agent"] and row["agent"]["id"] == agent["id"]]
    assert row["shortages"] >= 5.0 and row["handed_over"] >= payment["amount"], row
    assert sa["received"]["cash"] >= payment["amount"], sa
    assert round(sum(r["cash_in_hand"] for r in sa["agents"]), 2) == sa["cash_in_hand"], sa
