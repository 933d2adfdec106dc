"""Invoicing races over real parallel requests: a retried or doubled request never makes two invoices."""

import uuid

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .common import RealTransactionsCase


@tagged("post_install", "-at_install")
class TestConcurrentInvoicing(RealTransactionsCase):
    def _commit_order(self):
        """Commit an SA with an agent and a confirmed order of delivered goods: invoiceable, no draft yet."""
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account, agent, token = self.create_sa_with_agent(env, "Inv", tag)
            customer = env["res.partner"]._abs_create_customer({"name": f"Inv Customer {tag}"}, account, agent)
            product = env["product.product"].create(
                {"name": f"Inv Service {tag}", "type": "service", "invoice_policy": "delivery", "list_price": 40}
            )
            order = env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "x_sa_id": account.id,
                    "x_actor_id": agent.id,
                    "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 2})],
                }
            )
            order.action_confirm()
            order.order_line.qty_delivered = 2  # a service delivered by hand: invoiceable now
            self.assertFalse(order.invoice_ids)
            # The race needs data that other transactions (the two requests) can see.
            cr.commit()  # pylint: disable=invalid-commit
        return order.id, token

    def test_two_simultaneous_invoice_requests_make_one_draft(self):
        order_id, token = self._commit_order()
        headers = {"Authorization": f"Bearer {token}"}
        results = self.post_in_parallel([(f"/api/orders/{order_id}/invoice", {}, headers)] * 2)
        self.assertEqual([status for status, _payload in results], [200, 200], results)
        invoice_ids = {payload["invoice"]["id"] for _status, payload in results}
        self.assertEqual(len(invoice_ids), 1, results)
        self.assertEqual(sorted(payload["created"] for _status, payload in results), [False, True])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            order = env["sale.order"].browse(order_id)
            self.assertEqual(len(order.invoice_ids), 1)
            self.assertEqual(len(order.invoice_ids.abs_sa_assignment_ids), 1)

    def test_same_idempotency_key_in_parallel_makes_one_invoice(self):
        order_id, token = self._commit_order()
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"inv-{order_id}"}
        results = self.post_in_parallel([(f"/api/orders/{order_id}/invoice", {}, headers)] * 2)
        self.assertEqual([status for status, _payload in results], [200, 200], results)
        self.assertEqual(len({payload["invoice"]["id"] for _status, payload in results}), 1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(len(env["sale.order"].browse(order_id).invoice_ids), 1)
