"""Quotations and sale orders (seed workflows 2–4): create, read, change, send, approve, confirm, finalize.

Orders are governed (V3, ``ov.sa_sale_order_assignment``) by the SA they were taken for: another
SA's order answers 404 on every route, as if it did not exist.
"""

from odoo import http

from ..schemas.order import (
    ApproveRequest,
    CancelRequest,
    ConfirmRequest,
    EmptyRequest,
    OrderAddLines,
    OrderLineUpdate,
    OrderListQuery,
    OrderListResponse,
    OrderResponse,
    OrderSentResponse,
    OrderUpdate,
    ProformaPdfResponse,
    QuotationCreate,
    RejectRequest,
)
from .api_kit import API_KEY, EMPLOYEE, Link, api_route, governed_page
from .serializers.order import ORDER_FIELDS, serialize_order_detail, serialize_orders

AUTH = (EMPLOYEE, API_KEY)
TAGS = ("Orders",)

# OpenAPI links of an order answer: the sale's next steps, quotation -> confirm -> delivery -> invoice -> payment.
THE_ORDER = {"order_id": "$response.body#/order/id"}
QUOTATION_LINKS = {
    "GetOrder": Link("GET", "/api/orders/{order_id}", THE_ORDER),
    "UpdateQuotation": Link("PUT", "/api/orders/{order_id}", THE_ORDER),
    "AddLines": Link("POST", "/api/orders/{order_id}/add-lines", THE_ORDER),
    "RequestApproval": Link("POST", "/api/orders/{order_id}/request-approval", THE_ORDER),
    "ConfirmOrder": Link("POST", "/api/orders/{order_id}/confirm", THE_ORDER),
}
CONFIRMED_LINKS = {
    "GetOrder": QUOTATION_LINKS["GetOrder"],
    "ValidateDelivery": Link(
        "POST", "/api/stock/deliveries/{delivery_id}/validate", {"delivery_id": "$response.body#/order/deliveries/0/id"}
    ),
    "InvoiceOrder": Link("POST", "/api/orders/{order_id}/invoice", THE_ORDER),
    "RegisterPayment": Link("POST", "/api/orders/{order_id}/register-payment", THE_ORDER),
    "FinalizeOrder": Link("POST", "/api/orders/{order_id}/finalize", THE_ORDER),
}


def get_order(ctx, order_id):
    return ctx.get_governed("sale.order", order_id, what="Order")


def order_answer(order):
    return {"order": serialize_order_detail(order)}


class AbsOrderController(http.Controller):
    @api_route(
        "/api/quotations",
        "POST",
        auth=AUTH,
        body=QuotationCreate,
        response=OrderResponse,
        status=201,
        tags=TAGS,
        links=QUOTATION_LINKS,
    )
    def create_quotation(self, ctx, body, query):
        """Create a quotation (draft sale order) in the acting SA, from product lines and/or a Bill of Products.

        Stamped with the SA, the agent and the outlet, and assigned to the SA. Prices come from the
        SA's pricelist (else the customer's); a line priced below it makes the order need approval.
        """
        products, bop = body.lines_values()
        order = ctx.env["sale.order"]._abs_create_quotation(
            {**body.header_values(), "products": products, "bop": bop}, ctx.require_sa(), ctx.employee
        )
        return order_answer(order)

    @api_route("/api/orders", "GET", auth=AUTH, query=OrderListQuery, response=OrderListResponse, tags=TAGS)
    def list_orders(self, ctx, body, query):
        """Quotations and orders of the caller's SAs, newest first."""
        return governed_page(
            ctx, "sale.order", query, ORDER_FIELDS, "orders", serialize_orders, order="date_order desc, id desc"
        )

    @api_route("/api/orders/{order_id}", "GET", auth=AUTH, response=OrderResponse, tags=TAGS)
    def get_order(self, ctx, body, query, order_id):
        """One order with its lines, approval, deliveries and invoices."""
        return order_answer(get_order(ctx, order_id))

    @api_route("/api/orders/{order_id}", "PUT", auth=AUTH, body=OrderUpdate, response=OrderResponse, tags=TAGS)
    def update_order(self, ctx, body, query, order_id):
        """Change header fields of a quotation (customer, outlet, reference, validity, payment terms)."""
        order = get_order(ctx, order_id)
        return order_answer(order._abs_update_quotation(body.model_dump(exclude_unset=True)))

    @api_route(
        "/api/orders/{order_id}/add-lines",
        "POST",
        auth=AUTH,
        body=OrderAddLines,
        response=OrderResponse,
        tags=TAGS,
        operation_id="addOrderLines",
    )
    def add_lines(self, ctx, body, query, order_id):
        """Add product lines (and/or a Bill of Products) to a quotation; an approval given before is withdrawn."""
        order = get_order(ctx, order_id)
        products, bop = body.lines_values()
        order._abs_add_lines(products, bop)
        return order_answer(order)

    @api_route(
        "/api/orders/{order_id}/lines/{order_line_id}",
        "PUT",
        auth=AUTH,
        body=OrderLineUpdate,
        response=OrderResponse,
        tags=TAGS,
    )
    def update_line(self, ctx, body, query, order_id, order_line_id):
        """Change a quotation line (quantity, unit price, discount); an approval given before is withdrawn."""
        order = get_order(ctx, order_id)
        order._abs_update_line(order_line_id, body.model_dump(exclude_unset=True))
        return order_answer(order)

    @api_route("/api/orders/{order_id}/lines/{order_line_id}", "DELETE", auth=AUTH, response=OrderResponse, tags=TAGS)
    def remove_line(self, ctx, body, query, order_id, order_line_id):
        """Remove a line from a quotation (not its last one: cancel it); an approval given before is withdrawn."""
        order = get_order(ctx, order_id)
        order._abs_remove_line(order_line_id)
        return order_answer(order)

    @api_route(
        "/api/orders/{order_id}/cancel", "POST", auth=AUTH, body=CancelRequest, response=OrderResponse, tags=TAGS
    )
    def cancel_quotation(self, ctx, body, query, order_id):
        """Cancel a quotation: staff of its SA or the agent who made it (another agent gets 403), or an API key.

        A confirmed order is not cancelled here (400 ``invalid_state``); an approval given before is withdrawn."""
        order = get_order(ctx, order_id)
        order._abs_cancel_quotation(ctx.employee, body.reason)
        return order_answer(order)

    @api_route(
        "/api/orders/{order_id}/send", "POST", auth=AUTH, body=EmptyRequest, response=OrderSentResponse, tags=TAGS
    )
    def send_quotation(self, ctx, body, query, order_id):
        """Email the quotation (PDF attached) to the customer: queued for Odoo's mail queue; the quotation is sent."""
        order = get_order(ctx, order_id)
        mails = order._abs_send_quotation()
        return {"message": "Quotation queued for sending", "mail_ids": mails.ids, **order_answer(order)}

    # Not read-only: rendering a report may build (write) its asset bundles on first use.
    @api_route(
        "/api/orders/{order_id}/proforma-pdf",
        "GET",
        auth=AUTH,
        response=ProformaPdfResponse,
        tags=TAGS,
        readonly=False,
    )
    def proforma_pdf(self, ctx, body, query, order_id):
        """The pro-forma of the order as a PDF, base64-encoded in the JSON answer."""
        return get_order(ctx, order_id)._abs_proforma_payload()

    @api_route(
        "/api/orders/{order_id}/request-approval",
        "POST",
        auth=AUTH,
        body=EmptyRequest,
        response=OrderResponse,
        tags=TAGS,
        links={"Approve": Link("POST", "/api/orders/{order_id}/approve", THE_ORDER), **QUOTATION_LINKS},
    )
    def request_approval(self, ctx, body, query, order_id):
        """Submit the quotation for approval by a staff member of its SA."""
        order = get_order(ctx, order_id)
        order._abs_request_approval()
        return order_answer(order)

    @api_route(
        "/api/orders/{order_id}/approve",
        "POST",
        auth=AUTH,
        body=ApproveRequest,
        response=OrderResponse,
        tags=TAGS,
        links={"ConfirmOrder": QUOTATION_LINKS["ConfirmOrder"]},
        operation_id="approveOrder",
    )
    def approve(self, ctx, body, query, order_id):
        """Approve an order waiting for approval: staff of the order's SA only (an agent gets 403)."""
        order = get_order(ctx, order_id)
        order._abs_approve(body.note, ctx.employee)
        return order_answer(order)

    @api_route(
        "/api/orders/{order_id}/reject",
        "POST",
        auth=AUTH,
        body=RejectRequest,
        response=OrderResponse,
        tags=TAGS,
        operation_id="rejectOrder",
    )
    def reject(self, ctx, body, query, order_id):
        """Reject an order waiting for approval, with the reason: back to draft. Staff of the order's SA only."""
        order = get_order(ctx, order_id)
        order._abs_reject(body.reason, ctx.employee)
        return order_answer(order)

    @api_route(
        "/api/orders/{order_id}/confirm",
        "POST",
        auth=AUTH,
        body=ConfirmRequest,
        response=OrderResponse,
        tags=TAGS,
        links=CONFIRMED_LINKS,
        operation_id="confirmOrder",
    )
    def confirm(self, ctx, body, query, order_id):
        """Confirm: the delivery of the physical lines (reserved unless ``reserve`` is false) and a draft
        invoice of the ordered-quantity lines. 409 ``approval_required`` when an approval is missing."""
        order = get_order(ctx, order_id)
        order._abs_confirm(reserve=body.reserve)
        return order_answer(order)

    @api_route(
        "/api/orders/{order_id}/finalize",
        "POST",
        auth=AUTH,
        body=EmptyRequest,
        response=OrderResponse,
        tags=TAGS,
        operation_id="finalizeOrder",
    )
    def finalize(self, ctx, body, query, order_id):
        """Finalize (close) a confirmed order: locked, no more changes."""
        order = get_order(ctx, order_id)
        order._abs_finalize()
        return order_answer(order)
