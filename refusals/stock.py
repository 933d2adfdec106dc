"""The refusal codes of the stock rules, each defined once with its meaning.

Not a model: the codes the stock models (``stock.picking``, ``stock.quant``, ``stock.scrap``,
``stock.lot``) raise, so that one mistake answers one code on every endpoint and in the backend.
A code is bound to one meaning (invalid, not found, conflict); the API kit maps the meaning to the
HTTP status. Raise with ``raise LOT_REQUIRED(env._("..."), details={...})``.
"""

from ..exceptions import AbsConflict, AbsInvalid, AbsNotFound, RefusalCode

# --------------------------------------------------------------------------- records named by the request
NOT_FOUND = RefusalCode("not_found", AbsNotFound)  # a product, location, warehouse, partner; the lot of a URL
LOT_NOT_FOUND = RefusalCode("lot_not_found", AbsNotFound)  # a line's lot/serial: id, or name unknown for the product
AMBIGUOUS_LOT = RefusalCode("ambiguous_lot", AbsInvalid)  # a serial name shared by several products

# --------------------------------------------------------------------------- one line: product, lot, quantity
NOT_STORABLE = RefusalCode("not_storable", AbsInvalid)  # the product keeps no stock
LOT_NOT_TRACKED = RefusalCode("lot_not_tracked", AbsInvalid)  # a lot given for a product without tracking
LOT_REQUIRED = RefusalCode("lot_required", AbsInvalid)  # a tracked product without its lot/serial
LOT_PRODUCT_MISMATCH = RefusalCode("lot_product_mismatch", AbsInvalid)  # the lot belongs to another product
LOT_COUNT = RefusalCode("lot_count", AbsInvalid)  # a lot-tracked receipt line names several lots
INVALID_QUANTITY = RefusalCode("invalid_quantity", AbsInvalid)  # a moved quantity <= 0, a negative count
SERIAL_QUANTITY = RefusalCode("serial_quantity", AbsInvalid)  # a serial moves 1 unit (is counted 0 or 1)
DUPLICATE_SERIAL = RefusalCode("duplicate_serial", AbsInvalid)  # the same serial twice in one request
DUPLICATE_LINE = RefusalCode("duplicate_line", AbsInvalid)  # the same product/lot counted twice in one location

# --------------------------------------------------------------------------- where stock is, and how much
SERIAL_UNAVAILABLE = RefusalCode("serial_unavailable", AbsConflict)  # the serial is not free in that location
INSUFFICIENT_STOCK = RefusalCode("insufficient_stock", AbsConflict)  # not that much free stock there
SERIAL_IN_STOCK = RefusalCode("serial_in_stock", AbsConflict)  # the serial is already in stock (elsewhere)
INVENTORY_CONFLICT = RefusalCode("inventory_conflict", AbsConflict)  # the stock changed under the count

# --------------------------------------------------------------------------- locations and operation types
NO_WAREHOUSE = RefusalCode("no_warehouse", AbsInvalid)
NO_PICKING_TYPE = RefusalCode("no_picking_type", AbsInvalid)
NOT_INTERNAL_LOCATION = RefusalCode("not_internal_location", AbsInvalid)
LOCATION_NOT_IN_WAREHOUSE = RefusalCode("location_not_in_warehouse", AbsInvalid)
SAME_LOCATION = RefusalCode("same_location", AbsInvalid)
COMPANY_MISMATCH = RefusalCode("company_mismatch", AbsInvalid)

# --------------------------------------------------------------------------- validation, deliveries, returns
NOT_VALIDATED = RefusalCode("not_validated", AbsInvalid)  # Odoo asked a question (a wizard) instead
NOT_A_DELIVERY = RefusalCode("not_a_delivery", AbsInvalid)
INVALID_STATE = RefusalCode("invalid_state", AbsInvalid)
MOVE_NOT_IN_DELIVERY = RefusalCode("move_not_in_delivery", AbsInvalid)
OVER_DELIVERY = RefusalCode("over_delivery", AbsInvalid)
NOTHING_TO_DELIVER = RefusalCode("nothing_to_deliver", AbsInvalid)
PARTIAL_DELIVERY = RefusalCode("partial_delivery", AbsInvalid)
NOT_RETURNABLE = RefusalCode("not_returnable", AbsInvalid)
NOTHING_TO_RETURN = RefusalCode("nothing_to_return", AbsInvalid)
PRODUCT_NOT_IN_DELIVERY = RefusalCode("product_not_in_delivery", AbsInvalid)
LOT_NOT_IN_DELIVERY = RefusalCode("lot_not_in_delivery", AbsInvalid)
OVER_RETURN = RefusalCode("over_return", AbsConflict)  # more than is still at the customer


def visible(model, ids, what, domain=()):
    """The records of ``ids`` that the current user may read, in one query; NOT_FOUND names the others.

    ``model``: an empty recordset of the model. Record rules hide other companies' records, and
    ``domain`` what the caller's SAs may not see (another SA's catalogue product): both are refused
    exactly like missing ones. Empty ids are ignored.
    """
    ids = list(dict.fromkeys(i for i in ids if i))
    records = model.search([("id", "in", ids), *domain]) if ids else model
    missing = sorted(set(ids) - set(records.ids))
    if missing:
        raise NOT_FOUND(
            model.env._("%(what)s not found: %(ids)s", what=what, ids=", ".join(map(str, missing))),
            details={"ids": missing},
        )
    return records
