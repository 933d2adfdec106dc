"""The refusal codes of the quotation, approval and confirmation rules, each defined once with its meaning.

Not a model: the codes ``sale.order`` raises, so that one mistake answers one code in the API and
in the backend (see ``refusals/stock.py`` for the stock ones; codes shared by both keep the same
meaning). Raise with ``raise INVALID_STATE(env._("..."), details={...})``.
"""

from ..exceptions import AbsConflict, AbsForbidden, AbsInvalid, AbsNotFound, RefusalCode

# --------------------------------------------------------------------------- what a quotation names
NOT_FOUND = RefusalCode("not_found", AbsNotFound)  # the customer (of another SA: as if missing), the BOP
INVALID_PRODUCT = RefusalCode("invalid_product", AbsInvalid)  # unknown, archived, not sold, another company's
INVALID_OUTLET = RefusalCode("invalid_outlet", AbsInvalid)  # not an outlet of the order's SA
INVALID_REFERENCE = RefusalCode("invalid_reference", AbsInvalid)  # channel partner, payment terms
COMPANY_MISMATCH = RefusalCode("company_mismatch", AbsInvalid)  # company_id is not the SA's company
NO_LINES = RefusalCode("no_lines", AbsInvalid)  # neither product lines nor a bill of products
NO_EMAIL = RefusalCode("no_email", AbsInvalid)  # sending a quotation to a customer without email
# a quantity the product's unit cannot hold (finer than its rounding, zero once rounded), a serial-tracked
# product in part units; same code as stock_rules.INVALID_QUANTITY
INVALID_QUANTITY = RefusalCode("invalid_quantity", AbsInvalid)

# --------------------------------------------------------------------------- states and approval
INVALID_STATE = RefusalCode("invalid_state", AbsInvalid)  # the order's state does not allow the operation
NO_SERVICE_ACCOUNT = RefusalCode("no_service_account", AbsInvalid)  # approval of an order of no SA
REASON_REQUIRED = RefusalCode("reason_required", AbsInvalid)  # a rejection says why
APPROVAL_REQUIRED = RefusalCode("approval_required", AbsConflict)  # confirming what needs an approval it lacks
APPROVER_FORBIDDEN = RefusalCode("role_forbidden", AbsForbidden)  # only staff of the order's SA decide
CANCEL_FORBIDDEN = RefusalCode("role_forbidden", AbsForbidden)  # a quotation is cancelled by staff or its agent
LINE_NOT_FOUND = RefusalCode("not_found", AbsNotFound)  # a line id that is not a product line of the order
