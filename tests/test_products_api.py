"""Products over real HTTP with real tokens: list, read, create, update, archive, categories."""

from odoo.tests import tagged

from .common import AbsHttpCase
from .test_product_catalogue import CatalogueFixturesMixin


class CatalogueHttpCase(CatalogueFixturesMixin, AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_catalogue_fixtures()

    def get_ok(self, path, **kwargs):
        status, payload, _r = self.api("GET", path, **kwargs)
        self.assertEqual(status, 200, payload)
        self.assertIs(payload["success"], True)
        return payload

    def listed_ids(self, path, **kwargs):
        return {product["id"] for product in self.get_ok(path, **kwargs)["products"]}

    def product_count(self):
        return self.env["product.product"].with_context(active_test=False).search_count([])


@tagged("post_install", "-at_install")
class TestProductList(CatalogueHttpCase):
    def test_an_agent_sees_shared_own_and_unscoped_products_not_another_sas(self):
        ids = self.listed_ids("/api/products?limit=200", token=self.tok_agent_tg)
        self.assertTrue({self.shared_kit.id, self.togo_product.id, self.kenya_unscoped.id, self.service.id} <= ids)
        self.assertNotIn(self.kenya_product.id, ids)
        kenya = self.listed_ids("/api/products?limit=200", token=self.tok_agent_ke)
        self.assertIn(self.kenya_product.id, kenya)
        self.assertNotIn(self.togo_product.id, kenya)

    def test_an_api_key_sees_every_sa_unless_it_names_one(self):
        key = self.new_api_key()
        ids = self.listed_ids("/api/products?limit=200", api_key=key)
        self.assertTrue({self.togo_product.id, self.kenya_product.id} <= ids)
        togo = self.listed_ids("/api/products?limit=200", api_key=key, sa=self.sa_togo)
        self.assertIn(self.togo_product.id, togo)
        self.assertNotIn(self.kenya_product.id, togo)

    def test_every_product_carries_its_live_stock(self):
        products = {p["id"]: p for p in self.get_ok("/api/products?limit=200", token=self.tok_agent_tg)["products"]}
        kit = products[self.shared_kit.id]
        self.assertEqual(
            kit["stock"], {"qty_on_hand": 10.0, "qty_reserved": 3.0, "qty_available": 7.0, "qty_forecasted": 7.0}
        )
        self.assertEqual(
            {key: kit[key] for key in ("product_type", "pu_category", "tracking", "invoice_policy", "default_code")},
            {
                "product_type": "storable",
                "pu_category": "physical",
                "tracking": "none",
                "invoice_policy": "delivery",
                "default_code": "T-CAT-KIT",
            },
        )
        self.assertIsNone(kit["service_account"])
        self.assertIsNone(products[self.service.id]["stock"])
        self.assertEqual(products[self.service.id]["product_type"], "service")
        self.assertEqual(
            products[self.togo_product.id]["service_account"],
            {"id": self.sa_togo.id, "name": self.sa_togo.display_name},
        )

    def test_filters(self):
        base = "/api/products?limit=200&"
        token = {"token": self.tok_agent_tg}
        contracts = self.listed_ids(base + "pu_category=contract", **token)
        self.assertIn(self.warranty.id, contracts)
        self.assertFalse({self.shared_kit.id, self.service.id} & contracts)
        self.assertEqual(self.listed_ids(base + "x_pu_category=contract", **token), contracts)
        self.assertIn(self.warranty.id, self.listed_ids(base + "recurring_invoice=true", **token))
        self.assertNotIn(self.service.id, self.listed_ids(base + "recurring_invoice=true", **token))
        storable = self.listed_ids(base + "product_type=storable", **token)
        self.assertIn(self.shared_kit.id, storable)
        self.assertNotIn(self.service.id, storable)
        services = self.listed_ids(base + "product_type=service", **token)
        self.assertTrue({self.service.id, self.warranty.id} <= services)
        self.assertNotIn(self.shared_kit.id, services)
        self.assertEqual(self.listed_ids(base + f"category_id={self.categ_root.id}", **token), {self.kenya_unscoped.id})
        self.assertEqual(self.listed_ids(base + "q=t-cat-kit", **token), {self.shared_kit.id})
        self.assertEqual(self.listed_ids(base + "q=Togo Lamp", **token), {self.togo_product.id})
        self.assertEqual(self.listed_ids(base + "q=Kenya Lamp", **token), set())

    def test_pagination_is_stable_and_counted(self):
        Product = self.env["product.product"]
        Product.create([{"name": f"Test Zinc Part {i}", "categ_id": self.categ_plain.id} for i in range(5)])
        first = self.get_ok("/api/products?q=Zinc Part&limit=2", token=self.tok_agent_tg)
        self.assertEqual((first["total"], first["page"], first["limit"], len(first["products"])), (5, 1, 2, 2))
        third = self.get_ok("/api/products?q=Zinc Part&limit=2&page=3", token=self.tok_agent_tg)
        self.assertEqual([p["name"] for p in third["products"]], ["Test Zinc Part 4"])
        self.assertEqual([p["name"] for p in first["products"]], ["Test Zinc Part 0", "Test Zinc Part 1"])

    def test_bad_filters_are_400(self):
        for query in ("pu_category=gadget", "product_type=storables", "category_id=abc", "limit=201", "page=0"):
            with self.subTest(query=query):
                self.assertError(
                    self.api("GET", f"/api/products?{query}", token=self.tok_agent_tg), 400, "invalid_query"
                )

    def test_list_without_or_with_a_bad_token_is_401(self):
        self.assertError(self.api("GET", "/api/products"), 401, "unauthorized")
        self.assertError(self.api("GET", "/api/products", token="bad.token.value"), 401, "unauthorized")

    def test_list_queries_do_not_grow_with_the_page(self):
        """One product or a full page of 200 (with stock, tracked, services, stamped) cost the same."""
        Product = self.env["product.product"]
        Category = self.env["product.category"]
        categories = Category.create([{"name": f"Test Bulk Category {i}"} for i in range(5)])
        bulk = Product.create(
            [
                {
                    "name": f"Test Bulk {i:03d}",
                    "default_code": f"T-BULK-{i:03d}",
                    "x_pu_category": ("physical", "service", "contract", "physical")[i % 4],
                    "tracking": "lot" if i % 4 == 3 else "none",
                    "categ_id": categories[i % 5].id,
                    "x_sa_id": self.sa_togo.id if i % 3 == 0 else False,
                    "company_id": self.company.id if i % 3 == 0 else False,
                }
                for i in range(210)
            ]
        )
        for product in bulk.filtered("is_storable")[:60]:
            self.env["stock.quant"]._update_available_quantity(product, self.stock_location, 4)
        self.env["ov.bop.sheet"].create({"name": "Test Bulk Package", "product_tmpl_id": bulk[0].product_tmpl_id.id})
        path = "/api/products?q=Test Bulk&limit="
        self.get_ok(path + "1", token=self.tok_agent_tg)  # warm the caches
        self.get_ok(path + "200", token=self.tok_agent_tg)
        one = self.count_queries(lambda: self.get_ok(path + "1", token=self.tok_agent_tg))
        with self.assertQueryCount(one):
            page = self.get_ok(path + "200", token=self.tok_agent_tg)
        self.assertEqual((len(page["products"]), page["total"]), (200, 210))
        full = self.count_queries(lambda: self.get_ok(path + "200", token=self.tok_agent_tg))
        self.assertEqual(full, one, f"1 product: {one} queries, 200 products: {full}")


@tagged("post_install", "-at_install")
class TestProductRead(CatalogueHttpCase):
    def test_get_a_shared_an_own_and_an_unscoped_product(self):
        for product in (self.shared_kit, self.togo_product, self.kenya_unscoped):
            with self.subTest(product=product.name):
                payload = self.get_ok(f"/api/products/{product.id}", token=self.tok_agent_tg)
                self.assertEqual(payload["product"]["id"], product.id)
        kit = self.get_ok(f"/api/products/{self.shared_kit.id}", token=self.tok_agent_tg)["product"]
        self.assertEqual(kit["stock"]["qty_available"], 7.0)
        self.assertEqual(kit["category"], {"id": self.categ_plain.id, "name": "Test Plain Goods"})

    def test_another_sas_product_is_404(self):
        self.assertError(self.api("GET", f"/api/products/{self.kenya_product.id}", token=self.tok_agent_tg), 404)

    def test_missing_product_is_404_and_malformed_id_400(self):
        self.assertError(self.api("GET", "/api/products/999999999", token=self.tok_agent_tg), 404, "not_found")
        self.assertError(self.api("GET", "/api/products/abc", token=self.tok_agent_tg), 400, "invalid_id")

    def test_get_without_token_is_401(self):
        self.assertError(self.api("GET", f"/api/products/{self.shared_kit.id}"), 401)


@tagged("post_install", "-at_install")
class TestProductCreate(CatalogueHttpCase):
    def create(self, body, status=201, **credentials):
        credentials = credentials or {"token": self.tok_manager_tg}
        result = self.api("POST", "/api/products", body, **credentials)
        self.assertEqual(result[0], status, result[1])
        return result[1]

    def assert_refused(self, body, status, code=None, **credentials):
        before = self.product_count()
        payload = self.assertError(
            self.api("POST", "/api/products", body, **(credentials or {"token": self.tok_manager_tg})), status, code
        )
        self.assertEqual(self.product_count(), before)
        return payload

    def test_staff_creates_a_product_stamped_with_its_sa(self):
        product = self.create(
            {
                "name": "Test Solar Kit 300W",
                "default_code": "T-SK300",
                "tracking": "serial",
                "list_price": 420.5,
                "category_id": self.categ_sub.id,
            }
        )["product"]
        self.assertEqual(
            {k: product[k] for k in ("product_type", "pu_category", "tracking", "invoice_policy", "pu_metric")},
            {
                "product_type": "storable",
                "pu_category": "physical",
                "tracking": "serial",
                "invoice_policy": "delivery",
                "pu_metric": "piece",
            },
        )
        self.assertEqual(product["service_account"]["id"], self.sa_togo.id)
        self.assertEqual(product["stock"]["qty_on_hand"], 0.0)
        record = self.env["product.product"].browse(product["id"])
        self.assertEqual((record.x_sa_id, record.company_id, record.list_price), (self.sa_togo, self.company, 420.5))

    def test_a_contract_product_gets_the_type_of_its_pu_category(self):
        product = self.create(
            {
                "name": "Test Maintenance Plan",
                "pu_category": "contract",
                "contract_type": "maintenance",
                "recurring_invoice": True,
            }
        )["product"]
        self.assertEqual(
            (product["product_type"], product["invoice_policy"], product["contract_type"], product["stock"]),
            ("service", "order", "maintenance", None),
        )

    def test_an_api_key_creates_shared_products_or_stamps_the_sa_it_names(self):
        key = self.new_api_key()
        shared = self.create({"name": "Test Shared Via Key"}, api_key=key)["product"]
        self.assertIsNone(shared["service_account"])
        stamped = self.create({"name": "Test Togo Via Key"}, api_key=key, sa=self.sa_togo)["product"]
        self.assertEqual(stamped["service_account"]["id"], self.sa_togo.id)
        shared_too = self.create({"name": "Test Shared Too", "shared": True}, api_key=key, sa=self.sa_togo)["product"]
        self.assertIsNone(shared_too["service_account"])

    def test_staff_cannot_add_to_the_shared_catalogue(self):
        self.assert_refused({"name": "Test Not Shared", "shared": True}, 403, "catalogue_forbidden")

    def test_an_agent_cannot_create_products(self):
        self.assert_refused({"name": "Test By Agent"}, 403, "role_forbidden", token=self.tok_agent_tg)

    def test_without_or_with_a_bad_token_is_401(self):
        self.assert_refused({"name": "Test Anonymous"}, 401, "unauthorized", token=None)
        self.assert_refused({"name": "Test Anonymous"}, 401, "unauthorized", token="bad.token.value")

    def test_bad_input_is_400_and_writes_nothing(self):
        cases = [
            ({"name": "X", "is_storable": True}, "invalid_body"),
            ({"default_code": "no-name"}, "invalid_body"),
            ({"name": ""}, "invalid_body"),
            ({"name": "X", "list_price": -1}, "invalid_body"),
            ({"name": "X", "pu_category": "gadget"}, "invalid_body"),
            ({"name": "X", "product_type": "combo"}, "invalid_body"),
            ({"name": "X", "category_id": "3"}, "invalid_body"),
            ({"name": "X", "pu_category": None}, "invalid_body"),
        ]
        for body, code in cases:
            with self.subTest(body=body):
                self.assert_refused(body, 400, code)

    def test_the_taxonomy_rules_refuse_contradictions(self):
        cases = [
            {"name": "X", "pu_category": "physical", "service_type": "access"},
            {"name": "X", "pu_category": "service", "contract_type": "warranty"},
            {"name": "X", "pu_category": "service", "recurring_invoice": True},
            {"name": "X", "pu_category": "contract", "product_type": "storable"},
            {"name": "X", "product_type": "service", "pu_category": "physical"},
            {"name": "X", "product_type": "consu", "tracking": "lot"},
        ]
        for body in cases:
            with self.subTest(body=body):
                self.assert_refused(body, 400, "rejected")

    def test_an_unknown_category_is_404_and_writes_nothing(self):
        self.assert_refused({"name": "X", "category_id": 999999999}, 404, "not_found")

    def test_a_staff_member_of_several_sas_names_one(self):
        Membership = self.env["ov.membership"]
        Membership.create({"employee_id": self.manager_tg.id, "account_id": self.sa_kenya.id, "role_code": "staff"})
        self.assert_refused({"name": "Test Which SA"}, 400, "sa_required")
        product = self.create({"name": "Test Kenya By Header"}, token=self.tok_manager_tg, sa=self.sa_kenya)["product"]
        self.assertEqual(product["service_account"]["id"], self.sa_kenya.id)


@tagged("post_install", "-at_install")
class TestProductUpdateArchive(CatalogueHttpCase):
    def test_staff_update_their_sas_product(self):
        status, payload, _r = self.api(
            "PUT",
            f"/api/products/{self.togo_product.id}",
            {"name": "Test Togo Lamp XL", "list_price": 12.5, "default_code": "T-LAMP-XL"},
            token=self.tok_manager_tg,
        )
        self.assertEqual(status, 200, payload)
        self.assertEqual(
            (payload["product"]["name"], payload["product"]["default_code"]), ("Test Togo Lamp XL", "T-LAMP-XL")
        )
        self.assertEqual((self.togo_product.name, self.togo_product.list_price), ("Test Togo Lamp XL", 12.5))

    def test_a_new_pu_category_brings_its_type(self):
        status, payload, _r = self.api(
            "PUT",
            f"/api/products/{self.togo_product.id}",
            {"pu_category": "contract", "contract_type": "rental"},
            token=self.tok_manager_tg,
        )
        self.assertEqual(status, 200, payload)
        self.assertEqual(
            (payload["product"]["product_type"], payload["product"]["contract_type"]), ("service", "rental")
        )

    def test_a_contradiction_is_400_and_writes_nothing(self):
        self.assertError(
            self.api(
                "PUT",
                f"/api/products/{self.togo_product.id}",
                {"name": "Test Renamed", "service_type": "access"},
                token=self.tok_manager_tg,
            ),
            400,
            "rejected",
        )
        self.assertEqual(self.togo_product.name, "Test Togo Lamp")
        self.assertError(
            self.api("PUT", f"/api/products/{self.togo_product.id}", {"name": None}, token=self.tok_manager_tg),
            400,
            "invalid_body",
        )

    def test_the_shared_catalogue_and_other_sas_products_are_read_only_to_staff(self):
        for product in (self.shared_kit, self.kenya_unscoped):
            with self.subTest(product=product.name):
                self.assertError(
                    self.api("PUT", f"/api/products/{product.id}", {"name": "Mine"}, token=self.tok_manager_tg),
                    403,
                    "catalogue_forbidden",
                )
                self.assertError(
                    self.api("DELETE", f"/api/products/{product.id}", token=self.tok_manager_tg),
                    403,
                    "catalogue_forbidden",
                )
                self.assertTrue(product.active)
                self.assertNotEqual(product.name, "Mine")

    def test_another_sas_product_is_404(self):
        self.assertError(
            self.api("PUT", f"/api/products/{self.kenya_product.id}", {"name": "Mine"}, token=self.tok_manager_tg), 404
        )
        self.assertError(self.api("DELETE", f"/api/products/{self.kenya_product.id}", token=self.tok_manager_tg), 404)
        self.assertTrue(self.kenya_product.active)

    def test_an_api_key_updates_the_shared_catalogue(self):
        status, payload, _r = self.api(
            "PUT", f"/api/products/{self.shared_kit.id}", {"list_price": 310.0}, api_key=self.new_api_key()
        )
        self.assertEqual((status, payload["product"]["list_price"]), (200, 310.0))

    def test_agents_cannot_update_or_archive(self):
        self.assertError(
            self.api("PUT", f"/api/products/{self.togo_product.id}", {"name": "X"}, token=self.tok_agent_tg),
            403,
            "role_forbidden",
        )
        self.assertError(self.api("DELETE", f"/api/products/{self.togo_product.id}", token=self.tok_agent_tg), 403)
        self.assertTrue(self.togo_product.active)

    def test_delete_archives_and_put_active_restores(self):
        status, payload, _r = self.api("DELETE", f"/api/products/{self.togo_product.id}", token=self.tok_manager_tg)
        self.assertEqual((status, payload["product"]["active"]), (200, False))
        self.assertFalse(self.togo_product.active)
        self.assertNotIn(self.togo_product.id, self.listed_ids("/api/products?limit=200", token=self.tok_agent_tg))
        archived = self.get_ok(f"/api/products/{self.togo_product.id}", token=self.tok_agent_tg)["product"]
        self.assertFalse(archived["active"])
        status, payload, _r = self.api(
            "PUT", f"/api/products/{self.togo_product.id}", {"active": True}, token=self.tok_manager_tg
        )
        self.assertEqual((status, payload["product"]["active"]), (200, True))
        self.assertTrue(self.togo_product.active and self.togo_product.product_tmpl_id.active)

    def test_write_without_token_is_401(self):
        self.assertError(self.api("PUT", f"/api/products/{self.togo_product.id}", {"name": "X"}), 401)
        self.assertError(self.api("DELETE", f"/api/products/{self.togo_product.id}"), 401)
        self.assertTrue(self.togo_product.active)


@tagged("post_install", "-at_install")
class TestProductCategories(CatalogueHttpCase):
    def find(self, nodes, category_id):
        for node in nodes:
            if node["id"] == category_id:
                return node
            found = self.find(node["children"], category_id)
            if found:
                return found
        return None

    def test_the_tree_with_unscoped_roots_and_visible_counts(self):
        tree = self.get_ok("/api/products/categories", token=self.tok_agent_tg)["categories"]
        root = self.find(tree, self.categ_root.id)
        self.assertIsNotNone(root)
        self.assertIs(root["unscoped"], True)
        self.assertIsNone(root["parent_id"])
        self.assertEqual([child["id"] for child in root["children"]], [self.categ_sub.id])
        self.assertEqual(root["children"][0]["product_count"], 1)
        plain = self.find(tree, self.categ_plain.id)
        # shared kit, Togo lamp, service, warranty; not the Kenya lamp
        self.assertEqual((plain["unscoped"], plain["product_count"]), (False, 4))

    def test_the_products_of_a_category(self):
        payload = self.get_ok(
            f"/api/products/categories?view=products&category_id={self.categ_root.id}", token=self.tok_agent_tg
        )
        self.assertEqual(payload["category"], {"id": self.categ_root.id, "name": "Test Solar Kits Root"})
        self.assertEqual([p["id"] for p in payload["products"]], [self.kenya_unscoped.id])
        self.assertEqual((payload["total"], payload["page"]), (1, 1))

    def test_products_view_needs_a_known_category(self):
        self.assertError(
            self.api("GET", "/api/products/categories?view=products", token=self.tok_agent_tg), 400, "invalid_query"
        )
        self.assertError(
            self.api("GET", "/api/products/categories?view=products&category_id=999999999", token=self.tok_agent_tg),
            404,
        )
        self.assertError(self.api("GET", "/api/products/categories?view=list", token=self.tok_agent_tg), 400)

    def test_categories_without_token_is_401(self):
        self.assertError(self.api("GET", "/api/products/categories"), 401)
