"""Subscriptions as the API shows them; a fixed number of queries whatever the number of subscriptions."""

from ...models.account_move import api_payment_state
from ..api_kit import id_name

SUBSCRIPTION_FIELDS = [
    "code",
    "state",
    "partner_id",
    "product_id",
    "quantity",
    "price_unit",
    "currency_id",
    "cadence",
    "start_date",
    "end_date",
    "next_invoice_date",
    "paused_on",
    "paused_days",
    "close_reason_id",
    "close_date",
    "sale_order_id",
    "x_sa_id",
    "x_actor_id",
]


def serialize_subscriptions(subscriptions):
    return [
        {
            "id": subscription.id,
            "code": subscription.code,
            "state": subscription.state,
            "customer": id_name(subscription.partner_id),
            "product": id_name(subscription.product_id),
            "quantity": subscription.quantity,
            "price_unit": subscription.price_unit,
            "amount_per_period": subscription.currency_id.round(subscription.price_unit * subscription.quantity),
            "currency": subscription.currency_id.name,
            "cadence": subscription.cadence,
            "start_date": subscription.start_date,
            "end_date": subscription.end_date or None,
            "next_invoice_date": subscription.next_invoice_date or None,
            "paused_on": subscription.paused_on or None,
            "paused_days": subscription.paused_days,
            "close_reason": (
                {"code": subscription.close_reason_id.code, "name": subscription.close_reason_id.name}
                if subscription.close_reason_id
                else None
            ),
            "close_date": subscription.close_date or None,
            "origin_order": id_name(subscription.sale_order_id),
            "service_account": id_name(subscription.x_sa_id),
            "sold_by": id_name(subscription.x_actor_id),
        }
        for subscription in subscriptions
    ]


def serialize_subscription_detail(subscription):
    """One subscription with its billed periods, newest first."""
    periods = subscription.period_ids
    periods.fetch(["period_start", "period_end", "invoice_id"])
    periods.invoice_id.fetch(["name", "amount_total", "payment_state", "state"])
    return {
        **serialize_subscriptions(subscription)[0],
        "billed_periods": [
            {
                "period_start": period.period_start,
                "period_end": period.period_end,
                "invoice": id_name(period.invoice_id),
                "amount_total": period.invoice_id.amount_total if period.invoice_id else None,
                "payment_state": api_payment_state(period.invoice_id.payment_state) if period.invoice_id else None,
            }
            for period in periods
        ],
    }
