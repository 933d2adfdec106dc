"""Mobile money (seed workflow 9, abs.payment.attempt): start, the provider's signed callback, the status cron."""

import json

from odoo import fields
from odoo.tests import tagged

from .test_payments_api import PaymentCase

PHONE = "+228 90 12 34 56"


@tagged("post_install", "-at_install")
class TestMobileMoney(PaymentCase):
    def posted_invoice(self, account=None, partner=None):
        order = self.service_order(account, partner)
        order.invoice_ids.action_post()
        return order.invoice_ids

    def start(self, invoice, token=None, **values):
        body = {"invoice_id": invoice.id, "phone": PHONE, **values}
        return self.api("POST", "/api/payments/mobile-money", body, token=token or self.tok_agent_tg)

    def callback(self, reference, status="success", signature=None, **extra):
        raw = json.dumps({"reference": reference, "status": status, "provider": "sandbox", **extra})
        if signature is None:
            signature = self.env["abs.payment.provider.sandbox"]._abs_sign(raw.encode())
        return self.api(
            "POST",
            "/api/payments/mobile-money/callback",
            raw=raw,
            headers={"X-Signature": signature} if signature else {},
        )

    def started_attempt(self, invoice=None, **values):
        status, payload, _r = self.start(invoice or self.posted_invoice(), **values)
        self.assertEqual(status, 201, payload)
        return self.env["abs.payment.attempt"].browse(payload["attempt"]["id"])

    def test_start_makes_a_pending_attempt_stamped_with_the_sa(self):
        invoice = self.posted_invoice()
        status, payload, _r = self.start(invoice)
        self.assertEqual(status, 201, payload)
        attempt = self.env["abs.payment.attempt"].browse(payload["attempt"]["id"])
        self.assertEqual(payload["attempt"]["state"], "pending")
        self.assertEqual(payload["attempt"]["amount"], 100.0)
        self.assertEqual((attempt.x_sa_id, attempt.x_actor_id, attempt.phone), (self.sa_togo, self.agent_tg, PHONE))
        self.assertTrue(attempt.reference.startswith("MM-"))
        self.assertFalse(invoice.matched_payment_ids)

    def test_start_refuses_what_a_payment_refuses(self):
        invoice = self.posted_invoice()
        self.assertError(self.start(invoice, amount=100.5), 400, "amount_exceeds_residual")
        draft = self.service_order().invoice_ids
        self.assertError(self.start(draft), 400, "invoice_not_posted")
        invoice._abs_register_payment()
        payload = self.assertError(self.start(invoice), 409, "already_paid")
        self.assertEqual(payload["details"]["payment_state"], "paid")
        self.assertError(self.start(invoice, phone="call me"), 400, "invalid_body")
        self.assertFalse(self.env["abs.payment.attempt"].search([("invoice_id", "in", (invoice | draft).ids)]))

    def test_successful_callback_registers_one_payment_in_the_mobile_money_journal(self):
        attempt = self.started_attempt(amount=60.0)
        status, payload, _r = self.callback(attempt.reference)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["state"], "done")
        self.assertEqual(attempt.state, "done")
        payment = attempt.payment_id
        self.assertEqual(payload["payment_id"], payment.id)
        self.assertEqual((payment.amount, payment.journal_id.abs_payment_source), (60.0, "mobile_money"))
        self.assertEqual((payment.x_sa_id, payment.x_actor_id), (self.sa_togo, self.agent_tg))
        self.assertEqual(attempt.invoice_id.amount_residual, 40.0)
        self.assertEqual(attempt.settled_by, "callback")

    def test_replayed_callback_gets_the_first_answer_and_writes_nothing(self):
        attempt = self.started_attempt()
        first = self.callback(attempt.reference)
        payload_before, date_before = attempt.callback_payload, attempt.callback_date
        for _i in range(4):
            again = self.callback(attempt.reference, provider_transaction_id="different")
            self.assertEqual((again[0], again[1]), (first[0], first[1]))
        self.assertEqual(len(attempt.invoice_id.matched_payment_ids), 1)
        self.assertEqual((attempt.callback_payload, attempt.callback_date), (payload_before, date_before))
        # A late "failed" for a done attempt changes nothing either.
        self.assertEqual(self.callback(attempt.reference, status="failed")[1], first[1])
        self.assertEqual(attempt.state, "done")

    def test_bad_signature_is_401_and_writes_nothing(self):
        attempt = self.started_attempt()
        for signature in ("sha256=" + "0" * 64, "nonsense", False):
            with self.subTest(signature=signature):
                self.assertError(self.callback(attempt.reference, signature=signature), 401, "bad_signature")
        # Signed for another body: the signature covers the raw body, not the reference alone.
        other = self.env["abs.payment.provider.sandbox"]._abs_sign(b'{"reference": "x", "status": "success"}')
        self.assertError(self.callback(attempt.reference, signature=other), 401, "bad_signature")
        self.assertEqual(attempt.state, "pending")
        self.assertFalse(attempt.callback_payload)
        self.assertFalse(attempt.invoice_id.matched_payment_ids)

    def test_failed_callback_ends_the_attempt_without_payment(self):
        attempt = self.started_attempt()
        status, payload, _r = self.callback(attempt.reference, status="failed")
        self.assertEqual((status, payload["state"], payload["payment_id"]), (200, "error", None), payload)
        self.assertFalse(attempt.invoice_id.matched_payment_ids)

    def test_pending_callback_changes_nothing(self):
        attempt = self.started_attempt()
        status, payload, _r = self.callback(attempt.reference, status="pending")
        self.assertEqual((status, payload["state"]), (200, "pending"), payload)

    def test_unknown_reference_is_404(self):
        self.assertError(self.callback("MM-NO-SUCH-REFERENCE"), 404, "not_found")

    def test_invoice_paid_meanwhile_ends_the_attempt_in_error(self):
        attempt = self.started_attempt()
        attempt.invoice_id._abs_register_payment()  # paid in cash at the shop meanwhile
        status, payload, _r = self.callback(attempt.reference)
        self.assertEqual((status, payload["state"], payload["payment_id"]), (200, "error", None), payload)
        self.assertIn("already paid", attempt.state_message)
        self.assertEqual(len(attempt.invoice_id.matched_payment_ids), 1)

    def test_cron_settles_attempts_that_never_got_a_callback(self):
        attempt = self.started_attempt()
        attempt.sandbox_outcome = "done"
        self.env["abs.payment.attempt"]._cron_abs_settle_pending(minutes=5)
        self.assertEqual(attempt.state, "pending", "too recent for the cron")
        self.env.cr.execute(
            "UPDATE abs_payment_attempt SET create_date = %s WHERE id = %s",
            [fields.Datetime.subtract(fields.Datetime.now(), minutes=10), attempt.id],
        )
        attempt.invalidate_recordset()
        self.env["abs.payment.attempt"]._cron_abs_settle_pending(minutes=5)
        self.assertEqual((attempt.state, attempt.settled_by), ("done", "cron"))
        self.assertTrue(attempt.payment_id)
        # The provider's late callback: the first answer, no second payment.
        status, payload, _r = self.callback(attempt.reference)
        self.assertEqual((status, payload["payment_id"]), (200, attempt.payment_id.id))
        self.assertEqual(len(attempt.invoice_id.matched_payment_ids), 1)

    def test_attempts_still_pending_do_not_starve_the_ones_behind(self):
        attempts = [self.started_attempt() for _ in range(3)]
        attempts[2].sandbox_outcome = "done"  # the provider knows this one ended; the first two stay pending
        self.env.cr.execute(
            "UPDATE abs_payment_attempt SET create_date = %s WHERE id = ANY(%s)",
            [fields.Datetime.subtract(fields.Datetime.now(), minutes=10), [a.id for a in attempts]],
        )
        self.env.invalidate_all()
        Attempt = self.env["abs.payment.attempt"]
        Attempt._cron_abs_settle_pending(minutes=5, limit=2)
        Attempt._cron_abs_settle_pending(minutes=5, limit=2)
        self.assertEqual([a.state for a in attempts], ["pending", "pending", "done"])
        self.assertTrue(attempts[2].payment_id)

    def test_the_cron_is_installed(self):
        cron = self.env.ref("abs_connector.ir_cron_mobile_money_status")
        self.assertEqual(cron.model_id.model, "abs.payment.attempt")

    def test_sandbox_secret_is_generated_per_database(self):
        secret = self.env["ir.config_parameter"].sudo().get_param("abs_connector.mobile_money.sandbox_secret")
        self.assertGreaterEqual(len(secret or ""), 40)
