"""The refusal codes of mobile-money reconciliation (a provider's statement matched against the SA's
mobile-money payments), each defined once.

Not a model: the codes ``abs.momo.statement`` raises, so one mistake answers one code in the API and in
the backend (the import wizard calls the same method as the API).
"""

from ..exceptions import AbsConflict, AbsInvalid, RefusalCode

INVALID_STATEMENT = RefusalCode(
    "invalid_statement", AbsInvalid
)  # a CSV that does not parse, a line dated outside the period, a reference twice: details.line
STATEMENT_ALREADY_IMPORTED = RefusalCode(
    "statement_already_imported", AbsConflict
)  # every line of it is in a statement already: details.statement_ids
