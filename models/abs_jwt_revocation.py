import logging
from datetime import timedelta

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# A refresh token presented again within this delay of its rotation is logged as a race, not an alert.
REUSE_RACE_WINDOW = timedelta(seconds=30)


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

        Returns False when the token itself was already revoked. Of two requests spending the same
        refresh token at once, one inserts; the other waits on the unique index, then fails to
        serialize (REPEATABLE READ), and Odoo retries it: a race it expects, so it is not logged as
        an error (``log_exceptions``); the retry finds the token spent.

        No cache to clear: every request reads the revocations (``_is_revoked``, one indexed query),
        so a revocation takes effect on the next request of every worker without flushing theirs.
        """
        expires_at = fields.Datetime.to_datetime(claims["exp_dt"])
        session = reason in ("logout", "reuse") and claims.get("sid")
        ids = [claims["jti"]] + ([claims["sid"]] if session else [])
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
            log_exceptions=False,
        )
        inserted = {row[0] for row in self.env.cr.fetchall()}
        return claims["jti"] in inserted

    @api.model
    def _spend_refresh(self, claims):
        """Spend a refresh token once; True when this call spent it.

        A refresh token presented again after it was spent means two parties hold it (RFC 6819
        §5.2.2.3, OAuth 2.0 Security BCP §4.14): its whole family — the login session every token
        rotated from it shares — is revoked, so the pair issued from it stops working too.
        """
        if self._is_revoked(claims):
            spent_at = self._rotated_at(claims["jti"])
            if spent_at:
                self._revoke(claims, reason="reuse")
                # Spent a moment ago: most likely the losers of one client's concurrent refreshes (an
                # expected race, not an alert); later, a replay. The session is revoked either way.
                recent = fields.Datetime.now() - spent_at < REUSE_RACE_WINDOW
                (_logger.info if recent else _logger.warning)(
                    "Refresh token reused %s (%s, session %s): the session is revoked",
                    "a moment after it was spent" if recent else "after it was spent",
                    claims["sub"],
                    claims.get("sid"),
                )
            return False
        return self._revoke(claims, reason="rotated")

    @api.model
    def _rotated_at(self, jti):
        """When the refresh token ``jti`` was spent by a rotation, or None."""
        self.env.cr.execute("SELECT revoked_at FROM abs_jwt_revocation WHERE jti = %s AND reason = 'rotated'", [jti])
        row = self.env.cr.fetchone()
        return row[0] if row else None

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
        """Is the token, its session, or its subject (issued before the cut) revoked?

        Read on every request (one query on the jti and subject indexes), never cached per worker: a
        revocation needs no cache flush to take effect everywhere, and a replica's answer is never kept.
        """
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
