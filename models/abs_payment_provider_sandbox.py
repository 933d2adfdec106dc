import hashlib
import hmac
from datetime import datetime, time, timedelta

from odoo import api, models

SECRET_PARAM = "abs_connector.mobile_money.sandbox_secret"


class AbsPaymentProviderSandbox(models.AbstractModel):
    """The sandbox mobile-money provider: the demo's and the tests' provider.

    The interface every provider adapter implements (``abs.payment.provider.<code>``, the code being
    ``abs.payment.attempt.provider``): ``_abs_request_payment`` asks the provider to collect an
    attempt (an STK push to the phone), ``_abs_fetch_status`` asks it how an attempt ended (for the
    cron, when no callback came), ``_abs_verify_signature`` checks a callback's HMAC with the
    provider's secret, ``_abs_statement`` serves the provider's statement of an SA's transactions for a
    period (what reconciliation imports). The sandbox collects nothing: the outcome it reports is the attempt's
    ``sandbox_outcome`` (pending until a test or the demo sets it).
    """

    _name = "abs.payment.provider.sandbox"
    _description = "Mobile money provider: sandbox"

    @api.model
    def _abs_request_payment(self, attempt):
        """Start collecting ``attempt``; returns the provider's status for it (``pending``)."""
        return "pending"

    @api.model
    def _abs_fetch_status(self, attempt):
        """The provider's status of ``attempt``: ``pending``, ``done``, ``error`` or ``cancel``."""
        return attempt.sandbox_outcome or "pending"

    @api.model
    def _abs_statement(self, accounts, date_from, date_to):
        """The sandbox's own record of what it collected for the SAs ``accounts`` between ``date_from`` and
        ``date_to`` (by the day the attempt was made): ``[{"reference", "date", "amount", "phone",
        "service_account_id"}]``, oldest first.

        It collected an attempt that ended done, or that it would report done (``sandbox_outcome``) though no
        callback reached us: the "missing on our side" of a reconciliation.
        """
        attempts = self.env["abs.payment.attempt"].search(
            [
                ("provider", "=", "sandbox"),
                ("x_sa_id", "in", accounts.ids),
                "|",
                ("state", "=", "done"),
                ("sandbox_outcome", "=", "done"),
                ("create_date", ">=", datetime.combine(date_from, time.min)),
                ("create_date", "<", datetime.combine(date_to + timedelta(days=1), time.min)),
            ],
            order="create_date, id",
        )
        return [
            {
                "reference": attempt.reference,
                "date": attempt.create_date.date(),
                "amount": attempt.amount,
                "phone": attempt.phone,
                "service_account_id": attempt.x_sa_id.id,
            }
            for attempt in attempts
        ]

    @api.model
    def _abs_verify_signature(self, body, signature):
        """``signature`` is ``sha256=<hex HMAC-SHA256 of the raw body>`` with this provider's secret."""
        if not signature:
            return False
        return hmac.compare_digest(signature.strip().encode(), self._abs_sign(body).encode())

    @api.model
    def _abs_sign(self, body):
        """The ``X-Signature`` header the provider sends with ``body`` (bytes)."""
        return "sha256=" + hmac.new(self._abs_secret().encode(), body, hashlib.sha256).hexdigest()

    @api.model
    def _ensure_secret(self):
        return self._abs_secret()

    @api.model
    def _abs_secret(self):
        return self.env["ir.config_parameter"]._abs_secret(SECRET_PARAM)
