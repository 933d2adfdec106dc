"""The refusal codes of the asset and helpdesk rules, each defined once with its meaning.

Not a model: the codes ``ov.asset`` and ``abs.ticket`` raise (see ``refusals/stock.py``). Raise with
``raise ASSET_EXISTS(env._("..."), details={...})``.
"""

from ..exceptions import AbsConflict, AbsInvalid, AbsNotFound, RefusalCode

# --------------------------------------------------------------------------- what a request names
NOT_FOUND = RefusalCode(
    "not_found", AbsNotFound
)  # a customer, product, lot, asset, stage (another SA's: as if missing)
LOT_PRODUCT_MISMATCH = RefusalCode("lot_product_mismatch", AbsInvalid)  # same meaning as the stock code
NOT_A_SERIAL = RefusalCode("not_a_serial", AbsInvalid)  # an asset is one serial-numbered unit
ASSET_CUSTOMER_MISMATCH = RefusalCode("asset_customer_mismatch", AbsInvalid)  # a ticket's asset is its customer's

# --------------------------------------------------------------------------- states
ASSET_EXISTS = RefusalCode("asset_exists", AbsConflict)  # the serial already has an active asset
INVALID_STATE = RefusalCode("invalid_state", AbsInvalid)  # a decommissioned asset does not change
TICKET_CLOSED = RefusalCode("ticket_closed", AbsConflict)  # closing a ticket already closed
NO_SERVICE_ACCOUNT = RefusalCode("no_service_account", AbsInvalid)  # a customer's ticket with no SA to handle it
