"""The refusal codes of the subscription rules, each defined once with its meaning.

Not a model: the codes ``abs.subscription`` raises (see ``refusals/stock.py``). Raise with
``raise SUBSCRIPTION_STATE(env._("..."), details={...})``.
"""

from ..exceptions import AbsInvalid, AbsNotFound, RefusalCode

# --------------------------------------------------------------------------- what a request names
NOT_FOUND = RefusalCode("not_found", AbsNotFound)  # the customer or product (another SA's: as if missing)
NOT_RECURRING = RefusalCode("not_recurring", AbsInvalid)  # a subscription is of a recurring product only
INVALID_DATES = RefusalCode("invalid_dates", AbsInvalid)  # an end before the start
INVALID_REASON = RefusalCode("invalid_reason", AbsInvalid)  # a cancellation reason not in the configured list

# --------------------------------------------------------------------------- states
SUBSCRIPTION_STATE = RefusalCode("invalid_state", AbsInvalid)  # pausing what is not active, resuming what is not paused
