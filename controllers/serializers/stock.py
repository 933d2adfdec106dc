"""Stock serialisers (warehouses, levels, lots, pickings, moves) for the stock and delivery routes.

Every function takes a recordset and answers in a number of queries that does not grow with it.
"""

from ..api_kit import id_name

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
DELIVERY_FIELDS = [*PICKING_FIELDS, "sale_id"]
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
WAREHOUSE_FIELDS = [
    "name",
    "code",
    "company_id",
    "lot_stock_id",
    "wh_input_stock_loc_id",
    "wh_pack_stock_loc_id",
    "wh_output_stock_loc_id",
]
LOT_FIELDS = ["name", "ref", "product_id"]


def quantities(on_hand, reserved):
    return {"qty_on_hand": on_hand, "qty_reserved": reserved, "qty_available": on_hand - reserved}


def location_name(location):
    return {"id": location.id, "name": location.complete_name} if location else None


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
    levels = lots._abs_levels_by_lot() if lots else {}
    answers = []
    for lot in lots:
        on_hand, reserved = levels.get(lot.id, (0.0, 0.0))
        free = quantities(on_hand, reserved)
        answers.append(
            {
                "id": lot.id,
                "serial": lot.name,
                "ref": lot.ref or None,
                "product": id_name(lot.product_id),
                **free,
                "available": round(free["qty_available"], 6) > 0,
            }
        )
    return answers


def serialize_location_levels(groups):
    """``[(location, on hand, reserved)]`` -> the ``by_location`` / ``locations`` items."""
    return [{"location": location_name(location), **quantities(qty, reserved)} for location, qty, reserved in groups]


def serialize_quants(quants):
    return [
        {
            "product": id_name(quant.product_id),
            "location": location_name(quant.location_id),
            "lot": id_name(quant.lot_id),
            **quantities(quant.quantity, quant.reserved_quantity),
        }
        for quant in quants
    ]


def serialize_scrap(scrap):
    return {
        "id": scrap.id,
        "name": scrap.name,
        "state": scrap.state,
        "product": id_name(scrap.product_id),
        "lot": id_name(scrap.lot_id),
        "quantity": scrap.scrap_qty,
        "location": location_name(scrap.location_id),
    }


def lots_by_move(moves):
    """{move id: [lot ids]} from the move lines, one query."""
    result = {move.id: [] for move in moves}
    for line in moves.env["stock.move.line"].search_fetch(
        [("move_id", "in", moves.ids), ("lot_id", "!=", False)], ["move_id", "lot_id"], order="id"
    ):
        if line.lot_id.id not in result[line.move_id.id]:
            result[line.move_id.id].append(line.lot_id.id)
    return result


def qty_done(move):
    return move.quantity if move.state == "done" or move.picked else 0.0


def picking_brief(picking):
    return {"id": picking.id, "name": picking.name, "state": picking.state}


def picking_done(picking):
    return {**picking_brief(picking), "date_done": picking.date_done or None}


def serialize_pickings(pickings, partner_key):
    """Summary of receipts or deliveries (``partner_key``: "supplier" or "partner")."""
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
    lots = lots_by_move(moves)
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
    """One of schemas.stock.MovementType: another module's operation type (e.g. mrp_operation) is "other"."""
    if move.picking_type_id.code in ("incoming", "outgoing", "internal"):
        return move.picking_type_id.code
    if move.picking_type_id:
        return "other"
    return "inventory" if move.is_inventory else "scrap" if move.scrapped else "other"


def serialize_movements(moves):
    lots = lots_by_move(moves)
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
