"""Helpdesk tickets: staff open, change and close them within their SAs; customers open and read their own."""

from odoo.tests import tagged

from .common import AbsHttpCase, AbsStockFixturesMixin


class TicketCase(AbsStockFixturesMixin, AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_stock_fixtures()
        Asset = cls.env["ov.asset"]
        cls.asset_tg = Asset._abs_register(
            {"partner_id": cls.customer_tg.id, "lot_id": cls.serials[0].id}, cls.sa_togo, cls.agent_tg
        )
        cls.asset_ke = Asset._abs_register(
            {"partner_id": cls.customer_ke.id, "lot_id": cls.serials[1].id}, cls.sa_kenya, cls.agent_ke
        )
        Ticket = cls.env["abs.ticket"]
        cls.ticket_tg = Ticket._abs_open(
            {"subject": "Kit does not charge", "asset_id": cls.asset_tg.id}, account=cls.sa_togo, actor=cls.agent_tg
        )
        cls.ticket_ke = Ticket._abs_open(
            {"subject": "Battery weak", "partner_id": cls.customer_ke.id}, account=cls.sa_kenya, actor=cls.agent_ke
        )
        cls.stage_new = cls.env.ref("abs_connector.abs_ticket_stage_new")
        cls.stage_progress = cls.env.ref("abs_connector.abs_ticket_stage_in_progress")
        cls.stage_closed = cls.env.ref("abs_connector.abs_ticket_stage_closed")
        cls.tok_customer_tg = cls.customer_token_for(cls.customer_tg)
        cls.tok_customer_ke = cls.customer_token_for(cls.customer_ke)


@tagged("post_install", "-at_install")
class TestTicketsStaff(TicketCase):
    def test_open_a_ticket_about_an_asset(self):
        body = {"subject": "Panel cracked", "asset_id": self.asset_tg.id, "priority": "high", "description": "Storm"}
        status, payload, _r = self.api("POST", "/api/tickets", body, token=self.tok_agent_tg)
        self.assertEqual(status, 201, payload)
        out = payload["ticket"]
        self.assertEqual(out["subject"], "Panel cracked")
        self.assertEqual(out["customer"]["id"], self.customer_tg.id, "the asset's holder")
        self.assertEqual(out["asset"]["id"], self.asset_tg.id)
        self.assertEqual(out["priority"], "high")
        self.assertEqual(out["stage"], {"id": self.stage_new.id, "name": "New", "is_closed": False})
        self.assertEqual(out["service_account"]["id"], self.sa_togo.id)
        self.assertEqual(out["opened_by"]["id"], self.agent_tg.id)
        ticket = self.env["abs.ticket"].browse(out["id"])
        self.assertEqual(ticket.abs_sa_assignment_ids.account_id, self.sa_togo)

    def test_bad_input_is_refused_and_nothing_written(self):
        before = self.env["abs.ticket"].search_count([])
        cases = [
            ({"partner_id": self.customer_tg.id}, 400, "invalid_body"),
            ({"subject": "", "partner_id": self.customer_tg.id}, 400, "invalid_body"),
            ({"subject": "x", "partner_id": self.customer_tg.id, "priority": "asap"}, 400, "invalid_body"),
            ({"subject": "x"}, 404, "not_found"),
            ({"subject": "x", "partner_id": self.customer_ke.id}, 404, "not_found"),
            ({"subject": "x", "asset_id": self.asset_ke.id}, 404, "not_found"),
        ]
        other = self.env["res.partner"]._abs_create_customer({"name": "Test Kossi"}, self.sa_togo, None)
        cases.append(
            ({"subject": "x", "partner_id": other.id, "asset_id": self.asset_tg.id}, 400, "asset_customer_mismatch")
        )
        for body, status, code in cases:
            with self.subTest(body=body):
                self.assertError(self.api("POST", "/api/tickets", body, token=self.tok_agent_tg), status, code)
        self.assertEqual(self.env["abs.ticket"].search_count([]), before)

    def test_every_route_needs_a_token(self):
        for method, path, body in [
            ("GET", "/api/tickets", None),
            ("POST", "/api/tickets", {}),
            ("GET", f"/api/tickets/{self.ticket_tg.id}", None),
            ("PUT", f"/api/tickets/{self.ticket_tg.id}", {}),
            ("POST", f"/api/tickets/{self.ticket_tg.id}/close", {}),
            ("GET", "/api/customer/tickets", None),
            ("POST", "/api/customer/tickets", {}),
            ("GET", f"/api/customer/tickets/{self.ticket_tg.id}", None),
        ]:
            with self.subTest(path=path, method=method):
                self.assertError(self.api(method, path, body), 401, "unauthorized")

    def test_another_sa_ticket_answers_404_everywhere(self):
        path = f"/api/tickets/{self.ticket_ke.id}"
        self.assertError(self.api("GET", path, token=self.tok_agent_tg), 404, "not_found")
        self.assertError(self.api("PUT", path, {"priority": "urgent"}, token=self.tok_agent_tg), 404, "not_found")
        self.assertError(self.api("POST", path + "/close", {}, token=self.tok_agent_tg), 404, "not_found")
        self.assertEqual((self.ticket_ke.priority, self.ticket_ke.is_closed), ("normal", False))
        _s, payload, _r = self.api("GET", "/api/tickets?limit=200", token=self.tok_agent_tg)
        ids = [t["id"] for t in payload["tickets"]]
        self.assertIn(self.ticket_tg.id, ids)
        self.assertNotIn(self.ticket_ke.id, ids)

    def test_list_filters(self):
        _s, payload, _r = self.api("GET", f"/api/tickets?asset_id={self.asset_tg.id}", token=self.tok_agent_multi)
        self.assertEqual([t["id"] for t in payload["tickets"]], [self.ticket_tg.id])
        _s, payload, _r = self.api("GET", f"/api/tickets?partner_id={self.customer_ke.id}", token=self.tok_agent_multi)
        self.assertEqual([t["id"] for t in payload["tickets"]], [self.ticket_ke.id])
        _s, payload, _r = self.api("GET", f"/api/tickets?stage_id={self.stage_closed.id}", token=self.tok_agent_multi)
        self.assertEqual(payload["total"], 0)

    def test_read_and_update(self):
        path = f"/api/tickets/{self.ticket_tg.id}"
        status, payload, _r = self.api("GET", path, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["ticket"]["asset"]["id"], self.asset_tg.id)
        body = {"stage_id": self.stage_progress.id, "priority": "urgent", "subject": "Kit dead", "asset_id": None}
        status, payload, _r = self.api("PUT", path, body, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        out = payload["ticket"]
        self.assertEqual(
            (out["stage"]["id"], out["priority"], out["subject"]), (self.stage_progress.id, "urgent", "Kit dead")
        )
        self.assertIsNone(out["asset"])
        self.assertError(self.api("PUT", path, {"stage_id": 999999}, token=self.tok_agent_tg), 404, "not_found")
        self.assertError(
            self.api("PUT", path, {"asset_id": self.asset_ke.id}, token=self.tok_agent_tg), 404, "not_found"
        )

    def test_close_with_a_resolution_note_then_again(self):
        path = f"/api/tickets/{self.ticket_tg.id}/close"
        status, payload, _r = self.api("POST", path, {"resolution_note": "Fuse replaced"}, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        out = payload["ticket"]
        self.assertEqual(out["stage"], {"id": self.stage_closed.id, "name": "Closed", "is_closed": True})
        self.assertEqual(out["resolution_note"], "Fuse replaced")
        self.assertTrue(out["closed_date"])
        self.assertError(self.api("POST", path, {}, token=self.tok_agent_tg), 409, "ticket_closed")

    def test_list_queries_do_not_grow_with_the_page(self):
        Ticket = self.env["abs.ticket"]
        for i in range(30):
            Ticket._abs_open(
                {
                    "subject": f"Test {i}",
                    "asset_id": self.asset_tg.id if i % 2 else None,
                    "partner_id": self.customer_tg.id,
                },
                account=self.sa_togo,
                actor=self.agent_tg,
            )
        self.api("GET", "/api/tickets?limit=5", token=self.tok_agent_tg)  # warm the caches
        small = self.count_queries(lambda: self.api("GET", "/api/tickets?limit=1", token=self.tok_agent_tg))
        with self.assertQueryCount(small + 1):
            status, payload, _r = self.api("GET", "/api/tickets?limit=200", token=self.tok_agent_tg)
        self.assertEqual(status, 200)
        self.assertGreaterEqual(len(payload["tickets"]), 31)


@tagged("post_install", "-at_install")
class TestTicketsCustomer(TicketCase):
    def test_customer_opens_a_ticket_about_its_asset(self):
        body = {"subject": "No light at night", "asset_id": self.asset_tg.id}
        status, payload, _r = self.api("POST", "/api/customer/tickets", body, token=self.tok_customer_tg)
        self.assertEqual(status, 201, payload)
        out = payload["ticket"]
        self.assertEqual(out["customer"]["id"], self.customer_tg.id)
        self.assertEqual(out["service_account"]["id"], self.sa_togo.id, "the asset's SA")
        self.assertIsNone(out["opened_by"])
        # The SA's staff see it.
        _s, staff, _r = self.api("GET", f"/api/tickets/{out['id']}", token=self.tok_agent_tg)
        self.assertEqual(staff["ticket"]["id"], out["id"])

    def test_customer_without_asset_gets_its_sa(self):
        status, payload, _r = self.api(
            "POST", "/api/customer/tickets", {"subject": "Invoice?"}, token=self.tok_customer_ke
        )
        self.assertEqual(status, 201, payload)
        self.assertEqual(payload["ticket"]["service_account"]["id"], self.sa_kenya.id)

    def test_customer_cannot_name_another_customers_asset(self):
        before = self.env["abs.ticket"].search_count([])
        body = {"subject": "x", "asset_id": self.asset_ke.id}
        self.assertError(self.api("POST", "/api/customer/tickets", body, token=self.tok_customer_tg), 404, "not_found")
        body = {"subject": "x", "partner_id": self.customer_ke.id}
        self.assertError(
            self.api("POST", "/api/customer/tickets", body, token=self.tok_customer_tg), 400, "invalid_body"
        )
        self.assertEqual(self.env["abs.ticket"].search_count([]), before)

    def test_customer_lists_and_reads_its_own_tickets_only(self):
        _s, payload, _r = self.api("GET", "/api/customer/tickets", token=self.tok_customer_tg)
        self.assertEqual([t["id"] for t in payload["tickets"]], [self.ticket_tg.id])
        status, payload, _r = self.api("GET", f"/api/customer/tickets/{self.ticket_tg.id}", token=self.tok_customer_tg)
        self.assertEqual(status, 200, payload)
        self.assertError(
            self.api("GET", f"/api/customer/tickets/{self.ticket_ke.id}", token=self.tok_customer_tg), 404, "not_found"
        )

    def test_employee_token_is_refused_on_customer_routes(self):
        self.assertError(self.api("GET", "/api/customer/tickets", token=self.tok_agent_tg), 401, "unauthorized")
        self.assertError(self.api("GET", "/api/tickets", token=self.tok_customer_tg), 401, "unauthorized")
