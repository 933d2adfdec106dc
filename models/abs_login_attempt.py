from datetime import timedelta

from odoo import api, fields, models

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


class AbsLoginAttempt(models.Model):
    """Failed API logins, to slow down password and PIN guessing (a 4-digit PIN falls in minutes)."""

    _name = "abs.login.attempt"
    _description = "Failed API Login"
    _order = "id desc"
    _rec_name = "identifier"

    kind = fields.Selection([("employee", "Employee"), ("customer", "Customer")], required=True)
    identifier = fields.Char(required=True, index=True, help="The login or normalised phone that was tried")
    remote_addr = fields.Char()

    @api.model
    def _is_locked(self, kind, identifier):
        """Too many failures for this identifier in the last minutes: refuse even a right password."""
        since = fields.Datetime.now() - WINDOW
        domain = [("kind", "=", kind), ("identifier", "=", identifier), ("create_date", ">=", since)]
        return self.search_count(domain, limit=MAX_FAILURES) >= MAX_FAILURES

    @api.model
    def _record_failure(self, kind, identifier, remote_addr=None):
        self.create({"kind": kind, "identifier": identifier, "remote_addr": remote_addr})

    @api.model
    def _clear(self, kind, identifier):
        self.search([("kind", "=", kind), ("identifier", "=", identifier)]).unlink()

    @api.autovacuum
    def _gc_old_attempts(self):
        self.search([("create_date", "<", fields.Datetime.now() - WINDOW)]).unlink()
