"""Payments (seed workflow 9, "Payments (payments.py)"): registration from an order, payment lists,
the customer dashboard, and mobile money (start, the provider's signed callback).

Payments are governed (V3, ``ov.sa_payment_assignment``) by the SA of the invoices they pay: another
SA's order, invoice, customer or payment answers 404 on every route, and lists never show them.
"""

import logging

from odoo import http
from odoo.http import request

from ..schemas.payment import (
    AttemptResponse,
    CallbackResponse,
    CustomerPaymentListQuery,
    DashboardResponse,
    MobileMoneyCallback,
    MobileMoneyStartRequest,
    PaymentListQuery,
    PaymentListResponse,
    PaymentResponse,
    RegisterPaymentRequest,
    RegisterPaymentResponse,
)
from .api_kit import (
    API_KEY,
    CUSTOMER,
    EMPLOYEE,
    PUBLIC,
    ApiError,
    Link,
    api_route,
    filters_domain,
    id_name,
    not_found,
    page_payload,
    search_page,
)
from .serializers.payg import payment_tokens
from .serializers.payment import PAYMENT_FIELDS, serialize_attempt, serialize_invoice_ref, serialize_payments

_logger = logging.getLogger(__name__)

AUTH = (EMPLOYEE, API_KEY)
TAGS = ("Payments",)
# What a payment list shows: posted customer payments (in process or paid), not drafts or cancelled ones.
CALLBACK_STATUS = {"success": "done", "failed": "error", "cancelled": "cancel", "pending": "pending"}
# OpenAPI links: a registered payment is read back, with the invoice it paid.
PAID_LINKS = {
    "GetPayment": Link("GET", "/api/payments/{payment_id}", {"payment_id": "$response.body#/payment/id"}),
    "GetInvoice": Link("GET", "/api/invoices/{invoice_id}", {"invoice_id": "$response.body#/invoice/id"}),
}


def own_or_staff_domain(ctx, model_name):
    """What the caller reads of a model where an agent sees its own records only and staff their SAs' all."""
    Model = ctx.env[model_name]
    if ctx.kind != EMPLOYEE:
        return Model._abs_own_or_staff_domain(ctx.readable_sa_ids)
    return Model._abs_own_or_staff_domain(ctx.readable_sa_ids, ctx.staff_sa_ids(), ctx.employee)


def payment_domain(ctx):
    """Money received that the caller reads: its SAs' (staff) or the payments it took (an agent)."""
    return own_or_staff_domain(ctx, "account.payment") + ctx.env["account.payment"]._abs_received_domain()


def invoice_domain(ctx):
    """Customer invoices of the caller's SAs (governed through ``ov.sa_invoice_assignment``)."""
    return [*ctx.governed_domain("account.move"), ("move_type", "=", "out_invoice")]


def customer_of(ctx, customer_id):
    return ctx.get_governed("res.partner", customer_id, what="Customer")


class AbsPaymentController(http.Controller):
    @api_route(
        "/api/orders/{order_id}/register-payment",
        "POST",
        auth=AUTH,
        body=RegisterPaymentRequest,
        response=RegisterPaymentResponse,
        status=201,
        tags=TAGS,
        links=PAID_LINKS,
    )
    def register_payment(self, ctx, body, query, order_id):
        """Register a payment of the order's invoice, posted and reconciled (seed workflow 9).

        Smart resolution: no posted invoice → the order's invoice is made and posted, then paid; a
        delivery of a delivered-quantity line still to validate → 400 ``delivery_not_validated`` naming
        ``POST /api/stock/deliveries/<id>/validate``; already paid → 409 ``already_paid`` with the
        invoice's payment state; several open invoices → ``invoice_id`` picks (else 400 ``invoice_required``).
        More than the residual → 400 ``amount_exceeds_residual``; less → a partial payment, the rest stays due.
        The journal: ``journal_id``, else the Cash, Bank or Mobile Money journal of ``payment_source``.
        Send an ``Idempotency-Key`` to make a retry safe.
        """
        order = ctx.get_governed("sale.order", order_id, what="Order")
        journal = ctx.env["account.journal"]._abs_journal_for_payment(
            order.company_id, body.journal_id, body.payment_source
        )
        invoice, payment = order._abs_register_payment(
            body.amount, journal, body.invoice_id, body.payment_date, body.memo, ctx.employee
        )
        backorders = order._abs_open_backorders()
        message = f"Payment registered on {invoice.name}"
        if backorders:
            message += (
                f": it pays what was delivered; {', '.join(backorders.mapped('name'))} is still to deliver"
                " and is invoiced once delivered"
            )
        return {
            "payment": serialize_payments(payment)[0],
            "invoice": serialize_invoice_ref(invoice),
            "backorders": [id_name(picking) for picking in backorders],
            "message": message,
            "payg_tokens": payment_tokens(payment),
        }

    @api_route("/api/payments", "GET", auth=AUTH, query=PaymentListQuery, response=PaymentListResponse, tags=TAGS)
    def list_payments(self, ctx, body, query):
        """Posted customer payments, newest first: staff see their SAs' (who took each: `agent`, or
        `collected_by_user` for the backend), an agent the payments it took. Filters: `agent_id`, `source`
        (cash, bank, mobile_money), `date_from`/`date_to` (the payment date), customer, journal, state."""
        domain = payment_domain(ctx) + filters_domain(query)
        payments, total = search_page(
            ctx.env["account.payment"], domain, PAYMENT_FIELDS, query, order="date desc, id desc"
        )
        return page_payload(query, total, "payments", serialize_payments(payments))

    @api_route("/api/payments/{payment_id}", "GET", auth=AUTH, response=PaymentResponse, tags=TAGS)
    def get_payment(self, ctx, body, query, payment_id):
        """One payment of the caller's SAs (an agent: one it took)."""
        payment = ctx.get_governed("account.payment", payment_id, domain=payment_domain(ctx), what="Payment")
        return {"payment": serialize_payments(payment)[0]}

    @api_route(
        "/api/customers/{customer_id}/payments",
        "GET",
        auth=AUTH,
        query=PaymentListQuery,
        response=PaymentListResponse,
        tags=TAGS,
    )
    def customer_payments(self, ctx, body, query, customer_id):
        """A customer's payment history (the payments of the caller's SAs)."""
        customer = customer_of(ctx, customer_id)
        domain = payment_domain(ctx) + customer._abs_documents_domain() + filters_domain(query)
        payments, total = search_page(
            ctx.env["account.payment"], domain, PAYMENT_FIELDS, query, order="date desc, id desc"
        )
        return page_payload(query, total, "payments", serialize_payments(payments))

    @api_route("/api/customers/{customer_id}/dashboard", "GET", auth=AUTH, response=DashboardResponse, tags=TAGS)
    def customer_dashboard(self, ctx, body, query, customer_id):
        """A customer's summary in the caller's SAs: orders, invoices, payments, assets; outstanding, paid, overdue.

        Amounts in the company currency. A fixed number of queries, whatever the customer's history.
        """
        return {"dashboard": customer_of(ctx, customer_id)._abs_dashboard(ctx.readable_sa_ids)}

    @api_route(
        "/api/payments/mobile-money",
        "POST",
        auth=AUTH,
        body=MobileMoneyStartRequest,
        response=AttemptResponse,
        status=201,
        tags=TAGS,
    )
    def start_mobile_money(self, ctx, body, query):
        """Start a mobile-money payment of an invoice: the provider asks the customer's phone to pay.

        The attempt is pending until the provider's callback (or the status cron) settles it; a
        successful one registers the payment. 400 when the amount exceeds the residual, 409 when paid.
        """
        invoice = ctx.env["account.move"].search([("id", "=", body.invoice_id), *invoice_domain(ctx)], limit=1)
        if not invoice:
            raise not_found("Invoice")
        attempt = ctx.env["abs.payment.attempt"]._abs_start(
            invoice, body.phone, body.amount, body.provider, actor=ctx.employee
        )
        return {"attempt": serialize_attempt(attempt)}

    @api_route(
        "/api/payments/mobile-money/callback",
        "POST",
        auth=(PUBLIC,),
        body=MobileMoneyCallback,
        response=CallbackResponse,
        tags=TAGS,
    )
    def mobile_money_callback(self, ctx, body, query):
        """The provider's callback: authenticated by ``X-Signature: sha256=<hex HMAC-SHA256 of the raw body>``
        with the provider's secret (no JWT). A bad signature → 401 ``bad_signature``, nothing written.

        Idempotent on the reference: a replayed or late callback gets the first answer again and
        changes nothing; a successful one registers exactly one payment.
        """
        raw = request.httprequest.get_data(cache=True)
        provider = ctx.env[f"abs.payment.provider.{body.provider}"]
        if not provider._abs_verify_signature(raw, request.httprequest.headers.get("X-Signature")):
            _logger.info("Mobile money callback refused: bad signature (reference %s)", body.reference[:64])
            raise ApiError(401, "bad_signature", "The callback's signature does not match.")
        attempt = ctx.env["abs.payment.attempt"]._abs_settle(
            body.reference, CALLBACK_STATUS[body.status], "callback", payload=raw.decode("utf-8", "replace")
        )
        return attempt._abs_answer()

    @api_route(
        "/api/customer/payments",
        "GET",
        auth=(CUSTOMER,),
        query=CustomerPaymentListQuery,
        response=PaymentListResponse,
        tags=("Customer portal",),
    )
    def my_payments(self, ctx, body, query):
        """The logged-in customer's own payments, newest first."""
        domain = ctx.env["account.payment"]._abs_received_domain() + ctx.customer._abs_documents_domain()
        domain += filters_domain(query)
        payments, total = search_page(
            ctx.env["account.payment"], domain, PAYMENT_FIELDS, query, order="date desc, id desc"
        )
        return page_payload(query, total, "payments", serialize_payments(payments))
