"""The refusal codes of payment registration and mobile money (seed workflow 9), each defined once.

Not a model: the codes ``account.move._abs_register_payment``, ``sale.order``'s payment resolution and
``abs.payment.attempt`` raise, so one mistake answers one code in the API and in the backend.
"""

from ..exceptions import AbsConflict, AbsInvalid, AbsNotFound, RefusalCode

NOT_FOUND = RefusalCode("not_found", AbsNotFound)  # an invoice of the order, a mobile-money attempt
INVOICE_NOT_POSTED = RefusalCode(
    "invoice_not_posted", AbsInvalid
)  # paying a draft, cancelled, or not a customer invoice
ALREADY_PAID = RefusalCode("already_paid", AbsConflict)  # nothing left to pay: details.payment_state
AMOUNT_EXCEEDS_RESIDUAL = RefusalCode("amount_exceeds_residual", AbsInvalid)  # no silent overpayment
INVALID_AMOUNT = RefusalCode("invalid_amount", AbsInvalid)  # zero or negative once rounded
INVOICE_REQUIRED = RefusalCode("invoice_required", AbsInvalid)  # several open invoices: invoice_id picks one
DELIVERY_NOT_VALIDATED = RefusalCode("delivery_not_validated", AbsInvalid)  # validate the delivery first
INVALID_JOURNAL = RefusalCode("invalid_journal", AbsInvalid)  # not a cash/bank journal of the invoice's company
ORDER_NOT_CONFIRMED = RefusalCode("invalid_state", AbsInvalid)  # same code as sale_rules.INVALID_STATE
INVALID_DATE = RefusalCode("invalid_date", AbsInvalid)  # a payment dated outside the window; as invoice_rules
