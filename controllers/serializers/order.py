"""Quotations and sale orders as the API shows them; a fixed number of queries whatever the number of orders."""

from ..api_kit import id_name

ORDER_FIELDS = [
    "name",
    "state",
    "locked",
    "abs_approval_state",
    "abs_approval_note",
    "abs_reject_reason",
    "abs_approved_by",
    "abs_approval_user_id",
    "abs_approval_date",
    "partner_id",
    "x_sa_id",
    "x_actor_id",
    "x_outlet_id",
    "client_order_ref",
    "date_order",
    "validity_date",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "currency_id",
    "invoice_status",
    "delivery_status",
]


def _approval(order, detail):
    decided_by = order.abs_approved_by or order.abs_approval_user_id
    reasons = order._abs_approval_reason_codes() if detail else None
    return {
        "state": order.abs_approval_state,
        "needs_approval": bool(reasons) if detail else None,
        "reasons": reasons,
        "note": order.abs_approval_note or None,
        "reject_reason": order.abs_reject_reason or None,
        "decided_by": id_name(decided_by),
        "decided_at": order.abs_approval_date or None,
    }


def serialize_orders(orders, detail=False):
    """List form: the header, amounts and approval of each order (``detail``: its approval needs too)."""
    return [
        {
            "id": order.id,
            "name": order.name,
            "state": order.state,
            "locked": order.locked,
            "approval": _approval(order, detail),
            "partner": id_name(order.partner_id),
            "service_account": id_name(order.x_sa_id),
            "agent": id_name(order.x_actor_id),
            "outlet": id_name(order.x_outlet_id),
            "client_order_ref": order.client_order_ref or None,
            "date_order": order.date_order or None,
            "validity_date": order.validity_date or None,
            "amount_untaxed": order.amount_untaxed,
            "amount_tax": order.amount_tax,
            "amount_total": order.amount_total,
            "currency": order.currency_id.name or None,
            "invoice_status": order.invoice_status or None,
            "delivery_status": order.delivery_status or None,
        }
        for order in orders
    ]


def _document(record):
    return {"id": record.id, "name": record.display_name, "state": record.state}


def serialize_order_lines(lines):
    return [
        {
            "id": line.id,
            "product": id_name(line.product_id),
            "description": line.name or "",
            "quantity": line.product_uom_qty,
            "uom": id_name(line.product_uom),
            "price_unit": line.price_unit,
            "discount": line.discount,
            "subtotal": line.price_subtotal,
            "tax": line.price_tax,
            "total": line.price_total,
            "qty_delivered": line.qty_delivered,
            "qty_invoiced": line.qty_invoiced,
        }
        for line in lines
        if not line.display_type
    ]


def serialize_order_detail(order):
    """One order with its lines, deliveries and invoices."""
    return {
        **serialize_orders(order, detail=True)[0],
        "channel_partner": id_name(order.x_channel_partner_id),
        "pricelist": id_name(order.pricelist_id),
        "payment_term": id_name(order.payment_term_id),
        "lines": serialize_order_lines(order.order_line),
        "deliveries": [_document(picking) for picking in order.picking_ids.sorted("id")],
        "invoices": [_document(move) for move in order.invoice_ids.sorted("id")],
    }
