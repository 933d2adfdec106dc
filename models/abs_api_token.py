import logging
import re
import uuid
from datetime import UTC, datetime, timedelta

import jwt

from odoo import api, models

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


class InvalidToken(Exception):
    """The token is not one this database issued for this use; the reason is for the log only.

    ``code`` is what the caller may know: ``token_expired`` and ``token_revoked`` for a token this
    database did sign (the signature is checked first), ``unauthorized`` for anything else.
    """

    def __init__(self, reason, code="unauthorized"):
        super().__init__(reason)
        self.code = code


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
    def _decode(self, token, use="access", kinds=("employee", "customer")):
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
        if self.env["abs.jwt.revocation"]._is_revoked(claims):
            raise InvalidToken("token revoked", code="token_revoked")
        return kind, int(raw_id), claims
