"""Refusals by meaning.

A business rule that refuses an operation raises one of the meanings below with a stable machine
``code`` (and optional ``details``). The backend shows the message like any ``UserError``; the API
kit alone decides which HTTP status a meaning answers with (``controllers/api_kit.py``), and rolls
back everything the request wrote.
"""

from dataclasses import dataclass

from odoo.exceptions import UserError


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


@dataclass(frozen=True)
class RefusalCode:
    """A stable machine code bound to one meaning, defined once in a ``models/*_rules.py`` module.

    ``raise LOT_REQUIRED(env._("..."), details={...})`` raises the meaning with that code.
    """

    code: str
    meaning: type[AbsRefusal]

    def __call__(self, message, details=None):
        return self.meaning(message, self.code, details)
