"""Shared fixtures: two companies' worth of SAs, employees of each role, customers, tokens, an API key."""

import json
import threading

import requests

import odoo
from odoo.tests import HttpCase, TransactionCase, get_db_name
from odoo.tests.common import BaseCase


class AbsFixturesMixin:
    """Builds the governance fixtures once per test class (``setUpClass``)."""

    PASSWORD = "s3cret-Pass"

    @classmethod
    def _setup_abs_fixtures(cls):
        env = cls.env
        cls.company = env.company
        Account = env["ov.serviced_account"]
        cls.sa_togo = Account.create(
            {"name": "Test SA Togo", "code": "TTG", "company_id": cls.company.id, "approval_threshold": 1000}
        )
        cls.sa_kenya = Account.create(
            {"name": "Test SA Kenya", "code": "TKE", "company_id": cls.company.id, "approval_threshold": 1000}
        )
        cls.outlet_togo = env["ov.outlet"].create(
            {"name": "Test Lomé Shop", "code": "TLOM", "account_id": cls.sa_togo.id}
        )
        cls.outlet_kenya = env["ov.outlet"].create(
            {"name": "Test Nairobi Kiosk", "code": "TNBO", "account_id": cls.sa_kenya.id}
        )
        Employee = env["abs.employee"]
        # Only the manager gets a real (slow, salted) password hash; other tokens are minted directly.
        cls.manager_tg = Employee.create({"name": "Test TG Manager", "login": "t.tg.manager", "password": cls.PASSWORD})
        cls.agent_tg = Employee.create({"name": "Test TG Agent", "login": "t.tg.agent"})
        cls.agent_ke = Employee.create({"name": "Test KE Agent", "login": "t.ke.agent"})
        cls.agent_multi = Employee.create({"name": "Test Multi Agent", "login": "t.multi.agent"})
        Membership = env["ov.membership"]
        Membership.create(
            [
                {"employee_id": cls.manager_tg.id, "account_id": cls.sa_togo.id, "role_code": "staff"},
                {"employee_id": cls.agent_tg.id, "account_id": cls.sa_togo.id, "role_code": "agent"},
                {"employee_id": cls.agent_ke.id, "account_id": cls.sa_kenya.id, "role_code": "agent"},
                {"employee_id": cls.agent_multi.id, "account_id": cls.sa_togo.id, "role_code": "agent"},
                {"employee_id": cls.agent_multi.id, "account_id": cls.sa_kenya.id, "role_code": "agent"},
            ]
        )
        Partner = env["res.partner"]
        cls.customer_tg = Partner._abs_create_customer(
            {"name": "Test Ama Togo", "phone": "+228 90 11 11 11"}, cls.sa_togo, cls.agent_tg
        )
        cls.customer_ke = Partner._abs_create_customer(
            {"name": "Test Otieno Kenya", "phone": "+254 700 111 111"}, cls.sa_kenya, cls.agent_ke
        )
        cls.api_user = env.ref("abs_connector.user_api")

    @classmethod
    def token_for(cls, employee):
        return cls.env["abs.api.token"]._issue_pair("employee", employee.id)["access_token"]

    @classmethod
    def customer_token_for(cls, partner):
        return cls.env["abs.api.token"]._issue_pair("customer", partner.id)["access_token"]

    @classmethod
    def new_api_key(cls):
        # sudo: a test stands in for an administrator creating the technical user's key
        return cls.env["res.users.apikeys"].with_user(cls.api_user).sudo()._generate("rpc", "test key", None)


class AbsTransactionCase(AbsFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_abs_fixtures()


class AbsHttpCase(AbsFixturesMixin, HttpCase):
    """Real HTTP against the running Odoo server, with real tokens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_abs_fixtures()
        cls.tok_manager_tg = cls.token_for(cls.manager_tg)
        cls.tok_agent_tg = cls.token_for(cls.agent_tg)
        cls.tok_agent_ke = cls.token_for(cls.agent_ke)
        cls.tok_agent_multi = cls.token_for(cls.agent_multi)

    def api(self, method, path, body=None, token=None, sa=None, headers=None, raw=None, api_key=None):
        """Call the API; returns (status, parsed JSON or None, response)."""
        all_headers = {"Accept": "application/json"}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        if api_key:
            all_headers["X-API-KEY"] = api_key
        if sa is not None:
            all_headers["X-SA-ID"] = str(sa.id if hasattr(sa, "id") else sa)
        if body is not None or raw is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = self.opener.request(method, self.base_url() + path, data=data, headers=all_headers, timeout=60)
        try:
            payload = response.json()
        except ValueError:
            payload = None
        return response.status_code, payload, response

    def assertError(self, result, status, code=None):
        got_status, payload, _response = result
        self.assertEqual(got_status, status, payload)
        self.assertIs(payload["success"], False)
        self.assertTrue(payload["error"])
        if code:
            self.assertEqual(payload["code"], code, payload)
        return payload

    def count_queries(self, func):
        self.env.flush_all()
        before = self.cr.sql_log_count
        func()
        return self.cr.sql_log_count - before


class AbsStockFixturesMixin:
    """Stock fixtures for delivery tests: a serial-tracked kit, an untracked battery, serials in WH/Stock,
    and a helper that confirms a sale order stamped for an SA (its delivery is created by Odoo)."""

    @classmethod
    def _setup_stock_fixtures(cls):
        env = cls.env
        cls.warehouse = env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.customer_location = env.ref("stock.stock_location_customers")
        Product = env["product.product"]
        cls.kit = Product.create(
            {
                "name": "Test Solar Kit 200W",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 300.0,
            }
        )
        cls.battery = Product.create(
            {"name": "Test Battery 100Ah", "type": "consu", "is_storable": True, "list_price": 80.0}
        )
        cls.serials = cls.add_serials(cls.kit, ["T-SN-001", "T-SN-002", "T-SN-003", "T-SN-004"])
        env["stock.quant"]._update_available_quantity(cls.battery, cls.stock_location, 50)

    @classmethod
    def add_serials(cls, product, names, location=None):
        lots = cls.env["stock.lot"].create([{"name": name, "product_id": product.id} for name in names])
        for lot in lots:
            cls.env["stock.quant"]._update_available_quantity(product, location or cls.stock_location, 1, lot_id=lot)
        return lots

    @classmethod
    def make_order(cls, account, partner, lines, agent=None, confirm=True):
        """A sale order stamped for ``account``; confirmed, it has its delivery (``order.picking_ids``)."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "x_sa_id": account.id if account else False,
                "x_actor_id": agent.id if agent else False,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": qty}) for product, qty in lines],
            }
        )
        if confirm:
            if order.abs_needs_approval:
                # Large orders need a staff member's approval (workflow 3); these fixtures are about
                # what comes after it.
                order._abs_request_approval()
                order._abs_approve("fixture", approver=cls._staff_of(account))
            order.action_confirm()
        return order

    @classmethod
    def _staff_of(cls, account):
        membership = cls.env["ov.membership"].search(
            [("account_id", "=", account.id), ("role_code", "=", "staff"), ("active", "=", True)], limit=1
        )
        if membership:
            return membership.employee_id
        staff = cls.env["abs.employee"].create({"name": f"Fixture staff {account.code}", "login": f"fx.{account.code}"})
        cls.env["ov.membership"].create({"employee_id": staff.id, "account_id": account.id, "role_code": "staff"})
        return staff

    def qty_at(self, lot, location):
        quants = self.env["stock.quant"].search([("lot_id", "=", lot.id), ("location_id", "child_of", location.id)])
        return sum(quants.mapped("quantity"))


class AbsWarehouseFixturesMixin:
    """Warehouse fixtures: tracked and untracked products with stock, a shelf, another company's warehouse."""

    BULK_PRODUCTS = 26  # more (product, location) rows than one page of 20
    KIT_SERIALS = 30  # more lots than one page of 20

    @classmethod
    def _setup_warehouse_fixtures(cls):
        env = cls.env
        cls.warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        cls.stock_loc = cls.warehouse.lot_stock_id
        cls.shelf = env["stock.location"].create(
            {"name": "Test Shelf A", "location_id": cls.stock_loc.id, "usage": "internal"}
        )
        Product = env["product.product"]
        storable = {"type": "consu", "is_storable": True}
        cls.kit = Product.create(
            {
                "name": "Test Solar Kit 200W",
                "default_code": "T-SK200",
                "tracking": "serial",
                "invoice_policy": "delivery",
                **storable,
            }
        )
        cls.battery = Product.create({"name": "Test Battery 100Ah", "tracking": "serial", **storable})
        cls.cable = Product.create({"name": "Test Cable Set", "tracking": "lot", **storable})
        cls.bracket = Product.create({"name": "Test Mounting Bracket", "tracking": "none", **storable})
        cls.install = Product.create(
            {"name": "Test Installation Service", "type": "service", "invoice_policy": "order"}
        )
        cls.bulk_products = Product.create(
            [{"name": f"Test Bulk Part {i:02d}", **storable} for i in range(cls.BULK_PRODUCTS)]
        )
        Lot = env["stock.lot"]
        cls.kit_lots = Lot.create(
            [
                {"name": f"T-SN-{i:03d}", "product_id": cls.kit.id, "company_id": env.company.id}
                for i in range(1, cls.KIT_SERIALS + 1)
            ]
        )
        cls.battery_lot = Lot.create({"name": "T-BAT-001", "product_id": cls.battery.id, "company_id": env.company.id})
        cls.cable_lot = Lot.create({"name": "T-CBL-LOT-1", "product_id": cls.cable.id, "company_id": env.company.id})
        # The last kit serial sits on the shelf, the others in WH/Stock; a battery serial exists but has no stock.
        counts = [(cls.kit, lot, cls.stock_loc, 1) for lot in cls.kit_lots[:-1]]
        counts += [
            (cls.kit, cls.kit_lots[-1], cls.shelf, 1),
            (cls.cable, cls.cable_lot, cls.stock_loc, 50),
            (cls.bracket, None, cls.stock_loc, 10),
        ]
        counts += [(product, None, cls.stock_loc, 5) for product in cls.bulk_products]
        quants = (
            env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                [
                    {
                        "product_id": product.id,
                        "lot_id": lot.id if lot else False,
                        "location_id": location.id,
                        "inventory_quantity": qty,
                    }
                    for product, lot, location, qty in counts
                ]
            )
        )
        quants._apply_inventory()
        # Another company: its warehouse, locations, products and lots are invisible to this company's API.
        cls.other_company = env["res.company"].create({"name": "Test Other Company"})
        cls.other_warehouse = env["stock.warehouse"].search(
            [("company_id", "=", cls.other_company.id)], limit=1
        ) or env["stock.warehouse"].create(
            {"name": "Test Other WH", "code": "TOWH", "company_id": cls.other_company.id}
        )
        cls.other_product = Product.create(
            {"name": "Test Foreign Kit", "tracking": "serial", "company_id": cls.other_company.id, **storable}
        )
        cls.other_lot = Lot.create(
            {"name": "T-FOREIGN-001", "product_id": cls.other_product.id, "company_id": cls.other_company.id}
        )
        cls.supplier = env["res.partner"].create({"name": "Test SunSupply Ltd", "is_company": True})


class RealTransactionsCase(BaseCase):
    """For races: data committed in the test database, requests sent in parallel to the real server.

    HttpCase funnels every request through the test's single cursor, so it cannot show two
    transactions racing; a test of this class commits what it needs (with unique names: the test
    database is thrown away after the run) and fires simultaneous requests from threads.
    """

    def setUp(self):
        super().setUp()
        self.registry = odoo.modules.registry.Registry(get_db_name())
        self.assertFalse(self.registry.in_test_mode(), "needs real transactions: the registry is in test mode")
        server = odoo.service.server.server
        self.assertTrue(server and getattr(server, "httpd", None), "needs the HTTP server (--odoo-http)")
        self.base_url = f"http://127.0.0.1:{server.httpd.server_port}"

    @staticmethod
    def create_sa_with_agent(env, prefix, tag):
        """An SA of the current company with one agent (unique names): ``(account, agent, access_token)``."""
        account = env["ov.serviced_account"].create(
            {"name": f"{prefix} SA {tag}", "code": f"{prefix[0]}{tag}", "company_id": env.company.id}
        )
        agent = env["abs.employee"].create({"name": f"{prefix} Agent {tag}", "login": f"{prefix.lower()}.{tag}"})
        env["ov.membership"].create({"employee_id": agent.id, "account_id": account.id, "role_code": "agent"})
        return account, agent, env["abs.api.token"]._issue_pair("employee", agent.id)["access_token"]

    def post_in_parallel(self, requests_args):
        """POST each ``(path, json_body, headers)`` at the same moment; their (status, payload) in order."""
        barrier = threading.Barrier(len(requests_args))
        results = [None] * len(requests_args)

        def send(index, path, body, headers):
            barrier.wait()
            response = requests.post(f"{self.base_url}{path}", json=body, headers=headers, timeout=120)
            results[index] = (response.status_code, response.json())

        threads = [threading.Thread(target=send, args=(i, *args)) for i, args in enumerate(requests_args)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
        self.assertNotIn(None, results, "a request did not answer")
        return results
