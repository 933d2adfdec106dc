"""Deliveries (seed workflow 5): outgoing pickings governed (V3) by the caller's SAs.

Another SA's delivery answers 404 on every route, as if it did not exist.
"""

from odoo import http

from ..schemas.stock_delivery import (
    DeliveryDetailResponse,
    DeliveryListQuery,
    DeliveryListResponse,
    DeliveryReturn,
    DeliveryReturnResponse,
    DeliveryValidate,
    DeliveryValidateResponse,
)
from .api_kit import API_KEY, EMPLOYEE, Link, api_route, governed_page, id_name
from .serializers.stock import DELIVERY_FIELDS, picking_done, serialize_deliveries, serialize_delivery_detail
from .stock_api import company_domain

AUTH = (EMPLOYEE, API_KEY)
TAGS = ("Deliveries",)
OUTGOING = [("picking_type_code", "=", "outgoing")]
ACTIVE_STATES = ["draft", "waiting", "confirmed", "assigned"]
# OpenAPI links: a validated delivery is read back (its order then invoiced and paid) or returned.
THE_DELIVERY = {"delivery_id": "$response.body#/delivery/id"}
VALIDATED_LINKS = {
    "GetDelivery": Link("GET", "/api/stock/deliveries/{delivery_id}", THE_DELIVERY),
    "ReturnDelivery": Link("POST", "/api/stock/deliveries/{delivery_id}/return", THE_DELIVERY),
}
ITS_ORDER = {"order_id": "$response.body#/delivery/sale_order/id"}
DELIVERY_LINKS = {
    "ValidateDelivery": Link("POST", "/api/stock/deliveries/{delivery_id}/validate", THE_DELIVERY),
    "InvoiceOrder": Link("POST", "/api/orders/{order_id}/invoice", ITS_ORDER),
    "RegisterPayment": Link("POST", "/api/orders/{order_id}/register-payment", ITS_ORDER),
}


def get_delivery(ctx, delivery_id):
    return ctx.get_governed("stock.picking", delivery_id, domain=OUTGOING, what="Delivery")


class AbsStockDeliveryController(http.Controller):
    @api_route(
        "/api/stock/deliveries",
        "GET",
        auth=AUTH,
        query=DeliveryListQuery,
        response=DeliveryListResponse,
        tags=TAGS,
    )
    def list_deliveries(self, ctx, body, query):
        """Outbound deliveries of the caller's SAs; default: the ones not done nor cancelled.

        ``state=ready`` (the seed's word) is ``assigned``: reserved, ready to validate."""
        company_domain(ctx, query)
        wanted = "assigned" if query.state == "ready" else query.state
        state = ("state", "=", wanted) if wanted else ("state", "in", ACTIVE_STATES)
        return governed_page(
            ctx,
            "stock.picking",
            query,
            DELIVERY_FIELDS,
            "deliveries",
            serialize_deliveries,
            order="scheduled_date asc, id asc",
            domain=[*OUTGOING, state],
        )

    @api_route(
        "/api/stock/deliveries/{delivery_id}",
        "GET",
        auth=AUTH,
        response=DeliveryDetailResponse,
        tags=TAGS,
        links=DELIVERY_LINKS,
    )
    def get_delivery(self, ctx, body, query, delivery_id):
        """One delivery with its lines, quantities and serials."""
        return {"delivery": serialize_delivery_detail(get_delivery(ctx, delivery_id))}

    @api_route(
        "/api/stock/deliveries/{delivery_id}/validate",
        "POST",
        auth=AUTH,
        body=DeliveryValidate,
        response=DeliveryValidateResponse,
        tags=TAGS,
        links=VALIDATED_LINKS,
    )
    def validate_delivery(self, ctx, body, query, delivery_id):
        """Validate (dispatch) a delivery: the given serials and quantities, or everything reserved."""
        picking = get_delivery(ctx, delivery_id)
        lines = None
        if body.lines is not None:
            lines = [
                {
                    "move_id": line.move_id,
                    "move_line_id": line.move_line_id,
                    "quantity": line.qty_done,
                    "lot_id": line.lot_id,
                    "lot_name": line.lot_name,
                }
                for line in body.lines
            ]
        backorder = picking._abs_validate_delivery(lines, body.force_backorder, actor=ctx.employee)
        return {"message": "Delivery validated", "delivery": picking_done(picking), "backorder": id_name(backorder)}

    @api_route(
        "/api/stock/deliveries/{delivery_id}/return",
        "POST",
        auth=AUTH,
        body=DeliveryReturn,
        response=DeliveryReturnResponse,
        tags=TAGS,
    )
    def return_delivery(self, ctx, body, query, delivery_id):
        """Return goods of a done delivery to stock (Odoo's return), validated at once."""
        picking = get_delivery(ctx, delivery_id)
        lines = None
        if body.lines is not None:
            lines = [
                {"product_id": line.product_id, "quantity": line.quantity, "lot_id": line.lot_id} for line in body.lines
            ]
        return_picking = picking._abs_return_delivery(lines, body.reason, actor=ctx.employee)
        return {
            "message": "Delivery returned",
            "delivery": picking_done(picking),
            "return_picking": picking_done(return_picking),
        }
