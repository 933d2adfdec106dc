"""Assets and helpdesk tickets over real HTTP (seed workflow 8 and the serial lifecycle 0g), on the demo data.

The demo delivery validated by the journey (test_10) made the asset of Marie Dupont's serial; a
serial of this run is then received, sold, delivered (its asset active, the lot lookup naming its
holder to SA Togo only) and returned (its asset inactive). A ticket is opened and closed by an agent,
another by the customer herself.

Runs after the fuzzing (test_20), which may have changed demo records with the API key: this run's
own product, serial, customer and order carry the assertions on states.
"""

import time

import pytest

RUN = str(int(time.time()))
SERIAL = f"SMOKE-AS-{RUN}"


@pytest.fixture(scope="module")
def marie(api, customer_token):
    return api.get("/api/customer/me", token=customer_token, expect=200)["customer"]


@pytest.fixture(scope="module")
def kit(api, manager_token, togo):
    body = {
        "name": f"Smoke Asset Kit {RUN}",
        "default_code": f"SMOKE-AK-{RUN}",
        "product_type": "storable",
        "tracking": "serial",
        "invoice_policy": "delivery",
        "list_price": 10.0,
    }
    return api.post("/api/products", token=manager_token, sa_id=togo["id"], json=body, expect=201)["product"]


@pytest.fixture(scope="module")
def buyer(api, agent_token):
    body = {"name": f"Smoke Asset Buyer {RUN}"}
    return api.post("/api/customers", token=agent_token, json=body, expect=201)["customer"]


@pytest.fixture(scope="module")
def delivered(api, manager_token, agent_token, kit, buyer):
    """The serial received, sold to the buyer and delivered: the delivery's id."""
    receive = {"lines": [{"product_id": kit["id"], "quantity": 1, "lot_name": SERIAL}]}
    api.post("/api/stock/receive", token=manager_token, json=receive, expect=201)
    quotation = {"customer_id": buyer["id"], "products": [{"product_id": kit["id"], "quantity": 1}]}
    order = api.post("/api/quotations", token=agent_token, json=quotation, expect=201)["order"]
    order = api.post(f"/api/orders/{order['id']}/confirm", token=agent_token, json={}, expect=200)["order"]
    delivery_id = order["deliveries"][0]["id"]
    api.post(f"/api/stock/deliveries/{delivery_id}/validate", token=manager_token, json={}, expect=200)
    return delivery_id


def assets_of(api, token, partner):
    return api.get("/api/assets", token=token, params={"partner_id": partner["id"], "limit": 200}, expect=200)["assets"]


def test_the_demo_delivery_made_the_asset_of_marie_dupont(api, manager_token, marie, togo):
    assets = [a for a in assets_of(api, manager_token, marie) if a["lot"] and a["lot"]["serial"].startswith("SN-2026-")]
    assert assets, "validating the demo delivery created no asset"
    assert all(a["service_account"]["id"] == togo["id"] and a["delivery"] for a in assets), assets


def test_delivery_creates_the_active_asset_of_the_serial(api, agent_token, buyer, togo, delivered):
    [asset] = assets_of(api, agent_token, buyer)
    assert (asset["lot"]["serial"], asset["state"], asset["delivery"]["id"]) == (SERIAL, "active", delivered)
    assert asset["service_account"]["id"] == togo["id"]


def test_lot_lookup_names_the_holder_to_its_sa_only(api, manager_token, kenya_token, buyer, delivered):
    holder = api.get(f"/api/stock/lots/{SERIAL}", token=manager_token, expect=200)["holder"]
    assert holder["customer"]["id"] == buyer["id"], holder
    # The kit is SA Togo's own catalogue product: to SA Kenya its serials do not exist at all (404), as
    # its product does (a shared product's serial deployed at another SA's customer is 404 as well).
    api.get(f"/api/stock/lots/{SERIAL}", token=kenya_token, expect=404)


def test_another_sa_gets_404_on_the_asset(api, agent_token, kenya_token, buyer, delivered):
    [asset] = assets_of(api, agent_token, buyer)
    api.get(f"/api/assets/{asset['id']}", token=kenya_token, expect=404)


def test_return_makes_the_asset_inactive(api, manager_token, agent_token, buyer, delivered):
    api.post(f"/api/stock/deliveries/{delivered}/return", token=manager_token, json={"reason": "smoke"}, expect=200)
    [asset] = assets_of(api, agent_token, buyer)
    assert asset["state"] == "inactive", asset


def test_agent_opens_and_closes_a_ticket(api, agent_token, kenya_token, buyer):
    body = {"subject": f"Smoke ticket {RUN}", "partner_id": buyer["id"], "priority": "high"}
    ticket = api.post("/api/tickets", token=agent_token, json=body, expect=201)["ticket"]
    assert ticket["stage"]["name"] == "New" and not ticket["stage"]["is_closed"], ticket
    api.get(f"/api/tickets/{ticket['id']}", token=kenya_token, expect=404)
    closed = api.post(
        f"/api/tickets/{ticket['id']}/close", token=agent_token, json={"resolution_note": "Done"}, expect=200
    )["ticket"]
    assert closed["stage"]["is_closed"] and closed["resolution_note"] == "Done" and closed["closed_date"], closed
    api.post(f"/api/tickets/{ticket['id']}/close", token=agent_token, json={}, expect=409)


def test_customer_opens_a_ticket_and_lists_her_own(api, customer_token, marie):
    body = {"subject": f"Smoke portal ticket {RUN}"}
    ticket = api.post("/api/customer/tickets", token=customer_token, json=body, expect=201)["ticket"]
    assert ticket["customer"]["id"] == marie["id"], ticket
    mine = api.get("/api/customer/tickets", token=customer_token, params={"limit": 200}, expect=200)["tickets"]
    assert ticket["id"] in [t["id"] for t in mine]
    assert all(t["customer"]["id"] == marie["id"] for t in mine)
