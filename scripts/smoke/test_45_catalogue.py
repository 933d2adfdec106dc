"""The demo catalogue over real HTTP (seed workflow 1): products with live stock, categories, the demo
Bill of Products, and a product created, scoped and archived by staff.

Runs after the fuzzing (test_20), which may have edited demo products with the API key: only what the
fuzzing cannot plausibly have changed is asserted exactly.
"""

import time

RUN = str(int(time.time()))
STOCK_KEYS = {"qty_on_hand", "qty_reserved", "qty_available", "qty_forecasted"}


def test_products_carry_live_stock(api, agent_token):
    body = api.get("/api/products", token=agent_token, params={"limit": 200}, expect=200)
    assert body["total"] >= len(body["products"]) > 0
    storable = [p for p in body["products"] if p["product_type"] == "storable"]
    assert storable, body["products"]
    for product in storable:
        stock = product["stock"]
        assert set(stock) == STOCK_KEYS, product
        assert abs(stock["qty_on_hand"] - stock["qty_reserved"] - stock["qty_available"]) < 1e-6, product
    for product in body["products"]:
        if product["product_type"] == "service":
            assert product["stock"] is None, product


def test_list_filters_by_pu_category(api, agent_token):
    body = api.get("/api/products", token=agent_token, params={"pu_category": "contract", "limit": 200}, expect=200)
    assert all(p["pu_category"] == "contract" for p in body["products"]), body["products"]


def test_categories_tree_has_the_unscoped_roots(api, agent_token):
    tree = api.get("/api/products/categories", token=agent_token, expect=200)["categories"]
    roots = {node["name"]: node for node in tree}
    for name in ("Solar Kits", "E-mobility", "Cross-Grid", "Off-Grid"):
        assert roots[name]["unscoped"] is True, roots.get(name)
    solar = roots["Solar Kits"]["id"]
    products = api.get(
        "/api/products/categories", token=agent_token, params={"view": "products", "category_id": solar}, expect=200
    )
    assert products["category"]["id"] == solar


def test_demo_bill_of_products_with_its_panel_colour(api, agent_token):
    bop = api.get("/api/products/SHS-200W/bop", token=agent_token, expect=200)["bop"]
    assert bop["name"] == "Solar Home System 200W"
    colours = next(prop for prop in bop["properties"] if prop["name"] == "Panel Colour")
    assert {value["name"] for value in colours["values"]} >= {"Black", "Silver"}
    assert bop["lines"], bop
    for line in bop["lines"]:
        assert "stock" in line["product"], line
    assert api.get("/api/products/SHS-200W/bom", token=agent_token, expect=200)["bop"]["id"] == bop["id"]


def test_staff_create_a_product_their_sa_sees_and_archive_it(api, manager_token, agent_token, kenya_token, togo):
    created = api.post(
        "/api/products",
        token=manager_token,
        json={"name": f"Smoke Lantern {RUN}", "default_code": f"SMOKE-{RUN}", "list_price": 19.5},
        expect=201,
    )["product"]
    assert created["service_account"]["id"] == togo["id"]
    assert (created["product_type"], created["pu_category"]) == ("storable", "physical")
    assert set(created["stock"]) == STOCK_KEYS
    path = f"/api/products/{created['id']}"
    listed = api.get("/api/products", token=agent_token, params={"q": f"SMOKE-{RUN}"}, expect=200)["products"]
    assert [p["id"] for p in listed] == [created["id"]]
    assert api.get(path, token=kenya_token, expect=404)["code"] == "not_found"
    assert api.call("DELETE", path, token=manager_token, expect=200)["product"]["active"] is False


def test_agents_may_not_create_products(api, agent_token):
    body = api.post("/api/products", token=agent_token, json={"name": f"Smoke Agent {RUN}"}, expect=403)
    assert body["code"] == "role_forbidden"
