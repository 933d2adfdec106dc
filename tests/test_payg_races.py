"""PAYG tokens under real parallel payments: consecutive counts, never the same count twice."""

import uuid
from datetime import date, timedelta

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .common import RealTransactionsCase


@tagged("post_install", "-at_install")
class TestPaygRaces(RealTransactionsCase):
    def _commit_payg_invoice(self, tag):
        """Commit a delivered PAYG kit (price to own 1,000; 1.0 a day, no deposit) and its posted invoice."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account, agent, token = self.create_sa_with_agent(env, "Payg", tag)
            customer = env["res.partner"]._abs_create_customer({"name": f"Payg Customer {tag}"}, account, agent)
            plan = env["abs.payg.plan"].create({"name": f"Plan {tag}", "price_per_day": 1.0, "price_to_own": 1000.0})
            product = env["product.product"].create(
                {
                    "name": f"Payg Kit {tag}",
                    "type": "consu",
                    "is_storable": True,
                    "tracking": "serial",
                    "list_price": 1000.0,
                    "taxes_id": [(6, 0, [])],
                    "abs_payg_plan_id": plan.id,
                }
            )
            lot = env["stock.lot"].create({"name": f"PAYG-RACE-{tag}", "product_id": product.id})
            stock = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1).lot_stock_id
            env["stock.quant"]._update_available_quantity(product, stock, 1, lot_id=lot)
            order = env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "x_sa_id": account.id,
                    "x_actor_id": agent.id,
                    "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})],
                }
            )
            order.action_confirm()
            order.picking_ids._abs_validate_delivery(None, False, actor=agent)
            invoice, _created = order._abs_invoice()
            invoice._abs_post()
            payg = env["abs.payg.account"].search([("lot_id", "=", lot.id)])
            data = {"order": order.id, "invoice": invoice.id, "token": token, "payg": payg.id}
            # The race needs data that other transactions (the parallel requests) can see.
            cr.commit()  # pylint: disable=invalid-commit
        return data

    def test_twenty_parallel_payments_get_twenty_consecutive_counts(self):
        data = self._commit_payg_invoice(uuid.uuid4().hex[:8])
        path = f"/api/orders/{data['order']}/register-payment"
        body = {"invoice_id": data["invoice"], "amount": 2.0}
        keys = [str(uuid.uuid4()) for _i in range(20)]
        pending = list(range(20))
        answers = {}
        # A request still conflicting after Odoo's last retry answers 409 concurrent_update with nothing
        # written; the client sends it again with its Idempotency-Key (API-CONTRACT), here up to 10 rounds.
        for _round in range(10):
            requests_args = [
                (path, body, {"Authorization": f"Bearer {data['token']}", "Idempotency-Key": keys[i]}) for i in pending
            ]
            results = self.post_in_parallel(requests_args)
            still = []
            for index, (status, payload) in zip(pending, results, strict=True):
                if status == 409 and payload.get("code") == "concurrent_update":
                    still.append(index)
                else:
                    self.assertEqual(status, 201, payload)
                    answers[index] = payload
            pending = still
            if not pending:
                break
        self.assertFalse(pending, "payments still conflicting after 10 rounds")
        counts = sorted(payload["payg_tokens"][0]["count"] for payload in answers.values())
        # Add-time tokens take the even counts: 20 consecutive ones from the first.
        self.assertEqual(counts, list(range(counts[0], counts[0] + 40, 2)))
        with self.registry.cursor() as cr:
            payg = api.Environment(cr, SUPERUSER_ID, {})["abs.payg.account"].browse(data["payg"])
            self.assertEqual((payg.days_credited, payg.amount_paid, len(payg.token_ids)), (40, 40.0, 20))
            self.assertEqual(payg.token_count, counts[-1])
        # A retry with one of the keys: the same token, no new count.
        again = self.post_in_parallel(
            [(path, body, {"Authorization": f"Bearer {data['token']}", "Idempotency-Key": keys[0]})]
        )[0]
        self.assertEqual(again[1]["payg_tokens"], answers[0]["payg_tokens"])
        with self.registry.cursor() as cr:
            payg = api.Environment(cr, SUPERUSER_ID, {})["abs.payg.account"].browse(data["payg"])
            self.assertEqual(len(payg.token_ids), 20)

    def test_daily_job_disables_reactivates_and_reminds_once_committing_per_batch(self):
        tag = uuid.uuid4().hex[:8]
        today = date.today()
        ids = [self._commit_payg_invoice(f"{tag}{n}")["payg"] for n in range(3)]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            ran_out, ending, credited = env["abs.payg.account"].browse(ids)
            ran_out.write({"credit_expiry": today - timedelta(days=3)})
            ending.write({"credit_expiry": today + timedelta(days=1)})
            ending.partner_id.email = f"payg.{tag}@example.com"
            credited.write({"state": "disabled", "credit_expiry": today + timedelta(days=5)})
            cr.commit()  # pylint: disable=invalid-commit
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            done = env["abs.payg.account"]._cron_refresh_states(batch_size=1, today=today)
        self.assertGreaterEqual(done, 3)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            ran_out, ending, credited = env["abs.payg.account"].browse(ids)
            self.assertEqual((ran_out.state, ran_out.disabled_since), ("disabled", today - timedelta(days=3)))
            self.assertEqual((ending.state, credited.state), ("active", "active"))
            self.assertEqual(ending.reminder_sent_for, ending.credit_expiry)
            reminders = env["mail.mail"].search_count([("model", "=", "abs.payg.account"), ("res_id", "=", ending.id)])
            self.assertEqual(reminders, 1)
        # A second run finds nothing left to do (and ends): one reminder per expiry.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(env["abs.payg.account"]._cron_refresh_states(batch_size=1, today=today), 0)
            reminders = env["mail.mail"].search_count([("model", "=", "abs.payg.account"), ("res_id", "=", ids[1])])
            self.assertEqual(reminders, 1)
