"""BOLA matrix, generated from the route registry: another SA's and another customer's records, route by route.

For every declared route with a record in its path, the record of another SA (employee routes: an agent
of SA Togo, or its staff for staff-only routes, and an API key acting in SA Togo, asking for SA Kenya's)
or of another customer (portal routes: a customer asking for another customer's) answers 404, as if it
did not exist (API-CONTRACT: "A record outside the caller's SAs is indistinguishable from a missing
one"), and nothing is written. Every employee route called with an ``X-SA-ID`` the caller holds no
membership in answers 403 ``sa_forbidden``. Every list answers none of SA Kenya's records.

The record put in each path parameter comes from ``PARAM_FIXTURES``: a route added later with a known
parameter is covered without a test of its own; one with a new parameter fails here until its records
are added to ``_records``.
"""

import re

from odoo import fields
from odoo.tests import tagged

from ..controllers.api_kit import API_KEY, CUSTOMER, EMPLOYEE, PUBLIC, ROUTES
from ..helpers.sync_tables import TABLES_BY_NAME
from .common import AbsHttpCase, AbsStockFixturesMixin

# Path parameter -> the key of the record in a fixture set (``_records``).
PARAM_FIXTURES = {
    "order_id": "order",
    "invoice_id": "invoice",
    "payment_id": "payment",
    "customer_id": "customer",
    "partner_id": "customer",
    "delivery_id": "delivery",
    "receipt_id": "receipt",
    "asset_id": "asset",
    "ticket_id": "ticket",
    "product_id": "product",
    "ref": "bop_ref",
    "line_id": "bop_line",
    "order_line_id": "quotation_line",
    "lot_name": "lot_name",
    "subscription_id": "subscription",
    "code": "subscription_code",
    "agent_id": "agent",
    "handover_id": "handover",
    "payg_account_id": "payg_account",
    "statement_id": "momo_statement",
}

# Shared, not governed by an SA: another SA's record answers 200 here, by the contract. Each says why.
SHARED_ROUTES = {
    # Serials are company-level (README, workflows 0 and 5): anyone of the company locates one. Who holds
    # it is told only to the holder's SA: the answer's ``holder`` is checked to be null below.
    ("GET", "/api/stock/lots/{lot_name}"),
}

# Request bodies that pass validation, so that the record's ownership check is what answers (the kit
# validates the body before the handler looks the record up: a 400 would hide a missing check).
# ``{}`` is used for every other body; a body schema that refuses ``{}`` and is not listed fails the test.
VALID_BODIES = {
    "RejectRequest": {"reason": "BOLA matrix"},
    "CreditNoteCreate": {"invoice_id": 1, "reason": "BOLA matrix"},
    "OrderAddLines": {"products": [{"product_id": 1, "quantity": 1}]},
    "BopLineCreate": {"product_id": 1, "quantity": 1},
    "SubscriptionCancel": {"reason": "BOLA matrix"},
    "OrderLineUpdate": {"quantity": 2},
    "HandoverConfirmRequest": {"counted_amount": 1},
    "HandoverDisputeRequest": {"reason": "BOLA matrix"},
    "PaygTokenRequest": {"kind": "counter_sync"},
    "PaygWriteOffRequest": {"reason": "BOLA matrix"},
}

# Found by this matrix and reported: another SA's record answered where the contract says 404. Listed so
# that the suite stays green until the fix, and checked to still answer: once fixed, remove it from here.
REPORTED_LEAKS = set()
# Lists found showing another SA's records, reported; checked to still show them: once fixed, remove from here.
REPORTED_LIST_LEAKS = set()

# Body fields that name a governed record -> the key of the record in a fixture set (``_records``).
BODY_REFERENCES = {
    "customer_id": "customer",
    "partner_id": "customer",
    "invoice_id": "invoice",
    "asset_id": "asset",
    "product_id": "product",
    "bop_id": "bop_id",
}
# Body references to shared records: another SA's record is no secret there. Each says why.
SHARED_BODY_REFERENCES = {
    # The supplier of a receipt: suppliers are company-level partners, not an SA's customers.
    ("POST", "/api/stock/receive", "partner_id"),
    ("POST", "/api/warehouse/receive", "partner_id"),
    # Stock operations are company-level (README, workflows 0 and 5) and staff-only.
    ("POST", "/api/stock/scrap", "product_id"),
}
# For the body matrix: the order in the path when it is not the pending one (a quotation for header and line
# changes, the sold order for what acts on its invoice).
BODY_PATH_FIXTURES = {
    ("POST", "/api/orders/{order_id}/credit-note"): {"order_id": "sold"},
    ("POST", "/api/orders/{order_id}/register-payment"): {"order_id": "sold"},
    ("PUT", "/api/orders/{order_id}"): {"order_id": "quotation"},
    ("POST", "/api/orders/{order_id}/add-lines"): {"order_id": "quotation"},
    ("PUT", "/api/orders/{order_id}/lines/{order_line_id}"): {"order_id": "quotation"},
}
# Found by the body matrix and reported (see REPORTED_LEAKS): once fixed, remove it from here.
REPORTED_BODY_LEAKS = set()

# List key of an answer -> the model of its items; nested references (``{"id", "name"}``) -> their model.
LIST_MODELS = {
    "orders": "sale.order",
    "invoices": "account.move",
    "payments": "account.payment",
    "customers": "res.partner",
    "deliveries": "stock.picking",
    "receipts": "stock.picking",
    "movements": "stock.move",
    "assets": "ov.asset",
    "tickets": "abs.ticket",
    "products": "product.product",
    "subscriptions": "abs.subscription",
    "handovers": "abs.cash.handover",
    "statements": "abs.momo.statement",
    "lines": "abs.momo.statement.line",
    "accounts": "abs.payg.account",
    "service_accounts": "ov.serviced_account",
    # Company-level (shared) lists: their items are checked for nested references only.
    "lots": None,
    "levels": None,
    "warehouses": None,
    "categories": None,
    "children": None,  # sub-categories in the category tree
    "taxes": None,  # a product's customer taxes (company-level)
    "backorders": "stock.picking",
}
REFERENCE_MODELS = {
    "service_account": "ov.serviced_account",
    "partner": "res.partner",
    "customer": "res.partner",
    "sale_order": "sale.order",
    "order": "sale.order",
    "invoice": "account.move",
    "picking": "stock.picking",
    "asset": "ov.asset",
    "product": "product.product",
    "holder": None,  # checked as a whole where it matters (SHARED_ROUTES)
}
# Tables a refused request must leave untouched.
WATCHED_MODELS = [
    "sale.order",
    "sale.order.line",
    "account.move",
    "account.payment",
    "stock.picking",
    "res.partner",
    "ov.asset",
    "abs.ticket",
    "ov.bop.line",
    "abs.subscription",
    "abs.payg.token",
    "mail.mail",
]


def route_label(route):
    return f"{route.method} {route.path}"


@tagged("post_install", "-at_install")
class TestBolaMatrix(AbsStockFixturesMixin, AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_stock_fixtures()
        Product = cls.env["product.product"]
        cls.service = Product.create(
            {"name": "Test BOLA Service", "type": "service", "invoice_policy": "order", "list_price": 10.0}
        )
        # Serials installed at customers (assets), apart from the kits the orders deliver and return.
        cls.meter = Product.create(
            {"name": "Test BOLA Meter", "type": "consu", "is_storable": True, "tracking": "serial"}
        )
        meters = cls.add_serials(cls.meter, ["T-METER-TG", "T-METER-KE", "T-METER-TG2"])
        # A kit sold pay-as-you-go: each SA's delivered serial opens a PAYG account.
        plan = cls.env["abs.payg.plan"].create(
            {"name": "Test BOLA Plan", "deposit": 10.0, "price_per_day": 1.0, "price_to_own": 300.0}
        )
        cls.payg_kit = Product.create(
            {
                "name": "Test BOLA PAYG Kit",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 300.0,
                "abs_payg_plan_id": plan.id,
            }
        )
        cls.customer_tg2 = cls.env["res.partner"]._abs_create_customer(
            {"name": "Test Kodjo Togo", "phone": "+228 90 22 22 22"}, cls.sa_togo, cls.agent_tg
        )
        cls.togo = cls._records(cls.sa_togo, cls.agent_tg, cls.customer_tg, "TG", meters[0])
        cls.kenya = cls._records(cls.sa_kenya, cls.agent_ke, cls.customer_ke, "KE", meters[1])
        # Another customer of the same SA: what the customer portal must not show customer_tg.
        neighbour_ticket = cls.env["abs.ticket"]._abs_open(
            {"subject": "Neighbour's ticket", "partner_id": cls.customer_tg2.id}, account=cls.sa_togo
        )
        neighbour_subscription = cls._subscription(cls.sa_togo, cls.agent_tg, cls.customer_tg2, "TG2")
        neighbour_asset = cls.env["ov.asset"]._abs_register(
            {"partner_id": cls.customer_tg2.id, "lot_id": meters[2].id}, cls.sa_togo, cls.agent_tg
        )
        neighbour_payg = cls._payg_account(cls.sa_togo, cls.agent_tg, cls.customer_tg2, "TG2")
        cls.neighbour = {
            "customer": cls.customer_tg2.id,
            "asset": neighbour_asset.id,
            "ticket": neighbour_ticket.id,
            "subscription": neighbour_subscription.id,
            "subscription_code": neighbour_subscription.code,
            "payg_account": neighbour_payg.id,
            "by_model": {
                "abs.payg.account": set(neighbour_payg.ids),
                "res.partner": {cls.customer_tg2.id},
                "abs.ticket": set(neighbour_ticket.ids),
                "abs.subscription": set(neighbour_subscription.ids),
                "ov.asset": set(neighbour_asset.ids),
            },
        }
        cls.api_key = cls.new_api_key()

    @classmethod
    def _records(cls, account, agent, customer, tag, meter):
        """One of each governed record of ``account``: ``{fixture key: id or path value}``."""
        env = cls.env
        # Sold, delivered, invoiced, paid and returned: an order, its invoice, payment and return receipt.
        sold = cls.make_order(account, customer, [(cls.kit, 1), (cls.service, 1)], agent=agent)
        delivery = sold.picking_ids
        delivery._abs_validate_delivery(None, False, actor=agent)
        invoice, payment = sold._abs_register_payment(actor=agent)
        returned = delivery._abs_return_delivery(None, "BOLA matrix", agent)
        # Confirmed, its delivery waiting: what a leaked validate, invoice or payment would act on.
        pending = cls.make_order(account, customer, [(cls.battery, 1)], agent=agent)
        quotation = cls.make_order(account, customer, [(cls.service, 1)], agent=agent, confirm=False)
        asset = env["ov.asset"]._abs_register({"partner_id": customer.id, "lot_id": meter.id}, account, agent)
        ticket = env["abs.ticket"]._abs_open({"subject": f"{tag} ticket", "partner_id": customer.id}, account=account)
        # A product of the SA's own catalogue and its Bill of Products.
        product = env["product.product"].create(
            {"name": f"Test {tag} Own Lamp", "type": "service", "x_sa_id": account.id}
        )
        # And one in stock, by serial: what the stock lists must not show another SA.
        stocked = env["product.product"].create(
            {
                "name": f"Test {tag} Own Panel",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "x_sa_id": account.id,
            }
        )
        cls.add_serials(stocked, [f"T-{tag}-PANEL-1"])
        subscription = cls._subscription(account, agent, customer, tag)
        # Cash the agent took and declared to its SA's cashier (a handover waiting to be counted).
        cash_order = cls.make_order(account, customer, [(cls.service, 1)], agent=agent)
        cash_journal = env["account.journal"]._abs_payment_journal(account.company_id, "cash")
        _invoice, cash = cash_order._abs_register_payment(journal=cash_journal, actor=agent)
        handover = env["abs.cash.handover"]._abs_declare(agent, account, cash.ids, cash.amount)
        payg = cls._payg_account(account, agent, customer, tag)
        # A mobile-money provider's statement reconciled for the SA (one transaction the SA has no payment for).
        today = fields.Date.today()
        statement = env["abs.momo.statement"]._abs_import(
            account,
            "sandbox",
            today,
            today,
            [{"reference": f"T-{tag}-MM-1", "date": today, "amount": 5.0, "phone": "+228 90 00 00 00"}],
        )
        sheet = env["ov.bop.sheet"].create(
            {
                "name": f"Test {tag} BOLA Bundle",
                "code": f"T-{tag}-BOLA",
                "x_sa_id": account.id,
                "line_ids": [(0, 0, {"product_id": product.id, "quantity": 1})],
            }
        )
        return {
            "order": pending.id,
            "sold": sold.id,
            "quotation": quotation.id,
            "quotation_line": quotation.order_line.id,
            "bop_id": sheet.id,
            "subscription_product": subscription.product_id.id,
            "invoice": invoice.id,
            "payment": payment.id,
            "customer": customer.id,
            "delivery": pending.picking_ids.id,
            "receipt": returned.id,
            "asset": asset.id,
            "ticket": ticket.id,
            "product": product.id,
            "bop_ref": sheet.code,
            "bop_line": sheet.line_ids.id,
            "lot_name": meter.name,
            "subscription": subscription.id,
            "subscription_code": subscription.code,
            "agent": agent.id,
            "handover": handover.id,
            "payg_account": payg.id,
            "momo_statement": statement.id,
            # Ids of every record, by model, that a list of another SA must not show.
            "by_model": {
                "sale.order": set((sold | pending | quotation).ids),
                "account.move": set(invoice.ids),
                "account.payment": set((payment | cash).ids),
                "abs.cash.handover": set(handover.ids),
                "res.partner": {customer.id},
                "stock.picking": set((delivery | returned | pending.picking_ids).ids),
                "stock.move": set((delivery | returned | pending.picking_ids).move_ids.ids),
                "ov.asset": set(asset.ids),
                "abs.ticket": set(ticket.ids),
                "product.product": set((product | stocked).ids),
                "abs.subscription": set(subscription.ids),
                "abs.payg.account": set(payg.ids),
                "abs.momo.statement": set(statement.ids),
                "abs.momo.statement.line": set(statement.line_ids.ids),
                "ov.serviced_account": {account.id},
            },
        }

    @classmethod
    def _payg_account(cls, account, agent, customer, tag):
        cls.add_serials(cls.payg_kit, [f"T-{tag}-PAYG-1"])
        order = cls.make_order(account, customer, [(cls.payg_kit, 1)], agent=agent)
        order.picking_ids._abs_validate_delivery(None, False, actor=agent)
        return cls.env["abs.payg.account"].search([("sale_line_id", "in", order.order_line.ids)])

    @classmethod
    def _subscription(cls, account, agent, customer, tag):
        product = cls.env["product.product"].create(
            {
                "name": f"Test {tag} Monitoring",
                "type": "service",
                "x_pu_category": "contract",
                "x_contract_type": "maintenance",
                "recurring_invoice": True,
                "x_sa_id": account.id,
            }
        )
        return cls.env["abs.subscription"]._abs_purchase(
            {"partner_id": customer.id, "product_id": product.id}, account=account, actor=agent
        )

    # ------------------------------------------------------------------ helpers

    def value(self, route, name, records):
        """The value of the parameter ``name`` in a fixture set; fails, saying what to add, when there is none."""
        key = PARAM_FIXTURES.get(name)
        self.assertIsNotNone(
            key,
            f"{route_label(route)}: no fixture for the parameter {name!r}: add it to PARAM_FIXTURES and a record "
            "of each SA to TestBolaMatrix._records, so that the route is checked across SAs",
        )
        self.assertIn(key, records, f"{route_label(route)}: no {key!r} record in the fixtures (see _records)")
        return records[key]

    def path_with(self, route, records, own_names=()):
        """The route's path filled from ``records``, the parameters in ``own_names`` from SA Togo's records."""

        def fill(match):
            name = match.group(1)
            return str(self.value(route, name, self.togo if name in own_names else records))

        return re.sub(r"\{([^}]+)\}", fill, route.path)

    def body_for(self, route):
        if not route.body:
            return None
        body = VALID_BODIES.get(route.body.__name__, {})
        # The body must pass validation, else its 400 would answer before the ownership check is reached.
        route.body.model_validate(body)
        return body

    def callers(self, route):
        """Employee-side callers acting in SA Togo: ``(label, api() keyword arguments)``."""
        found = []
        if EMPLOYEE in route.auth:
            token = self.tok_manager_tg if route.role == "staff" else self.tok_agent_tg
            found.append(("SA Togo employee", {"token": token}))
        if API_KEY in route.auth:
            found.append(("API key in SA Togo", {"api_key": self.api_key, "sa": self.sa_togo}))
        return found

    def snapshot(self):
        self.env.invalidate_all()
        return {model: self.env[model].search_count([]) for model in WATCHED_MODELS}

    def foreign_ids_in(self, payload, foreign):
        """``(model, id)`` of SA Kenya's records found anywhere in an answer; fails on a list of unknown items."""
        found = []

        def walk(value, model=None):
            if isinstance(value, dict) and isinstance(value.get("changes"), dict) and "timestamp" in value:
                # an offline sync pull: raw rows per table, their ids (strings) and related ids too
                for table_name, table_changes in value["changes"].items():
                    table_model = TABLES_BY_NAME[table_name].model
                    for row in table_changes["created"] + table_changes["updated"]:
                        if row["id"].isdigit() and int(row["id"]) in foreign.get(table_model, ()):
                            found.append((table_model, int(row["id"])))
                return
            if isinstance(value, list):
                for item in value:
                    walk(item, model)
            elif isinstance(value, dict):
                if model and value.get("id") in foreign.get(model, ()):
                    found.append((model, value["id"]))
                for key, item in value.items():
                    if isinstance(item, list) and item and isinstance(item[0], dict) and "id" in item[0]:
                        self.assertIn(
                            key,
                            LIST_MODELS,
                            f"a list of {key!r}: add it to LIST_MODELS (its model, or None if shared) so that "
                            "its items are checked for another SA's records",
                        )
                        walk(item, LIST_MODELS[key])
                    elif isinstance(item, dict) and key in REFERENCE_MODELS:
                        walk(item, REFERENCE_MODELS[key])
                    else:
                        walk(item)

        walk(payload)
        return found

    def body_path_records(self, route):
        overrides = BODY_PATH_FIXTURES.get((route.method, route.path), {})
        return {PARAM_FIXTURES[name]: self.togo[key] for name, key in overrides.items()}

    def complete_body(self, route):
        """A body of SA Togo's records that the route accepts (the control of the body matrix)."""
        togo = self.togo
        bodies = {
            "QuotationCreate": {
                "customer_id": togo["customer"],
                "products": [{"product_id": self.service.id, "quantity": 1}],
                "bop_id": togo["bop_id"],
            },
            "OrderUpdate": {"customer_id": togo["customer"]},
            "OrderAddLines": {"bop_id": togo["bop_id"]},
            "AssetCreate": {"partner_id": togo["customer"], "product_id": togo["product"]},
            "TicketCreate": {"subject": "BOLA", "partner_id": togo["customer"], "asset_id": togo["asset"]},
            "TicketUpdate": {"asset_id": togo["asset"]},
            "CustomerTicketCreate": {"subject": "BOLA", "asset_id": togo["asset"]},
            "CreditNoteCreate": {"invoice_id": togo["invoice"], "reason": "BOLA"},
            "RegisterPaymentRequest": {"invoice_id": togo["invoice"]},
            "MobileMoneyStartRequest": {"invoice_id": togo["invoice"], "phone": "+228 90 11 11 11"},
            "SubscriptionPurchase": {"partner_id": togo["customer"], "product_id": togo["subscription_product"]},
            "BopLineCreate": {"product_id": togo["product"], "quantity": 1},
            "BopLineUpdate": {"product_id": togo["product"]},
        }
        self.assertIn(
            route.body.__name__,
            bodies,
            f"{route_label(route)}: its body names records ({route.body.__name__}): add a body of SA Togo's records "
            "to TestBolaMatrix.complete_body, so that each reference is checked across SAs",
        )
        return bodies[route.body.__name__]

    # ------------------------------------------------------------------ the matrix

    def test_another_sas_record_answers_404_on_every_employee_route_and_nothing_is_written(self):
        routes = [r for r in ROUTES if r.path_params and (EMPLOYEE in r.auth or API_KEY in r.auth)]
        foreign_before = self.snapshot()
        checked = 0
        for route in routes:
            if (route.method, route.path) in SHARED_ROUTES:
                continue
            # Every parameter another SA's; then, with several, each one alone with the others SA Togo's.
            variants = [()]
            if len(route.path_params) > 1:
                variants += [[name for name in route.path_params if name != foreign] for foreign in route.path_params]
            for own_names in variants:
                path = self.path_with(route, self.kenya, own_names)
                body = self.body_for(route)
                for who, credentials in self.callers(route):
                    with self.subTest(route=route_label(route), path=path, caller=who):
                        result = self.api(route.method, path, body, **credentials)
                        if (route.method, route.path) in REPORTED_LEAKS:
                            self.assertEqual(result[0], 200, "fixed? remove the route from REPORTED_LEAKS")
                            continue
                        self.assertError(result, 404, "not_found")
                        checked += 1
        self.assertGreaterEqual(checked, 50)
        self.assertEqual(self.snapshot(), foreign_before, "a refused request wrote something")

    def test_another_customers_record_answers_404_on_every_portal_route(self):
        routes = [r for r in ROUTES if r.path_params and CUSTOMER in r.auth and PUBLIC not in r.auth]
        token = self.customer_token_for(self.customer_tg)
        before = self.snapshot()
        checked = 0
        for route in routes:
            for whose, records in (("another customer of its SA", self.neighbour), ("SA Kenya's customer", self.kenya)):
                path = self.path_with(route, records)
                with self.subTest(route=route_label(route), records=whose):
                    body = self.body_for(route)
                    self.assertError(self.api(route.method, path, body, token=token), 404, "not_found")
                    checked += 1
        self.assertGreaterEqual(checked, 2)
        self.assertEqual(self.snapshot(), before, "a refused request wrote something")

    def test_another_sas_record_named_in_a_body_is_refused_and_nothing_is_written(self):
        cases = []  # (route, path, foreign body, control body, credentials)
        for route in ROUTES:
            fields = [
                name
                for name in (route.body.model_fields if route.body else ())
                if name in BODY_REFERENCES and (route.method, route.path, name) not in SHARED_BODY_REFERENCES
            ]
            if not fields or PUBLIC in route.auth:
                continue
            control = self.complete_body(route)
            own = {**self.togo, **self.body_path_records(route)}
            path = self.path_with(route, own)
            credentials = (
                [("SA Togo's customer", {"token": self.customer_token_for(self.customer_tg)})]
                if CUSTOMER in route.auth
                else self.callers(route)
            )
            for name in fields:
                foreign = {**control, name: self.kenya[BODY_REFERENCES[name]]}
                route.body.model_validate(foreign)
                cases += [(route, path, name, foreign, control, who, kwargs) for who, kwargs in credentials]
        reported = [case for case in cases if (case[0].method, case[0].path, case[2]) in REPORTED_BODY_LEAKS]
        before = self.snapshot()
        for route, path, name, foreign, _control, who, kwargs in cases:
            if (route, path, name, foreign, _control, who, kwargs) in reported:
                continue
            with self.subTest(route=route_label(route), field=name, caller=who):
                status, payload, _r = self.api(route.method, path, foreign, **kwargs)
                self.assertIn(status, (400, 404), payload)
                self.assertIn(payload["code"], ("not_found", "invalid_reference"), payload)
        self.assertEqual(self.snapshot(), before, "a refused request wrote something")
        for route, path, name, foreign, _control, who, kwargs in reported:
            with self.subTest(route=route_label(route), field=name, caller=who, reported=True):
                status, _payload, _r = self.api(route.method, path, foreign, **kwargs)
                self.assertLess(status, 300, "fixed? remove the reference from REPORTED_BODY_LEAKS")
        # The control: SA Togo's own records in the same body pass the reference checks.
        for route, path, name, _foreign, control, who, kwargs in cases:
            with self.subTest(route=route_label(route), field=name, caller=who, control=True):
                status, payload, _r = self.api(route.method, path, control, **kwargs)
                self.assertNotIn(status, (400, 404), payload)
        self.assertGreaterEqual(len({(route.method, route.path) for route, *_rest in cases}), 12)

    def test_an_sa_the_caller_does_not_hold_answers_403_on_every_employee_route(self):
        # The kit resolves X-SA-ID right after authentication, before the body and any record are looked at.
        routes = [r for r in ROUTES if EMPLOYEE in r.auth and PUBLIC not in r.auth]
        self.assertGreater(len(routes), 40)
        before = self.snapshot()
        for route in routes:
            path = self.path_with(route, self.togo)
            body = {} if route.body else None
            token = self.tok_manager_tg if route.role == "staff" else self.tok_agent_tg
            with self.subTest(route=route_label(route)):
                result = self.api(route.method, path, body, token=token, sa=self.sa_kenya)
                self.assertError(result, 403, "sa_forbidden")
        self.assertEqual(self.snapshot(), before, "a refused request wrote something")

    def test_no_list_shows_another_sas_record(self):
        foreign = self.kenya["by_model"]
        listed, seen_by_all_sas = 0, set()
        for route in ROUTES:
            if route.method != "GET" or route.path_params or PUBLIC in route.auth or not self.callers(route):
                continue
            query = "?limit=200" if route.query and "limit" in route.query.model_fields else ""
            for who, credentials in self.callers(route):
                with self.subTest(route=route_label(route), caller=who):
                    status, payload, _r = self.api("GET", route.path + query, **credentials)
                    self.assertEqual(status, 200, payload)
                    if route.path in REPORTED_LIST_LEAKS:
                        self.assertTrue(
                            self.foreign_ids_in(payload, foreign), "fixed? remove it from REPORTED_LIST_LEAKS"
                        )
                        continue
                    self.assertEqual(self.foreign_ids_in(payload, foreign), [], "SA Kenya's records listed")
                    listed += 1
            if API_KEY in route.auth:
                # The control: an API key without X-SA-ID reads every SA, so the same walk finds SA Kenya's records.
                _status, payload, _r = self.api("GET", route.path + query, api_key=self.api_key)
                seen_by_all_sas.update(model for model, _id in self.foreign_ids_in(payload, foreign))
        self.assertGreaterEqual(listed, 20)
        governed = {"sale.order", "account.move", "account.payment", "res.partner", "stock.picking", "stock.move"}
        self.assertLessEqual(
            governed | {"ov.asset", "abs.ticket", "abs.subscription", "product.product"}, seen_by_all_sas
        )

    def test_no_portal_list_shows_another_customers_record(self):
        foreign = {
            model: self.kenya["by_model"].get(model, set()) | self.neighbour["by_model"].get(model, set())
            for model in {*self.kenya["by_model"], *self.neighbour["by_model"]}
        }
        token, neighbour_token = self.customer_token_for(self.customer_tg), self.customer_token_for(self.customer_tg2)
        listed, seen_by_owner = 0, set()
        for route in ROUTES:
            if route.method != "GET" or route.path_params or CUSTOMER not in route.auth:
                continue
            with self.subTest(route=route_label(route)):
                status, payload, _r = self.api("GET", route.path, token=token)
                self.assertEqual(status, 200, payload)
                self.assertEqual(self.foreign_ids_in(payload, foreign), [], "another customer's records listed")
                listed += 1
            # The control: the neighbour's own lists show its records, found by the same walk.
            _status, payload, _r = self.api("GET", route.path, token=neighbour_token)
            seen_by_owner.update(model for model, _id in self.foreign_ids_in(payload, foreign))
        self.assertGreaterEqual(listed, 3)
        self.assertLessEqual({"abs.ticket", "abs.subscription"}, seen_by_owner)

    def test_a_shared_route_tells_nothing_of_another_sas_holder(self):
        # A serial deployed at SA Kenya's customer is as unknown to SA Togo as a name no lot has.
        status, payload, _r = self.api("GET", f"/api/stock/lots/{self.kenya['lot_name']}", token=self.tok_agent_tg)
        self.assertEqual((status, payload["code"]), (404, "not_found"), payload)
        status, payload, _r = self.api("GET", f"/api/stock/lots/{self.togo['lot_name']}", token=self.tok_agent_tg)
        self.assertEqual(payload["holder"]["customer"]["id"], self.customer_tg.id, "the holder is told to its SA")
