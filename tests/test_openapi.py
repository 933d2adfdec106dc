import re

from openapi_spec_validator import validate

from odoo.tests import tagged

from ..controllers.api_kit import ROUTES
from .common import AbsHttpCase, AbsWarehouseFixturesMixin


@tagged("post_install", "-at_install")
class TestOpenApi(AbsHttpCase):
    def test_document_is_valid_openapi_31_and_lists_every_route(self):
        status, document, _r = self.api("GET", "/api/openapi.json")
        self.assertEqual(status, 200)
        self.assertEqual(document["openapi"], "3.1.0")
        validate(document)  # raises on an invalid document
        declared = {(route.path, route.method.lower()) for route in ROUTES}
        documented = {(path, method) for path, item in document["paths"].items() for method in item}
        self.assertEqual(declared, documented)
        self.assertIn(("/api/customers/{customer_id}", "put"), documented)

    def test_request_schemas_are_the_validating_ones(self):
        _status, document, _r = self.api("GET", "/api/openapi.json")
        create = document["paths"]["/api/customers"]["post"]
        ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
        self.assertIs(schema["additionalProperties"], False)
        self.assertIn("name", schema["required"])
        self.assertEqual(create["security"], [{"employeeJWT": []}, {"apiKey": []}])

    def test_every_link_names_a_documented_operation_and_resolvable_values(self):
        """A link whose target, parameter or JSON pointer is wrong would silently drive the stateful fuzzing nowhere."""
        _status, document, _r = self.api("GET", "/api/openapi.json")
        validate(document)
        operations = {
            operation["operationId"]: (path, operation)
            for path, item in document["paths"].items()
            for operation in item.values()
        }
        links = [
            (path, name, link, response)
            for path, item in document["paths"].items()
            for operation in item.values()
            for response in operation["responses"].values()
            for name, link in response.get("links", {}).items()
        ]
        self.assertGreaterEqual(len(links), 20)
        for path, name, link, response in links:
            with self.subTest(link=f"{path} {name}"):
                self.assertIn(link["operationId"], operations)
                target_path, target = operations[link["operationId"]]
                target_params = {param["name"] for param in target["parameters"] if param["in"] == "path"}
                self.assertEqual(set(link["parameters"]), target_params, "a link fills every path parameter")
                for expression in link["parameters"].values():
                    if expression.startswith("$request.path."):
                        self.assertIn("{" + expression.removeprefix("$request.path.") + "}", path)
                        continue
                    pointer = expression.removeprefix("$response.body#/")
                    self.assertNotEqual(pointer, expression, "a link reads the answer or the request path")
                    schema = response["content"]["application/json"]["schema"]
                    self.assertEqual(self._resolve(document, schema, pointer.split("/"))["type"], "integer")
        chain = {(path, link["operationId"]) for path, _name, link, _response in links}
        self.assertIn(("/api/quotations", "post_api_orders_order_id_confirm"), chain)
        self.assertIn(("/api/orders/{order_id}/confirm", "post_api_stock_deliveries_delivery_id_validate"), chain)
        self.assertIn(("/api/orders/{order_id}/invoice", "post_api_orders_order_id_invoices_invoice_id_confirm"), chain)
        self.assertIn(
            ("/api/orders/{order_id}/invoices/{invoice_id}/confirm", "post_api_orders_order_id_register_payment"),
            chain,
        )

    def _resolve(self, document, schema, parts):
        """The schema that a JSON pointer into an answer reaches (through $ref, nullable unions and arrays)."""
        while "$ref" in schema or "anyOf" in schema:
            if "$ref" in schema:
                schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            else:
                schema = next(option for option in schema["anyOf"] if option.get("type") != "null")
        if not parts:
            return schema
        head, *rest = parts
        if re.fullmatch(r"\d+", head):
            self.assertEqual(schema["type"], "array")
            return self._resolve(document, schema["items"], rest)
        self.assertIn(head, schema.get("properties", {}))
        return self._resolve(document, schema["properties"][head], rest)

    def test_docs_page_renders_from_the_packaged_swagger_ui(self):
        response = self.opener.get(self.base_url() + "/api/docs")
        self.assertEqual(response.status_code, 200)
        self.assertIn("/api/openapi.json", response.text)
        asset = self.opener.get(self.base_url() + "/api/docs/assets/swagger-ui-bundle.js")
        self.assertEqual(asset.status_code, 200)
        self.assertGreater(len(asset.content), 100_000)
        self.assertEqual(self.opener.get(self.base_url() + "/api/docs/assets/..%2F__init__.py").status_code, 404)


@tagged("post_install", "-at_install")
class TestResponsesMatchTheirSchemas(AbsWarehouseFixturesMixin, AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_warehouse_fixtures()
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer_tg.id,
                "x_sa_id": cls.sa_togo.id,
                "order_line": [(0, 0, {"product_id": cls.kit.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        receipt = cls.env["stock.picking"].create(
            {
                "picking_type_id": cls.warehouse.in_type_id.id,
                "partner_id": cls.supplier.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Bracket",
                            "product_id": cls.bracket.id,
                            "product_uom_qty": 3,
                            "location_id": cls.warehouse.in_type_id.default_location_src_id.id,
                            "location_dest_id": cls.stock_loc.id,
                        },
                    )
                ],
            }
        )
        receipt.action_confirm()
        # Assets and tickets: one of each, so that their lists have an item to check.
        asset = cls.env["ov.asset"]._abs_register(
            {"partner_id": cls.customer_tg.id, "lot_id": cls.kit_lots[0].id}, cls.sa_togo
        )
        cls.env["abs.ticket"]._abs_open({"subject": "Test ticket", "asset_id": asset.id}, account=cls.sa_togo)
        # A payment, so that the payment lists have an item to check.
        service = cls.env["product.product"].create({"name": "Test Paid Service", "type": "service"})
        paid = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer_tg.id,
                "x_sa_id": cls.sa_togo.id,
                "order_line": [(0, 0, {"product_id": service.id})],
            }
        )
        paid.action_confirm()
        paid._abs_register_payment()
        # A subscription, so that the subscription lists have an item to check.
        plan = cls.env["product.product"].create(
            {"name": "Test Monthly Plan", "type": "service", "x_pu_category": "contract", "recurring_invoice": True}
        )
        cls.env["abs.subscription"]._abs_purchase(
            {"partner_id": cls.customer_tg.id, "product_id": plan.id}, cls.sa_togo
        )
        # A kit sold pay-as-you-go, delivered and paid: the PAYG account list has an item (with a token).
        payg_plan = cls.env["abs.payg.plan"].create({"name": "Test Plan", "price_per_day": 1.0, "price_to_own": 100.0})
        payg_kit = cls.env["product.product"].create(
            {
                "name": "Test PAYG Lamp",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 100.0,
                "abs_payg_plan_id": payg_plan.id,
            }
        )
        lot = cls.env["stock.lot"].create({"name": "T-OPENAPI-PAYG", "product_id": payg_kit.id})
        cls.env["stock.quant"]._update_available_quantity(payg_kit, cls.stock_loc, 1, lot_id=lot)
        sold = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer_tg.id,
                "x_sa_id": cls.sa_togo.id,
                "order_line": [(0, 0, {"product_id": payg_kit.id, "product_uom_qty": 1})],
            }
        )
        sold.action_confirm()
        sold.picking_ids._abs_validate_delivery(None, False)
        sold._abs_register_payment(amount=10.0)

    def test_every_list_route_answers_what_its_schema_documents(self):
        key = self.new_api_key()
        checked = []
        for route in ROUTES:
            if route.method != "GET" or route.path_params or not route.response or "employee" not in route.auth:
                continue
            status, payload, _r = self.api(
                "GET",
                route.path,
                api_key=key if "api_key" in route.auth else None,
                token=None if "api_key" in route.auth else self.tok_manager_tg,
            )
            self.assertEqual(status, 200, (route.path, payload))
            route.response.model_validate(payload)  # raises when the answer strays from the documented schema
            items = [value for value in payload.values() if isinstance(value, list)]
            self.assertTrue(not items or items[0], f"{route.path} answered an empty list: nothing was checked")
            checked.append(route.path)
        self.assertIn("/api/customers", checked)
        self.assertIn("/api/stock/deliveries", checked)
