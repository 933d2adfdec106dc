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
    def _find(self, key, caller):
        return self.search([("key", "=", key), ("caller", "=", caller)], limit=1)

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
