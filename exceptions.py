"""Refusals by meaning.

A business rule that refuses an operation raises one of the meanings below with a stable machine
``code`` (and optional ``details``). The backend shows the message like any ``UserError``; the API
kit alone decides which HTTP status a meaning answers with (``controllers/api_kit.py``), and rolls
back everything the request wrote.
"""

from dataclasses import dataclass

from odoo.exceptions import AccessDenied, UserError


class AbsRefusal(UserError):
    """A business rule refused the operation (base of the meanings; raise one of them)."""

    def __init__(self, message, code="rejected", details=None):
        super().__init__(message)
        self.code = code
        self.details = details


class AbsInvalid(AbsRefusal):
    """What was asked is wrong in itself, whatever the state of the data (bad values, a rule broken)."""


class AbsNotFound(AbsRefusal):
    """A record the request names does not exist, or is not visible to the caller."""


class AbsConflict(AbsRefusal):
    """What was asked is fine, but the current state of the data refuses it (stock gone, already done)."""


class AbsForbidden(AbsRefusal):
    """The caller may not do this."""


# code -> meaning of every RefusalCode defined: one meaning (so one HTTP status) per code. The API kit
# builds the document's error-code enum and the README's code table from it (controllers/api_kit.py).
REFUSAL_CODES = {}


@dataclass(frozen=True)
class RefusalCode:
    """A stable machine code bound to one meaning, defined once in a ``refusals/`` module.

    ``raise LOT_REQUIRED(env._("..."), details={...})`` raises the meaning with that code. A code
    defined twice (two rules modules may share one) must keep its meaning: a client reads the code.
    """

    code: str
    meaning: type[AbsRefusal]

    def __post_init__(self):
        known = REFUSAL_CODES.setdefault(self.code, self.meaning)
        if known is not self.meaning:
            raise TypeError(f"refusal code {self.code!r} is already a {known.__name__}, not a {self.meaning.__name__}")

    def __call__(self, message, details=None):
        return self.meaning(message, self.code, details)


# --------------------------------------------------------------------------- identities (not refusals: 401 / 429)


class InvalidToken(Exception):
    """The token is not one this database issued for this use; the reason is for the log only.

    ``code`` is what the caller may know: ``token_expired`` and ``token_revoked`` for a token this
    database did sign (the signature is checked first), ``unauthorized`` for anything else.
    """

    def __init__(self, reason, code="unauthorized"):
        super().__init__(reason)
        self.code = code


class LoginLocked(AccessDenied):
    """Too many failed logins for this identifier: refused without checking the secret."""


class LoginBusy(Exception):
    """Too many logins at once in this process: refused before taking a connection, try again shortly."""
