"""The refusal codes of agents' cash in hand and its handover to the SA's cashier, each defined once.

Not a model: the codes ``abs.cash.handover`` raises, so one mistake answers one code in the API and in
the backend (the cashier's Confirm and Dispute buttons call the same methods as the API).
"""

from ..exceptions import AbsConflict, AbsInvalid, AbsNotFound, RefusalCode

NOT_FOUND = RefusalCode("not_found", AbsNotFound)  # a payment that is not one of the agent's in the SA
NOT_CASH_IN_HAND = RefusalCode("not_cash_in_hand", AbsInvalid)  # bank or mobile money, or already in the cash box
ALREADY_HANDED_OVER = RefusalCode("already_handed_over", AbsConflict)  # covered by another handover: details
HANDOVER_NOT_DECLARED = RefusalCode(
    "invalid_state", AbsInvalid
)  # confirmed or disputed already (400, as every invalid_state)
CASH_NOT_CONFIGURED = RefusalCode("cash_not_configured", AbsConflict)  # the SA's company has no chart of accounts
