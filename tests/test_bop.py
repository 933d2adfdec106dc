"""Bills of Products: the expansion the quotations use (``_abs_expand``), the sheet rules, and the
BOP line endpoints over real HTTP (``/api/products/<ref>/bop`` and its alias ``/bom``)."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..exceptions import AbsConflict, AbsInvalid
from .common import AbsTransactionCase
from .test_product_catalogue import CatalogueFixturesMixin
from .test_products_api import CatalogueHttpCase


class BopFixturesMixin(CatalogueFixturesMixin):
    """A shared "Test SHS" package: black or silver panel by option, a battery in two lines, a cable set."""

    @classmethod
    def _setup_bop_fixtures(cls):
        cls._setup_catalogue_fixtures()
        env = cls.env
        Product = env["product.product"]
        cls.package = Product.create({"name": "Test SHS 200W", "default_code": "T-SHS-PKG", "type": "consu"})
        cls.panel_black = Product.create({"name": "Test Panel Black", "x_pu_category": "physical"})
        cls.panel_silver = Product.create({"name": "Test Panel Silver", "x_pu_category": "physical"})
        cls.battery = Product.create({"name": "Test Battery", "x_pu_category": "physical"})
        cls.cable = Product.create({"name": "Test Cable", "x_pu_category": "physical", "tracking": "lot"})
        cls.sheet = env["ov.bop.sheet"].create(
            {"name": "Test SHS 200W", "code": "T-SHS", "product_tmpl_id": cls.package.product_tmpl_id.id}
        )
        cls.colour = env["ov.bop.property"].create({"sheet_id": cls.sheet.id, "name": "Panel Colour"})
        Value = env["ov.bop.property.value"]
        cls.black = Value.create({"property_id": cls.colour.id, "name": "Black"})
        cls.silver = Value.create({"property_id": cls.colour.id, "name": "Silver"})
        cls.mount = env["ov.bop.property"].create({"sheet_id": cls.sheet.id, "name": "Mounting"})
        cls.roof = Value.create({"property_id": cls.mount.id, "name": "Roof"})
        Line = env["ov.bop.line"]
        cls.lines = Line.create(
            [
                {
                    "sheet_id": cls.sheet.id,
                    "sequence": 1,
                    "product_id": cls.panel_black.id,
                    "property_value_id": cls.black.id,
                },
                {
                    "sheet_id": cls.sheet.id,
                    "sequence": 2,
                    "product_id": cls.panel_silver.id,
                    "property_value_id": cls.silver.id,
                },
                {"sheet_id": cls.sheet.id, "sequence": 3, "product_id": cls.battery.id, "quantity": 1},
                {"sheet_id": cls.sheet.id, "sequence": 4, "product_id": cls.cable.id, "quantity": 2},
                {"sheet_id": cls.sheet.id, "sequence": 5, "product_id": cls.battery.id, "quantity": 0.5},
            ]
        )
        # An SA Kenya package nobody else sees.
        cls.kenya_sheet = env["ov.bop.sheet"].create(
            {
                "name": "Test Kenya Bundle",
                "code": "T-KE-BUNDLE",
                "x_sa_id": cls.sa_kenya.id,
                "line_ids": [(0, 0, {"product_id": cls.kenya_product.id, "quantity": 1})],
            }
        )


@tagged("post_install", "-at_install")
class TestBopExpand(BopFixturesMixin, AbsTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_bop_fixtures()

    def test_expand_takes_the_chosen_value_and_merges_the_lines_of_one_product(self):
        expanded = self.sheet._abs_expand([self.black.id])
        self.assertEqual(
            [(product, qty) for product, qty in expanded],
            [(self.panel_black, 1.0), (self.battery, 1.5), (self.cable, 2.0)],
        )
        silver = self.sheet._abs_expand(self.silver)
        self.assertEqual(silver[0], (self.panel_silver, 1.0))

    def test_expand_multiplies_by_the_number_of_packages(self):
        expanded = dict(self.sheet._abs_expand([self.black.id], multiplier=3))
        self.assertEqual(expanded, {self.panel_black: 3.0, self.battery: 4.5, self.cable: 6.0})

    def test_an_option_without_lines_may_be_chosen(self):
        self.assertEqual(len(self.sheet._abs_expand([self.black.id, self.roof.id])), 3)

    def test_every_option_with_lines_needs_a_choice(self):
        with self.assertRaises(AbsInvalid) as caught:
            self.sheet._abs_expand([])
        self.assertEqual(caught.exception.code, "bop_option_required")
        self.assertEqual(caught.exception.details["properties"][0]["id"], self.colour.id)

    def test_two_values_of_one_option_are_refused(self):
        with self.assertRaises(AbsInvalid) as caught:
            self.sheet._abs_expand([self.black.id, self.silver.id])
        self.assertEqual(caught.exception.code, "bop_option_conflict")

    def test_a_value_of_another_sheet_or_unknown_is_refused(self):
        other = self.env["ov.bop.property"].create(
            {"sheet_id": self.kenya_sheet.id, "name": "Colour", "value_ids": [(0, 0, {"name": "Black"})]}
        )
        for value_ids in ([self.black.id, other.value_ids.id], [self.black.id, 999999999]):
            with self.subTest(value_ids=value_ids), self.assertRaises(AbsInvalid) as caught:
                self.sheet._abs_expand(value_ids)
            self.assertEqual(caught.exception.code, "invalid_bop_option")

    def test_a_bad_multiplier_is_refused(self):
        for multiplier in (0, -1, float("nan"), float("inf"), True, "2"):
            with self.subTest(multiplier=multiplier), self.assertRaises(AbsInvalid):
                self.sheet._abs_expand([self.black.id], multiplier=multiplier)

    def test_an_archived_product_makes_the_package_unsellable(self):
        self.cable.action_archive()
        with self.assertRaises(AbsConflict) as caught:
            self.sheet._abs_expand([self.black.id])
        self.assertEqual(caught.exception.code, "bop_product_archived")
        # the option not chosen does not matter
        self.panel_silver.action_archive()
        self.cable.action_unarchive()
        self.assertEqual(len(self.sheet._abs_expand([self.black.id])), 3)

    def test_a_sheet_without_options_expands_every_line(self):
        self.assertEqual(self.kenya_sheet._abs_expand([]), [(self.kenya_product, 1.0)])


@tagged("post_install", "-at_install")
class TestBopRules(BopFixturesMixin, AbsTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_bop_fixtures()

    def test_a_line_quantity_is_positive(self):
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            self.lines[2].quantity = 0

    def test_a_line_option_value_is_one_of_its_sheet(self):
        with self.assertRaisesRegex(ValidationError, "another Bill of Products"):
            self.env["ov.bop.line"].create(
                {
                    "sheet_id": self.kenya_sheet.id,
                    "product_id": self.kenya_product.id,
                    "property_value_id": self.black.id,
                }
            )

    def test_a_shared_sheet_holds_no_product_of_an_sa(self):
        with self.assertRaisesRegex(ValidationError, "another service account's products"):
            self.env["ov.bop.line"].create({"sheet_id": self.sheet.id, "product_id": self.togo_product.id})
        # an SA's product in an unscoped category is seen by every SA: allowed
        self.env["ov.bop.line"].create({"sheet_id": self.sheet.id, "product_id": self.kenya_unscoped.id})

    def test_a_sheet_moved_to_an_sa_keeps_only_products_it_sees(self):
        with self.assertRaisesRegex(ValidationError, "another service account's products"):
            self.kenya_sheet.x_sa_id = self.sa_togo

    def test_a_sheet_does_not_contain_its_package(self):
        with self.assertRaisesRegex(ValidationError, "its own package product"):
            self.env["ov.bop.line"].create({"sheet_id": self.sheet.id, "product_id": self.package.id})

    def test_visibility_follows_the_products_rule(self):
        Sheet = self.env["ov.bop.sheet"]
        togo = set(Sheet.search(Sheet._abs_catalog_domain([self.sa_togo.id])).ids)
        self.assertIn(self.sheet.id, togo)
        self.assertNotIn(self.kenya_sheet.id, togo)
        self.assertIn(self.kenya_sheet.id, set(Sheet.search(Sheet._abs_catalog_domain(None)).ids))

    def test_a_ref_is_the_product_id_the_code_or_the_internal_reference(self):
        Sheet = self.env["ov.bop.sheet"]
        for ref in (str(self.package.id), "T-SHS", "T-SHS-PKG"):
            with self.subTest(ref=ref):
                sheet, product = Sheet._abs_resolve_ref(ref, [self.sa_togo.id])
                self.assertEqual((sheet, product), (self.sheet, self.package))
        self.assertFalse(Sheet._abs_resolve_ref("T-KE-BUNDLE", [self.sa_togo.id])[0])
        self.assertFalse(Sheet._abs_resolve_ref("99999999999", [self.sa_togo.id])[0])

    def test_an_sas_own_sheet_of_a_product_wins_over_the_shared_one(self):
        own = self.env["ov.bop.sheet"].create(
            {"name": "Test SHS Togo", "product_tmpl_id": self.package.product_tmpl_id.id, "x_sa_id": self.sa_togo.id}
        )
        Sheet = self.env["ov.bop.sheet"]
        self.assertEqual(Sheet._abs_resolve_ref(str(self.package.id), [self.sa_togo.id])[0], own)
        self.assertEqual(Sheet._abs_resolve_ref(str(self.package.id), [self.sa_kenya.id])[0], self.sheet)


@tagged("post_install", "-at_install")
class TestBopApi(BopFixturesMixin, CatalogueHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_bop_fixtures()
        cls.togo_sheet = cls.env["ov.bop.sheet"].create(
            {
                "name": "Test Togo Bundle",
                "code": "T-TG-BUNDLE",
                "x_sa_id": cls.sa_togo.id,
                "line_ids": [(0, 0, {"product_id": cls.togo_product.id, "quantity": 2})],
            }
        )

    def line_count(self):
        return self.env["ov.bop.line"].search_count([])

    def test_get_by_code_product_id_internal_reference_and_the_bom_alias(self):
        paths = [f"/api/products/{ref}/bop" for ref in ("T-SHS", self.package.id, "T-SHS-PKG")]
        paths.append("/api/products/T-SHS/bom")
        for path in paths:
            with self.subTest(path=path):
                bop = self.get_ok(path, token=self.tok_agent_tg)["bop"]
                self.assertEqual((bop["id"], bop["code"]), (self.sheet.id, "T-SHS"))
        bop = self.get_ok("/api/products/T-SHS/bop", token=self.tok_agent_tg)["bop"]
        self.assertEqual(bop["product"]["id"], self.package.id)
        self.assertIsNone(bop["service_account"])
        self.assertEqual(
            [line["product"]["id"] for line in bop["lines"]], self.lines.product_id.ids + [self.battery.id]
        )
        self.assertEqual(
            bop["lines"][0]["property_value"], {"id": self.black.id, "name": "Black", "property_id": self.colour.id}
        )
        self.assertIsNone(bop["lines"][2]["property_value"])
        self.assertEqual(bop["lines"][3]["quantity"], 2.0)
        self.assertEqual(bop["lines"][3]["product"]["stock"]["qty_on_hand"], 0.0)
        self.assertEqual(
            bop["properties"],
            [
                {
                    "id": self.colour.id,
                    "name": "Panel Colour",
                    "values": [{"id": self.black.id, "name": "Black"}, {"id": self.silver.id, "name": "Silver"}],
                },
                {"id": self.mount.id, "name": "Mounting", "values": [{"id": self.roof.id, "name": "Roof"}]},
            ],
        )
        package = self.get_ok(f"/api/products/{self.package.id}", token=self.tok_agent_tg)["product"]
        self.assertIs(package["has_bop"], True)

    def test_another_sas_or_an_unknown_bop_is_404(self):
        for ref in ("T-KE-BUNDLE", "NO-SUCH-BOP", str(self.kenya_product.id), str(self.shared_kit.id)):
            with self.subTest(ref=ref):
                self.assertError(self.api("GET", f"/api/products/{ref}/bop", token=self.tok_agent_tg), 404, "not_found")
        self.assertEqual(
            self.get_ok("/api/products/T-KE-BUNDLE/bop", token=self.tok_agent_ke)["bop"]["id"], self.kenya_sheet.id
        )

    def test_staff_add_a_line_to_their_sas_bop(self):
        status, payload, _r = self.api(
            "POST",
            "/api/products/T-TG-BUNDLE/bop",
            {"product_id": self.battery.id, "quantity": 3},
            token=self.tok_manager_tg,
        )
        self.assertEqual(status, 201, payload)
        self.assertEqual((payload["line"]["product"]["id"], payload["line"]["quantity"]), (self.battery.id, 3.0))
        self.assertEqual(len(payload["bop"]["lines"]), 2)
        self.assertEqual(self.togo_sheet.line_ids.product_id, self.togo_product | self.battery)

    def test_adding_a_line_to_a_product_without_bop_creates_one_for_the_sa(self):
        status, payload, _r = self.api(
            "POST",
            f"/api/products/{self.togo_product.id}/bom",
            {"product_id": self.battery.id},
            token=self.tok_manager_tg,
        )
        self.assertEqual(status, 201, payload)
        sheet = self.env["ov.bop.sheet"].browse(payload["bop"]["id"])
        self.assertEqual((sheet.product_tmpl_id, sheet.x_sa_id), (self.togo_product.product_tmpl_id, self.sa_togo))

    def test_the_shared_bop_is_read_only_to_staff_but_not_to_an_api_key(self):
        before = self.line_count()
        self.assertError(
            self.api("POST", "/api/products/T-SHS/bop", {"product_id": self.battery.id}, token=self.tok_manager_tg),
            403,
            "catalogue_forbidden",
        )
        self.assertEqual(self.line_count(), before)
        status, payload, _r = self.api(
            "POST",
            "/api/products/T-SHS/bop",
            {"product_id": self.battery.id, "property_value_id": self.roof.id},
            api_key=self.new_api_key(),
        )
        self.assertEqual(status, 201, payload)
        self.assertEqual(payload["line"]["property_value"]["id"], self.roof.id)

    def test_an_agent_cannot_change_a_bop(self):
        line = self.togo_sheet.line_ids
        self.assertError(
            self.api("POST", "/api/products/T-TG-BUNDLE/bop", {"product_id": self.battery.id}, token=self.tok_agent_tg),
            403,
            "role_forbidden",
        )
        self.assertError(
            self.api("PUT", f"/api/products/T-TG-BUNDLE/bop/{line.id}", {"quantity": 5}, token=self.tok_agent_tg), 403
        )
        self.assertError(self.api("DELETE", f"/api/products/T-TG-BUNDLE/bop/{line.id}", token=self.tok_agent_tg), 403)
        self.assertEqual((len(self.togo_sheet.line_ids), line.quantity), (1, 2.0))

    def test_bad_lines_are_refused_and_write_nothing(self):
        cases = [
            ({"product_id": self.battery.id, "quantity": 0}, 400, "invalid_body"),
            ({"product_id": self.battery.id, "quantity": 1e12}, 400, "invalid_body"),
            ({"product_id": "1"}, 400, "invalid_body"),
            ({"quantity": 1}, 400, "invalid_body"),
            ({"product_id": self.battery.id, "bop_id": 1}, 400, "invalid_body"),
            ({"product_id": self.kenya_product.id}, 404, "not_found"),
            ({"product_id": self.shared_kit.id, "property_value_id": self.black.id}, 400, "invalid_bop_option"),
            ({"product_id": self.kenya_unscoped.id, "quantity": -2}, 400, "invalid_body"),
        ]
        for body, status, code in cases:
            with self.subTest(body=body):
                before = self.line_count()
                self.assertError(
                    self.api("POST", "/api/products/T-TG-BUNDLE/bop", body, token=self.tok_manager_tg), status, code
                )
                self.assertEqual(self.line_count(), before)

    def test_update_and_delete_a_line(self):
        line = self.togo_sheet.line_ids
        status, payload, _r = self.api(
            "PUT", f"/api/products/T-TG-BUNDLE/bop/{line.id}", {"quantity": 4, "sequence": 7}, token=self.tok_manager_tg
        )
        self.assertEqual(status, 200, payload)
        self.assertEqual((payload["line"]["quantity"], payload["line"]["sequence"]), (4.0, 7))
        self.assertEqual(line.quantity, 4.0)
        status, payload, _r = self.api("DELETE", f"/api/products/T-TG-BUNDLE/bom/{line.id}", token=self.tok_manager_tg)
        self.assertEqual((status, payload["bop"]["lines"]), (200, []))
        self.assertFalse(line.exists())

    def test_a_line_of_another_bop_is_404(self):
        other_line = self.lines[2]
        self.assertError(
            self.api(
                "PUT", f"/api/products/T-TG-BUNDLE/bop/{other_line.id}", {"quantity": 9}, token=self.tok_manager_tg
            ),
            404,
        )
        self.assertError(
            self.api("DELETE", f"/api/products/T-TG-BUNDLE/bop/{other_line.id}", token=self.tok_manager_tg), 404
        )
        self.assertEqual(other_line.quantity, 1.0)
        self.assertError(
            self.api("DELETE", "/api/products/T-TG-BUNDLE/bop/abc", token=self.tok_manager_tg), 400, "invalid_id"
        )

    def test_an_update_with_bad_input_writes_nothing(self):
        line = self.togo_sheet.line_ids
        self.assertError(
            self.api(
                "PUT",
                f"/api/products/T-TG-BUNDLE/bop/{line.id}",
                {"quantity": 3, "product_id": None},
                token=self.tok_manager_tg,
            ),
            400,
            "invalid_body",
        )
        self.assertError(
            self.api(
                "PUT",
                f"/api/products/T-TG-BUNDLE/bop/{line.id}",
                {"quantity": 3, "product_id": self.kenya_product.id},
                token=self.tok_manager_tg,
            ),
            404,
        )
        self.assertEqual(line.quantity, 2.0)

    def test_bop_routes_without_or_with_a_bad_token_are_401(self):
        line = self.togo_sheet.line_ids
        for method, path, body in (
            ("GET", "/api/products/T-SHS/bop", None),
            ("POST", "/api/products/T-TG-BUNDLE/bop", {"product_id": self.battery.id}),
            ("PUT", f"/api/products/T-TG-BUNDLE/bop/{line.id}", {"quantity": 1}),
            ("DELETE", f"/api/products/T-TG-BUNDLE/bop/{line.id}", None),
        ):
            with self.subTest(method=method):
                self.assertError(self.api(method, path, body), 401)
                self.assertError(self.api(method, path, body, token="bad.token.value"), 401)
        self.assertEqual((len(self.togo_sheet.line_ids), line.quantity), (1, 2.0))
