"""Invoice governance (seed Gap 1): ov.sa_invoice_assignment dual-written whatever makes the invoice,
and every invoice route and list scoped through it."""

import re

from odoo import Command
from odoo.tests import tagged

from ..controllers.api_kit import ROUTES
from .test_invoices_api import InvoiceCase


@tagged("post_install", "-at_install")
class TestInvoiceDualWrite(InvoiceCase):
    def active(self, move):
        return move.abs_sa_assignment_ids.filtered(lambda a: a.state == "active")

    def test_backend_invoicing_of_an_sa_order_is_governed(self):
        order = self.confirmed([(self.battery, 1)])
        self.deliver(order)
        invoice = order._create_invoices()  # the backend's Create Invoice button
        self.assertEqual(self.active(invoice).account_id, self.sa_togo)
        self.assertEqual(self.active(invoice).actor_id, self.agent_tg)

    def test_confirmation_draft_is_governed_once(self):
        invoice = self.invoice_of(self.confirmed())
        self.assertEqual(len(invoice.abs_sa_assignment_ids), 1)
        invoice.action_post()
        self.assertEqual(len(invoice.abs_sa_assignment_ids), 1, "posting again is idempotent")

    def test_an_unstamped_invoice_of_an_sa_order_is_stamped_and_governed(self):
        """A cron or an import that creates the invoice from the order lines without the stamp."""
        order = self.confirmed([(self.battery, 1)])
        self.deliver(order)
        line = order.order_line
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer_tg.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.battery.id,
                            "quantity": 1,
                            "price_unit": 70,
                            "sale_line_ids": [Command.set(line.ids)],
                        }
                    )
                ],
            }
        )
        self.assertEqual(invoice.x_sa_id, self.sa_togo)
        self.assertEqual(self.active(invoice).account_id, self.sa_togo)

    def test_an_invoice_of_no_sa_is_not_governed(self):
        """A customer no SA serves (a head-office sale) gets an invoice of no SA."""
        walk_in = self.env["res.partner"].create({"name": "Test walk-in customer"})
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": walk_in.id,
                "invoice_line_ids": [Command.create({"product_id": self.install.id, "quantity": 1, "price_unit": 5})],
            }
        )
        invoice.action_post()
        self.assertFalse(invoice.abs_sa_assignment_ids)

    def test_an_invoice_made_by_hand_takes_the_customers_only_sa(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer_tg.id,
                "invoice_line_ids": [Command.create({"product_id": self.install.id, "quantity": 1, "price_unit": 5})],
            }
        )
        self.assertEqual((invoice.x_sa_id, self.active(invoice).account_id), (self.sa_togo, self.sa_togo))

    def test_an_invoice_of_a_customer_of_two_sas_gets_none_by_default(self):
        self.customer_tg.x_sa_id = self.sa_kenya  # now served by both SAs
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer_tg.id,
                "invoice_line_ids": [Command.create({"product_id": self.install.id, "quantity": 1, "price_unit": 5})],
            }
        )
        self.assertFalse(invoice.x_sa_id, "two SAs serve the customer: a person chooses")

    def test_moving_an_invoice_to_another_sa_ends_the_old_assignment(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer_tg.id,
                "x_sa_id": self.sa_togo.id,
                "invoice_line_ids": [Command.create({"product_id": self.install.id, "quantity": 1, "price_unit": 5})],
            }
        )
        self.assertEqual(self.active(invoice).account_id, self.sa_togo)
        invoice.x_sa_id = self.sa_kenya
        self.assertEqual(self.active(invoice).account_id, self.sa_kenya)
        ended = invoice.abs_sa_assignment_ids - self.active(invoice)
        self.assertEqual((ended.account_id, ended.state), (self.sa_togo, "ended"))

    def test_credit_note_by_the_backend_wizard_inherits_the_sa(self):
        _order, invoice = self.posted_invoice()
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "backend", "journal_id": invoice.journal_id.id})
        )
        action = wizard.refund_moves()
        credit = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(credit.x_sa_id, self.sa_togo)
        self.assertEqual(self.active(credit).account_id, self.sa_togo)

    def test_invoices_of_orders_confirmed_together_are_governed(self):
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": self.customer_tg.id,
                    "x_sa_id": self.sa_togo.id,
                    "x_actor_id": self.agent_tg.id,
                    "order_line": [Command.create({"product_id": self.install.id, "product_uom_qty": 1})],
                }
                for _index in range(5)
            ]
        )
        orders.action_confirm()
        invoices = orders.invoice_ids  # core groups them by customer
        self.assertTrue(invoices)
        self.assertEqual(invoices.abs_sa_assignment_ids.account_id, self.sa_togo)
        self.assertEqual(len(invoices.abs_sa_assignment_ids), len(invoices))


def concrete(path, ids):
    return re.sub(r"\{([^}]+)\}", lambda m: str(ids[m.group(1)]), path)


@tagged("post_install", "-at_install")
class TestInvoiceScope(InvoiceCase):
    def test_an_agent_of_another_sa_gets_404_on_every_invoice_route(self):
        order, invoice = self.posted_invoice()
        ids = {"order_id": order.id, "invoice_id": invoice.id, "customer_id": self.customer_tg.id}
        bodies = {
            "/api/orders/{order_id}/credit-note": {"invoice_id": invoice.id, "reason": "x"},
        }
        routes = [
            route
            for route in ROUTES
            if "{" in route.path
            and ("invoice" in route.path or route.path.endswith(("/credit-note", "/next-payment")))
            and "customer/" not in route.path
        ]
        self.assertGreaterEqual(len(routes), 10)
        before = self.invoice_counts()
        for route in routes:
            with self.subTest(route=f"{route.method} {route.path}"):
                body = bodies.get(route.path, {}) if route.body else None
                self.assertError(
                    self.api(route.method, concrete(route.path, ids), body, token=self.tok_agent_ke), 404, "not_found"
                )
        self.assertEqual(self.invoice_counts(), before)
        self.assertEqual(invoice.state, "posted")

    def test_another_sas_invoice_of_a_shared_customer_is_404_and_never_listed(self):
        """Even through a route the agent may use (its own order), the other SA's invoice is unknown."""
        _order, togo_invoice = self.posted_invoice()
        ke_order = self.confirmed(account=self.sa_kenya, partner=self.customer_ke, agent=self.agent_ke)
        self.assertError(
            self.api(
                "POST",
                f"/api/orders/{ke_order.id}/invoices/{togo_invoice.id}/confirm",
                {},
                token=self.tok_agent_ke,
            ),
            404,
        )
        for path in ("/api/invoices", "/api/invoices?limit=200", "/api/invoices?state=posted"):
            payload = self.ok(self.api("GET", path, token=self.tok_agent_ke))
            self.assertNotIn(togo_invoice.id, [item["id"] for item in payload["invoices"]])
        payload = self.ok(self.api("GET", "/api/invoices", token=self.tok_agent_tg))
        self.assertIn(togo_invoice.id, [item["id"] for item in payload["invoices"]])

    def test_x_sa_id_header_narrows_a_multi_sa_agent(self):
        _order, togo_invoice = self.posted_invoice()
        ke_order = self.confirmed(account=self.sa_kenya, partner=self.customer_ke, agent=self.agent_ke)
        ke_invoice = self.invoice_of(ke_order)
        both = self.ok(self.api("GET", "/api/invoices", token=self.tok_agent_multi))
        self.assertEqual({togo_invoice.id, ke_invoice.id}, {item["id"] for item in both["invoices"]})
        kenya = self.ok(self.api("GET", "/api/invoices", token=self.tok_agent_multi, sa=self.sa_kenya))
        self.assertEqual([item["id"] for item in kenya["invoices"]], [ke_invoice.id])
        self.assertError(
            self.api("GET", f"/api/invoices/{togo_invoice.id}", token=self.tok_agent_multi, sa=self.sa_kenya), 404
        )

    def test_an_invoice_whose_assignment_ended_is_hidden(self):
        _order, invoice = self.posted_invoice()
        invoice.abs_sa_assignment_ids.action_end()
        self.assertError(self.get_api(f"/api/invoices/{invoice.id}"), 404)
