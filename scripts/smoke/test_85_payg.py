"""Pay-as-you-go over real HTTP (issue 18), on the demo data.

The demo Solar Kit 200W is sold on a plan: a serial of this run is received, sold, delivered (its PAYG
account opens), the deposit and an instalment are paid over the API (two tokens), the instalment is sent
again with its Idempotency-Key (the same token), the staff read the account and the portfolio, and Marie
Dupont reads her demo account (a deposit and two tokens) in the customer portal. The demo Solar Lantern is
sold on a plan priced per weekly instalment: its deposit and one instalment buy the free days and a week, then
a manager writes the account off: a payment on it is refused, the portfolio counts it.
"""

import time
import uuid

import pytest

RUN = str(int(time.time()))
SERIAL = f"SMOKE-PAYG-{RUN}"
LANTERN_SERIAL = f"SMOKE-PAYG-SL-{RUN}"


@pytest.fixture(scope="module")
def solar_kit(api, agent_token):
    products = api.get("/api/products", token=agent_token, params={"q": "SK-200W"}, expect=200)["products"]
    kit = next(p for p in products if p["default_code"] == "SK-200W")
    assert kit["payg_plan"], kit
    return kit


def sell(api, manager_token, agent_token, product, serial, name):
    """Receive ``serial`` of ``product``, sell it to a new customer and deliver it: its PAYG account opens."""
    receive = {"lines": [{"product_id": product["id"], "quantity": 1, "lot_name": serial}]}
    api.post("/api/stock/receive", token=manager_token, json=receive, expect=201)
    customer = api.post("/api/customers", token=agent_token, json={"name": name}, expect=201)
    quotation = {
        "customer_id": customer["customer"]["id"],
        "products": [{"product_id": product["id"], "quantity": 1}],
    }
    order = api.post("/api/quotations", token=agent_token, json=quotation, expect=201)["order"]
    order = api.post(f"/api/orders/{order['id']}/confirm", token=agent_token, json={}, expect=200)["order"]
    api.post(f"/api/stock/deliveries/{order['deliveries'][0]['id']}/validate", token=manager_token, json={}, expect=200)
    order["customer_id"] = customer["customer"]["id"]
    return order


@pytest.fixture(scope="module")
def sold(api, manager_token, agent_token, solar_kit):
    return sell(api, manager_token, agent_token, solar_kit, SERIAL, f"Smoke PAYG {RUN}")


@pytest.fixture(scope="module")
def lantern(api, agent_token):
    products = api.get("/api/products", token=agent_token, params={"q": "SL-PAYG"}, expect=200)["products"]
    return next(p for p in products if p["default_code"] == "SL-PAYG")


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


def test_an_instalment_plan_sells_weeks_and_a_write_off_ends_it(api, manager_token, agent_token, togo, lantern):
    plan = lantern["payg_plan"]
    assert (plan["pricing_mode"], plan["cadence"], plan["term"]) == ("per_instalment", "weekly", 15), plan
    assert plan["price_to_own"] == plan["deposit"] + 15 * plan["instalment_price"], plan
    order = sell(api, manager_token, agent_token, lantern, LANTERN_SERIAL, f"Smoke PAYG lantern {RUN}")
    path = f"/api/orders/{order['id']}/register-payment"
    api.post(path, token=agent_token, json={"amount": plan["deposit"]}, expect=201)
    week = api.post(path, token=agent_token, json={"amount": plan["instalment_price"]}, expect=201)
    assert week["payg_tokens"][0]["days"] == 7, week
    params = {"partner_id": order["customer_id"]}
    [account] = api.get("/api/payg/accounts", token=agent_token, params=params, expect=200)["accounts"]
    assert account["days_credited"] == plan["free_days"] + 7, account
    assert account["next_instalment"]["amount"] == plan["instalment_price"], account
    write_off = f"/api/payg/accounts/{account['id']}/write-off"
    api.post(write_off, token=agent_token, json={"reason": "Smoke: an agent may not"}, expect=403)
    done = api.post(write_off, token=manager_token, json={"reason": "Smoke: customer gone"}, expect=200)["account"]
    assert (done["state"], done["amount_remaining"]) == ("written_off", 0.0), done
    assert done["amount_written_off"] == plan["price_to_own"] - plan["deposit"] - plan["instalment_price"], done
    refused = api.post(path, token=agent_token, json={"amount": plan["instalment_price"]}, expect=409)
    assert refused["code"] == "payg_written_off", refused
    api.post(write_off, token=manager_token, json={"reason": "Smoke: twice"}, expect=400)
    report = api.get("/api/reports/payg-portfolio", token=manager_token, expect=200)
    [mine] = [sa for sa in report["service_accounts"] if sa["service_account"]["id"] == togo["id"]]
    assert mine["accounts_by_state"].get("written_off", 0) >= 1 and mine["written_off"] > 0, mine
