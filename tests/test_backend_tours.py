"""The backend journeys in a real browser (headless Chromium, Odoo's tour framework): each user of a
core group does its job on an SA record through the web client (static/tests/tours/abs_backend_tours.js)."""

from odoo.tests import new_test_user, tagged

from .test_invoices_api import InvoiceCase


@tagged("post_install", "-at_install")
class TestBackendTours(InvoiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sa_togo.name = "Test SA Togo"
        cls.sa_kenya.name = "Test SA Kenya"
        env = cls.env
        # A tour logs in with the login as password.
        cls.warehouse_user = new_test_user(env, "t.tour.wh", groups="base.group_user,stock.group_stock_user")
        cls.billing_user = new_test_user(env, "t.tour.billing", groups="base.group_user,account.group_account_invoice")
        cls.tg_officer = new_test_user(
            env,
            "t.tour.tg.officer",
            groups="base.group_user,sales_team.group_sale_salesman_all_leads,abs_connector.group_abs_user",
        )
        cls.tg_officer.abs_sa_ids = cls.sa_togo

    def open_record(self, action, record, user):
        self.start_tour(f"/odoo/action-{action}/{record.id}", self.tour_name, login=user.login)

    def test_warehouse_user_validates_an_sa_delivery_with_a_serial(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], self.agent_tg)
        delivery = order.picking_ids
        self.assertEqual((delivery.state, len(delivery.move_line_ids.lot_id)), ("assigned", 1))
        self.tour_name = "abs_warehouse_validates_sa_delivery"
        self.open_record("stock.action_picking_tree_all", delivery, self.warehouse_user)
        self.assertEqual(delivery.state, "done")
        self.assertEqual(delivery.abs_sa_id, self.sa_togo)

    def test_billing_user_posts_an_sa_invoice_and_registers_its_payment(self):
        invoice = self.invoice_of(self.confirmed())
        self.tour_name = "abs_billing_posts_and_pays_sa_invoice"
        self.open_record("account.action_move_out_invoice_type", invoice, self.billing_user)
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        payment = self.env["account.payment"].search([("invoice_ids", "in", invoice.ids)])
        self.assertEqual(payment.x_sa_id, self.sa_togo)

    def test_sa_manager_approves_a_quotation_waiting_for_approval(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 4)], self.agent_tg, confirm=False)
        self.assertTrue(order.abs_needs_approval)
        order._abs_request_approval()
        self.tour_name = "abs_sa_manager_approves_quotation"
        self.open_record("sale.action_quotations_with_onboarding", order, self.tg_officer)
        self.assertEqual((order.abs_approval_state, order.abs_approval_user_id), ("approved", self.tg_officer))

    def test_restricted_users_order_list_shows_only_its_sa(self):
        self.make_order(self.sa_togo, self.customer_tg, [(self.install, 1)], self.agent_tg)
        self.make_order(self.sa_kenya, self.customer_ke, [(self.install, 1)], self.agent_ke)
        self.start_tour(
            "/odoo/action-sale.action_orders", "abs_restricted_user_sees_own_sa_orders", login="t.tour.tg.officer"
        )

    def test_cashier_counts_a_declared_handover_and_sees_the_shortage(self):
        cashier = new_test_user(
            self.env,
            "t.tour.cashier",
            groups="base.group_user,account.group_account_invoice,abs_connector.group_abs_user",
        )
        cashier.abs_sa_ids = self.sa_togo
        _order, invoice = self.posted_invoice([(self.install, 2)])
        cash_journal = self.env["account.journal"]._abs_payment_journal(self.company, "cash")
        payment = invoice._abs_register_payment(40.0, cash_journal, actor=self.agent_tg)
        handover = self.env["abs.cash.handover"]._abs_declare(self.agent_tg, self.sa_togo, payment.ids, 40.0)
        self.tour_name = "abs_cashier_counts_a_handover_short"
        self.open_record("abs_connector.abs_cash_handover_action", handover, cashier)
        self.assertEqual((handover.state, handover.counted_amount, handover.difference), ("confirmed", 35.0, -5.0))
        self.assertEqual(handover.cashier_user_id, cashier)
        self.assertTrue(self.agent_tg.abs_cash_flagged)

    def test_the_browser_is_there(self):
        """Odoo skips a tour without Chromium or websocket-client: here that is a failure, not a skip."""
        import websocket  # noqa: F401, PLC0415 (the import is what is tested)

        from odoo.tests.common import _find_executable  # noqa: PLC0415

        self.assertTrue(_find_executable(), "Chromium is not installed (see the README's prerequisites)")
