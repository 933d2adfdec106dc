import json
import re
from unittest.mock import patch

from openapi_spec_validator import validate

from odoo import fields
from odoo.tests import tagged
from odoo.tools import config

from ..controllers.api_kit import CORS_EXPOSED_HEADERS, ROUTES
from ..controllers.openapi import TAG_DESCRIPTIONS
from .common import AbsHttpCase, AbsWarehouseFixturesMixin

# A field named like a date or a time must say which (format date / date-time).
DATE_NAME = re.compile(r"(^|_)(date|at|on|start|end)$|^date_")


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
                target_params = {param["name"] for param in target["parameters"] if param.get("in") == "path"}
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
        self.assertIn(("/api/quotations", "confirmOrder"), chain)
        self.assertIn(("/api/orders/{order_id}/confirm", "validateDelivery"), chain)
        self.assertIn(("/api/orders/{order_id}/invoice", "confirmInvoice"), chain)
        self.assertIn(
            ("/api/orders/{order_id}/invoices/{invoice_id}/confirm", "registerPayment"),
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

    def _document(self, headers=None):
        status, document, _r = self.api("GET", "/api/openapi.json", headers=headers)
        self.assertEqual(status, 200)
        return document

    def _operations(self, document):
        return [
            (method.upper(), path, operation)
            for path, item in document["paths"].items()
            for method, operation in item.items()
        ]

    def test_operation_ids_are_unique_actions(self):
        ids = [operation["operationId"] for _m, _p, operation in self._operations(self._document())]
        self.assertEqual(len(ids), len(set(ids)), [i for i in ids if ids.count(i) > 1])
        self.assertTrue(all(re.fullmatch(r"[a-z][A-Za-z0-9]*", i) for i in ids), ids)
        for action in ("confirmOrder", "registerPayment", "validateDelivery", "approveOrder", "receiveStock"):
            self.assertIn(action, ids)

    def test_alias_paths_are_deprecated_and_name_their_canonical_route(self):
        by_key = {(m, p): operation for m, p, operation in self._operations(self._document())}
        aliases = {
            ("POST", "/api/warehouse/receive"): "/api/stock/receive",
            ("POST", "/api/stock/adjust"): "/api/stock/adjustment",
        }
        aliases[("GET", "/api/products/{ref}/bom")] = "/api/products/{ref}/bop"
        for (method, path), canonical in aliases.items():
            with self.subTest(path=path):
                self.assertIs(by_key[(method, path)]["deprecated"], True)
                self.assertIn(f"`{method} {canonical}`", by_key[(method, path)]["description"])
                self.assertNotIn("deprecated", by_key[(method, canonical)])
        self.assertEqual(sum(1 for operation in by_key.values() if operation.get("deprecated")), 6)

    def test_shared_headers_and_the_callback_signature_are_declared(self):
        document = self._document()
        for method, _path, operation in self._operations(document):
            refs = {parameter.get("$ref") for parameter in operation["parameters"]}
            is_write = method in ("POST", "PUT", "PATCH", "DELETE") and "security" in operation
            is_write = is_write and "mobileMoneySignature" not in str(operation["security"])
            with self.subTest(operation=operation["operationId"]):
                self.assertEqual("#/components/parameters/IdempotencyKey" in refs, is_write)
                success = next(answer for status, answer in operation["responses"].items() if status < "300")
                if is_write:
                    self.assertIn("Idempotent-Replayed", success["headers"])
        login = document["paths"]["/api/auth/login"]["post"]
        self.assertEqual(login["responses"]["429"], {"$ref": "#/components/responses/TooManyAttempts"})
        self.assertIn("Retry-After", document["components"]["responses"]["TooManyAttempts"]["headers"])
        callback = document["paths"]["/api/payments/mobile-money/callback"]["post"]
        self.assertEqual(callback["security"], [{"mobileMoneySignature": []}])
        self.assertEqual(document["components"]["securitySchemes"]["mobileMoneySignature"]["name"], "X-Signature")
        logout = document["paths"]["/api/auth/logout"]["post"]["responses"]["200"]
        self.assertIn("content", logout, "the logout's answer is declared")

    def test_generator_traps_are_gone(self):
        document = self._document()
        text = json.dumps(document)
        self.assertNotIn('"default": null', text)
        self.assertNotIn("x-abs-named-enum", text)
        schemas = document["components"]["schemas"]
        for name, schema in schemas.items():
            if "success" in schema.get("properties", {}):
                self.assertIn("success", schema["required"], name)
        # Request bodies: no property with a default (generators would make it mandatory).
        for _m, _p, operation in self._operations(document):
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                schema = schemas[body["$ref"].rsplit("/", 1)[1]]
                self.assertFalse([k for k, v in schema.get("properties", {}).items() if "default" in v], body)
        # Enums are named: an inline enum of two values or more appears once at most.
        inline = {}

        def walk(node):
            if isinstance(node, dict):
                if len(node.get("enum", ())) > 1 and node is not schemas.get(current[0]):
                    inline[tuple(node["enum"])] = inline.get(tuple(node["enum"]), 0) + 1
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        current = [None]
        for name, schema in schemas.items():
            current[0] = name
            walk(schema)
        current[0] = None
        walk(document["paths"])
        self.assertEqual({values: n for values, n in inline.items() if n > 1}, {})
        for name in ("DeliveryState", "OrderInvoiceStatus", "MembershipRole", "MovementType", "ErrorCode"):
            self.assertIn("enum", schemas[name])
        role = schemas["ServiceAccountRole"]["properties"]["role"]
        self.assertEqual(role["$ref"], "#/components/schemas/MembershipRole")

    def test_every_date_field_declares_its_format(self):
        document = self._document()
        checked = 0
        for name, schema in document["components"]["schemas"].items():
            for field_name, field_schema in schema.get("properties", {}).items():
                # last_pulled_at: WatermelonDB's sync cursor, a number the protocol names so
                if not DATE_NAME.search(field_name) or field_name in ("date_from", "date_to", "last_pulled_at"):
                    continue
                options = field_schema.get("anyOf", [field_schema])
                formats = {option.get("format") for option in options if option.get("type") != "null"}
                with self.subTest(field=f"{name}.{field_name}"):
                    self.assertTrue(formats and formats <= {"date", "date-time"}, field_schema)
                checked += 1
        self.assertGreaterEqual(checked, 38)

    def test_every_request_and_answer_has_an_example_its_model_accepts(self):
        document = self._document()
        specs = {(route.method, route.path): route for route in ROUTES}
        for method, path, operation in self._operations(document):
            route = specs[(method, path)]
            with self.subTest(operation=operation["operationId"]):
                if route.body:
                    example = operation["requestBody"]["content"]["application/json"]["example"]
                    route.body.model_validate_json(json.dumps(example))
                if route.response:
                    example = operation["responses"][str(route.status)]["content"]["application/json"]["example"]
                    route.response.model_validate_json(json.dumps(example))
        for name, response in document["components"]["responses"].items():
            example = response["content"]["application/json"]["example"]
            self.assertIn(example["code"], document["components"]["schemas"]["ErrorCode"]["enum"], name)

    def test_tags_are_described(self):
        document = self._document()
        used = {tag for _m, _p, operation in self._operations(document) for tag in operation["tags"]}
        self.assertEqual({tag["name"] for tag in document["tags"]}, used)
        self.assertTrue(all(tag["description"] == TAG_DESCRIPTIONS[tag["name"]] for tag in document["tags"]))

    def test_servers_follow_the_proxy_only_in_proxy_mode(self):
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example.com"}
        with patch.dict(config.options, {"proxy_mode": False}):
            self.assertEqual(self._document(forwarded)["servers"], [{"url": self.base_url()}])
        with patch.dict(config.options, {"proxy_mode": True}):
            self.assertEqual(self._document(forwarded)["servers"], [{"url": "https://api.example.com"}])
            # A TLS proxy that keeps the Host header and only says the scheme.
            host = self.base_url().split("://", 1)[1]
            proto_only = self._document({"X-Forwarded-Proto": "https"})
            self.assertEqual(proto_only["servers"], [{"url": f"https://{host}"}])

    def test_cors_exposes_what_a_browser_client_reads(self):
        _status, _payload, response = self.api("GET", "/api/customers", token=self.tok_agent_tg)
        exposed = {name.strip() for name in response.headers["Access-Control-Expose-Headers"].split(",")}
        self.assertEqual(exposed, {name.strip() for name in CORS_EXPOSED_HEADERS.split(",")})
        self.assertLessEqual({"Idempotent-Replayed", "Retry-After"}, exposed)

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
        # Cash an agent took and declared to its cashier, so that the handover list has an item to check.
        cash_order = paid.copy({"x_actor_id": cls.agent_tg.id})
        cash_order.action_confirm()
        cash_journal = cls.env["account.journal"]._abs_payment_journal(cls.company, "cash")
        _invoice, cash = cash_order._abs_register_payment(journal=cash_journal, actor=cls.agent_tg)
        cls.env["abs.cash.handover"]._abs_declare(cls.agent_tg, cls.sa_togo, cash.ids, cash.amount)
        # A mobile-money statement, so that the statement list has an item to check.
        today = fields.Date.today()
        line = {"reference": "T-OPENAPI-MM", "date": today, "amount": 5.0, "phone": "+228 90 11 11 11"}
        cls.env["abs.momo.statement"]._abs_import(cls.sa_togo, "sandbox", today, today, [line])
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
