import logging
import re
import uuid
from datetime import UTC, datetime, timedelta

import jwt

from odoo import api, models

from ..exceptions import InvalidToken

_logger = logging.getLogger(__name__)

SECRET_PARAM = "abs_connector.jwt_secret"
ALGORITHM = "HS256"
AUDIENCE = "abs_connector.api"
ISSUERS = {"employee": "abs_connector/employee", "customer": "abs_connector/customer"}
REQUIRED_CLAIMS = ["iss", "aud", "sub", "iat", "exp", "jti"]


SUBJECT = re.compile(r"(?P<kind>employee|customer):(?P<id>[1-9][0-9]{0,9})")
MAX_DB_INT = 2**31 - 1
# Our own tokens hold these; a signed token with anything else was not made by this code.
MAX_TIMESTAMP = 32503680000  # year 3000
TEXT_CLAIMS = {"sub": 32, "jti": 64, "sid": 64, "use": 16}
# A device token (OWASP "device cookie") lasts this long; each successful login issues a fresh one.
DEVICE_TOKEN_LIFETIME = timedelta(days=365)


def _check_claim_types(claims):
    """Claims of the wrong type or range are a forged or foreign token (401), never a crash."""
    for name, max_length in TEXT_CLAIMS.items():
        value = claims.get(name)
        if name == "sid" and value is None:
            continue
        if not isinstance(value, str) or not 0 < len(value) <= max_length or "\x00" in value:
            raise InvalidToken(f"claim {name!r} is not a short text")
    for name in ("exp", "iat"):
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_TIMESTAMP:
            raise InvalidToken(f"claim {name!r} is not a timestamp")


class AbsApiToken(models.AbstractModel):
    """Issues and checks the API's JWTs (PyJWT, HS256, per-database secret, pinned algorithm)."""

    _name = "abs.api.token"
    _description = "API token service"

    @api.model
    def _ensure_secret(self):
        return self.env["ir.config_parameter"]._abs_secret(SECRET_PARAM)

    @api.model
    def _secret(self):
        return self.env["ir.config_parameter"]._abs_secret(SECRET_PARAM)

    @api.model
    def _access_lifetime(self):
        # sudo: token lifetimes are system parameters
        seconds = int(self.env["ir.config_parameter"].sudo().get_param("abs_connector.access_token_seconds", 3600))
        return timedelta(seconds=seconds)

    @api.model
    def _refresh_lifetime(self):
        # sudo: token lifetimes are system parameters
        days = int(self.env["ir.config_parameter"].sudo().get_param("abs_connector.refresh_token_days", 30))
        return timedelta(days=days)

    @api.model
    def _encode(self, kind, subject_id, use, session_id, lifetime):
        now = datetime.now(UTC)
        claims = {
            "iss": ISSUERS[kind],
            "aud": AUDIENCE,
            "sub": f"{kind}:{subject_id}",
            "iat": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
            "sid": session_id,
            "use": use,
        }
        return jwt.encode(claims, self._secret(), algorithm=ALGORITHM)

    @api.model
    def _issue_pair(self, kind, subject_id, session_id=None):
        """A fresh access + refresh token for one login session (``sid`` shared by both)."""
        session_id = session_id or uuid.uuid4().hex
        access_lifetime = self._access_lifetime()
        return {
            "access_token": self._encode(kind, subject_id, "access", session_id, access_lifetime),
            "refresh_token": self._encode(kind, subject_id, "refresh", session_id, self._refresh_lifetime()),
            "token_type": "Bearer",
            "expires_in": int(access_lifetime.total_seconds()),
        }

    @api.model
    def _issue_device_token(self, kind, subject_id, identifier):
        """The device token of a successful login: the login (or phone) it proves this device knows.

        Signed like the other tokens (``use`` = ``device``); it authenticates nothing by itself, it only
        lets this device's failed logins for ``identifier`` be counted apart from anonymous ones."""
        now = datetime.now(UTC)
        claims = {
            "iss": ISSUERS[kind],
            "aud": AUDIENCE,
            "sub": f"{kind}:{subject_id}",
            "iat": now,
            "exp": now + DEVICE_TOKEN_LIFETIME,
            "jti": uuid.uuid4().hex,
            "use": "device",
            "idf": identifier,
        }
        return jwt.encode(claims, self._secret(), algorithm=ALGORITHM)

    @api.model
    def _device_id(self, token, kind, identifier):
        """The id of a valid device token of ``kind`` issued for ``identifier``, else None (anonymous)."""
        if not token:
            return None
        try:
            _kind, _id, claims = self._decode(token, use="device", kinds=(kind,), check_revoked=False)
        except InvalidToken as error:
            _logger.info("Login with an unusable device token (counted as anonymous): %s", error)
            return None
        if claims.get("idf") != identifier:
            _logger.info("Login with a device token of another identity (counted as anonymous)")
            return None
        return claims["jti"]

    @api.model
    def _decode(self, token, use="access", kinds=("employee", "customer"), check_revoked=True):
        """Verify a token and return ``(kind, subject_id, claims)``; raise InvalidToken otherwise.

        The issuer tells an employee token from a customer one, so a token of the wrong kind is
        refused like a forged one.
        """
        try:
            unverified_iss = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"malformed token: {exc}") from exc
        kind = next((k for k in kinds if ISSUERS[k] == unverified_iss), None)
        if not kind:
            raise InvalidToken(f"issuer {unverified_iss!r} not accepted here")
        try:
            claims = jwt.decode(
                token,
                self._secret(),
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUERS[kind],
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken(f"{type(exc).__name__}: {exc}", code="token_expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"{type(exc).__name__}: {exc}") from exc
        _check_claim_types(claims)
        match = SUBJECT.fullmatch(claims["sub"])
        if not match or match["kind"] != kind or int(match["id"]) > MAX_DB_INT:
            raise InvalidToken("subject does not match issuer")
        raw_id = match["id"]
        if claims.get("use") != use:
            raise InvalidToken(f"a {claims.get('use')!r} token used as {use!r}")
        claims["exp_dt"] = datetime.fromtimestamp(claims["exp"], UTC).replace(tzinfo=None)
        if check_revoked and self.env["abs.jwt.revocation"]._is_revoked(claims):
            raise InvalidToken("token revoked", code="token_revoked")
        return kind, int(raw_id), claims

    @api.model
    def _rotate(self, refresh_token, kind):
        """Spend ``refresh_token`` for a new pair in its session: ``(kind, subject id, pair)``.

        Raises InvalidToken when the token is not a live refresh token of ``kind``; a spent one
        presented again also revokes its session (``abs.jwt.revocation._spend_refresh``), which
        the caller must let commit.
        """
        decoded_kind, subject_id, claims = self._decode(
            refresh_token, use="refresh", kinds=(kind,), check_revoked=False
        )
        if decoded_kind == "employee":
            employee = self.env["abs.employee"].browse(subject_id).exists()
            if not employee or not employee.active or not employee._active_memberships():
                raise InvalidToken("employee archived or without a membership in force")
        if not self.env["abs.jwt.revocation"]._spend_refresh(claims):
            raise InvalidToken("refresh token already spent or revoked", code="token_revoked")
        return decoded_kind, subject_id, self._issue_pair(decoded_kind, subject_id, session_id=claims.get("sid"))

    @api.model
    def _logout(self, claims, refresh_token=None):
        """End the caller's login session: the calling token (``claims``) and its ``sid``.

        A ``refresh_token`` is revoked too only when it belongs to that same session (the session's
        revocation covers it already); another session's or another identity's token is ignored:
        a caller logs itself out, never someone else.
        """
        Revocation = self.env["abs.jwt.revocation"]
        Revocation._revoke(claims, reason="logout")
        if not refresh_token:
            return
        kind = SUBJECT.fullmatch(claims["sub"])["kind"]
        try:
            _kind, _id, refresh_claims = self._decode(refresh_token, use="refresh", kinds=(kind,))
        except InvalidToken:
            return  # already unusable
        if refresh_claims["sub"] != claims["sub"] or refresh_claims.get("sid") != claims.get("sid"):
            _logger.info("Logout of %s ignored a refresh token of another session", claims["sub"])
            return
        Revocation._revoke(refresh_claims, reason="logout")
