import logging
import uuid
from datetime import timedelta

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..exceptions import AbsRefusal
from ..refusals import payment as payment_rules

_logger = logging.getLogger(__name__)

# The states of Odoo's own payment.transaction (the payment module is not a dependency).
ATTEMPT_STATES = [
    ("draft", "Draft"),
    ("pending", "Pending"),
    ("done", "Done"),
    ("error", "Error"),
    ("cancel", "Cancelled"),
]
FINAL_STATES = ("done", "error", "cancel")
PROVIDERS = [("sandbox", "Sandbox")]


class AbsPaymentAttempt(models.Model):
    """One mobile-money collection attempt for an invoice (seed workflow 9, ``abs.payment.attempt``).

    Started by the API (the provider asks the customer's phone), settled once by the provider's
    signed callback or, when none comes, by the status cron asking the provider. Settling locks
    the attempt's row: a replayed callback, or a callback racing the cron, settles it once; a
    successful attempt registers exactly one payment through ``account.move._abs_register_payment``.
    """

    _name = "abs.payment.attempt"
    _description = "Mobile Money Payment Attempt"
    _order = "id desc"
    _rec_name = "reference"

    reference = fields.Char(
        required=True, readonly=True, copy=False, index=True, default=lambda s: s._abs_new_reference()
    )
    provider = fields.Selection(PROVIDERS, required=True, default="sandbox", readonly=True)
    invoice_id = fields.Many2one(
        "account.move", string="Invoice", required=True, readonly=True, ondelete="restrict", index=True
    )
    partner_id = fields.Many2one(related="invoice_id.commercial_partner_id", string="Customer", store=True, index=True)
    company_id = fields.Many2one(related="invoice_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="invoice_id.currency_id", store=True)
    amount = fields.Monetary(required=True, readonly=True)
    phone = fields.Char(required=True, readonly=True)
    state = fields.Selection(ATTEMPT_STATES, required=True, default="draft", readonly=True, index=True)
    payment_id = fields.Many2one("account.payment", string="Payment", readonly=True, ondelete="restrict")
    state_message = fields.Char(readonly=True)
    settled_by = fields.Selection([("callback", "Provider Callback"), ("cron", "Status Check")], readonly=True)
    callback_payload = fields.Text(readonly=True)
    callback_date = fields.Datetime(readonly=True)
    status_checked_at = fields.Datetime(
        readonly=True, copy=False, help="When the status job last asked the provider about this attempt."
    )
    x_sa_id = fields.Many2one("ov.serviced_account", string="Service Account", index=True, readonly=True)
    x_actor_id = fields.Many2one("abs.employee", string="Agent", readonly=True)
    # The sandbox provider reports this outcome when asked (tests and the demo drive it).
    sandbox_outcome = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("error", "Error"), ("cancel", "Cancelled")], default="pending"
    )

    _sql_constraints = [
        ("reference_uniq", "unique(reference)", "A provider reference names one payment attempt."),
        ("amount_positive", "CHECK(amount > 0)", "A payment attempt is for a positive amount."),
    ]

    @api.model
    def _abs_new_reference(self):
        return f"MM-{uuid.uuid4().hex[:20].upper()}"

    # ------------------------------------------------------------------ business methods

    @api.model
    def _abs_start(self, invoice, phone, amount=None, provider="sandbox", account=None, actor=None):
        """Ask ``provider`` to collect ``amount`` (default: the residual) of ``invoice`` from ``phone``.

        The invoice must be open and the amount within its residual (the checks of a payment).
        """
        amount = invoice._abs_payable_amount(amount)
        attempt = self.create(
            {
                "invoice_id": invoice.id,
                "amount": amount,
                "phone": phone,
                "provider": provider,
                "x_sa_id": (account or invoice.x_sa_id).id,
                "x_actor_id": actor.id if actor else False,
            }
        )
        status = attempt._abs_provider()._abs_request_payment(attempt)
        attempt.state = "pending" if status == "pending" else "draft"
        return attempt

    def _abs_provider(self):
        self.ensure_one()
        return self.env[f"abs.payment.provider.{self.provider}"]

    @api.model
    def _abs_settle(self, reference, status, settled_by="callback", payload=None):
        """Settle the attempt ``reference`` with the provider's ``status`` (done/error/cancel/pending).

        Once only: the attempt's row is locked and re-read, and an attempt already settled is returned
        as it is (a replayed or late callback, or the cron after the callback, changes nothing). A done
        attempt registers its payment; if the invoice cannot take it any more (paid meanwhile), the
        attempt ends in error with the reason, for a person to refund.
        """
        # log_exceptions: a concurrent settlement's commit makes this lock a serialization failure,
        # which Odoo retries (a request) or the cron skips until its next run.
        self.env.cr.execute(
            "SELECT id FROM abs_payment_attempt WHERE reference = %s FOR NO KEY UPDATE",
            [reference],
            log_exceptions=False,
        )
        row = self.env.cr.fetchone()
        if not row:
            raise payment_rules.NOT_FOUND(self.env._("Payment attempt not found."), details={"reference": reference})
        attempt = self.browse(row[0])
        attempt.invalidate_recordset()
        if attempt.state in FINAL_STATES or status == "pending":
            return attempt
        vals = {"state": status, "settled_by": settled_by, "callback_date": fields.Datetime.now()}
        if payload is not None:
            vals["callback_payload"] = payload
        if status == "done":
            journal = self.env["account.journal"]._abs_payment_journal(attempt.company_id, "mobile_money")
            try:
                with self.env.cr.savepoint():
                    payment = attempt.invoice_id._abs_register_payment(
                        attempt.amount, journal or None, memo=attempt.reference, actor=attempt.x_actor_id
                    )
                vals["payment_id"] = payment.id
            except AbsRefusal as refusal:
                vals.update(state="error", state_message=str(refusal.args[0]))
        attempt.write(vals)
        return attempt

    @api.model
    def _cron_abs_settle_pending(self, minutes=None, limit=200):
        """Ask the provider how pending attempts older than ``minutes`` ended (some never call back).

        No loop without progress: the attempts asked least recently come first and each one asked is
        stamped, so ``limit`` attempts the provider still reports pending (or cannot answer for) do
        not take every run's turn from the ones behind them.
        Runs on several nodes at once take disjoint attempts: the batch is locked ``SKIP LOCKED`` and
        stamped at once, under its locks.
        """
        if minutes is None:
            # sudo: a deployment setting
            minutes = int(
                self.env["ir.config_parameter"].sudo().get_param("abs_connector.mobile_money.status_after_minutes", 5)
            )
        cutoff = fields.Datetime.now() - timedelta(minutes=minutes)
        pending = self._abs_take_pending(cutoff, limit)
        pending.write({"status_checked_at": fields.Datetime.now()})
        pending.flush_recordset(["status_checked_at"])  # now, under the locks: not in an attempt's savepoint
        for attempt in pending:
            try:
                status = attempt._abs_provider()._abs_fetch_status(attempt)
            except Exception as error:  # noqa: BLE001 - one provider failure does not stop the others
                _logger.warning("Mobile money attempt %s: status not available: %s", attempt.reference, error)
                continue
            if status == "pending":
                continue
            try:
                with self.env.cr.savepoint():
                    self._abs_settle(attempt.reference, status, settled_by="cron")
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                # A callback settled it meanwhile (or is settling it): it is its answer that counts.
                _logger.info("Mobile money attempt %s settled concurrently; skipped", attempt.reference)
        return True

    def _abs_take_pending(self, cutoff, limit):
        """Lock and return up to ``limit`` pending attempts created before ``cutoff`` that no other run
        holds (``SKIP LOCKED``), the least recently asked first.

        The attempts a concurrent run is settling are skipped, not waited for. When one committed
        after this transaction's snapshot began (a serialization failure on its rows), the batch is left
        to the next run: rolled back to a savepoint, the caller's transaction goes on.
        """
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """
                    SELECT id FROM abs_payment_attempt
                     WHERE state = 'pending' AND create_date <= %s
                     ORDER BY status_checked_at ASC NULLS FIRST, id
                     LIMIT %s
                       FOR NO KEY UPDATE SKIP LOCKED
                    """,
                    [cutoff, limit],
                    log_exceptions=False,
                )
                ids = [row[0] for row in self.env.cr.fetchall()]
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            _logger.info(
                "Mobile money settlement: a concurrent run settled pending attempts; the rest left to the next run"
            )
            return self.browse()
        self.env.invalidate_all()  # what this transaction read before may be older than the rows locked
        return self.browse(ids)

    def _abs_answer(self):
        """What the callback answers for this attempt: the same for the first call and every replay."""
        self.ensure_one()
        return {
            "reference": self.reference,
            "state": self.state,
            "payment_id": self.payment_id.id or None,
            "invoice_id": self.invoice_id.id,
        }
