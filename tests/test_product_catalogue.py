"""The catalogue's model rules: the PU taxonomy (seed 1a/1c), SA visibility of products, live stock."""

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import AbsTransactionCase


class CatalogueFixturesMixin:
    """Categories (one unscoped root with a child, one ordinary), products shared and stamped, stock."""

    @classmethod
    def _setup_catalogue_fixtures(cls):
        env = cls.env
        Category = env["product.category"]
        cls.categ_root = Category.create({"name": "Test Solar Kits Root"})
        cls.categ_sub = Category.create({"name": "Test Panels", "parent_id": cls.categ_root.id})
        cls.categ_plain = Category.create({"name": "Test Plain Goods"})
        env["ir.config_parameter"].sudo().set_param(
            "abs_connector.unscoped_catalog_category_ids", str(cls.categ_root.id)
        )
        Product = env["product.product"]
        cls.shared_kit = Product.create(
            {
                "name": "Test Shared Kit",
                "default_code": "T-CAT-KIT",
                "x_pu_category": "physical",
                "categ_id": cls.categ_plain.id,
                "list_price": 300.0,
            }
        )
        cls.togo_product = Product.create(
            {
                "name": "Test Togo Lamp",
                "x_pu_category": "physical",
                "categ_id": cls.categ_plain.id,
                "x_sa_id": cls.sa_togo.id,
                "company_id": cls.company.id,
            }
        )
        cls.kenya_product = Product.create(
            {
                "name": "Test Kenya Lamp",
                "x_pu_category": "physical",
                "categ_id": cls.categ_plain.id,
                "x_sa_id": cls.sa_kenya.id,
                "company_id": cls.company.id,
            }
        )
        cls.kenya_unscoped = Product.create(
            {
                "name": "Test Kenya Panel",
                "x_pu_category": "physical",
                "categ_id": cls.categ_sub.id,
                "x_sa_id": cls.sa_kenya.id,
                "company_id": cls.company.id,
            }
        )
        cls.service = Product.create(
            {
                "name": "Test Connectivity Plan",
                "x_pu_category": "service",
                "x_service_type": "access",
                "categ_id": cls.categ_plain.id,
            }
        )
        cls.warranty = Product.create(
            {
                "name": "Test Warranty 2y",
                "x_pu_category": "contract",
                "x_contract_type": "warranty",
                "recurring_invoice": True,
                "categ_id": cls.categ_plain.id,
            }
        )
        # 10 kits on hand, 3 of them reserved by a confirmed order: 7 free, forecast 7.
        cls.stock_location = env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1).lot_stock_id
        env["stock.quant"]._update_available_quantity(cls.shared_kit, cls.stock_location, 10)
        order = env["sale.order"].create(
            {
                "partner_id": cls.customer_tg.id,
                "order_line": [(0, 0, {"product_id": cls.shared_kit.id, "product_uom_qty": 3})],
            }
        )
        order.action_confirm()

    def visible_ids(self, account_ids, model="product.product"):
        Model = self.env[model].with_context(active_test=False)
        return set(Model.search(Model._abs_catalog_domain(account_ids)).ids)


@tagged("post_install", "-at_install")
class TestPuTaxonomy(AbsTransactionCase):
    def create_template(self, **vals):
        return self.env["product.template"].create({"name": "Test PU Product", **vals})

    def test_pu_category_alone_brings_the_type_it_implies(self):
        contract = self.create_template(x_pu_category="contract")
        self.assertRecordValues(
            contract,
            [{"type": "service", "is_storable": False, "invoice_policy": "order", "x_pu_metric": "duration"}],
        )
        physical = self.create_template(x_pu_category="physical")
        self.assertRecordValues(
            physical, [{"type": "consu", "is_storable": True, "invoice_policy": "delivery", "x_pu_metric": "piece"}]
        )

    def test_a_product_without_pu_category_gets_the_one_of_its_type(self):
        self.assertEqual(self.create_template(type="service").x_pu_category, "service")
        self.assertEqual(self.create_template(type="consu").x_pu_category, "physical")

    def test_service_type_only_for_service(self):
        self.create_template(x_pu_category="service", x_service_type="gage")
        with self.assertRaisesRegex(ValidationError, "service type can only be set"):
            self.create_template(x_pu_category="physical", x_service_type="access")

    def test_contract_type_only_for_contract(self):
        with self.assertRaisesRegex(ValidationError, "contract type can only be set"):
            self.create_template(x_pu_category="service", x_contract_type="warranty")

    def test_recurring_only_for_contract_or_digital(self):
        self.create_template(x_pu_category="digital", recurring_invoice=True)
        self.create_template(x_pu_category="contract", recurring_invoice=True)
        with self.assertRaisesRegex(ValidationError, "recurring invoicing only applies"):
            self.create_template(x_pu_category="service", recurring_invoice=True)

    def test_intangible_pu_category_needs_a_service_type_product(self):
        with self.assertRaisesRegex(ValidationError, "must be of product type Service"):
            self.create_template(x_pu_category="contract", type="consu")

    def test_a_service_cannot_be_physical(self):
        service = self.create_template(type="service")
        with self.assertRaisesRegex(ValidationError, "cannot be of PU category Physical"):
            service.x_pu_category = "physical"

    def test_tracking_needs_a_storable_product(self):
        with self.assertRaisesRegex(ValidationError, "only a storable product can be tracked"):
            self.create_template(type="consu", is_storable=False, tracking="serial")
        kit = self.create_template(x_pu_category="physical", tracking="serial")
        self.assertEqual((kit.is_storable, kit.tracking), (True, "serial"))

    def test_a_type_change_moves_the_pu_category_and_clears_what_no_longer_applies(self):
        warranty = self.create_template(x_pu_category="contract", x_contract_type="warranty", recurring_invoice=True)
        warranty.type = "consu"
        self.assertRecordValues(
            warranty, [{"x_pu_category": "physical", "x_contract_type": False, "recurring_invoice": False}]
        )

    def test_form_onchange_fills_the_defaults_of_the_pu_category(self):
        form = Form(self.env["product.template"])
        form.name = "Test Form Warranty"
        form.x_pu_category = "contract"
        self.assertEqual((form.type, form.invoice_policy), ("service", "order"))
        form.x_contract_type = "warranty"
        form.recurring_invoice = True
        template = form.save()
        self.assertRecordValues(template, [{"x_pu_category": "contract", "recurring_invoice": True}])

    def test_a_stamped_product_stays_in_its_sas_company(self):
        other = self.env["res.company"].create({"name": "Test Catalogue Other Co"})
        with self.assertRaisesRegex(ValidationError, "to another company"):
            self.create_template(x_sa_id=self.sa_togo.id, company_id=other.id)

    def test_api_product_type_is_searchable(self):
        kit = self.create_template(x_pu_category="physical")
        consumable = self.create_template(type="consu", is_storable=False)
        service = self.create_template(type="service")
        Template = self.env["product.template"]
        ids = (kit | consumable | service).ids
        self.assertEqual(Template.search([("id", "in", ids), ("abs_product_type", "=", "storable")]), kit)
        self.assertEqual(Template.search([("id", "in", ids), ("abs_product_type", "=", "consu")]), consumable)
        self.assertEqual(Template.search([("id", "in", ids), ("abs_product_type", "!=", "service")]), kit | consumable)
        self.assertEqual((kit | consumable | service).mapped("abs_product_type"), ["storable", "consu", "service"])


@tagged("post_install", "-at_install")
class TestCatalogueVisibility(CatalogueFixturesMixin, AbsTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_catalogue_fixtures()

    def test_an_sa_sees_shared_its_own_and_unscoped_products(self):
        visible = self.visible_ids([self.sa_togo.id])
        self.assertTrue({self.shared_kit.id, self.togo_product.id, self.kenya_unscoped.id} <= visible)
        self.assertNotIn(self.kenya_product.id, visible)

    def test_no_sa_restriction_sees_every_product(self):
        self.assertTrue({self.togo_product.id, self.kenya_product.id} <= self.visible_ids(None))

    def test_templates_follow_the_same_rule(self):
        visible = self.visible_ids([self.sa_kenya.id], model="product.template")
        self.assertIn(self.kenya_product.product_tmpl_id.id, visible)
        self.assertNotIn(self.togo_product.product_tmpl_id.id, visible)

    def test_sub_categories_of_an_unscoped_root_are_unscoped(self):
        self.env["ir.config_parameter"].sudo().set_param("abs_connector.unscoped_catalog_category_ids", "")
        self.assertNotIn(self.kenya_unscoped.id, self.visible_ids([self.sa_togo.id]))

    def test_the_category_checkbox_edits_the_parameter(self):
        self.categ_plain.abs_unscoped = True
        self.assertEqual(
            set(self.env["product.category"]._abs_unscoped_category_ids()), {self.categ_root.id, self.categ_plain.id}
        )
        self.assertIn(self.kenya_product.id, self.visible_ids([self.sa_togo.id]))
        self.categ_root.abs_unscoped = False
        self.assertEqual(self.env["product.category"]._abs_unscoped_category_ids(), [self.categ_plain.id])
        self.assertTrue(self.categ_plain.abs_unscoped)
        self.assertFalse(self.categ_root.abs_unscoped)

    def test_staff_write_only_their_sas_products(self):
        Template = self.env["product.template"]
        Template._abs_check_catalogue_write(self.togo_product, [self.sa_togo.id])
        Template._abs_check_catalogue_write(self.shared_kit | self.kenya_product, None)
        for product in (self.shared_kit, self.kenya_unscoped):
            with self.assertRaises(Exception) as caught:
                Template._abs_check_catalogue_write(product, [self.sa_togo.id])
            self.assertEqual(caught.exception.code, "catalogue_forbidden")

    def test_stock_figures_of_storables_none_for_the_others(self):
        figures = (self.shared_kit | self.service | self.togo_product)._abs_stock_figures()
        self.assertEqual(
            figures[self.shared_kit.id],
            {"qty_on_hand": 10.0, "qty_reserved": 3.0, "qty_available": 7.0, "qty_forecasted": 7.0},
        )
        self.assertIsNone(figures[self.service.id])
        self.assertEqual(
            figures[self.togo_product.id],
            {"qty_on_hand": 0.0, "qty_reserved": 0.0, "qty_available": 0.0, "qty_forecasted": 0.0},
        )

    def test_archiving_the_only_variant_archives_the_product(self):
        self.togo_product._abs_catalogue_archive()
        self.assertFalse(self.togo_product.active)
        self.assertFalse(self.togo_product.product_tmpl_id.active)
