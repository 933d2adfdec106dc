"""Confirmation (seed 1d and workflow 4): one call, a delivery for the goods and a draft invoice for the rest."""

from unittest.mock import patch

from odoo.tests import tagged

from .test_orders_api import OrderCase


@tagged("post_install", "-at_install")
class TestOrderConfirmation(OrderCase):
    def confirm(self, order, body=None, token=None):
        status, payload, _r = self.api(
            "POST", f"/api/orders/{order.id}/confirm", body or {}, token=token or self.tok_agent_tg
        )
        self.assertEqual(status, 200, payload)
        return payload["order"]

    def mixed_order(self):
        """The seed's mixed order: a kit, its installation and a warranty."""
        return self.order_tg([self.line(self.kit), self.line(self.install), self.line(self.warranty)])

    def test_mixed_order_gives_one_delivery_for_the_kit_and_one_draft_invoice_for_the_rest(self):
        order = self.mixed_order()
        answer = self.confirm(order)
        self.assertEqual(order.state, "sale")
        # Exactly one delivery, for the kit only, reserved and governed by the order's SA.
        delivery = order.picking_ids
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.move_ids.product_id, self.kit)
        self.assertEqual(delivery.state, "assigned")
        self.assertEqual(delivery.abs_sa_id, self.sa_togo)
        # Exactly one draft invoice, for the installation and the warranty, stamped with the SA.
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertRecordValues(invoice, [{"state": "draft", "move_type": "out_invoice", "x_sa_id": self.sa_togo.id}])
        self.assertEqual(invoice.invoice_line_ids.product_id, self.install | self.warranty)
        self.assertEqual(answer["deliveries"], [{"id": delivery.id, "name": delivery.name, "state": "assigned"}])
        self.assertEqual([i["id"] for i in answer["invoices"]], invoice.ids)
        # The kit is invoiced only once delivered.
        kit_line = order.order_line.filtered(lambda line: line.product_id == self.kit)
        self.assertEqual(kit_line.qty_to_invoice, 0)
        delivery.move_ids.picked = True  # the reserved serial goes out (Odoo's own validation)
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        self.assertEqual(kit_line.qty_to_invoice, 1)
        kit_invoice = order._create_invoices()
        self.assertEqual(kit_invoice.invoice_line_ids.product_id, self.kit)
        self.assertEqual(kit_invoice.x_sa_id, self.sa_togo)
        self.assertEqual(len(order.invoice_ids), 2)

    def test_order_without_reservation(self):
        order = self.order_tg([self.line(self.kit), self.line(self.battery, 2)])
        self.confirm(order, {"reserve": False})
        delivery = order.picking_ids
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.state, "confirmed")
        self.assertFalse(delivery.move_line_ids, "nothing reserved")
        self.assertEqual(sum(delivery.move_ids.mapped("quantity")), 0)
        self.assertEqual(delivery.abs_sa_id, self.sa_togo)

    def test_goods_only_order_gets_no_invoice_and_services_only_no_delivery(self):
        goods = self.order_tg([self.line(self.battery)])
        self.confirm(goods)
        self.assertEqual((len(goods.picking_ids), len(goods.invoice_ids)), (1, 0))
        services = self.order_tg([self.line(self.install)])
        self.confirm(services)
        self.assertEqual((len(services.picking_ids), len(services.invoice_ids)), (0, 1))

    def test_recurring_lines_go_to_the_subscription_hook(self):
        order = self.mixed_order()
        Order = type(self.env["sale.order"])
        with patch.object(Order, "_abs_on_recurring_lines_confirmed", autospec=True, return_value=True) as hook:
            self.confirm(order)
        hook.assert_called_once()
        _order, lines = hook.call_args.args
        warranty_line = order.order_line.filtered(lambda line: line.product_id == self.warranty)
        self.assertEqual(lines.ids, warranty_line.ids)  # (the request's records: their cursor is closed)

    def test_backend_confirmation_does_the_same(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1), (self.install, 1)], self.agent_tg)
        self.assertEqual(order.picking_ids.move_ids.product_id, self.kit)
        self.assertEqual(order.invoice_ids.invoice_line_ids.product_id, self.install)

    def test_confirming_twice_is_400_and_writes_nothing(self):
        order = self.mixed_order()
        self.confirm(order)
        self.assertError(
            self.api("POST", f"/api/orders/{order.id}/confirm", {}, token=self.tok_agent_tg), 400, "invalid_state"
        )
        self.assertEqual((len(order.picking_ids), len(order.invoice_ids)), (1, 1))

    def test_confirm_refusals(self):
        order = self.mixed_order()
        path = f"/api/orders/{order.id}/confirm"
        self.assertError(self.api("POST", path, {"reserve": "maybe"}, token=self.tok_agent_tg), 400, "invalid_body")
        self.assertError(self.api("POST", path, {"state": "sale"}, token=self.tok_agent_tg), 400, "invalid_body")
        self.assertError(self.api("POST", path, {}), 401, "unauthorized")
        self.assertError(self.api("POST", path, {}, token=self.tok_agent_ke), 404, "not_found")
        self.assertEqual((order.state, order.picking_ids, order.invoice_ids.ids), ("draft", order.picking_ids, []))

    def test_finalize_locks_a_confirmed_order(self):
        order = self.mixed_order()
        path = f"/api/orders/{order.id}/finalize"
        self.assertError(self.api("POST", path, {}, token=self.tok_agent_tg), 400, "invalid_state")
        self.confirm(order)
        status, payload, _r = self.api("POST", path, {}, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertTrue(order.locked)
        self.assertIs(payload["order"]["locked"], True)
        # Again: nothing left to do, still locked.
        self.assertEqual(self.api("POST", path, {}, token=self.tok_agent_tg)[0], 200)
        self.assertError(
            self.api(
                "POST",
                f"/api/orders/{order.id}/add-lines",
                {"products": [self.line(self.kit)]},
                token=self.tok_agent_tg,
            ),
            400,
            "invalid_state",
        )
