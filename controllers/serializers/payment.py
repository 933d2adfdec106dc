"""Payments and mobile-money attempts as the API shows them; a fixed number of queries whatever the page size."""

from ...models.account_move import api_payment_state
from ..api_kit import id_name

PAYMENT_FIELDS = [
    "name",
    "date",
    "amount",
    "currency_id",
    "state",
    "memo",
    "partner_id",
    "journal_id",
    "x_sa_id",
    "x_actor_id",
    "create_uid",
    "abs_handover_id",
    "invoice_ids",
]


def _ref(record):
    return {"id": record.id, "name": record.name or "/"}


def serialize_payments(payments):
    """List form. Related records are read for the whole page at once (Odoo's prefetching)."""
    api_user = payments.env.ref("abs_connector.user_api", raise_if_not_found=False)
    if payments:
        # One read per related model for the whole page, instead of one per row when first touched.
        payments.journal_id.fetch(["name", "abs_payment_source"])
        payments.invoice_ids.fetch(["name"])
    return [
        {
            "id": payment.id,
            "name": payment.name or "/",
            "date": payment.date,
            "amount": payment.amount,
            "currency": payment.currency_id.name,
            "state": payment.state,
            "memo": payment.memo or None,
            "partner": id_name(payment.partner_id),
            "journal": _ref(payment.journal_id),
            "payment_source": payment.journal_id.abs_payment_source or None,
            "service_account": id_name(payment.x_sa_id),
            "agent": id_name(payment.x_actor_id),
            # The backend user who registered it (the API's technical user stands for the agent or a service).
            "collected_by_user": None
            if payment.x_actor_id or payment.create_uid == api_user
            else id_name(payment.create_uid),
            "handover_id": payment.abs_handover_id.id or None,
            "invoices": [_ref(invoice) for invoice in payment.invoice_ids],
        }
        for payment in payments
    ]


def serialize_invoice_ref(invoice):
    return {
        "id": invoice.id,
        "name": invoice.name,
        "payment_state": api_payment_state(invoice.payment_state),
        "amount_total": invoice.amount_total,
        "amount_residual": invoice.amount_residual,
    }


def serialize_attempt(attempt):
    return {
        "id": attempt.id,
        "reference": attempt.reference,
        "provider": attempt.provider,
        "state": attempt.state,
        "amount": attempt.amount,
        "currency": attempt.currency_id.name,
        "phone": attempt.phone,
        "invoice": _ref(attempt.invoice_id),
        "payment_id": attempt.payment_id.id or None,
        "message": attempt.state_message or None,
    }
