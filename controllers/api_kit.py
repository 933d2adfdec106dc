"""The internal API kit: what every ``/api`` route shares.

A route declares itself once with :func:`api_route` (path, method, who may call it, its schemas);
the kit then does, in this order: CORS preflight, authentication (employee JWT, customer JWT,
API key), service-account scope from ``X-SA-ID``, query and body validation with pydantic, the call
inside a savepoint (an error leaves nothing written), and the JSON envelope with the status code.
The same declarations build ``GET /api/openapi.json``.
"""

import contextlib
import datetime
import functools
import json
import logging
import math
import re
from dataclasses import dataclass, field

import psycopg2
from pydantic import ValidationError as PydanticValidationError
from werkzeug.exceptions import HTTPException

from odoo import api, http
from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..exceptions import REFUSAL_CODES, AbsConflict, AbsForbidden, AbsInvalid, AbsNotFound, AbsRefusal, InvalidToken
from ..models.abs_login_attempt import WINDOW as LOGIN_WINDOW
from ..schemas.common import Filter

_logger = logging.getLogger(__name__)

EMPLOYEE = "employee"
CUSTOMER = "customer"
API_KEY = "api_key"
PUBLIC = "public"

CORS_ALLOWED_HEADERS = "Authorization, X-API-KEY, X-SA-ID, Content-Type, Idempotency-Key, Accept"
# What a browser client may read of an answer besides the safelisted headers.
CORS_EXPOSED_HEADERS = "Content-Type, Content-Disposition, Idempotent-Replayed, Retry-After, Allow"
CORS_MAX_AGE = "86400"


# --------------------------------------------------------------------------- errors


# A model refuses by meaning (exceptions.py); only the kit says which status a meaning answers.
REFUSAL_STATUS = {AbsInvalid: 400, AbsNotFound: 404, AbsConflict: 409, AbsForbidden: 403}
REFUSAL_TEXT = {
    AbsInvalid: "a business rule refused the request as asked",
    AbsNotFound: "a record the request names does not exist (or is another SA's)",
    AbsConflict: "the current state of the data refuses the request",
    AbsForbidden: "the caller may not do this",
}


class ApiError(Exception):
    """An answer other than success. Raising it rolls back everything the request wrote."""

    def __init__(self, status, code, message, details=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


# The kit's own codes: code -> (HTTP status, when). With the models' refusal codes (exceptions.REFUSAL_CODES)
# they are every code an answer can carry: the document's ErrorCode enum and the README's table are built
# from error_codes(), and tests/test_error_codes.py checks that every code raised anywhere is in it.
KIT_CODES = {
    "invalid_json": (400, "the body is not a JSON object, or not one within the limits"),
    "invalid_body": (400, "the body does not match its schema: `details.fields`"),
    "invalid_query": (400, "the query string does not match its schema: `details.fields`"),
    "invalid_id": (400, "an id in the path is not a positive integer: `details.fields`"),
    "invalid_characters": (400, "NUL characters in the path, headers, query or body"),
    "invalid_sa_header": (400, "`X-SA-ID` is not a positive integer"),
    "sa_required": (400, "a write by a caller of several SAs without `X-SA-ID`"),
    "invalid_idempotency_key": (400, "`Idempotency-Key` is not 1 to 255 printable characters"),
    "rejected": (400, "an Odoo rule refused the operation (the message says which)"),
    "unauthorized": (401, "missing or invalid credentials (a failed login too): log in again"),
    "token_expired": (401, "the token has expired: refresh it (an expired refresh token: log in again)"),
    "token_revoked": (401, "the token was revoked (logout, or a refresh token already used): log in again"),
    "bad_signature": (401, "a mobile-money callback whose `X-Signature` does not match"),
    "forbidden": (403, "the caller may not do this"),
    "sa_forbidden": (403, "`X-SA-ID` names an SA the caller has no membership in"),
    "role_forbidden": (403, "the operation needs the staff role in the SA"),
    "not_found": (404, "no such record or route (another SA's record is answered alike)"),
    "method_not_allowed": (405, "the path exists for other methods (header `Allow`)"),
    "conflict": (409, "the request conflicts with existing data (a duplicate, a record in use)"),
    "idempotency_key_reused": (409, "the `Idempotency-Key` was used for another request"),
    "concurrent_update": (409, "others changed the same records: nothing was written, send it again"),
    "too_many_attempts": (429, "too many failed logins for this identifier (header `Retry-After`)"),
    "too_many_logins": (429, "too many logins at once on this server: try again (header `Retry-After`)"),
    "internal_error": (500, "a bug: nothing was written"),
}
# What each 401 code tells the caller to do.
UNAUTHORIZED_MESSAGES = {
    "unauthorized": "Authentication required: missing or invalid credentials.",
    "token_expired": "The token has expired: refresh it, or log in again if it was the refresh token.",
    "token_revoked": "The token was revoked: log in again.",
}


def bad_request(message, code="bad_request", details=None):
    return ApiError(400, code, message, details)


def unauthorized(code="unauthorized"):
    """401: ``token_expired`` (refresh), ``token_revoked`` (log in again) or ``unauthorized`` for any
    other missing or invalid credential (the detail goes to the log, not to the caller)."""
    return ApiError(401, code, UNAUTHORIZED_MESSAGES[code])


def forbidden(message, code="forbidden"):
    return ApiError(403, code, message)


def not_found(what="Record"):
    return ApiError(404, "not_found", f"{what} not found.")


def conflict(message, code="conflict", details=None):
    return ApiError(409, code, message, details)


def error_codes():
    """Every error code an answer can carry: ``{code: (status, meaning)}``, sorted by code.

    The models' refusal codes answer the status of their meaning (REFUSAL_STATUS); a code that is
    both the kit's and a model's (``not_found``, ``role_forbidden``) must answer the same status.
    """
    codes = dict(KIT_CODES)
    for code, meaning in REFUSAL_CODES.items():
        status = REFUSAL_STATUS[meaning]
        if code in codes and codes[code][0] != status:
            raise TypeError(
                f"error code {code!r} answers {codes[code][0]} in the kit, {status} as a {meaning.__name__}"
            )
        codes.setdefault(code, (status, REFUSAL_TEXT[meaning]))
    return dict(sorted(codes.items()))


def error_code_table():
    """The README's table of error codes (between its ``error-codes`` markers), from error_codes()."""
    rows = [f"| `{code}` | {status} | {meaning} |" for code, (status, meaning) in error_codes().items()]
    return "\n".join(["| code | status | meaning |", "|---|---|---|", *rows])


# --------------------------------------------------------------------------- caller context


@dataclass
class ApiContext:
    """Who is calling and in which service accounts; handed to every route handler."""

    env: api.Environment
    kind: str
    employee: object = None
    customer: object = None
    claims: dict = field(default_factory=dict)
    # sa_id -> role_code of the caller's memberships in force (employees only)
    roles: dict = field(default_factory=dict)
    # sa_id -> company_id of the SAs in scope
    sa_companies: dict = field(default_factory=dict)
    # the SA picked by X-SA-ID (or the only one); None when none was picked
    sa: object = None
    # SAs the caller may read; None means every SA (API-key callers without X-SA-ID)
    readable_sa_ids: list | None = None

    def require_sa(self):
        """The SA a write acts in: X-SA-ID, or the caller's only SA."""
        if self.sa:
            return self.sa
        if self.kind == EMPLOYEE and len(self.roles) == 1:
            return self.env["ov.serviced_account"].browse(next(iter(self.roles)))
        raise bad_request(
            "This caller acts in several service accounts: say which one in the X-SA-ID header.",
            code="sa_required",
        )

    def staff_sa_ids(self):
        """The SAs (of those the caller reads) where the calling employee is staff (ov.membership's rule)."""
        staff_of = self.env["ov.membership"]._abs_staff_account_ids(self.employee.id)
        return [sa_id for sa_id in self.readable_sa_ids if sa_id in staff_of]

    def require_staff(self):
        """Staff role in the acting SA (or, without X-SA-ID, in one of the caller's SAs); API keys pass."""
        if self.kind == API_KEY:
            return
        staff_of = self.staff_sa_ids()
        if not (self.sa.id in staff_of if self.sa else staff_of):
            raise forbidden("This operation needs the staff role in the service account.", code="role_forbidden")

    def sa_domain_ids(self):
        """SA ids for scoping reads; None means unrestricted."""
        return self.readable_sa_ids

    def governed_domain(self, model_name):
        """Domain of the records of a governed model (``ov.sa_governed.mixin``) the caller may read."""
        return self.env[model_name]._abs_sa_domain(self.readable_sa_ids)

    def get_governed(self, model_name, record_id, domain=(), field_names=None, what="Record"):
        """The governed record ``record_id`` if it is within the caller's SAs (and ``domain``).

        A record of another SA is answered exactly like a missing one: 404.
        """
        Model = self.env[model_name]
        full_domain = [("id", "=", record_id), *domain, *Model._abs_sa_domain(self.readable_sa_ids)]
        record = (
            Model.search_fetch(full_domain, field_names, limit=1) if field_names else Model.search(full_domain, limit=1)
        )
        if not record:
            raise not_found(what)
        return record


# --------------------------------------------------------------------------- route registry


@dataclass
class RouteSpec:
    path: str
    method: str
    auth: tuple
    summary: str
    description: str
    tags: tuple
    body: type | None
    query: type | None
    response: type | None
    status: int
    func_name: str
    path_params: list
    id_params: list  # the path params that are record ids (positive integers)
    role: str | None = None  # "staff": employees need that role in the acting SA (API keys pass)
    readonly: bool = False  # served on a read-only cursor (a replica when configured): nothing to roll back
    links: dict = field(default_factory=dict)  # name -> Link, on the answer of ``status``
    operation_id: str = ""  # action-style, from the handler's name (``confirmOrder``); stable across path changes
    alias_of: str | None = None  # an alias path (deprecated): the canonical path of the same operation

    @functools.cached_property
    def path_regex(self):
        """The path as a regex capturing each parameter's raw text (ids are checked on that text)."""
        return re.compile("^" + re.sub(r"\\\{([^}:]+)(:[^}]*)?\\\}", r"(?P<\1>[^/]+)", re.escape(self.path)) + "$")


@dataclass(frozen=True)
class Link:
    """An OpenAPI link: what a client (or schemathesis' stateful phase) may call next with this answer.

    ``method`` and ``path`` name a declared route; ``parameters`` maps each of its parameters to a
    runtime expression, ``$response.body#/order/id`` (this answer) or ``$request.path.order_id``
    (this request).
    """

    method: str
    path: str
    parameters: dict

    @property
    def operation_id(self):
        return route_spec(self.method, self.path).operation_id


def route_spec(method, path):
    """The declaration of ``method`` ``path`` (an OpenAPI path: ``{name}`` placeholders)."""
    spec = next((r for r in ROUTES if r.method == method.upper() and r.path == path), None)
    if not spec:
        raise KeyError(f"no API route {method} {path}")
    return spec


def _camel(name):
    """'register_payment' -> 'registerPayment'."""
    head, *rest = name.strip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _alias_operation_id(base, canonical, alias):
    """``receiveStock`` for /api/stock/receive -> ``receiveStockViaWarehouse`` for /api/warehouse/receive."""
    segment = next(a for c, a in zip(canonical.split("/"), alias.split("/"), strict=False) if c != a)
    return base + "Via" + _camel(re.sub(r"\W+", "_", segment)).capitalize()


ROUTES = []


def _odoo_path(path):
    """'/api/customers/{customer_id}' -> '/api/customers/<int:customer_id>' ({x:str} for strings)."""

    def convert(match):
        name, _sep, kind = match.group(1).partition(":")
        return f"<{'string' if kind == 'str' else 'int'}:{name}>" if kind != "path" else f"<path:{name}>"

    return re.sub(r"\{([^}]+)\}", convert, path)


def _openapi_path(path):
    return re.sub(r"\{([^}:]+)(:[^}]*)?\}", r"{\1}", path)


def api_route(
    path,
    method="GET",
    *,
    auth=(EMPLOYEE,),
    body=None,
    query=None,
    response=None,
    status=200,
    summary="",
    tags=(),
    readonly=None,
    role=None,
    links=None,
    operation_id=None,
):
    """Declare an API route. ``path`` uses ``{name}`` (int) or ``{name:str}`` placeholders.

    The handler is called as ``handler(self, ctx, *, body=..., query=..., **path_params)`` and
    returns a dict (the JSON answer, ``success: true`` added) or an ``http.Response``.
    ``role="staff"``: only staff of the acting SA (and API keys) may call it; others get 403.
    ``links``: ``{name: Link(...)}``, the OpenAPI links of the ``status`` answer (what to call next with it).
    ``operation_id``: the OpenAPI operationId, an action (``confirmOrder``); default: the handler's name in
    camelCase. With several paths the first is the canonical one; the others are deprecated aliases.
    """
    assert role in (None, "staff"), role
    readonly = (method == "GET") if readonly is None else readonly
    auth = tuple(auth)
    paths = [path] if isinstance(path, str) else list(path)
    method = method.upper()

    def decorator(func):
        # Docstrings are written for Python readers (``code``); the OpenAPI document shows Markdown.
        doc = (func.__doc__ or "").strip().replace("``", "`")
        base_id = operation_id or _camel(func.__name__)
        for index, one_path in enumerate(paths):
            ROUTES.append(
                RouteSpec(
                    path=_openapi_path(one_path),
                    method=method,
                    auth=auth,
                    summary=summary or (doc.splitlines()[0] if doc else func.__name__),
                    description=doc,
                    tags=tuple(tags),
                    body=body,
                    query=query,
                    response=response,
                    status=status,
                    func_name=func.__name__,
                    path_params=re.findall(r"\{([^}:]+)", one_path),
                    id_params=re.findall(r"\{([^}:]+)\}", one_path),
                    role=role,
                    readonly=readonly,
                    links=dict(links or {}),
                    operation_id=_alias_operation_id(base_id, paths[0], one_path) if index else base_id,
                    alias_of=_openapi_path(paths[0]) if index else None,
                )
            )
        specs = ROUTES[-len(paths) :]

        @http.route(
            [_odoo_path(p) for p in paths],
            type="http",
            # auth="none" and the kit authenticates: three kinds of caller (employee JWT, customer JWT,
            # API key) on one route, none of them an Odoo session user, and a JSON 401 in the envelope.
            # An ir.http auth method (OCA auth_jwt's way) would fit one kind per route and answer
            # Odoo's HTML/JSON-RPC errors.
            auth="none",
            methods=[method, "OPTIONS"],
            csrf=False,
            save_session=False,
            readonly=readonly,
        )
        def endpoint(self, **kwargs):
            return _dispatch(self, func, _matching_spec(specs), kwargs)

        # Name and docstring of the handler, but not its signature: Odoo passes the query string
        # as keyword arguments and warns about every one the endpoint's signature does not take;
        # the kit parses the query itself, so the endpoint takes them all (**kwargs).
        functools.update_wrapper(endpoint, func)
        del endpoint.__wrapped__
        return endpoint

    return decorator


def _matching_spec(specs):
    """The declaration (of a handler's alias paths) that the request's path matched."""
    if len(specs) == 1:
        return specs[0]
    path = request.httprequest.path
    return next((spec for spec in specs if spec.path_regex.match(path)), specs[-1])


# --------------------------------------------------------------------------- responses


def _cors_headers():
    # sudo: a deployment-wide setting read before any identity is known
    origin = request.env(su=True)["ir.config_parameter"].get_param("abs_connector.cors_origin", "*")
    return [
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Allow-Headers", CORS_ALLOWED_HEADERS),
        ("Access-Control-Expose-Headers", CORS_EXPOSED_HEADERS),
    ]


def dumps(payload):
    return json.dumps(payload, default=_json_default, ensure_ascii=False)


def json_response(payload, status=200):
    body = dumps(payload)
    return request.make_response(
        body,
        headers=[("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store"), *_cors_headers()],
        status=status,
    )


def error_response(error):
    payload = {"success": False, "error": error.message, "code": error.code}
    if error.details:
        payload["details"] = error.details
    response = json_response(payload, status=error.status)
    if error.status == 429:
        # A locked identifier is free again when its window ends, at the latest.
        response.headers["Retry-After"] = str(int(LOGIN_WINDOW.total_seconds()))
    return response


def _json_default(value):
    """Dates as ``YYYY-MM-DD``; datetimes as RFC 3339 in UTC with ``Z`` (Odoo stores them naive in UTC)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _preflight(spec):
    methods = sorted({r.method for r in ROUTES if r.path == spec.path} | {"OPTIONS"})
    response = request.make_response(
        "",
        headers=[
            *_cors_headers(),
            ("Access-Control-Allow-Methods", ", ".join(methods)),
            ("Access-Control-Max-Age", CORS_MAX_AGE),
        ],
        status=204,
    )
    return response


# --------------------------------------------------------------------------- authentication


def _api_user_id():
    # sudo: resolving the technical user's xmlid (ormcached) before any identity exists
    return request.env(su=True)["ir.model.data"]._xmlid_to_res_id("abs_connector.user_api")


def _bearer_token():
    header = request.httprequest.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _authenticate(spec):
    """Return an ApiContext for the caller, running as the API's technical user."""
    api_uid = _api_user_id()
    request.update_env(user=api_uid)
    env = request.env
    if PUBLIC in spec.auth:
        return ApiContext(env=env, kind=PUBLIC)

    api_key = request.httprequest.headers.get("X-API-KEY")
    if api_key and API_KEY in spec.auth:
        # sudo: the key table is only readable by its owner; the check returns the key's user
        key_uid = env(su=True)["res.users.apikeys"]._check_credentials(scope="rpc", key=api_key)
        if key_uid != api_uid:
            _logger.info("API key refused on %s %s", spec.method, spec.path)
            raise unauthorized()
        return ApiContext(env=env, kind=API_KEY)

    token = _bearer_token()
    kinds = tuple(k for k in (EMPLOYEE, CUSTOMER) if k in spec.auth)
    if not token or not kinds:
        _logger.info("API call without usable credentials on %s %s", spec.method, spec.path)
        raise unauthorized()
    try:
        kind, subject_id, claims = env["abs.api.token"]._decode(token, use="access", kinds=kinds)
    except InvalidToken as exc:
        _logger.info("API token refused on %s %s: %s", spec.method, spec.path, exc)
        raise unauthorized(exc.code) from None

    if kind == CUSTOMER:
        customer = env["res.partner"].browse(subject_id).exists()
        if not customer or not customer.active:
            raise unauthorized()
        return ApiContext(env=env, kind=CUSTOMER, customer=customer, claims=claims)

    # The memberships in force of an active employee (cached per worker); none means no access at all.
    memberships = env["ov.membership"]._abs_roles_in_force(subject_id)
    if not memberships:
        _logger.info("API token of employee %s refused: inactive or no membership in force", subject_id)
        raise unauthorized()
    return ApiContext(
        env=env,
        kind=EMPLOYEE,
        employee=env["abs.employee"].browse(subject_id),
        claims=claims,
        roles={sa_id: role for sa_id, role, _company in memberships},
        sa_companies={sa_id: company_id for sa_id, _role, company_id in memberships},
    )


def _resolve_scope(ctx):
    """Apply X-SA-ID: the SA the call acts in, and the SAs it may read."""
    if ctx.kind not in (EMPLOYEE, API_KEY):
        return
    raw = request.httprequest.headers.get("X-SA-ID")
    Account = ctx.env["ov.serviced_account"]
    if raw is not None and raw.strip() != "":
        sa_id = parse_id(raw.strip())
        if not sa_id:
            raise bad_request("X-SA-ID must be a positive integer.", code="invalid_sa_header")
        if ctx.kind == EMPLOYEE and sa_id not in ctx.roles:
            raise forbidden("You have no active membership in this service account.", code="sa_forbidden")
        if ctx.kind == API_KEY:
            sa = Account.search_fetch([("id", "=", sa_id)], ["company_id"])
            if not sa:
                raise forbidden("You have no access to this service account.", code="sa_forbidden")
            ctx.sa_companies = {sa.id: sa.company_id.id}
        ctx.sa = Account.browse(sa_id)
        ctx.readable_sa_ids = [sa_id]
    elif ctx.kind == EMPLOYEE:
        ctx.readable_sa_ids = list(ctx.roles)
        if len(ctx.roles) == 1:
            ctx.sa = Account.browse(ctx.readable_sa_ids[0])
    if ctx.readable_sa_ids is None:
        return
    # Act in the companies of the SAs in scope, the acting SA's company first (it is env.company).
    company_ids = ([ctx.sa_companies[ctx.sa.id]] if ctx.sa else []) + [
        ctx.sa_companies[sa_id] for sa_id in ctx.readable_sa_ids
    ]
    user_company_ids = set(ctx.env.user._get_company_ids())  # ormcached: no query once warm
    allowed = [cid for cid in dict.fromkeys(company_ids) if cid in user_company_ids]
    if allowed:
        request.update_context(allowed_company_ids=allowed)
        ctx.env = request.env
        ctx.sa = ctx.sa.with_env(ctx.env) if ctx.sa else None
        ctx.employee = ctx.employee.with_env(ctx.env) if ctx.employee else None


# --------------------------------------------------------------------------- input parsing


def _field_errors(exc):
    errors = {}
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"]) or "__root__"
        message = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        errors.setdefault(loc, message)
    return errors


def _parse_query(spec):
    if not spec.query:
        return None
    raw = request.httprequest.args.to_dict()
    try:
        return spec.query.model_validate(raw)
    except PydanticValidationError as exc:
        raise bad_request(
            "Invalid query parameters.", code="invalid_query", details={"fields": _field_errors(exc)}
        ) from None


def _parse_body(spec):
    if not spec.body:
        return None
    data = request.httprequest.get_data(cache=True)
    if not data.strip():
        payload = {}
    else:
        payload = parse_json(data)
    if not isinstance(payload, dict):
        raise bad_request("The body must be a JSON object.", code="invalid_json")
    try:
        return spec.body.model_validate(payload)
    except PydanticValidationError as exc:
        raise bad_request(
            "Invalid request body.", code="invalid_body", details={"fields": _field_errors(exc)}
        ) from None


# --------------------------------------------------------------------------- input limits
# What reaches PostgreSQL or Python's own limits unchecked turns into a 500; it is refused here,
# once, before any handler runs.

MAX_DB_INT = 2**31 - 1  # PostgreSQL integer: every id column
MAX_JSON_INT = 2**53  # the largest integer every JSON client reads exactly
MAX_JSON_DEPTH = 32
ASCII_DIGITS = re.compile(r"[0-9]+")


def parse_id(text):
    """A record id written as ASCII digits within PostgreSQL's integer range, or None."""
    if not isinstance(text, str) or not ASCII_DIGITS.fullmatch(text) or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_DB_INT else None


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def _bounded_int(text):
    if len(text.lstrip("-")) > 16 or abs(int(text)) > MAX_JSON_INT:
        raise ValueError(f"the integer {text[:20]}... is out of range")
    return int(text)


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def parse_json(data):
    """Decode a JSON body, refusing what no schema should ever have to look at."""
    try:
        payload = json.loads(data, parse_constant=_refuse_constant, parse_int=_bounded_int, parse_float=_finite_float)
    except RecursionError:
        raise bad_request("The body is nested too deeply.", code="invalid_json") from None
    except (UnicodeDecodeError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
        raise bad_request(f"The body is not valid JSON: {exc}", code="invalid_json") from None
    _check_json_value(payload, 0)
    return payload


def _check_json_value(value, depth):
    if depth > MAX_JSON_DEPTH:
        raise bad_request(f"The body is nested deeper than {MAX_JSON_DEPTH} levels.", code="invalid_json")
    if isinstance(value, str):
        _check_text(value, "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, "body")
            _check_json_value(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json_value(item, depth + 1)


def _check_text(text, where):
    if "\x00" in text:
        raise bad_request(f"NUL characters are not allowed in the {where}.", code="invalid_characters")


def _check_request_text(spec):
    """NUL characters anywhere (path, headers, query), and ids in the path as the database holds them."""
    http_request = request.httprequest
    _check_text(http_request.path, "path")
    for name, value in http_request.headers.items():
        _check_text(name + value, "headers")
    for name, value in http_request.args.items(multi=True):
        _check_text(name + value, "query string")
    if spec.id_params:
        match = spec.path_regex.match(http_request.path)
        raw = match.groupdict() if match else {}
        check_path_ids({name: raw.get(name) for name in spec.id_params})


def check_path_ids(values):
    """Ids in the path must be positive integers: anything else is a 400, not a 404."""
    bad = {
        name: f"must be a positive integer of at most {MAX_DB_INT}"
        for name, value in values.items()
        if not parse_id(str(value))
    }
    if bad:
        raise bad_request("Invalid id in the path.", code="invalid_id", details={"fields": bad})


# --------------------------------------------------------------------------- idempotency


def _idempotency(ctx, spec):
    """Idempotency-Key on a write: replay the stored answer of an earlier identical request.

    Returns None (no key, or a read), ``{"replay": response}``, or what is needed to store this
    request's answer. The same key with another body is a 409: the client reused a key by mistake.
    """
    key = request.httprequest.headers.get("Idempotency-Key")
    if not key or spec.method not in ("POST", "PUT", "PATCH", "DELETE") or ctx.kind == PUBLIC:
        return None
    key = key.strip()
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise bad_request("Idempotency-Key must be 1 to 255 printable characters.", code="invalid_idempotency_key")
    caller = {
        EMPLOYEE: lambda: f"employee:{ctx.employee.id}",
        CUSTOMER: lambda: f"customer:{ctx.customer.id}",
        API_KEY: lambda: "api_key",
    }[ctx.kind]()
    Record = ctx.env["abs.idempotency.record"]
    endpoint = f"{spec.method} {request.httprequest.path}"
    # The SA a write acts in is part of the request: the same body for another SA is another request.
    scoped = f"{endpoint} sa={request.httprequest.headers.get('X-SA-ID', '')}"
    request_hash = Record._request_hash(scoped, request.httprequest.get_data(cache=True))
    Record._lock(key, caller)
    previous = Record._find(key, caller)
    if previous:
        if previous["request_hash"] != request_hash:
            raise conflict(
                "This Idempotency-Key was already used for a different request.", code="idempotency_key_reused"
            )
        response = json_response(json.loads(previous["response_body"]), status=previous["status"])
        response.headers["Idempotent-Replayed"] = "true"
        return {"replay": response}
    return {"key": key, "caller": caller, "endpoint": endpoint, "hash": request_hash}


# --------------------------------------------------------------------------- dispatch


# A refusal the client mends by another call: the API names that route (models speak of records, not routes).
NEXT_STEP = {
    "delivery_not_validated": ("validate", "POST /api/stock/deliveries/{delivery_id}/validate"),
}


def _with_next_step(refusal):
    """The refusal's message and details, with the route that mends it when there is one."""
    message, details = refusal.args[0], refusal.details
    if refusal.code in NEXT_STEP and details:
        key, route = NEXT_STEP[refusal.code]
        step = route.format(**details)
        message, details = f"{message} ({step})", {**details, key: step}
    return message, details


def _dispatch(controller, func, spec, kwargs):
    if request.httprequest.method == "OPTIONS":
        return _preflight(spec)
    cr = request.env.cr
    try:
        _check_request_text(spec)
        ctx = _authenticate(spec)
        _resolve_scope(ctx)
        if spec.role == "staff":
            ctx.require_staff()
        query = _parse_query(spec)
        body = _parse_body(spec)
        path_args = {name: kwargs[name] for name in spec.path_params if name in kwargs}
        idempotency = _idempotency(ctx, spec)
        # A read-only route writes nothing, so it needs no savepoint (two fewer round trips).
        with contextlib.nullcontext() if spec.readonly else cr.savepoint():
            if idempotency and idempotency.get("replay"):
                return idempotency["replay"]
            result = func(controller, ctx, body=body, query=query, **path_args)
            if idempotency and not isinstance(result, http.Response):
                ctx.env["abs.idempotency.record"]._store(
                    idempotency["key"],
                    idempotency["caller"],
                    idempotency["endpoint"],
                    idempotency["hash"],
                    spec.status,
                    dumps({"success": True, **(result or {})}),
                )
            ctx.env.flush_all()
    except ApiError as error:
        return error_response(error)
    except AbsRefusal as refusal:
        status = next((s for meaning, s in REFUSAL_STATUS.items() if isinstance(refusal, meaning)), 400)
        message, details = _with_next_step(refusal)
        return error_response(ApiError(status, refusal.code, message, details))
    except AccessDenied:
        return error_response(unauthorized())
    except AccessError as exc:
        _logger.info("API access error on %s %s: %s", spec.method, spec.path, exc)
        return error_response(forbidden("You are not allowed to do this."))
    except MissingError:
        return error_response(not_found())
    except (UserError, ValidationError) as exc:
        return error_response(bad_request(str(exc.args[0] if exc.args else exc), code="rejected"))
    except psycopg2.IntegrityError as exc:
        # The constraint's name is an internal: it goes to the log, the answer says what it means.
        _logger.info("API integrity conflict on %s %s: %s", spec.method, spec.path, exc.diag.constraint_name)
        return error_response(conflict("The request conflicts with existing data (a duplicate or a record in use)."))
    except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
        if spec.readonly or not _retries_exhausted():
            raise  # Odoo's request loop rolls back and retries the whole request
        # Its last try: answer 409 (nothing written: the savepoint is rolled back), not Odoo's 500.
        _logger.info("API %s %s: still conflicting after Odoo's retries", spec.method, spec.path)
        return error_response(
            conflict("Others are changing the same records right now: try again.", code="concurrent_update")
        )
    except HTTPException:
        raise
    except Exception:
        _logger.exception("API failure on %s %s", spec.method, spec.path)
        return error_response(ApiError(500, "internal_error", "Unexpected server error."))
    if isinstance(result, http.Response):
        for name, value in _cors_headers():
            result.headers[name] = value
        return result
    return json_response({"success": True, **(result or {})}, status=spec.status)


def _retries_exhausted():
    """Count this request's concurrency failures: True on the one Odoo would not retry any more.

    Odoo retries a request that failed to serialise (``odoo.service.model.retrying``) with the same
    ``request`` object, then answers a 500 once its tries are spent; counting on the request lets
    the kit answer the last one itself.
    """
    failures = getattr(request, "_abs_concurrency_failures", 0) + 1
    request._abs_concurrency_failures = failures
    return failures >= MAX_TRIES_ON_CONCURRENCY_FAILURE


# --------------------------------------------------------------------------- list helpers


def search_page(model, domain, field_names, query, order="id desc"):
    """One page of ``model`` (fields fetched in the same query) and the total count.

    The count query is skipped when the page itself shows where the list ends.
    """
    offset, limit = (query.page - 1) * query.limit, query.limit
    records = model.search_fetch(domain, field_names, offset=offset, limit=limit, order=order)
    if len(records) < limit and (records or not offset):
        return records, offset + len(records)
    return records, model.search_count(domain)


def filters_domain(query):
    """The domain of the list filters declared on the query schema (``schemas.common.Filter``)."""
    domain = []
    for name, info in type(query).model_fields.items():
        value = getattr(query, name)
        if value is None:
            continue
        domain += [marker.term(value) for marker in info.metadata if isinstance(marker, Filter)]
    return domain


def page_payload(query, total, items_name, items):
    return {"total": total, "page": query.page, "limit": query.limit, items_name: items}


def governed_page(ctx, model_name, query, field_names, items_name, serialize, order="id desc", domain=()):
    """The list answer of a governed model: one page of the caller's SAs' records, ``domain`` and the
    query's declared filters applied, serialised under ``items_name`` (a fixed number of queries)."""
    full_domain = [*domain, *ctx.governed_domain(model_name), *filters_domain(query)]
    records, total = search_page(ctx.env[model_name], full_domain, field_names, query, order=order)
    return page_payload(query, total, items_name, serialize(records))


def own_page(ctx, model_name, query, field_names, items_name, serialize, order="id desc"):
    """The customer portal's list answer: one page of the calling customer's own documents
    (``res.partner._abs_documents_domain``), the query's declared filters applied."""
    domain = [*ctx.customer._abs_documents_domain(), *filters_domain(query)]
    records, total = search_page(ctx.env[model_name], domain, field_names, query, order=order)
    return page_payload(query, total, items_name, serialize(records))


def get_own(ctx, model_name, record_id, field_names=None, what="Record"):
    """One of the calling customer's own documents; another customer's is answered like a missing one: 404."""
    domain = [("id", "=", record_id), *ctx.customer._abs_documents_domain()]
    Model = ctx.env[model_name]
    record = Model.search_fetch(domain, field_names, limit=1) if field_names else Model.search(domain, limit=1)
    if not record:
        raise not_found(what)
    return record


def id_name(record):
    return {"id": record.id, "name": record.display_name} if record else None
