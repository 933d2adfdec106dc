import hashlib

from odoo import api, fields, models


class AbsIdempotencyRecord(models.Model):
    """The answer given to a write request sent with an ``Idempotency-Key`` header.

    A retried request (same caller, same key, same body) gets the stored answer instead of being
    executed twice: a flaky mobile network must never create two customers, payments or invoices.
    """

    _name = "abs.idempotency.record"
    _description = "API Idempotency Record"
    _order = "id desc"
    _rec_name = "key"

    key = fields.Char(required=True)
    caller = fields.Char(required=True, help="Who sent it: 'employee:<id>', 'customer:<id>' or 'api_key'")
    endpoint = fields.Char(required=True, help="Method and path")
    request_hash = fields.Char(required=True)
    status = fields.Integer(required=True)
    response_body = fields.Text(required=True)

    _sql_constraints = [
        ("key_caller_uniq", "unique(key, caller)", "This idempotency key was already used by this caller."),
    ]

    @api.model
    def _request_hash(self, endpoint, body):
        return hashlib.sha256(endpoint.encode() + b"\n" + (body or b"")).hexdigest()

    @api.model
    def _lock(self, key, caller):
        """Make concurrent requests with one key take turns until this transaction ends.

        The second of two simultaneous retries then finds the first one's stored answer and
        replays it, instead of running the work again or failing on the unique constraint.
        """
        self.env.cr.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"abs_idempotency:{caller}:{key}"])

    @api.model
    def _find(self, key, caller):
        """The stored answer for this key, as committed by now: ``{request_hash, status, response_body}`` or None.

        Read in a fresh transaction: this request's snapshot may predate the commit of the
        concurrent retry it waited for in ``_lock``.
        """
        with self.env.registry.cursor() as cr:
            cr.execute(
                "SELECT request_hash, status, response_body FROM abs_idempotency_record WHERE key = %s AND caller = %s",
                [key, caller],
            )
            return cr.dictfetchone()

    @api.model
    def _store(self, key, caller, endpoint, request_hash, status, response_body):
        return self.create(
            {
                "key": key,
                "caller": caller,
                "endpoint": endpoint,
                "request_hash": request_hash,
                "status": status,
                "response_body": response_body,
            }
        )

    @api.autovacuum
    def _gc_old_records(self):
        # Retries happen within minutes; a week is generous.
        self.search([("create_date", "<", fields.Datetime.subtract(fields.Datetime.now(), days=7))]).unlink()
