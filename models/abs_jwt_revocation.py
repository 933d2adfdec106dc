from odoo import api, fields, models


class AbsJwtRevocation(models.Model):
    """Revoked token ids (``jti``) and sessions (``sid``), kept until the token would expire anyway.

    A subject-wide revocation (``subject`` set) refuses every token of that subject issued before
    ``revoked_at``: "log this employee out everywhere".
    """

    _name = "abs.jwt.revocation"
    _description = "Revoked API Token"
    _order = "id desc"
    _rec_name = "jti"

    jti = fields.Char(string="Token or Session Id", index=True)
    subject = fields.Char(
        index="btree_not_null", help="'employee:<id>' or 'customer:<id>' for a subject-wide revocation"
    )
    revoked_at = fields.Datetime(required=True, default=fields.Datetime.now)
    expires_at = fields.Datetime(required=True, index=True, help="After this moment the row is useless and purged.")
    reason = fields.Char()

    _sql_constraints = [("jti_uniq", "unique(jti)", "This token is already revoked.")]

    @api.model
    def _revoke(self, claims, reason):
        """Revoke the token (its jti) and, when asked, its whole login session (its sid)."""
        expires_at = fields.Datetime.to_datetime(claims["exp_dt"])
        ids = [claims["jti"]] + ([claims["sid"]] if reason == "logout" and claims.get("sid") else [])
        known = set(self.search([("jti", "in", ids)]).mapped("jti"))
        self.create([{"jti": jti, "expires_at": expires_at, "reason": reason} for jti in ids if jti not in known])

    @api.model
    def _revoke_subject(self, kind, ids):
        lifetime = self.env["abs.api.token"]._refresh_lifetime()
        self.create(
            [
                {
                    "subject": f"{kind}:{record_id}",
                    "expires_at": fields.Datetime.now() + lifetime,
                    "reason": "revoke_all",
                }
                for record_id in ids
            ]
        )

    @api.model
    def _is_revoked(self, claims):
        """One query: is the token, its session, or its subject (issued before the cut) revoked?"""
        self.env.cr.execute(
            """
            SELECT 1 FROM abs_jwt_revocation
             WHERE jti IN %s
                OR (subject = %s AND revoked_at >= to_timestamp(%s) AT TIME ZONE 'UTC')
             LIMIT 1
            """,
            (tuple(filter(None, [claims["jti"], claims.get("sid")])), claims["sub"], claims["iat"]),
        )
        return bool(self.env.cr.fetchone())

    @api.autovacuum
    def _gc_expired(self):
        self.search([("expires_at", "<", fields.Datetime.now())]).unlink()
