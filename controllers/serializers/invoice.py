"""Invoices and credit notes as the API shows them; a fixed number of queries whatever the number of invoices."""

from ...models.account_move import api_payment_state
from ..api_kit import id_name

INVOICE_FIELDS = [
    "name",
    "move_type",
    "state",
    "payment_state",
    "partner_id",
    "x_sa_id",
    "invoice_origin",
    "invoice_date",
    "invoice_date_due",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "currency_id",
    "reversed_entry_id",
]


def serialize_invoices(moves):
    """List form: header, amounts and states (``payment_state``: ``in_payment`` shown as ``paid``)."""
    return [
        {
            "id": move.id,
            "name": move.name or "/",
            "move_type": move.move_type,
            "state": move.state,
            "payment_state": api_payment_state(move.payment_state),
            "partner": id_name(move.partner_id),
            "service_account": id_name(move.x_sa_id),
            "invoice_origin": move.invoice_origin or None,
            "invoice_date": move.invoice_date or None,
            "invoice_date_due": move.invoice_date_due or None,
            "amount_untaxed": move.amount_untaxed,
            "amount_tax": move.amount_tax,
            "amount_total": move.amount_total,
            "amount_residual": move.amount_residual,
            "currency": move.currency_id.name or None,
            "reversed_entry": id_name(move.reversed_entry_id),
        }
        for move in moves
    ]


def serialize_invoice_detail(move):
    """One invoice with its lines, taxes, residual and due date."""
    lines = move.invoice_line_ids.filtered(lambda line: line.display_type == "product").sorted(
        lambda line: (line.sequence, line.id)
    )
    tax_lines = move.line_ids.filtered(lambda line: line.display_type == "tax")
    return {
        **serialize_invoices(move)[0],
        "payment_term": id_name(move.invoice_payment_term_id),
        "reference": move.ref or None,
        "lines": [
            {
                "id": line.id,
                "product": id_name(line.product_id),
                "description": line.name or "",
                "quantity": line.quantity,
                "price_unit": line.price_unit,
                "discount": line.discount,
                "taxes": [id_name(tax) for tax in line.tax_ids],
                "subtotal": line.price_subtotal,
                "total": line.price_total,
                "order_line_ids": line.sale_line_ids.ids,
            }
            for line in lines
        ],
        "taxes": [
            {
                "tax": id_name(line.tax_line_id),
                "name": line.name or "",
                "amount": line.amount_currency * move.direction_sign,
            }
            for line in tax_lines
        ],
        "orders": [id_name(order) for order in move.line_ids.sale_line_ids.order_id],
    }
