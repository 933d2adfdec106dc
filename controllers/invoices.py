"""Invoices and credit notes (seed workflows 6-7): made from orders, posted, reversed, read, sent, printed.

Invoices are governed (V3, ``ov.sa_invoice_assignment``) by the SA of their order: every route reads
through the assignment, and another SA's invoice answers 404 as if it did not exist.
"""

from odoo import http

from ..models.account_move import CUSTOMER_DOCUMENTS
from ..schemas.invoice import (
    CreditNoteCreate,
    CreditNoteResponse,
    CustomerInvoiceQuery,
    EmptyRequest,
    InvoiceCreate,
    InvoiceCreatedResponse,
    InvoiceListQuery,
    InvoiceListResponse,
    InvoicePdfResponse,
    InvoiceResponse,
    InvoiceSentResponse,
    NextPaymentResponse,
    OrderInvoicesResponse,
)
from .api_kit import (
    API_KEY,
    CUSTOMER,
    EMPLOYEE,
    Link,
    api_route,
    filters_domain,
    governed_page,
    page_payload,
    search_page,
)
from .serializers.invoice import INVOICE_FIELDS, serialize_invoice_detail, serialize_invoices

AUTH = (EMPLOYEE, API_KEY)
TAGS = ("Invoices",)
CUSTOMER_DOMAIN = [("move_type", "in", CUSTOMER_DOCUMENTS)]
LIST_ORDER = "invoice_date desc, id desc"
# OpenAPI links: the order's draft is posted, then paid (through its order) or sent.
THE_INVOICE = {"invoice_id": "$response.body#/invoice/id"}
SAME_ORDER = {"order_id": "$request.path.order_id"}
DRAFT_LINKS = {
    "GetInvoice": Link("GET", "/api/invoices/{invoice_id}", THE_INVOICE),
    "PostInvoice": Link("POST", "/api/orders/{order_id}/invoices/{invoice_id}/confirm", {**SAME_ORDER, **THE_INVOICE}),
}
POSTED_LINKS = {
    "GetInvoice": DRAFT_LINKS["GetInvoice"],
    "SendInvoice": Link("POST", "/api/invoices/{invoice_id}/send", THE_INVOICE),
    "RegisterPayment": Link("POST", "/api/orders/{order_id}/register-payment", SAME_ORDER),
}


def get_invoice(ctx, invoice_id, domain=()):
    return ctx.get_governed("account.move", invoice_id, domain=[*CUSTOMER_DOMAIN, *domain], what="Invoice")


def get_order(ctx, order_id):
    return ctx.get_governed("sale.order", order_id, what="Order")


def of_order(order):
    return [("line_ids.sale_line_ids.order_id", "=", order.id)]


def invoice_answer(move):
    return {"invoice": serialize_invoice_detail(move)}


class AbsInvoiceController(http.Controller):
    # ------------------------------------------------------------------ from an order

    @api_route(
        "/api/orders/{order_id}/invoice",
        "POST",
        auth=AUTH,
        body=InvoiceCreate,
        response=InvoiceCreatedResponse,
        tags=TAGS,
        links=DRAFT_LINKS,
    )
    def create_invoice(self, ctx, body, query, order_id):
        """The order's draft invoice: its existing draft (``created`` false), else a new one.

        ``lines`` makes a partial invoice of those quantities; the order stays open for the rest
        (409 ``draft_invoice_exists`` while a draft waits). 409 ``nothing_to_invoice`` when nothing is
        invoiceable now (goods invoiced on delivery are invoiceable once delivered).
        """
        order = get_order(ctx, order_id)
        lines = None
        if body.lines:
            OrderLine = ctx.env["sale.order.line"]
            lines = [(OrderLine.browse(line.order_line_id), line.quantity) for line in body.lines]
        invoice, created = order._abs_invoice(lines)
        return {"created": created, **invoice_answer(invoice)}

    @api_route("/api/orders/{order_id}/invoices", "GET", auth=AUTH, response=OrderInvoicesResponse, tags=TAGS)
    def order_invoices(self, ctx, body, query, order_id):
        """Invoices and credit notes of an order, oldest first."""
        order = get_order(ctx, order_id)
        domain = CUSTOMER_DOMAIN + of_order(order) + ctx.governed_domain("account.move")
        invoices = ctx.env["account.move"].search_fetch(domain, INVOICE_FIELDS, order="id")
        return {"invoices": serialize_invoices(invoices)}

    @api_route(
        "/api/orders/{order_id}/invoices/{invoice_id}/confirm",
        "POST",
        auth=AUTH,
        body=EmptyRequest,
        response=InvoiceResponse,
        tags=TAGS,
        links=POSTED_LINKS,
    )
    def confirm_invoice(self, ctx, body, query, order_id, invoice_id):
        """Post a draft invoice of the order: receivable, revenue and tax entries written; due date fixed.

        409 ``invoice_not_draft`` for a posted or cancelled one (a posted invoice is undone by a credit note).
        """
        order = get_order(ctx, order_id)
        invoice = get_invoice(ctx, invoice_id, of_order(order))
        return invoice_answer(invoice._abs_post())

    @api_route(
        "/api/orders/{order_id}/credit-note",
        "POST",
        auth=AUTH,
        body=CreditNoteCreate,
        response=CreditNoteResponse,
        status=201,
        tags=TAGS,
    )
    def credit_note(self, ctx, body, query, order_id):
        """Reverse a posted invoice of the order by a posted credit note (in full, or ``lines`` for a part),
        reconciled with it. The credit note belongs to the invoice's SA."""
        order = get_order(ctx, order_id)
        invoice = get_invoice(ctx, body.invoice_id, of_order(order))
        lines = None
        if body.lines:
            MoveLine = ctx.env["account.move.line"]
            lines = [(MoveLine.browse(line.invoice_line_id), line.quantity) for line in body.lines]
        credit_note = invoice._abs_credit_note(body.reason, body.date, lines)
        return {"credit_note": serialize_invoice_detail(credit_note), "invoice": serialize_invoices(invoice)[0]}

    # ------------------------------------------------------------------ invoices

    @api_route("/api/invoices", "GET", auth=AUTH, query=InvoiceListQuery, response=InvoiceListResponse, tags=TAGS)
    def list_invoices(self, ctx, body, query):
        """Customer invoices and credit notes of the caller's SAs, newest first."""
        return governed_page(
            ctx, "account.move", query, INVOICE_FIELDS, "invoices", serialize_invoices, LIST_ORDER, CUSTOMER_DOMAIN
        )

    @api_route("/api/invoices/{invoice_id}", "GET", auth=AUTH, response=InvoiceResponse, tags=TAGS)
    def get_invoice(self, ctx, body, query, invoice_id):
        """One invoice with its lines, taxes, residual and due date."""
        return invoice_answer(get_invoice(ctx, invoice_id))

    @api_route(
        "/api/invoices/{invoice_id}/send", "POST", auth=AUTH, body=EmptyRequest, response=InvoiceSentResponse, tags=TAGS
    )
    def send_invoice(self, ctx, body, query, invoice_id):
        """Email a posted invoice (PDF attached) to the customer: queued for Odoo's mail queue."""
        invoice = get_invoice(ctx, invoice_id)
        mails = invoice._abs_send()
        return {"message": "Invoice queued for sending", "mail_ids": mails.ids, **invoice_answer(invoice)}

    # Not read-only: rendering a report may build (write) its asset bundles on first use.
    @api_route(
        "/api/invoices/{invoice_id}/pdf", "GET", auth=AUTH, response=InvoicePdfResponse, tags=TAGS, readonly=False
    )
    def invoice_pdf(self, ctx, body, query, invoice_id):
        """The invoice as a PDF (core's invoice report), base64-encoded in the JSON answer."""
        return get_invoice(ctx, invoice_id)._abs_pdf_payload()

    # ------------------------------------------------------------------ a customer's invoices

    def _customer_page(self, ctx, customer_id, query, extra):
        customer = ctx.get_governed("res.partner", customer_id, what="Customer")
        domain = (
            CUSTOMER_DOMAIN
            + customer._abs_documents_domain()
            + extra
            + ctx.governed_domain("account.move")
            + filters_domain(query)
        )
        invoices, total = search_page(ctx.env["account.move"], domain, INVOICE_FIELDS, query, order=LIST_ORDER)
        return page_payload(query, total, "invoices", serialize_invoices(invoices))

    @api_route(
        "/api/customers/{customer_id}/invoices",
        "GET",
        auth=AUTH,
        query=CustomerInvoiceQuery,
        response=InvoiceListResponse,
        tags=TAGS,
    )
    def customer_invoices(self, ctx, body, query, customer_id):
        """Invoices and credit notes of a customer of the caller's SAs (those of the caller's SAs only)."""
        return self._customer_page(ctx, customer_id, query, [])

    @api_route(
        "/api/customers/{customer_id}/invoices/pending",
        "GET",
        auth=AUTH,
        query=CustomerInvoiceQuery,
        response=InvoiceListResponse,
        tags=TAGS,
    )
    def customer_pending_invoices(self, ctx, body, query, customer_id):
        """A customer's posted invoices not paid yet (``not_paid`` or ``partial``)."""
        return self._customer_page(ctx, customer_id, query, ctx.env["account.move"]._abs_payable_domain())

    @api_route("/api/customers/{customer_id}/next-payment", "GET", auth=AUTH, response=NextPaymentResponse, tags=TAGS)
    def customer_next_payment(self, ctx, body, query, customer_id):
        """The customer's next instalment due (date and amount) on its open invoices; null when nothing is due."""
        customer = ctx.get_governed("res.partner", customer_id, what="Customer")
        Move = ctx.env["account.move"]
        domain = Move._abs_payable_domain() + customer._abs_documents_domain() + ctx.governed_domain("account.move")
        return {"next_payment": Move._abs_next_payment(domain)}

    # ------------------------------------------------------------------ the customer portal

    @api_route(
        "/api/customer/invoices",
        "GET",
        auth=(CUSTOMER,),
        query=CustomerInvoiceQuery,
        response=InvoiceListResponse,
        tags=("Customer portal",),
    )
    def my_invoices(self, ctx, body, query):
        """The logged-in customer's own posted invoices and credit notes, newest first."""
        domain = (
            CUSTOMER_DOMAIN + [("state", "=", "posted")] + ctx.customer._abs_documents_domain() + filters_domain(query)
        )
        invoices, total = search_page(ctx.env["account.move"], domain, INVOICE_FIELDS, query, order=LIST_ORDER)
        return page_payload(query, total, "invoices", serialize_invoices(invoices))
