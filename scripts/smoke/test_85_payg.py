"""Pay-as-you-go over real HTTP (issue 18), on the demo data.

The demo Solar Kit 200W is sold on a plan: a serial of this run is received, sold, delivered (its PAYG
account opens), the deposit and an instalment are paid over the API (two tokens), the instalment is sent
again with its Idempotency-Key (the same token), the staff read the account and the portfolio, and Marie
Dupont reads her demo account (a deposit and two tokens) in the customer portal.
"""

import time
import uuid

import pytest

RUN = str(int(time.time()))
SERIAL = f"SMOKE-PAYG-{RUN}"


@pytest.fixture(scope="module")
def solar_kit(api, agent_token):
    products = api.get("/api/products", token=agent_token, params={"q": "SK-200W"}, expect=200)["products"]
    kit = next(p for p in products if p["default_code"] == "SK-200W")
    assert kit["payg_plan"], kit
    return kit


@pytest.fixture(scope="module")
def sold(api, manager_token, agent_token, solar_kit):
    receive = {"lines": [{"product_id": solar_kit["id"], "quantity": 1, "lot_name": SERIAL}]}
    api.post("/api/stock/receive", token=manager_token, json=receive, expect=201)
    customer = api.post("/api/customers", token=agent_token, json={"name": f"Smoke PAYG {RUN}"}, expect=201)
    quotation = {
        "customer_id": customer["customer"]["id"],
        "products": [{"product_id": solar_kit["id"], "quantity": 1}],
    }
    order = api.post("/api/quotations", token=agent_token, json=quotation, expect=201)["order"]
    order = api.post(f"/api/orders/{order['id']}/confirm", token=agent_token, json={}, expect=200)["order"]
    api.post(f"/api/stock/deliveries/{order['deliveries'][0]['id']}/validate", token=manager_token, json={}, expect=200)
    order["customer_id"] = customer["customer"]["id"]
    return order


def test_deposit_and_instalment_give_two_tokens_and_a_replay_the_same(api, agent_token, kenya_token, solar_kit, sold):
    plan = solar_kit["payg_plan"]
    path = f"/api/orders/{sold['id']}/register-payment"
    deposit = api.post(path, token=agent_token, json={"amount": plan["deposit"]}, expect=201)
    [first] = deposit["payg_tokens"]
    assert (first["type"], first["days"]) == ("add_time", plan["free_days"]), first
    key = {"Idempotency-Key": str(uuid.uuid4())}
    instalment = plan["price_per_day"] * plan["instalment_days"]
    paid = api.call("POST", path, token=agent_token, json={"amount": instalment}, expect=201, headers=key)
    again = api.call("POST", path, token=agent_token, json={"amount": instalment}, expect=201, headers=key)
    assert again["payg_tokens"] == paid["payg_tokens"] and len(paid["payg_tokens"]) == 1, (paid, again)
    params = {"partner_id": sold["customer_id"]}
    [account] = api.get("/api/payg/accounts", token=agent_token, params=params, expect=200)["accounts"]
    detail = api.get(f"/api/payg/accounts/{account['id']}", token=agent_token, expect=200)["account"]
    assert [t["code"] for t in detail["tokens"]] == [paid["payg_tokens"][0]["code"], first["code"]], detail
    assert detail["days_credited"] == plan["free_days"] + plan["instalment_days"], detail
    api.get(f"/api/payg/accounts/{account['id']}", token=kenya_token, expect=404)


def test_the_portfolio_report(api, manager_token, agent_token, togo, sold):
    report = api.get("/api/reports/payg-portfolio", token=manager_token, expect=200)
    [mine] = [sa for sa in report["service_accounts"] if sa["service_account"]["id"] == togo["id"]]
    assert mine["accounts_by_state"] and mine["outstanding"] > 0, mine
    api.get("/api/reports/payg-portfolio", token=agent_token, expect=403)


def test_marie_reads_her_demo_account_with_a_deposit_and_two_tokens(api, customer_token):
    accounts = api.get("/api/customer/payg", token=customer_token, expect=200)["accounts"]
    demo = [a for a in accounts if a["amount_paid"] > 0]
    assert demo, accounts
    detail = api.get(f"/api/customer/payg/{demo[-1]['id']}", token=customer_token, expect=200)["account"]
    assert len(detail["tokens"]) == 2 and detail["amount_paid"] >= detail["deposit"], detail
