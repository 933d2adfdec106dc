import threading
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessDenied
from odoo.tools import config

from ..exceptions import LoginBusy, LoginLocked

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
# A login holds a second database connection (its own transaction, waiting on the identifier's lock)
# and a CPU for the hash: at most this many check credentials at once in a process (threaded server;
# a prefork worker serves one request at a time). A login that finds no slot within LOGIN_SLOT_WAIT
# seconds is refused (429, Retry-After) instead of taking the connection pool down with a 500.
LOGIN_SLOTS = max(1, config["db_maxconn"] // 8)
LOGIN_SLOT_WAIT = 2.0
_login_slots = threading.BoundedSemaphore(LOGIN_SLOTS)


class AbsLoginAttempt(models.Model):
    """Failed API logins, to slow down password and PIN guessing (a 4-digit PIN falls in minutes).

    Counted per identifier and source, after OWASP's "device cookies": the failures of a device that
    logged in successfully for this identifier before (``device``: its device token's id) apart from
    anonymous ones. Five anonymous wrong guesses lock anonymous tries of that identifier out, never
    the owner's known device; five wrong guesses from a known device lock that device only.
    """

    _name = "abs.login.attempt"
    _description = "Failed API Login"
    _order = "id desc"
    _rec_name = "identifier"

    kind = fields.Selection([("employee", "Employee"), ("customer", "Customer")], required=True)
    identifier = fields.Char(required=True, index=True, help="The login or normalised phone that was tried")
    remote_addr = fields.Char()
    device = fields.Char(help="The device token id of a known device; empty for an anonymous try.")

    @api.model
    def _guarded_login(self, kind, identifier, authenticate, remote_addr=None, device=None):
        """Check credentials with ``authenticate(env)`` under the failed-login limit; return its result.

        Raises LoginBusy (no login slot free in this process, see LOGIN_SLOTS), LoginLocked (limit
        reached: the secret is not even checked) or AccessDenied (and the failure is counted). The
        count, the check and the record of a failure run in a transaction of their own, under a lock
        on the identifier:
        - concurrent guesses for one identifier take turns, and each sees the failures committed
          before it: the lock is a session lock, taken before the transaction that counts begins
          (a transaction's snapshot is taken at its first statement, before any lock it waits for);
        - a failure stays recorded although the request that made it answers an error.
        """
        if not _login_slots.acquire(timeout=LOGIN_SLOT_WAIT):
            raise LoginBusy()
        try:
            return self._guarded_login_in_slot(kind, identifier, authenticate, remote_addr, device)
        finally:
            _login_slots.release()

    @api.model
    def _guarded_login_in_slot(self, kind, identifier, authenticate, remote_addr=None, device=None):
        lock_key = f"abs_login:{kind}:{identifier}"
        with self.env.registry.cursor() as cr:
            cr.execute("SELECT pg_advisory_lock(hashtext(%s))", [lock_key])
            try:
                cr.commit()  # pylint: disable=invalid-commit  # a fresh snapshot, taken under the lock
                Attempt = self.env(cr=cr)[self._name]
                if Attempt._is_locked(kind, identifier, device):
                    raise LoginLocked()
                try:
                    result = authenticate(Attempt.env)
                except AccessDenied:
                    Attempt._record_failure(kind, identifier, remote_addr, device)
                    raise
                Attempt._clear(kind, identifier, device)
                return result
            finally:
                # Commit what was recorded (a failure, or the cleared count) before the next guess may count.
                cr.commit()  # pylint: disable=invalid-commit
                cr.execute("SELECT pg_advisory_unlock(hashtext(%s))", [lock_key])

    @api.model
    def _is_locked(self, kind, identifier, device=None):
        """Too many failures for this identifier from this source (a known device, or anonymous tries)
        in the last minutes: refuse even a right password."""
        since = fields.Datetime.now() - WINDOW
        domain = [*self._source_domain(kind, identifier, device), ("create_date", ">=", since)]
        return self.search_count(domain, limit=MAX_FAILURES) >= MAX_FAILURES

    @api.model
    def _record_failure(self, kind, identifier, remote_addr=None, device=None):
        self.create({"kind": kind, "identifier": identifier, "remote_addr": remote_addr, "device": device or False})

    @api.model
    def _clear(self, kind, identifier, device=None):
        """A success clears the failures of its own source only: the owner's device logging in does not
        lift the lock anonymous guessers earned."""
        self.search(self._source_domain(kind, identifier, device)).unlink()

    @api.model
    def _source_domain(self, kind, identifier, device=None):
        return [("kind", "=", kind), ("identifier", "=", identifier), ("device", "=", device or False)]

    @api.autovacuum
    def _gc_old_attempts(self):
        self.search([("create_date", "<", fields.Datetime.now() - WINDOW)]).unlink()
