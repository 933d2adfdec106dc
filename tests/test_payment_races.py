"""Payments under real parallel HTTP requests: an invoice is paid once, a settled attempt pays once."""

import json
import threading
import uuid

import requests

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import tagged

from .common import RealTransactionsCase


@tagged("post_install", "-at_install")
class TestPaymentRaces(RealTransactionsCase):
    def setUp(self):
        super().setUp()
        self.tag = uuid.uuid4().hex[:8]

    def _commit_invoice(self):
        """Commit an SA with an agent, a customer and a confirmed order whose invoice (100.0) is posted."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account, agent, token = self.create_sa_with_agent(env, "Pay", self.tag)
            customer = env["res.partner"]._abs_create_customer({"name": f"Pay Customer {self.tag}"}, account, agent)
            product = env["product.product"].create(
                {"name": f"Pay Service {self.tag}", "type": "service", "invoice_policy": "order", "list_price": 100.0}
            )
            product.taxes_id = False
            order = env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "x_sa_id": account.id,
                    "x_actor_id": agent.id,
                    "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})],
                }
            )
            order.action_confirm()
            invoice = order.invoice_ids
            invoice.action_post()
            data = {"order": order.id, "invoice": invoice.id, "token": token, "agent": agent.id}
            # The race needs data that other transactions (the parallel requests) can see.
            cr.commit()  # pylint: disable=invalid-commit
        return data

    def _invoice_state(self, invoice_id):
        with self.registry.cursor() as cr:
            invoice = api.Environment(cr, SUPERUSER_ID, {})["account.move"].browse(invoice_id)
            return invoice.amount_residual, invoice.payment_state, len(invoice.matched_payment_ids)

    def _start_attempt(self, data):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            invoice = env["account.move"].browse(data["invoice"])
            attempt = env["abs.payment.attempt"]._abs_start(invoice, "+228 90 00 00 00")
            reference = attempt.reference
            cr.commit()  # pylint: disable=invalid-commit
        return reference

    def _signed(self, reference):
        body = json.dumps({"reference": reference, "status": "success", "provider": "sandbox"})
        with self.registry.cursor() as cr:
            signature = api.Environment(cr, SUPERUSER_ID, {})["abs.payment.provider.sandbox"]._abs_sign(body.encode())
        return body, signature

    def test_twenty_parallel_payments_of_one_invoice_pay_it_once(self):
        data = self._commit_invoice()
        headers = {"Authorization": f"Bearer {data['token']}"}
        body = {"invoice_id": data["invoice"], "amount": 100.0, "payment_source": "cash"}
        results = self.post_in_parallel([(f"/api/orders/{data['order']}/register-payment", body, headers)] * 20)
        statuses = sorted(status for status, _payload in results)
        self.assertEqual(statuses, [201] + [409] * 19, results)
        for status, payload in results:
            if status == 409:
                self.assertEqual((payload["code"], payload["details"]["payment_state"]), ("already_paid", "paid"))
        residual, payment_state, payments = self._invoice_state(data["invoice"])
        self.assertEqual((residual, payment_state, payments), (0.0, "paid", 1))

    def test_twenty_parallel_partial_payments_never_go_below_zero(self):
        data = self._commit_invoice()
        headers = {"Authorization": f"Bearer {data['token']}"}
        body = {"invoice_id": data["invoice"], "amount": 30.0}
        results = self.post_in_parallel([(f"/api/orders/{data['order']}/register-payment", body, headers)] * 20)
        statuses = [status for status, _payload in results]
        # 30 + 30 + 30 fit in 100; the fourth would overpay (10 left): 400, then nothing fits.
        self.assertEqual(statuses.count(201), 3, results)
        self.assertEqual(statuses.count(400), 17, results)
        residual, payment_state, payments = self._invoice_state(data["invoice"])
        self.assertEqual((residual, payment_state, payments), (10.0, "partial", 3))

    def test_same_idempotency_key_sent_twice_at_once_is_one_payment(self):
        data = self._commit_invoice()
        headers = {"Authorization": f"Bearer {data['token']}", "Idempotency-Key": f"pay-{self.tag}"}
        body = {"amount": 25.0}
        results = self.post_in_parallel([(f"/api/orders/{data['order']}/register-payment", body, headers)] * 2)
        self.assertEqual([status for status, _payload in results], [201, 201], results)
        self.assertEqual(results[0][1], results[1][1])
        residual, _state, payments = self._invoice_state(data["invoice"])
        self.assertEqual((residual, payments), (75.0, 1))

    def test_callback_replayed_five_times_at_once_pays_once(self):
        data = self._commit_invoice()
        reference = self._start_attempt(data)
        body, signature = self._signed(reference)
        barrier = threading.Barrier(5)
        results = [None] * 5

        def send(index):
            barrier.wait()
            response = requests.post(
                f"{self.base_url}/api/payments/mobile-money/callback",
                data=body,
                headers={"Content-Type": "application/json", "X-Signature": signature},
                timeout=120,
            )
            results[index] = (response.status_code, response.json())

        threads = [threading.Thread(target=send, args=(i,)) for i in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
        self.assertEqual([status for status, _payload in results], [200] * 5, results)
        self.assertEqual(len({json.dumps(payload, sort_keys=True) for _status, payload in results}), 1, results)
        self.assertEqual(results[0][1]["state"], "done")
        residual, payment_state, payments = self._invoice_state(data["invoice"])
        self.assertEqual((residual, payment_state, payments), (0.0, "paid", 1))

    def test_callback_racing_the_status_cron_pays_once(self):
        data = self._commit_invoice()
        reference = self._start_attempt(data)
        with self.registry.cursor() as cr:
            # The provider says done when asked, and the attempt is old enough for the cron.
            cr.execute(
                "UPDATE abs_payment_attempt SET sandbox_outcome = 'done', create_date = %s WHERE reference = %s",
                [fields.Datetime.subtract(fields.Datetime.now(), hours=1), reference],
            )
            cr.commit()  # pylint: disable=invalid-commit
        body, signature = self._signed(reference)
        barrier = threading.Barrier(2)
        outcome = {}

        def run_cron():
            barrier.wait()
            try:
                with self.registry.cursor() as cr:
                    api.Environment(cr, SUPERUSER_ID, {})["abs.payment.attempt"]._cron_abs_settle_pending(minutes=5)
                outcome["cron"] = "ok"
            except Exception as exc:  # a serialization failure of the cron's commit is the expected loser
                outcome["cron"] = repr(exc)

        def call_back():
            barrier.wait()
            response = requests.post(
                f"{self.base_url}/api/payments/mobile-money/callback",
                data=body,
                headers={"Content-Type": "application/json", "X-Signature": signature},
                timeout=120,
            )
            outcome["callback"] = (response.status_code, response.json())

        threads = [threading.Thread(target=run_cron), threading.Thread(target=call_back)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
        self.assertEqual(outcome["callback"][0], 200, outcome)
        self.assertEqual(outcome["callback"][1]["state"], "done", outcome)
        residual, payment_state, payments = self._invoice_state(data["invoice"])
        self.assertEqual((residual, payment_state, payments), (0.0, "paid", 1), outcome)
        with self.registry.cursor() as cr:
            attempt = api.Environment(cr, SUPERUSER_ID, {})["abs.payment.attempt"].search(
                [("reference", "=", reference)]
            )
            self.assertEqual(attempt.payment_id.id, outcome["callback"][1]["payment_id"])

    def test_two_nodes_settling_at_once_settle_each_attempt_once_and_fail_nothing(self):
        """Found by `make cluster`: the settlement job on two nodes at once. The run whose snapshot began
        before the other node's run committed stamped the same attempts: its stamp failed to serialise
        inside an attempt's savepoint, the next savepoint met an aborted transaction, the job failed with
        an ERROR traceback. Now each run locks its batch SKIP LOCKED and stamps it at once; the late run
        finds the attempts settled and ends cleanly."""
        references = []
        for index in range(2):
            self.tag = f"{uuid.uuid4().hex[:7]}{index}"
            references.append(self._start_attempt(self._commit_invoice()))
        with self.registry.cursor() as cr:
            cr.execute(
                "UPDATE abs_payment_attempt SET sandbox_outcome = 'done', create_date = %s WHERE reference IN %s",
                [fields.Datetime.subtract(fields.Datetime.now(), hours=1), tuple(references)],
            )
            cr.commit()  # pylint: disable=invalid-commit
        with self.registry.cursor() as late:
            late.execute("SELECT 1")  # node B's job: its transaction (and snapshot) has begun
            with self.registry.cursor() as cr:  # node A's job runs and commits meanwhile
                api.Environment(cr, SUPERUSER_ID, {})["abs.payment.attempt"]._cron_abs_settle_pending(minutes=5)
            with self.assertNoLogs("odoo.sql_db", level="ERROR"):
                api.Environment(late, SUPERUSER_ID, {})["abs.payment.attempt"]._cron_abs_settle_pending(minutes=5)
                late.commit()  # pylint: disable=invalid-commit
        with self.registry.cursor() as cr:
            attempts = api.Environment(cr, SUPERUSER_ID, {})["abs.payment.attempt"].search(
                [("reference", "in", references)]
            )
            self.assertEqual(attempts.mapped("state"), ["done", "done"])
            for attempt in attempts:
                self.assertEqual(len(attempt.invoice_id.matched_payment_ids), 1, attempt.reference)
