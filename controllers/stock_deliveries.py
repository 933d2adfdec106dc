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
from .api_kit import (
    API_KEY,
    EMPLOYEE,
    api_route,
    id_name,
    not_found,
    page_payload,
    search_page,
)
from .stock_api import PICKING_FIELDS, serialize_move_lines, serialize_pickings

DELIVERY_FIELDS = [*PICKING_FIELDS, "sale_id"]
ACTIVE_STATES = ["draft", "waiting", "confirmed", "assigned"]


def delivery_domain(ctx):
    """Outgoing pickings the caller may see: governed (V3) by one of its SAs."""
    scope = ctx.env["ov.sa_delivery_assignment"]._governed_ids_domain(ctx.sa_domain_ids())
    return [("picking_type_code", "=", "outgoing")] + scope


def get_delivery(ctx, delivery_id):
    """The delivery if the caller may see it; 404 otherwise, also for another SA's delivery."""
    picking = ctx.env["stock.picking"].search([("id", "=", delivery_id)] + delivery_domain(ctx), limit=1)
    if not picking:
        raise not_found("Delivery")
    return picking


def serialize_deliveries(pickings):
    """List form of the seed: the picking summary plus its sale order."""
    return [
        {**summary, "sale_order": id_name(picking.sale_id)}
        for picking, summary in zip(pickings, serialize_pickings(pickings, "partner"), strict=True)
    ]


def serialize_delivery_detail(picking):
    moves = picking.move_ids.sorted("id")
    lines = serialize_move_lines(moves)
    for move, line in zip(moves, lines, strict=True):
        line["tracking"] = move.has_tracking or "none"
        line["move_lines"] = [
            {
                "id": ml.id,
                "lot_id": ml.lot_id.id or None,
                "lot_name": ml.lot_id.name or ml.lot_name or None,
                "quantity": ml.quantity,
                "location_from": id_name(ml.location_id),
                "picked": ml.picked,
            }
            for ml in move.move_line_ids.sorted("id")
        ]
    return {
        **serialize_deliveries(picking)[0],
        "note": picking.note or None,
        "service_account": id_name(picking.abs_sa_id),
        "backorder_of": id_name(picking.backorder_id),
        "lines": lines,
    }


def done_payload(picking):
    return {"id": picking.id, "name": picking.name, "state": picking.state, "date_done": picking.date_done or None}


class AbsStockDeliveryController(http.Controller):
    @api_route(
        "/api/stock/deliveries",
        "GET",
        auth=(EMPLOYEE, API_KEY),
        query=DeliveryListQuery,
        response=DeliveryListResponse,
        tags=("Deliveries",),
    )
    def list_deliveries(self, ctx, body, query):
        """Outbound deliveries of the caller's SAs; default: the ones not done nor cancelled."""
        domain = delivery_domain(ctx)
        domain.append(("state", "=", query.state) if query.state else ("state", "in", ACTIVE_STATES))
        if query.warehouse_id:
            domain.append(("picking_type_id.warehouse_id", "=", query.warehouse_id))
        if query.sale_order_id:
            domain.append(("sale_id", "=", query.sale_order_id))
        pickings, total = search_page(
            ctx.env["stock.picking"], domain, DELIVERY_FIELDS, query, order="scheduled_date asc, id asc"
        )
        return page_payload(query, total, "deliveries", serialize_deliveries(pickings))

    @api_route(
        "/api/stock/deliveries/{delivery_id}",
        "GET",
        auth=(EMPLOYEE, API_KEY),
        response=DeliveryDetailResponse,
        tags=("Deliveries",),
    )
    def get_delivery(self, ctx, body, query, delivery_id):
        """One delivery with its lines, quantities and serials."""
        return {"delivery": serialize_delivery_detail(get_delivery(ctx, delivery_id))}

    @api_route(
        "/api/stock/deliveries/{delivery_id}/validate",
        "POST",
        auth=(EMPLOYEE, API_KEY),
        body=DeliveryValidate,
        response=DeliveryValidateResponse,
        tags=("Deliveries",),
    )
    def validate_delivery(self, ctx, body, query, delivery_id):
        """Validate (dispatch) a delivery: the given serials and quantities, or everything reserved."""
        picking = get_delivery(ctx, delivery_id)
        lines = [line.model_dump() for line in body.lines] if body.lines is not None else None
        backorder = picking._abs_validate_delivery(lines, body.force_backorder, actor=ctx.employee)
        return {"message": "Delivery validated", "delivery": done_payload(picking), "backorder": id_name(backorder)}

    @api_route(
        "/api/stock/deliveries/{delivery_id}/return",
        "POST",
        auth=(EMPLOYEE, API_KEY),
        body=DeliveryReturn,
        response=DeliveryReturnResponse,
        tags=("Deliveries",),
    )
    def return_delivery(self, ctx, body, query, delivery_id):
        """Return goods of a done delivery to stock (Odoo's return), validated at once."""
        picking = get_delivery(ctx, delivery_id)
        lines = [line.model_dump() for line in body.lines] if body.lines is not None else None
        return_picking = picking._abs_return_delivery(lines, body.reason, actor=ctx.employee)
        return {
            "message": "Delivery returned",
            "delivery": done_payload(picking),
            "return_picking": done_payload(return_picking),
        }
