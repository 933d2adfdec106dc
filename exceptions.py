from odoo.exceptions import UserError


class AbsRefusal(UserError):
    """A business rule refused the operation.

    The backend shows the message like any UserError; the API answers with ``status`` and the
    stable machine ``code`` (and ``details``), and rolls back everything the request wrote.
    """

    def __init__(self, message, code="rejected", status=400, details=None):
        super().__init__(message)
        self.code = code
        self.status = status
        self.details = details
