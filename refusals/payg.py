"""The refusal codes of pay-as-you-go accounts and their tokens, each defined once.

Not a model: the codes ``abs.payg.account`` raises (payments, staff tokens), so one mistake answers one
code in the API and in the backend.
"""

from ..exceptions import AbsConflict, AbsInvalid, RefusalCode

# A payment on an account already paid off: the device is unlocked for good, nothing more to credit.
PAID_OFF = RefusalCode("payg_paid_off", AbsConflict)
# The days of one payment do not fit in one token of the plan (995 units standard, 999,999 extended).
TOKEN_VALUE_TOO_HIGH = RefusalCode("payg_token_value_too_high", AbsInvalid)
# Resending the last token of an account that has none yet.
NO_TOKEN = RefusalCode("payg_no_token", AbsConflict)
# A staff token on an account that no longer locks (paid off, written off, returned).
ACCOUNT_CLOSED = RefusalCode("payg_account_closed", AbsConflict)
# The serial has no device secret (import the manufacturer's file, or generate one, first).
NO_DEVICE_SECRET = RefusalCode("payg_no_device_secret", AbsConflict)
# A payment on (the invoice of) an account written off: its balance is no longer collected.
WRITTEN_OFF = RefusalCode("payg_written_off", AbsConflict)
# Writing off an account that is not open (paid off, written off already, returned): 400, as every invalid_state.
WRITE_OFF_STATE = RefusalCode("invalid_state", AbsInvalid)
# A write-off says why.
REASON_REQUIRED = RefusalCode("reason_required", AbsInvalid)
# The company has no general journal or expense account to book the write-off in (no chart of accounts).
WRITE_OFF_NOT_CONFIGURED = RefusalCode("payg_write_off_not_configured", AbsConflict)
