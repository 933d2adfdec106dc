"""The refusal codes of invoicing (seed workflows 6-7), each defined once with its meaning.

Not a model: the codes ``sale.order`` and ``account.move`` raise when an invoice is made, posted,
reversed or sent, so one mistake answers one code in the API and in the backend.
"""

from ..exceptions import AbsConflict, AbsInvalid, RefusalCode

NOTHING_TO_INVOICE = RefusalCode("nothing_to_invoice", AbsConflict)  # no line of the order is invoiceable now
DRAFT_INVOICE_EXISTS = RefusalCode("draft_invoice_exists", AbsConflict)  # a partial invoice while a draft waits
INVALID_INVOICE_LINES = RefusalCode("invalid_invoice_lines", AbsInvalid)  # a line of another order, twice, a note
OVER_INVOICE = RefusalCode("over_invoice", AbsInvalid)  # more than a line has left to invoice (or to credit)
INVOICE_NOT_DRAFT = RefusalCode("invoice_not_draft", AbsConflict)  # posting what is posted or cancelled
INVOICE_NOT_POSTED = RefusalCode("invoice_not_posted", AbsInvalid)  # a credit note of a draft or a cancelled one
INVOICE_REVERSED = RefusalCode("invoice_reversed", AbsConflict)  # a credit note of a fully reversed invoice
NOT_AN_INVOICE = RefusalCode("not_an_invoice", AbsInvalid)  # a credit note of a credit note
INVALID_DATE = RefusalCode("invalid_date", AbsInvalid)  # a credit note dated in the future
