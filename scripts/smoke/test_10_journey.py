"""The demo journey over real HTTP, outside Odoo's test mode: logins, customers, stock, the demo delivery.

Every answer is checked by conftest.check_envelope: JSON, the envelope, never a 5xx.
"""

import time

import pytest
from conftest import DEMO_CUSTOMER_PHONE

RUN = str(int(time.time()))


def assert_unauthorized(body):
    assert body["code"] == "unauthorized", body


# --------------------------------------------------------------------------- employee authentication


@pytest.mark.parametrize(
    ("login", "role", "sa_code"),
    [("tg.manager", "staff", "TG"), ("tg.agent", "agent", "TG"), ("ke.agent", "agent", "KE")],
)
def test_demo_employee_logs_in_with_its_service_account(api, login, role, sa_code):
    body = api.login(login)
    assert body["token_type"] == "Bearer" and body["access_token"] and body["refresh_token"]
    assert [(sa["code"], sa["role"]) for sa in body["service_accounts"]] == [(sa_code, role)]


def test_employee_login_with_wrong_password_is_401(api):
    body = api.post("/api/auth/login", json={"login": "tg.agent", "password": "not-the-password"}, expect=401)
    assert_unauthorized(body)


def test_employee_login_with_unknown_login_is_401(api):
    body = api.post("/api/auth/login", json={"login": f"nobody.{RUN}", "password": "demo1234"}, expect=401)
    assert_unauthorized(body)


def test_refresh_rotates_the_pair_and_spends_the_refresh_token(api):
    first = api.login("tg.agent")
    second = api.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]}, expect=200)
    assert second["access_token"] != first["access_token"]
    api.get("/api/auth/me", token=second["access_token"], expect=200)
    spent = api.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]}, expect=401)
    assert spent["code"] == "token_revoked", spent  # log in again (an expired one says token_expired: refresh)


def test_me_names_the_employee_and_its_service_accounts(api, manager_token):
    body = api.get("/api/auth/me", token=manager_token, expect=200)
    assert body["employee"]["name"]
    assert [(sa["code"], sa["role"]) for sa in body["service_accounts"]] == [("TG", "staff")]


def test_me_without_a_token_is_401(api):
    assert_unauthorized(api.get("/api/auth/me", expect=401))


# --------------------------------------------------------------------------- customer authentication


def test_demo_customer_logs_in_and_reads_its_profile(api):
    body = api.customer_login()
    assert body["customer"]["name"] == "Marie Dupont"
    me = api.get("/api/customer/me", token=body["access_token"], expect=200)
    assert me["customer"]["id"] == body["customer"]["id"]


def test_customer_login_with_wrong_pin_is_401(api):
    body = api.post("/api/customer/auth/login", json={"phone": DEMO_CUSTOMER_PHONE, "pin": "9876"}, expect=401)
    assert_unauthorized(body)


def test_customer_login_with_unknown_phone_is_401(api):
    body = api.post("/api/customer/auth/login", json={"phone": "+228 99 00 00 01", "pin": "1234"}, expect=401)
    assert_unauthorized(body)


def test_customer_token_is_refused_on_employee_routes(api, customer_token):
    assert_unauthorized(api.get("/api/auth/me", token=customer_token, expect=401))


# --------------------------------------------------------------------------- customers


@pytest.fixture(scope="module")
def new_customer(api, agent_token):
    body = {
        "name": f"Smoke Customer {RUN}",
        "phone": f"+228 90 {RUN[-6:-4]} {RUN[-4:-2]} {RUN[-2:]}",
        "email": f"smoke.{RUN}@example.com",
        "city": "Lomé",
        "country_code": "tg",
        "pin": "4321",
    }
    created = api.post("/api/customers", token=agent_token, json=body, expect=201)["customer"]
    return {**created, "pin": body["pin"]}


def test_agent_creates_a_customer_in_its_service_account(new_customer):
    assert new_customer["name"].startswith("Smoke Customer")
    assert new_customer["country_code"] == "TG"
    assert new_customer["has_portal_pin"] is True
    assert len(new_customer["service_accounts"]) == 1 and "SA Togo" in new_customer["service_accounts"][0]["name"]


def test_customer_list_finds_the_new_customer(api, manager_token, new_customer):
    body = api.get("/api/customers", token=manager_token, params={"q": new_customer["name"]}, expect=200)
    assert body["total"] == 1 and body["customers"][0]["id"] == new_customer["id"]


def test_customer_list_pages(api, agent_token):
    body = api.get("/api/customers", token=agent_token, params={"page": 1, "limit": 2}, expect=200)
    assert body["page"] == 1 and body["limit"] == 2 and len(body["customers"]) <= 2


def test_customer_get_and_update(api, agent_token, new_customer):
    path = f"/api/customers/{new_customer['id']}"
    assert api.get(path, token=agent_token, expect=200)["customer"]["email"] == new_customer["email"]
    updated = api.put(path, token=agent_token, json={"city": "Kara", "street": "Rue 1"}, expect=200)["customer"]
    assert (updated["city"], updated["street"], updated["name"]) == ("Kara", "Rue 1", new_customer["name"])
    assert api.get(path, api_key=True, expect=200)["customer"]["city"] == "Kara"


def test_customer_of_another_service_account_is_404(api, kenya_token, new_customer):
    body = api.get(f"/api/customers/{new_customer['id']}", token=kenya_token, expect=404)
    assert body["code"] == "not_found"


def test_new_customer_logs_in_with_the_pin_it_was_given(api, new_customer):
    body = api.customer_login(phone=new_customer["phone"], pin=new_customer["pin"])
    assert body["customer"]["id"] == new_customer["id"]


def test_unknown_body_field_is_400(api, agent_token):
    body = api.post("/api/customers", token=agent_token, json={"name": "X", "is_admin": True}, expect=400)
    assert body["code"] == "invalid_body" and "is_admin" in body["details"]["fields"]


# --------------------------------------------------------------------------- stock


@pytest.fixture(scope="module")
def solar_kit(api, manager_token):
    """The demo serial product (Solar Kit 200W), found through one of its demo serials."""
    lots = api.get("/api/stock/lots", token=manager_token, params={"serial": "SN-2026-010"}, expect=200)["lots"]
    assert len(lots) == 1, lots
    return lots[0]["product"]


@pytest.fixture(scope="module")
def received_serials(api, manager_token, solar_kit):
    """Two new serials of the Solar Kit received into stock: one by the manager, one with the API key."""
    serials = [f"SMOKE-{RUN}-1", f"SMOKE-{RUN}-2"]
    by_staff = api.post(
        "/api/stock/receive",
        token=manager_token,
        json={"origin": f"Smoke {RUN}", "lines": [{"product_id": solar_kit["id"], "lots": serials[:1]}]},
        expect=201,
    )
    by_key = api.post(
        "/api/warehouse/receive",
        api_key=True,
        json={"lines": [{"product_id": solar_kit["id"], "qty": 1, "lot_name": serials[1]}]},
        expect=201,
    )
    for body in (by_staff, by_key):
        assert body["picking"]["state"] == "done", body
    return serials


def test_staff_and_api_key_receive_serials(received_serials):
    assert len(received_serials) == 2


def test_agent_may_not_receive_stock(api, agent_token, solar_kit):
    body = api.post(
        "/api/stock/receive",
        token=agent_token,
        json={"lines": [{"product_id": solar_kit["id"], "lots": [f"SMOKE-{RUN}-agent"]}]},
        expect=403,
    )
    assert body["code"] == "role_forbidden"


def test_levels_count_the_received_serials(api, manager_token, solar_kit, received_serials):
    levels = api.get("/api/stock/levels", token=manager_token, params={"product_id": solar_kit["id"]}, expect=200)
    on_hand = sum(level["qty_on_hand"] for level in levels["levels"])
    product = api.get(f"/api/stock/levels/{solar_kit['id']}", api_key=True, expect=200)
    assert product["product"]["tracking"] == "serial"
    assert product["totals"]["qty_on_hand"] == on_hand >= 12  # 10 demo serials + 2 received


def test_lots_list_and_lookup_find_a_received_serial(api, manager_token, received_serials):
    serial = received_serials[0]
    lots = api.get("/api/stock/lots", token=manager_token, params={"q": f"SMOKE-{RUN}"}, expect=200)
    assert sorted(lot["serial"] for lot in lots["lots"]) == received_serials
    lot = api.get(f"/api/stock/lots/{serial}", token=manager_token, expect=200)
    assert lot["lot"]["serial"] == serial and lot["lot"]["qty_on_hand"] == 1
    assert [loc["qty_on_hand"] for loc in lot["locations"]] == [1]


def test_unknown_lot_is_404(api, manager_token):
    assert api.get(f"/api/stock/lots/NO-SUCH-{RUN}", token=manager_token, expect=404)["code"] == "not_found"


def test_warehouses_receipts_and_movements_answer(api, manager_token):
    assert api.get("/api/warehouses", token=manager_token, expect=200)["total"] >= 1
    receipts = api.get("/api/stock/receipts", api_key=True, params={"state": "done"}, expect=200)["receipts"]
    assert receipts
    api.get(f"/api/stock/receipts/{receipts[0]['id']}", token=manager_token, expect=200)
    assert api.get("/api/stock/movements", token=manager_token, params={"limit": 5}, expect=200)["movements"]


# --------------------------------------------------------------------------- the demo delivery of SA Togo


@pytest.fixture(scope="module")
def demo_delivery(api, manager_token):
    deliveries = api.get("/api/stock/deliveries", token=manager_token, expect=200)["deliveries"]
    demo = [d for d in deliveries if "DEMO-TG-001" in (d["origin"] or "")]
    assert len(demo) == 1, f"the demo SA Togo delivery (origin DEMO-TG-001) is not listed: {deliveries}"
    return api.get(f"/api/stock/deliveries/{demo[0]['id']}", token=manager_token, expect=200)["delivery"]


def test_demo_delivery_is_ready_with_reserved_serials(demo_delivery):
    assert demo_delivery["state"] == "assigned"
    assert demo_delivery["partner"]["name"] == "Marie Dupont"
    assert all(line["move_lines"] and line["tracking"] == "serial" for line in demo_delivery["lines"])


def test_demo_delivery_is_invisible_to_another_service_account(api, kenya_token, demo_delivery):
    api.get(f"/api/stock/deliveries/{demo_delivery['id']}", token=kenya_token, expect=404)


@pytest.fixture(scope="module")
def validated_delivery(api, manager_token, demo_delivery):
    body = api.post(f"/api/stock/deliveries/{demo_delivery['id']}/validate", token=manager_token, json={}, expect=200)
    return body


def test_manager_validates_the_demo_delivery(api, manager_token, demo_delivery, validated_delivery):
    assert validated_delivery["delivery"]["state"] == "done" and validated_delivery["backorder"] is None
    serial = demo_delivery["lines"][0]["move_lines"][0]["lot_name"]
    assert api.get(f"/api/stock/lots/{serial}", token=manager_token, expect=200)["locations"] == []


def test_manager_returns_the_delivered_goods(api, manager_token, demo_delivery, validated_delivery):
    body = api.post(
        f"/api/stock/deliveries/{demo_delivery['id']}/return",
        token=manager_token,
        json={"reason": "Smoke run return"},
        expect=200,
    )
    assert body["return_picking"]["state"] == "done"
    serial = demo_delivery["lines"][0]["move_lines"][0]["lot_name"]
    locations = api.get(f"/api/stock/lots/{serial}", token=manager_token, expect=200)["locations"]
    assert [loc["qty_on_hand"] for loc in locations] == [1]
