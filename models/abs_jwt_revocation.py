from odoo import api, fields, models, tools

from .replica import reads_a_replica


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
        """Revoke the token (its jti) and, when asked, its whole login session (its sid).

        Returns False when the token itself was already revoked: of two requests spending the
        same refresh token at once, exactly one gets True (the other waits on the unique index,
        then inserts nothing).
        """
        expires_at = fields.Datetime.to_datetime(claims["exp_dt"])
        ids = [claims["jti"]] + ([claims["sid"]] if reason == "logout" and claims.get("sid") else [])
        self.env.cr.execute(
            """
            INSERT INTO abs_jwt_revocation (jti, expires_at, revoked_at, reason, create_uid, write_uid,
                                            create_date, write_date)
            SELECT jti, %(expires_at)s, now() AT TIME ZONE 'UTC', %(reason)s, %(uid)s, %(uid)s,
                   now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM unnest(%(ids)s::varchar[]) AS jti
            ON CONFLICT (jti) DO NOTHING
            RETURNING jti
            """,
            {"expires_at": expires_at, "reason": reason, "uid": self.env.uid, "ids": ids},
        )
        inserted = {row[0] for row in self.env.cr.fetchall()}
        self.env.registry.clear_cache()  # revocation takes effect on the next request of every worker
        return claims["jti"] in inserted

    @api.model
    def _revoke_subject(self, kind, ids):
        lifetime = self.env["abs.api.token"]._refresh_lifetime()
        self.env.registry.clear_cache()
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
        """Is the token, its session, or its subject (issued before the cut) revoked?"""
        key = (claims["jti"], claims.get("sid"), claims["sub"], claims["iat"])
        if reads_a_replica(self.env.cr):
            return self._is_revoked_read(*key)  # never cache what a lagging replica says
        return self._is_revoked_cached(*key)

    @api.model
    @tools.ormcache("jti", "sid", "subject", "issued_at")
    def _is_revoked_cached(self, jti, sid, subject, issued_at):
        # Cached per worker; every revocation clears the cache, and Odoo signals that to the
        # other workers, which drop theirs at the start of their next request.
        return self._is_revoked_read(jti, sid, subject, issued_at)

    @api.model
    def _is_revoked_read(self, jti, sid, subject, issued_at):
        self.env.cr.execute(
            """
            SELECT 1 FROM abs_jwt_revocation
             WHERE jti IN %s
                OR (subject = %s AND revoked_at >= to_timestamp(%s) AT TIME ZONE 'UTC')
             LIMIT 1
            """,
            (tuple(filter(None, [jti, sid])), subject, issued_at),
        )
        return bool(self.env.cr.fetchone())

    @api.autovacuum
    def _gc_expired(self):
        self.search([("expires_at", "<", fields.Datetime.now())]).unlink()
