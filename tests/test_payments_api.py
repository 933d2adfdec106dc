"""Payment registration from an order (seed workflow 9) over real HTTP with real tokens."""

from odoo import Command
from odoo.tests import tagged

from .common import AbsHttpCase, AbsStockFixturesMixin


class PaymentCase(AbsStockFixturesMixin, AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_stock_fixtures()
        Product = cls.env["product.product"]
        cls.install = Product.create(
            {"name": "Test Installation", "type": "service", "invoice_policy": "order", "list_price": 100.0}
        )
        cls.delivered_kit = Product.create(
            {
                "name": "Test Kit Invoiced On Delivery",
                "type": "consu",
                "is_storable": True,
                "invoice_policy": "delivery",
                "list_price": 200.0,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(cls.delivered_kit, cls.stock_location, 10)
        for product in (cls.install, cls.delivered_kit):
            product.taxes_id = False

    def service_order(self, account=None, partner=None, qty=1):
        return self.make_order(
            account or self.sa_togo, partner or self.customer_tg, [(self.install, qty)], agent=self.agent_tg
        )

    def pay(self, order, body=None, token=None, headers=None):
        return self.api(
            "POST",
            f"/api/orders/{order.id}/register-payment",
            body if body is not None else {"payment_source": "cash"},
            token=token or self.tok_agent_tg,
            headers=headers,
        )

    def one_unit_invoice(self, order):
        """A posted invoice of one unit of the order's (only) line."""
        line = order.order_line
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": order.partner_id.id,
                "x_sa_id": order.x_sa_id.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": line.product_id.id,
                            "quantity": 1,
                            "price_unit": line.price_unit,
                            "tax_ids": [],
                            "sale_line_ids": [Command.link(line.id)],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def payments_of(self, order):
        return order.invoice_ids.matched_payment_ids


@tagged("post_install", "-at_install")
class TestRegisterPayment(PaymentCase):
    def test_order_without_posted_invoice_gets_it_posted_and_paid(self):
        order = self.service_order()
        self.assertEqual(order.invoice_ids.state, "draft")
        status, payload, _r = self.pay(order, {"payment_source": "cash", "memo": "Cash at the shop"})
        self.assertEqual(status, 201, payload)
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(payload["invoice"], {**payload["invoice"], "id": invoice.id, "payment_state": "paid"})
        self.assertEqual(payload["invoice"]["amount_residual"], 0.0)
        self.assertEqual(payload["payment"]["amount"], 100.0)
        self.assertEqual(payload["payment"]["payment_source"], "cash")
        self.assertEqual(payload["payment"]["invoices"], [{"id": invoice.id, "name": invoice.name}])

    def test_payment_is_stamped_and_governed_by_the_order_sa(self):
        order = self.service_order()
        status, payload, _r = self.pay(order)
        self.assertEqual(status, 201, payload)
        payment = self.env["account.payment"].browse(payload["payment"]["id"])
        self.assertEqual(payment.x_sa_id, self.sa_togo)
        self.assertEqual(payment.x_actor_id, self.agent_tg)
        assignment = payment.abs_sa_assignment_ids
        self.assertEqual(len(assignment), 1)
        self.assertEqual(
            (assignment.account_id, assignment.actor_id, assignment.state), (self.sa_togo, self.agent_tg, "active")
        )

    def test_partial_payment_leaves_the_rest_due(self):
        order = self.service_order()
        status, payload, _r = self.pay(order, {"amount": 40.0})
        self.assertEqual(status, 201, payload)
        self.assertEqual(payload["invoice"]["payment_state"], "partial")
        self.assertEqual(payload["invoice"]["amount_residual"], 60.0)
        status, payload, _r = self.pay(order, {"amount": 60.0})
        self.assertEqual(status, 201, payload)
        self.assertEqual(payload["invoice"]["payment_state"], "paid")
        self.assertEqual(len(self.payments_of(order)), 2)

    def test_amount_above_the_residual_is_400_and_writes_nothing(self):
        order = self.service_order()
        before = self.env["account.payment"].search_count([])
        payload = self.assertError(self.pay(order, {"amount": 100.01}), 400, "amount_exceeds_residual")
        self.assertEqual(payload["details"]["amount_residual"], 100.0)
        self.assertEqual(self.env["account.payment"].search_count([]), before)
        # Nothing at all: not even the invoice the resolution posted on the way.
        self.assertEqual(order.invoice_ids.state, "draft")

    def test_paying_a_paid_invoice_is_409_with_its_state(self):
        order = self.service_order()
        self.assertEqual(self.pay(order)[0], 201)
        payload = self.assertError(self.pay(order), 409, "already_paid")
        self.assertEqual(payload["details"]["payment_state"], "paid")
        payload = self.assertError(self.pay(order, {"invoice_id": order.invoice_ids.id}), 409, "already_paid")
        self.assertEqual(payload["details"]["payment_state"], "paid")

    def test_unvalidated_delivery_is_400_naming_the_validate_route(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.delivered_kit, 1)], agent=self.agent_tg)
        delivery = order.picking_ids
        payload = self.assertError(self.pay(order), 400, "delivery_not_validated")
        self.assertIn(f"POST /api/stock/deliveries/{delivery.id}/validate", payload["error"])
        self.assertEqual(payload["details"]["delivery_id"], delivery.id)
        self.assertFalse(order.invoice_ids)

    def test_several_open_invoices_need_invoice_id(self):
        order = self.service_order(qty=2)
        order.invoice_ids.unlink()  # the draft of confirmation; two invoices of one unit each instead
        first, second = (self.one_unit_invoice(order) for _i in range(2))
        payload = self.assertError(self.pay(order), 400, "invoice_required")
        self.assertEqual(sorted(payload["details"]["invoice_ids"]), sorted((first | second).ids))
        status, payload, _r = self.pay(order, {"invoice_id": second.id})
        self.assertEqual(status, 201, payload)
        self.assertEqual(second.payment_state, "paid")
        self.assertEqual(first.payment_state, "not_paid")
        # Only one open invoice left: no invoice_id needed.
        status, payload, _r = self.pay(order)
        self.assertEqual((status, payload["invoice"]["id"]), (201, first.id), payload)

    def test_invoice_of_another_order_is_404(self):
        order, other = self.service_order(), self.service_order()
        self.assertError(self.pay(order, {"invoice_id": other.invoice_ids.id}), 404, "not_found")

    def test_payment_source_picks_the_journal(self):
        for source, code in (("cash", "cash"), ("bank", "bank"), ("mobile_money", "mobile_money")):
            with self.subTest(source=source):
                order = self.service_order()
                status, payload, _r = self.pay(order, {"payment_source": source})
                self.assertEqual(status, 201, payload)
                journal = self.env["account.journal"].browse(payload["payment"]["journal"]["id"])
                self.assertEqual(journal.abs_payment_source, code)
        mobile = self.env["account.journal"]._abs_payment_journal(self.company, "mobile_money")
        self.assertEqual((mobile.type, mobile.code), ("bank", "MOMO"))

    def test_journal_id_wins_and_must_be_a_cash_or_bank_journal(self):
        bank = self.env["account.journal"]._abs_payment_journal(self.company, "bank")
        order = self.service_order()
        status, payload, _r = self.pay(order, {"journal_id": bank.id, "payment_source": "cash"})
        self.assertEqual((status, payload["payment"]["journal"]["id"]), (201, bank.id), payload)
        sales = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.company.id)], limit=1
        )
        self.assertError(self.pay(self.service_order(), {"journal_id": sales.id}), 400, "invalid_journal")

    def test_bad_input_is_400(self):
        order = self.service_order()
        for body in ({"amount": 0}, {"amount": -5}, {"payment_source": "gold"}, {"amount": "ten"}, {"x": 1}):
            with self.subTest(body=body):
                self.assertError(self.pay(order, body), 400, "invalid_body")
        self.assertEqual(order.invoice_ids.state, "draft")

    def test_quotation_cannot_be_paid(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.install, 1)], confirm=False)
        self.assertError(self.pay(order), 400, "invalid_state")

    def test_same_idempotency_key_twice_is_one_payment_and_the_same_answer(self):
        order = self.service_order()
        headers = {"Idempotency-Key": "pay-once-1"}
        first = self.pay(order, {"amount": 30.0}, headers=headers)
        second = self.pay(order, {"amount": 30.0}, headers=headers)
        self.assertEqual(first[0], 201, first[1])
        self.assertEqual((second[0], second[1]), (first[0], first[1]))
        self.assertEqual(second[2].headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(len(self.payments_of(order)), 1)
        self.assertEqual(order.invoice_ids.amount_residual, 70.0)

    def test_backend_register_payment_button_is_governed_too(self):
        order = self.service_order()
        invoice = order.invoice_ids
        invoice.action_post()
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({})
        )
        payment = wizard._create_payments()
        self.assertEqual(payment.x_sa_id, self.sa_togo)
        self.assertEqual(payment.abs_sa_assignment_ids.account_id, self.sa_togo)


@tagged("post_install", "-at_install")
class TestPaymentScope(PaymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order_tg = cls.make_order(cls.sa_togo, cls.customer_tg, [(cls.install, 1)], agent=cls.agent_tg)
        cls.order_ke = cls.make_order(cls.sa_kenya, cls.customer_ke, [(cls.install, 2)], agent=cls.agent_ke)
        cls.payment_tg = cls.order_tg._abs_register_payment(journal=None, actor=cls.agent_tg)[1]
        cls.payment_ke = cls.order_ke._abs_register_payment(amount=50.0, actor=cls.agent_ke)[1]

    def test_lists_show_only_the_caller_sa_payments(self):
        status, payload, _r = self.api("GET", "/api/payments", token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        ids = {p["id"] for p in payload["payments"]}
        self.assertIn(self.payment_tg.id, ids)
        self.assertNotIn(self.payment_ke.id, ids)
        status, payload, _r = self.api("GET", "/api/payments?limit=200", token=self.tok_agent_ke)
        self.assertEqual({p["id"] for p in payload["payments"]}, {self.payment_ke.id})

    def test_agent_of_another_sa_gets_404_on_every_payment_route(self):
        ke = self.tok_agent_ke
        self.assertError(self.pay(self.order_tg, token=ke), 404, "not_found")
        self.assertError(self.api("GET", f"/api/payments/{self.payment_tg.id}", token=ke), 404)
        self.assertError(self.api("GET", f"/api/customers/{self.customer_tg.id}/payments", token=ke), 404)
        self.assertError(self.api("GET", f"/api/customers/{self.customer_tg.id}/dashboard", token=ke), 404)
        body = {"invoice_id": self.order_tg.invoice_ids.id, "phone": "+228 90 00 00 01"}
        self.assertError(self.api("POST", "/api/payments/mobile-money", body, token=ke), 404)

    def test_one_payment_and_customer_history(self):
        status, payload, _r = self.api("GET", f"/api/payments/{self.payment_tg.id}", token=self.tok_agent_tg)
        self.assertEqual((status, payload["payment"]["service_account"]["id"]), (200, self.sa_togo.id), payload)
        path = f"/api/customers/{self.customer_tg.id}/payments"
        status, payload, _r = self.api("GET", path, token=self.tok_agent_tg)
        self.assertEqual((status, [p["id"] for p in payload["payments"]]), (200, [self.payment_tg.id]), payload)

    def test_customer_sees_only_own_payments(self):
        status, payload, _r = self.api("GET", "/api/customer/payments", token=self.customer_token_for(self.customer_ke))
        self.assertEqual(status, 200, payload)
        self.assertEqual([p["id"] for p in payload["payments"]], [self.payment_ke.id])

    def test_dashboard_sums_orders_invoices_payments(self):
        path = f"/api/customers/{self.customer_ke.id}/dashboard"
        status, payload, _r = self.api("GET", path, token=self.tok_agent_ke)
        self.assertEqual(status, 200, payload)
        board = payload["dashboard"]
        self.assertEqual(board["orders"]["total"], 1)
        self.assertEqual(board["invoices"], {"count": 1, "total": 200.0})
        self.assertEqual(board["payments"], {"count": 1, "total": 50.0})
        self.assertEqual((board["outstanding"], board["paid"]), (150.0, 50.0))

    def test_payment_list_queries_do_not_grow_with_the_page(self):
        for _i in range(6):
            order = self.service_order()
            order._abs_register_payment(amount=10.0, actor=self.agent_tg)
            order._abs_register_payment(amount=10.0, actor=self.agent_tg)
        self.api("GET", "/api/payments?limit=5", token=self.tok_agent_tg)  # warm the caches
        small = self.count_queries(lambda: self.api("GET", "/api/payments?limit=1", token=self.tok_agent_tg))
        with self.assertQueryCount(small + 1):
            status, payload, _r = self.api("GET", "/api/payments?limit=200", token=self.tok_agent_tg)
        self.assertEqual(status, 200)
        self.assertGreaterEqual(len(payload["payments"]), 13)

    def test_dashboard_queries_do_not_grow_with_the_customer_history(self):
        one = self.env["res.partner"]._abs_create_customer({"name": "Test One Order"}, self.sa_togo, self.agent_tg)
        many = self.env["res.partner"]._abs_create_customer({"name": "Test Fifty Orders"}, self.sa_togo, self.agent_tg)
        self.service_order(partner=one)._abs_register_payment(actor=self.agent_tg)
        for _i in range(50):
            self.service_order(partner=many)
        many_orders = self.env["sale.order"].search([("partner_id", "=", many.id)], limit=5)
        for order in many_orders:
            order._abs_register_payment(amount=10.0, actor=self.agent_tg)
        self.api("GET", f"/api/customers/{one.id}/dashboard", token=self.tok_agent_tg)  # warm the caches
        counts = {}
        for partner in (one, many):
            self.env.invalidate_all()
            path = f"/api/customers/{partner.id}/dashboard"
            counts[partner.name] = self.count_queries(lambda path=path: self.api("GET", path, token=self.tok_agent_tg))
        self.assertEqual(counts["Test One Order"], counts["Test Fifty Orders"], counts)
        status, payload, _r = self.api("GET", f"/api/customers/{many.id}/dashboard", token=self.tok_agent_tg)
        self.assertEqual(payload["dashboard"]["orders"], {"sale": 50, "total": 50})
        self.assertEqual(payload["dashboard"]["outstanding"], 5 * 90.0)  # posted invoices only
