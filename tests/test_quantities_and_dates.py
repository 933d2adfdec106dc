"""Quantities a product's unit can hold, serial-tracked kits by whole units, payment dates in a window
(issue 15 #5): refused by meaning in the model layer, for the API and the backend alike."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from ..exceptions import AbsInvalid
from .test_orders_api import OrderCase
from .test_payments_api import PaymentCase


@tagged("post_install", "-at_install")
class TestOrderedQuantities(OrderCase):
    def quote_lines(self, *lines):
        return self.api(
            "POST",
            "/api/quotations",
            {"customer_id": self.customer_tg.id, "products": list(lines)},
            token=self.tok_agent_tg,
        )

    def test_a_quantity_finer_than_the_unit_is_400_and_nothing_written(self):
        before = self.counts()
        payload = self.assertError(self.quote_lines(self.line(self.battery, 1e-9)), 400, "invalid_quantity")
        self.assertIn("products.0.quantity", payload["details"]["fields"])
        payload = self.assertError(self.quote_lines(self.line(self.battery, 1.004)), 400, "invalid_quantity")
        self.assertEqual(self.counts(), before)

    def test_a_serial_tracked_kit_is_ordered_by_whole_units(self):
        before = self.counts()
        payload = self.assertError(
            self.quote_lines(self.line(self.battery, 2), self.line(self.kit, 1.5)), 400, "invalid_quantity"
        )
        self.assertEqual(list(payload["details"]["fields"]), ["products.1.quantity"])
        self.assertEqual(self.counts(), before)
        status, payload, _r = self.quote_lines(self.line(self.kit, 2), self.line(self.battery, 1.5))
        self.assertEqual(status, 201, payload)

    def test_added_lines_follow_the_same_rule(self):
        order = self.order_tg()
        before = self.counts()
        self.assertError(
            self.api(
                "POST",
                f"/api/orders/{order.id}/add-lines",
                {"products": [self.line(self.kit, 0.5)]},
                token=self.tok_agent_tg,
            ),
            400,
            "invalid_quantity",
        )
        self.assertEqual(self.counts(), before)

    def test_the_backend_cannot_confirm_a_part_kit_or_a_zero_quantity(self):
        for quantity in (1.5, 1e-9):
            with self.subTest(quantity=quantity):
                order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], confirm=False)
                order.order_line.product_uom_qty = quantity
                with self.assertRaises(AbsInvalid) as refusal:
                    order.action_confirm()
                self.assertEqual(refusal.exception.code, "invalid_quantity")
                self.assertEqual(order.state, "draft")


@tagged("post_install", "-at_install")
class TestPaymentDates(PaymentCase):
    def open_order(self):
        order = self.service_order()
        order._abs_invoice()[0].action_post()
        return order

    def test_a_payment_dated_outside_the_window_is_400_and_nothing_booked(self):
        order = self.open_order()
        today = fields.Date.context_today(self.env["account.move"])
        for day in ("1900-01-01", "2999-12-31", str(today + timedelta(days=1)), str(today - timedelta(days=91))):
            with self.subTest(day=day):
                payload = self.assertError(
                    self.pay(order, {"payment_source": "cash", "payment_date": day}), 400, "invalid_date"
                )
                self.assertIn("payment_date", payload["details"]["fields"])
                self.assertFalse(order.invoice_ids.matched_payment_ids)
        status, payload, _r = self.pay(
            order, {"payment_source": "cash", "payment_date": str(today - timedelta(days=90))}
        )
        self.assertEqual(status, 201, payload)
        self.assertEqual(payload["payment"]["date"], str(today - timedelta(days=90)))

    def test_the_window_is_a_setting(self):
        order = self.open_order()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("abs_connector.payment_date_days_back", 400)
        params.set_param("abs_connector.payment_date_days_ahead", 2)
        today = fields.Date.context_today(self.env["account.move"])
        self.assertError(self.pay(order, {"payment_source": "cash", "payment_date": "1900-01-01"}), 400, "invalid_date")
        status, payload, _r = self.pay(
            order, {"payment_source": "cash", "payment_date": str(today + timedelta(days=2))}
        )
        self.assertEqual(status, 201, payload)

    def test_staff_post_an_old_payment_in_the_backend(self):
        order = self.open_order()
        invoice = order.invoice_ids
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"payment_date": "2020-01-15"})
        )
        payment = wizard._create_payments()
        self.assertEqual(str(payment.date), "2020-01-15")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
