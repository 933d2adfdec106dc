"""Warehouse & stock API (seed workflow 0 and "Warehouse & Stock (stock_api.py)").

Company-level data, not SA-governed: every authenticated employee or API key sees its companies'
warehouses; other companies' records are invisible (record rules) and answer 404. Writes are
manager-only and delegate to ``abs.stock.service``.
"""

from datetime import UTC, datetime, time, timedelta

from odoo import http

from ..schemas.stock import (
    AdjustmentRequest,
    AdjustmentResponse,
    LevelListResponse,
    LotListQuery,
    LotListResponse,
    LotLookupQuery,
    LotResponse,
    MovementListQuery,
    MovementListResponse,
    PickingCreatedResponse,
    ProductLevelsQuery,
    ProductLevelsResponse,
    ReceiptListQuery,
    ReceiptListResponse,
    ReceiptResponse,
    ReceiveRequest,
    ScrapRequest,
    ScrapResponse,
    StockLevelsQuery,
    TransferRequest,
    WarehouseListQuery,
    WarehouseListResponse,
)
from .api_kit import API_KEY, EMPLOYEE, api_route, bad_request, id_name, not_found, page_payload, search_page

AUTH = (EMPLOYEE, API_KEY)
TAGS = ("Warehouse & Stock",)
# Fields serialize_pickings reads, fetched with the search.
PICKING_FIELDS = [
    "name",
    "state",
    "scheduled_date",
    "date_done",
    "origin",
    "partner_id",
    "location_id",
    "location_dest_id",
]
MOVE_FIELDS = [
    "date",
    "reference",
    "state",
    "product_id",
    "product_uom_qty",
    "quantity",
    "picked",
    "product_uom",
    "location_id",
    "location_dest_id",
    "picking_id",
    "picking_type_id",
    "is_inventory",
    "scrapped",
]


def service(ctx):
    return ctx.env["abs.stock.service"]


def quantities(on_hand, reserved):
    return {"qty_on_hand": on_hand, "qty_reserved": reserved, "qty_available": on_hand - reserved}


def location_name(location):
    return {"id": location.id, "name": location.complete_name} if location else None


# --------------------------------------------------------------------------- serialisers


def serialize_warehouses(warehouses):
    return [
        {
            "id": wh.id,
            "name": wh.name,
            "short_name": wh.code,
            "company": id_name(wh.company_id),
            # Steps the warehouse does not use (e.g. output in one-step delivery) are archived
            # locations in Odoo: shown as null, since no operation may use them.
            "locations": {
                key: location_name(location) if location.active else None
                for key, location in (
                    ("input", wh.wh_input_stock_loc_id),
                    ("stock", wh.lot_stock_id),
                    ("pack", wh.wh_pack_stock_loc_id),
                    ("output", wh.wh_output_stock_loc_id),
                )
            },
        }
        for wh in warehouses
    ]


def serialize_lots(lots):
    on_hand = lots.env["abs.stock.service"]._abs_lot_on_hand(lots) if lots else {}
    return [
        {
            "id": lot.id,
            "serial": lot.name,
            "ref": lot.ref or None,
            "product": id_name(lot.product_id),
            "qty_on_hand": on_hand.get(lot.id, 0.0),
        }
        for lot in lots
    ]


def lots_by_move(env, moves):
    """{move id: [lot ids]} from the move lines, one query."""
    result = {move.id: [] for move in moves}
    for line in env["stock.move.line"].search_fetch(
        [("move_id", "in", moves.ids), ("lot_id", "!=", False)], ["move_id", "lot_id"], order="id"
    ):
        if line.lot_id.id not in result[line.move_id.id]:
            result[line.move_id.id].append(line.lot_id.id)
    return result


def qty_done(move):
    return move.quantity if move.state == "done" or move.picked else 0.0


def serialize_pickings(pickings, partner_key):
    """Summary of receipts or deliveries (``partner_key``: "supplier" or "partner"); queries do not grow with
    the number of pickings."""
    counts = dict(
        pickings.env["stock.move"]._read_group([("picking_id", "in", pickings.ids)], ["picking_id"], ["__count"])
    )
    return [
        {
            "id": picking.id,
            "name": picking.name,
            "state": picking.state,
            "scheduled_date": picking.scheduled_date,
            "date_done": picking.date_done or None,
            "origin": picking.origin or None,
            partner_key: id_name(picking.partner_id),
            "location_from": location_name(picking.location_id),
            "location_to": location_name(picking.location_dest_id),
            "move_count": counts.get(picking, 0),
        }
        for picking in pickings
    ]


def serialize_move_lines(moves):
    lots = lots_by_move(moves.env, moves)
    return [
        {
            "id": move.id,
            "product": id_name(move.product_id),
            "qty_ordered": move.product_uom_qty,
            "qty_done": qty_done(move),
            "uom": id_name(move.product_uom),
            "state": move.state,
            "lot_ids": lots[move.id],
        }
        for move in moves
    ]


def move_type(move):
    if move.picking_type_id:
        return move.picking_type_id.code
    return "inventory" if move.is_inventory else "scrap" if move.scrapped else "other"


def serialize_movements(moves):
    lots = lots_by_move(moves.env, moves)
    return [
        {
            "id": move.id,
            "date": move.date,
            "reference": move.reference or None,
            "type": move_type(move),
            "state": move.state,
            "product": id_name(move.product_id),
            "qty_ordered": move.product_uom_qty,
            "qty_done": qty_done(move),
            "uom": id_name(move.product_uom),
            "from_location": location_name(move.location_id),
            "to_location": location_name(move.location_dest_id),
            "picking": id_name(move.picking_id),
            "lot_ids": lots[move.id],
        }
        for move in moves
    ]


def picking_brief(picking):
    return {"id": picking.id, "name": picking.name, "state": picking.state}


# --------------------------------------------------------------------------- request -> service values


def receive_values(body):
    scheduled = body.scheduled_date
    if scheduled is not None and not isinstance(scheduled, datetime):
        scheduled = datetime.combine(scheduled, time(12))
    if isinstance(scheduled, datetime) and scheduled.tzinfo:
        scheduled = scheduled.astimezone(UTC).replace(tzinfo=None)
    return {
        "warehouse_id": body.warehouse_id,
        "partner_id": body.partner_id or body.supplier_id,
        "scheduled_date": scheduled,
        "origin": body.origin,
        "validate": body.validate_,
        "lines": [
            {"product_id": line.product_id, "qty": line.received_qty, "lot_names": line.lot_names}
            for line in body.lines
        ],
    }


class AbsStockController(http.Controller):
    # ----------------------------------------------------------------------- reads

    @api_route("/api/warehouses", "GET", auth=AUTH, query=WarehouseListQuery, response=WarehouseListResponse, tags=TAGS)
    def list_warehouses(self, ctx, body, query):
        """Warehouses of the caller's companies with their named locations (input, stock, pack, output)."""
        warehouses, total = search_page(
            ctx.env["stock.warehouse"],
            [],
            [
                "name",
                "code",
                "company_id",
                "lot_stock_id",
                "wh_input_stock_loc_id",
                "wh_pack_stock_loc_id",
                "wh_output_stock_loc_id",
            ],
            query,
            order="sequence, id",
        )
        return page_payload(query, total, "warehouses", serialize_warehouses(warehouses))

    @api_route("/api/stock/levels", "GET", auth=AUTH, query=StockLevelsQuery, response=LevelListResponse, tags=TAGS)
    def stock_levels(self, ctx, body, query):
        """On-hand, reserved and available quantity per product and internal location."""
        svc = service(ctx)
        warehouse = svc._abs_warehouse(query.warehouse_id) if query.warehouse_id else None
        domain = svc._abs_internal_quant_domain(
            product_ids=[query.product_id] if query.product_id else None, warehouse=warehouse
        )
        groupby = ["product_id", "location_id"]
        offset = (query.page - 1) * query.limit
        groups = svc._abs_levels(domain, groupby, offset=offset, limit=query.limit)
        if len(groups) < query.limit and (groups or not offset):
            total = offset + len(groups)
        else:
            total = len(ctx.env["stock.quant"]._read_group(domain, groupby))
        levels = [
            {"product": id_name(product), "location": location_name(location), **quantities(qty, reserved)}
            for product, location, qty, reserved in groups
        ]
        return page_payload(query, total, "levels", levels)

    @api_route(
        "/api/stock/levels/{product_id}",
        "GET",
        auth=AUTH,
        query=ProductLevelsQuery,
        response=ProductLevelsResponse,
        tags=TAGS,
    )
    def product_levels(self, ctx, body, query, product_id):
        """One product's stock by internal location, with totals and the forecast (on hand + incoming − outgoing)."""
        svc = service(ctx)
        product = svc._abs_visible("product.product", [product_id], "Product")
        warehouse = svc._abs_warehouse(query.warehouse_id) if query.warehouse_id else None
        groups = svc._abs_levels(
            svc._abs_internal_quant_domain(product_ids=product.ids, warehouse=warehouse), ["location_id"]
        )
        by_location = [
            {"location": location_name(location), **quantities(qty, reserved)} for location, qty, reserved in groups
        ]
        forecast_product = product.with_context(warehouse_id=warehouse.id) if warehouse else product
        totals = quantities(sum(g[1] for g in groups), sum(g[2] for g in groups))
        totals["qty_forecasted"] = forecast_product.virtual_available
        return {
            "product": {
                "id": product.id,
                "name": product.display_name,
                "default_code": product.default_code or None,
                "tracking": product.tracking,
            },
            "by_location": by_location,
            "totals": totals,
        }

    @api_route("/api/stock/lots", "GET", auth=AUTH, query=LotListQuery, response=LotListResponse, tags=TAGS)
    def list_lots(self, ctx, body, query):
        """Serial and lot numbers, newest first, with the quantity each has in internal locations."""
        domain = []
        if query.product_id:
            domain.append(("product_id", "=", query.product_id))
        if query.serial:
            domain.append(("name", "=", query.serial))
        if query.q:
            domain.append(("name", "ilike", query.q))
        lots, total = search_page(ctx.env["stock.lot"], domain, ["name", "ref", "product_id"], query, order="id desc")
        return page_payload(query, total, "lots", serialize_lots(lots))

    @api_route(
        "/api/stock/lots/{lot_name:str}", "GET", auth=AUTH, query=LotLookupQuery, response=LotResponse, tags=TAGS
    )
    def get_lot(self, ctx, body, query, lot_name):
        """Locate a serial number: the lot and every internal location holding it."""
        domain = [("name", "=", lot_name)]
        if query.product_id:
            domain.append(("product_id", "=", query.product_id))
        lots = ctx.env["stock.lot"].search_fetch(domain, ["name", "ref", "product_id"], limit=2, order="id")
        if not lots:
            raise not_found("Serial/lot")
        if len(lots) > 1:
            raise bad_request(
                "Several products have this serial: add product_id.",
                code="ambiguous_lot",
                details={"product_ids": lots.product_id.ids},
            )
        svc = service(ctx)
        groups = svc._abs_levels(svc._abs_internal_quant_domain(lot_ids=lots.ids), ["location_id"])
        return {
            "lot": serialize_lots(lots)[0],
            "locations": [
                {"location": location_name(location), **quantities(qty, reserved)}
                for location, qty, reserved in groups
                if qty or reserved
            ],
        }

    @api_route("/api/stock/receipts", "GET", auth=AUTH, query=ReceiptListQuery, response=ReceiptListResponse, tags=TAGS)
    def list_receipts(self, ctx, body, query):
        """Goods receipts (incoming pickings); by default those neither done nor cancelled."""
        domain = [("picking_type_code", "=", "incoming")]
        if query.state == "active":
            domain.append(("state", "not in", ("done", "cancel")))
        else:
            domain.append(("state", "=", query.state))
        if query.warehouse_id:
            warehouse = service(ctx)._abs_warehouse(query.warehouse_id)
            domain.append(("picking_type_id.warehouse_id", "=", warehouse.id))
        if query.partner_id:
            domain.append(("partner_id", "=", query.partner_id))
        pickings, total = search_page(
            ctx.env["stock.picking"], domain, PICKING_FIELDS, query, order="scheduled_date desc, id desc"
        )
        return page_payload(query, total, "receipts", serialize_pickings(pickings, "supplier"))

    @api_route("/api/stock/receipts/{receipt_id}", "GET", auth=AUTH, response=ReceiptResponse, tags=TAGS)
    def get_receipt(self, ctx, body, query, receipt_id):
        """One receipt with its lines and the lots/serials received."""
        picking = ctx.env["stock.picking"].search_fetch(
            [("id", "=", receipt_id), ("picking_type_code", "=", "incoming")], PICKING_FIELDS, limit=1
        )
        if not picking:
            raise not_found("Receipt")
        receipt = serialize_pickings(picking, "supplier")[0]
        receipt["lines"] = serialize_move_lines(picking.move_ids.sorted("id"))
        return {"receipt": receipt}

    @api_route(
        "/api/stock/movements", "GET", auth=AUTH, query=MovementListQuery, response=MovementListResponse, tags=TAGS
    )
    def list_movements(self, ctx, body, query):
        """Stock move history, newest first, by product, lot, location, operation type and date."""
        domain = []
        if query.product_id:
            domain.append(("product_id", "=", query.product_id))
        if query.lot_id:
            domain.append(("move_line_ids.lot_id", "=", query.lot_id))
        if query.location_id:
            domain += [
                "|",
                ("location_id", "child_of", query.location_id),
                ("location_dest_id", "child_of", query.location_id),
            ]
        if query.picking_type:
            domain.append(("picking_type_id.code", "=", query.picking_type))
        if query.state == "done":
            domain.append(("state", "=", "done"))
        elif query.state == "not_done":
            domain.append(("state", "not in", ("done", "cancel")))
        if query.date_from:
            domain.append(("date", ">=", datetime.combine(query.date_from, time.min)))
        if query.date_to:
            domain.append(("date", "<", datetime.combine(query.date_to + timedelta(days=1), time.min)))
        moves, total = search_page(ctx.env["stock.move"], domain, MOVE_FIELDS, query, order="date desc, id desc")
        return page_payload(query, total, "movements", serialize_movements(moves))

    # ----------------------------------------------------------------------- manager-only writes

    @api_route(
        ["/api/stock/receive", "/api/warehouse/receive"],
        "POST",
        auth=AUTH,
        body=ReceiveRequest,
        response=PickingCreatedResponse,
        status=201,
        tags=TAGS,
    )
    def receive(self, ctx, body, query):
        """Receive goods from a supplier (staff): a receipt with its lots/serials, validated unless validate=false.

        Both paths of the seed work: /api/stock/receive and /api/warehouse/receive (workflow 0d)."""
        ctx.require_staff()
        picking = service(ctx)._abs_receive(receive_values(body))
        done = picking.state == "done"
        return {
            "message": "Goods receipt created and validated" if done else "Goods receipt created",
            "picking": picking_brief(picking),
        }

    @api_route(
        ["/api/stock/adjustment", "/api/stock/adjust"],
        "POST",
        auth=AUTH,
        body=AdjustmentRequest,
        response=AdjustmentResponse,
        tags=TAGS,
    )
    def adjustment(self, ctx, body, query):
        """Inventory count correction (staff): stock is set to the counted quantities.

        Both paths of the seed work: /api/stock/adjustment and /api/stock/adjust (workflow 0h)."""
        ctx.require_staff()
        quants = service(ctx)._abs_adjust(body.model_dump())
        return {
            "message": "Inventory adjusted",
            "adjusted": [
                {
                    "product": id_name(q.product_id),
                    "location": location_name(q.location_id),
                    "lot": id_name(q.lot_id),
                    **quantities(q.quantity, q.reserved_quantity),
                }
                for q in quants
            ],
        }

    @api_route(
        "/api/stock/transfer",
        "POST",
        auth=AUTH,
        body=TransferRequest,
        response=PickingCreatedResponse,
        status=201,
        tags=TAGS,
    )
    def transfer(self, ctx, body, query):
        """Internal transfer between two stock locations (staff), from stock that is there and not reserved."""
        ctx.require_staff()
        values = {
            "from_location_id": body.from_location_id,
            "to_location_id": body.to_location_id,
            "validate": body.validate_,
            "lines": [
                {"product_id": line.product_id, "qty": line.moved_qty, "lot_id": line.lot_id} for line in body.lines
            ],
        }
        picking = service(ctx)._abs_transfer(values)
        done = picking.state == "done"
        return {
            "message": "Transfer created and validated" if done else "Transfer created",
            "picking": picking_brief(picking),
        }

    @api_route("/api/stock/scrap", "POST", auth=AUTH, body=ScrapRequest, response=ScrapResponse, status=201, tags=TAGS)
    def scrap(self, ctx, body, query):
        """Scrap units (staff) from a stock location, by default the company's main stock."""
        ctx.require_staff()
        scrap = service(ctx)._abs_scrap(body.model_dump())
        return {
            "message": "Scrapped",
            "scrap": {
                "id": scrap.id,
                "name": scrap.name,
                "state": scrap.state,
                "product": id_name(scrap.product_id),
                "lot": id_name(scrap.lot_id),
                "quantity": scrap.scrap_qty,
                "location": location_name(scrap.location_id),
            },
        }
