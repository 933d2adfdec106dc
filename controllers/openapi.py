"""GET /api/openapi.json (OpenAPI 3.1, built from the routes' own schemas) and GET /api/docs."""

import copy
import functools
import importlib.util
import json
import logging
import mimetypes
import os
import re

from pydantic import ValidationError as PydanticValidationError
from pydantic.json_schema import models_json_schema
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from odoo import http, release
from odoo.http import request
from odoo.tools import config

from ..schemas.common import ENUMS, NAMED_ENUM_KEY, ErrorResponse
from .api_kit import (
    API_KEY,
    CUSTOMER,
    EMPLOYEE,
    MAX_DB_INT,
    PUBLIC,
    ROUTES,
    ApiError,
    api_route,
    check_path_ids,
    error_codes,
    error_response,
)


def _swagger_ui_static():
    """Swagger UI 5 (it reads OpenAPI 3.1) as shipped by the swagger-ui-py package, not copied here."""
    spec = importlib.util.find_spec("swagger_ui")
    if not spec or not spec.submodule_search_locations:
        return None  # declared in external_dependencies; the docs page says so if it is missing
    path = os.path.join(spec.submodule_search_locations[0], "static")
    return path if os.path.isfile(os.path.join(path, "swagger-ui-bundle.js")) else None


swagger_ui_path = _swagger_ui_static()

_logger = logging.getLogger(__name__)

SECURITY_SCHEMES = {
    EMPLOYEE: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Employee access token from POST /api/auth/login",
    },
    CUSTOMER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Customer access token from POST /api/customer/auth/login",
    },
    API_KEY: {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-KEY",
        "description": "Odoo API key of the technical user abs_connector.user_api",
    },
}
SCHEME_NAMES = {EMPLOYEE: "employeeJWT", CUSTOMER: "customerJWT", API_KEY: "apiKey"}
# The mobile-money provider's callback: no token, a signature of the body (checked by the handler).
SIGNATURE_SCHEME = {
    "mobileMoneySignature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Signature",
        "description": "`sha256=<hex HMAC-SHA256 of the raw body>` with the provider's secret; "
        "a wrong one answers 401 `bad_signature` and writes nothing",
    }
}
SIGNED_PATHS = {"/api/payments/mobile-money/callback"}
# Routes that count failed logins and lock an identifier (abs.login.attempt).
THROTTLED_PATHS = {"/api/auth/login", "/api/customer/auth/login"}
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

TAG_DESCRIPTIONS = {
    "Auth": "Employee (field agent, SA staff) login, token refresh and logout",
    "Customers": "The customers of the caller's service accounts",
    "Products": "Catalogue: products with their PU category, stock tracking and invoicing policy",
    "Bills of Products": "Kits sold as one line: the products a BOP adds to a quotation",
    "Orders": "Quotations and sales orders: approval, confirmation, invoicing, payment",
    "Invoices": "Customer invoices and credit notes",
    "Payments": "Payments in cash, bank or mobile money, and the provider's callback",
    "Warehouse & Stock": "Warehouses, stock levels, lots and serials, receipts, adjustments, transfers, scraps",
    "Deliveries": "Deliveries of confirmed orders: validation with serials, returns",
    "Assets": "Installed serial-numbered units and their owner",
    "Helpdesk Tickets": "After-sales tickets",
    "Subscriptions": "Recurring services (warranties, maintenance) and their billing",
    "Reports": "Figures per service account",
    "Cash": "Agents' cash in hand and its handover to the SA's cashier",
    "Mobile money reconciliation": "Providers' statements per SA matched with the SA's mobile-money payments",
    "PAYG": "Pay-as-you-go accounts and their OpenPAYGO device tokens",
    "Offline sync": "WatermelonDB's pull and push: the field app's local database kept in step",
    "Customer portal": "What a customer sees and does with its own login (phone and PIN)",
    "Meta": "This document",
    "API": "Other operations",
}
STATUS_TEXT = {
    200: "OK",
    201: "Created",
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    429: "Too many failed logins",
}
# The error answers (components.responses), one per status.
ERROR_RESPONSES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    429: "TooManyAttempts",
}

PARAMETERS = {
    "ServiceAccount": {
        "name": "X-SA-ID",
        "in": "header",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DB_INT},
        "description": "Service account the call acts in (needed for writes when the caller has several).",
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        "description": "A key of your own (e.g. a UUID) per write: sent again with the same body, the first "
        "answer comes back (header `Idempotent-Replayed: true`) and nothing is done twice; with another "
        "body, 409 `idempotency_key_reused`.",
    },
}
HEADERS = {
    "IdempotentReplayed": {
        "description": "`true` when this is the stored answer of an earlier request with the same Idempotency-Key",
        "required": False,
        "schema": {"type": "string", "enum": ["true"]},
    },
    "RetryAfter": {
        "description": "Seconds to wait before the identifier may log in again",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    },
}
# The date and the datetime of the generated examples (every other string is made from its field name).
EXAMPLE_DATE, EXAMPLE_DATETIME = "2026-12-05", "2026-12-05T21:27:52Z"


def build_openapi(server_url):
    """The OpenAPI document; everything but ``servers`` is built once per process (routes do not change)."""
    return {**_document(), "servers": [{"url": server_url}]}


@functools.cache
def _document():
    models = set()
    for route in ROUTES:
        models.update(m for m in (route.body, route.response) if m)
    models.add(ErrorResponse)
    keyed = [(m, "validation" if any(r.body is m for r in ROUTES) else "serialization") for m in models]
    key_map, definitions = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
    schemas = {**definitions.get("$defs", {}), **ENUMS, "ErrorCode": _error_code_schema()}
    _fix_schemas(schemas)
    for schema in schemas.values():
        # Every answer carries `success`: required, so a generated client's type says so.
        if "success" in schema.get("properties", {}) and "success" not in schema.get("required", []):
            schema["required"] = ["success", *schema.get("required", [])]

    def ref(model, mode):
        return key_map[(model, mode)]

    paths = {}
    for route in sorted(ROUTES, key=lambda r: (r.path, r.method)):
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, ref, schemas)
    request_schemas = _reachable([ref(r.body, "validation")["$ref"] for r in ROUTES if r.body], schemas)
    for name in request_schemas:
        _defaults_to_descriptions(schemas[name])

    used_tags = {tag for item in paths.values() for operation in item.values() for tag in operation["tags"]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "abs_connector API",
            "version": release.major_version,
            "contact": {"name": "abs_connector (Odoo addon)"},
            "description": "Field-agent REST API of the solar-kit distributor. Every governed record "
            "belongs to a service account (SA); see X-SA-ID. Datetimes are RFC 3339 in UTC "
            "(`2026-12-05T21:27:52Z`), dates `YYYY-MM-DD`. An error answers `success: false`, a message, "
            "a `code` (ErrorCode: one HTTP status per code) and maybe `details`.",
        },
        "tags": [
            {"name": name, "description": TAG_DESCRIPTIONS[name]} for name in TAG_DESCRIPTIONS if name in used_tags
        ],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": PARAMETERS,
            "headers": HEADERS,
            "responses": _error_responses(schemas),
            "securitySchemes": {
                **{SCHEME_NAMES[k]: v for k, v in SECURITY_SCHEMES.items()},
                **SIGNATURE_SCHEME,
            },
        },
    }


def _operation(route, ref, schemas):
    operation = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "tags": list(route.tags) or ["API"],
        "parameters": [],
        "responses": {},
    }
    description = route.description or route.summary
    if route.alias_of:
        operation["deprecated"] = True
        canonical = f"`{route.method} {route.alias_of}`"
        description = f"Deprecated alias of {canonical}: the same operation; use that path.\n\n{description}".strip()
    if description:
        operation["description"] = description
    for name in route.path_params:
        operation["parameters"].append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DB_INT}
                if name in route.id_params
                else {"type": "string", "minLength": 1},
            }
        )
    if route.query:
        query_schema = route.query.model_json_schema()
        _fix_schemas(query_schema)
        for name, field_schema in query_schema["properties"].items():
            operation["parameters"].append(
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "schema": field_schema,
                    **({"description": field_schema["description"]} if "description" in field_schema else {}),
                }
            )
    if EMPLOYEE in route.auth or API_KEY in route.auth:
        operation["parameters"].append({"$ref": "#/components/parameters/ServiceAccount"})
    idempotent = route.method in WRITE_METHODS and PUBLIC not in route.auth
    if idempotent:
        operation["parameters"].append({"$ref": "#/components/parameters/IdempotencyKey"})
    if route.body:
        content = {"schema": ref(route.body, "validation")}
        example = _valid_example(route.body, content["schema"], schemas)
        if example is not None:
            content["example"] = example
        operation["requestBody"] = {"required": True, "content": {"application/json": content}}
    success = {"description": STATUS_TEXT.get(route.status, "OK")}
    if route.response:
        content = {"schema": ref(route.response, "serialization")}
        example = _valid_example(route.response, content["schema"], schemas)
        if example is not None:
            content["example"] = example
        success["content"] = {"application/json": content}
    if idempotent:
        success["headers"] = {"Idempotent-Replayed": {"$ref": "#/components/headers/IdempotentReplayed"}}
    if route.links:
        success["links"] = {
            name: {"operationId": link.operation_id, "parameters": dict(link.parameters)}
            for name, link in sorted(route.links.items())
        }
    operation["responses"][str(route.status)] = success
    statuses = (400, 401, 403, 404, 409) if PUBLIC not in route.auth else (400, 401)
    if route.path in THROTTLED_PATHS:
        statuses += (429,)
    for status in statuses:
        operation["responses"][str(status)] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[status]}"}
    if PUBLIC not in route.auth:
        operation["security"] = [{SCHEME_NAMES[a]: []} for a in route.auth if a in SCHEME_NAMES]
    elif route.path in SIGNED_PATHS:
        operation["security"] = [{name: []} for name in SIGNATURE_SCHEME]
    return operation


def _reachable(refs, schemas):
    """The names of the component schemas that ``refs`` lead to, directly or through others."""
    seen, todo = set(), [r.rsplit("/", 1)[1] for r in refs]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [r.rsplit("/", 1)[1] for r in _refs(schemas[name])]
    return seen


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _defaults_to_descriptions(schema):
    """A request field with a default is optional, but generators (openapi-typescript) type every property
    with a ``default`` as required: the default is said in the field's description instead."""
    for field_schema in schema.get("properties", {}).values():
        if "default" in field_schema:
            default = json.dumps(field_schema.pop("default"))
            text = field_schema.get("description", "").rstrip()
            field_schema["description"] = f"{text}{'. ' if text and not text.endswith('.') else ' ' if text else ''}"
            field_schema["description"] += f"Default: `{default}`."


def _error_code_schema():
    codes = error_codes()
    lines = "\n".join(f"- `{code}` ({status}): {meaning}" for code, (status, meaning) in codes.items())
    return {
        "type": "string",
        "enum": list(codes),
        "description": f"Every code an error answer carries, each always with the same HTTP status:\n\n{lines}",
    }


def _error_responses(schemas):
    by_status = {}
    for code, (status, _meaning) in error_codes().items():
        by_status.setdefault(status, []).append(code)
    responses = {}
    for status, name in ERROR_RESPONSES.items():
        codes = by_status.get(status, [])
        example = {"success": False, "error": STATUS_TEXT[status] + ".", "code": codes[0]}
        if status == 400:
            example = {
                "success": False,
                "error": "Invalid request body.",
                "code": "invalid_body",
                "details": {"fields": {"name": "Field required"}},
            }
        ErrorResponse.model_validate(example)
        response = {
            "description": f"{STATUS_TEXT[status]}: " + ", ".join(f"`{code}`" for code in codes),
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}, "example": example}
            },
        }
        if status == 429:
            response["headers"] = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
        responses[name] = response
    return responses


def _fix_schemas(node):
    """Two fixes over pydantic's schemas, in place: a named enum's marker becomes a ``$ref`` to its component
    (schemas.common.named_enum); ``default: null`` goes (it says nothing a missing field does not, and makes
    generators type the field as required)."""
    if isinstance(node, dict):
        if node.get("default", ...) is None:
            del node["default"]
        if NAMED_ENUM_KEY in node:
            node["$ref"] = f"#/components/schemas/{node.pop(NAMED_ENUM_KEY)}"
        for value in node.values():
            _fix_schemas(value)
    elif isinstance(node, list):
        for value in node:
            _fix_schemas(value)


def _valid_example(model, schema, schemas):
    """An example built from the model's own schema that the model accepts: every field, else the required ones."""
    for every_field in (True, False):
        example = _example(schema, schemas, every_field=every_field)
        try:
            model.model_validate_json(json.dumps(example))
        except (PydanticValidationError, TypeError, ValueError):
            continue
        return example
    _logger.warning("no valid example for %s", model.__name__)
    return None


def _example(schema, schemas, name="", every_field=True, depth=0):
    if depth > 16:
        return None
    if "$ref" in schema:
        target = schemas[schema["$ref"].rsplit("/", 1)[1]]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    if schema.get("examples"):
        return copy.deepcopy(schema["examples"][0])
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("default") is not None:
        return copy.deepcopy(schema["default"])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return _example(options[0], schemas, name, every_field, depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required", ()))
        return {
            key: _example(value, schemas, key, every_field, depth + 1)
            for key, value in schema.get("properties", {}).items()
            if every_field or key in required
        }
    if kind == "array":
        item = _example(schema.get("items", {}), schemas, name, every_field, depth + 1)
        return [item] * max(1, schema.get("minItems", 1))
    if kind == "string":
        if schema.get("format") == "date":
            return EXAMPLE_DATE
        if schema.get("format") == "date-time":
            return EXAMPLE_DATETIME
        text = (name or "text").replace("_", " ")
        text = text.ljust(schema.get("minLength", 0), "x")
        return text[: schema.get("maxLength", len(text))]
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
        value = max(low, 1)
        value = min(value, schema.get("maximum", value))
        return value if kind == "integer" else float(value)
    if kind == "boolean":
        return True
    return None


DOCS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>abs_connector API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>"""


class AbsOpenApiController(http.Controller):
    @api_route("/api/openapi.json", "GET", auth=(PUBLIC,), tags=("Meta",), operation_id="getOpenApiDocument")
    def openapi_document(self, ctx, body, query):
        """The OpenAPI 3.1 document of this API."""
        return request.make_json_response(build_openapi(server_url()))

    @http.route("/api/docs", type="http", auth="none", methods=["GET"], csrf=False, save_session=False)
    def docs_page(self):
        if not swagger_ui_path:
            return request.make_response(
                "Install the swagger-ui-py Python package to browse the docs.",
                headers=[("Content-Type", "text/plain")],
                status=503,
            )
        return request.make_response(DOCS_PAGE, headers=[("Content-Type", "text/html; charset=utf-8")])

    @http.route(
        "/api/docs/assets/<string:filename>", type="http", auth="none", methods=["GET"], csrf=False, save_session=False
    )
    def docs_asset(self, filename):
        # Only files shipped by the swagger-ui-py package, never a path outside it.
        if not swagger_ui_path or "/" in filename or filename.startswith("."):
            raise NotFound()
        path = os.path.join(swagger_ui_path, filename)
        if not os.path.isfile(path):
            raise NotFound()
        with open(path, "rb") as asset:
            content = asset.read()
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return request.make_response(content, headers=[("Content-Type", mimetype), ("Cache-Control", "max-age=86400")])

    @http.route("/api/<path:subpath>", type="http", auth="none", csrf=False, save_session=False)
    def api_not_found(self, subpath, **kwargs):
        """Any other /api path: a JSON 404 (or 405 when the path exists for other methods)."""
        path = f"/api/{subpath}"
        rules = [Rule(_werkzeug_rule(r.path), endpoint=i, methods=[r.method, "OPTIONS"]) for i, r in enumerate(ROUTES)]
        adapter = Map(rules).bind("localhost")
        try:
            # Odoo's own routes only take digits for ids: a path that matches once any text is
            # allowed there is a known route with a malformed id.
            index, args = adapter.match(path, method=request.httprequest.method)
            check_path_ids({name: args[name] for name in ROUTES[index].id_params})
        except ApiError as error:
            return error_response(error)
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(set(exc.valid_methods) - {"OPTIONS", "HEAD"}))
            message = f"{request.httprequest.method} is not allowed here; use {allowed}."
            response = error_response(ApiError(405, "method_not_allowed", message))
            response.headers["Allow"] = ", ".join(sorted(set(exc.valid_methods) | {"OPTIONS"}))
            return response
        except NotFound:
            _logger.debug("no API route for %s %s", request.httprequest.method, path)
        return error_response(ApiError(404, "not_found", f"No API route {path}."))


HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def server_url():
    """The URL clients reach this server at: behind a proxy (Odoo's ``proxy_mode``), the scheme and host it
    forwards (``X-Forwarded-Proto``, ``X-Forwarded-Host``); else the request's own. Never trusted without
    ``proxy_mode``: anyone can send those headers.
    """
    http_request = request.httprequest
    scheme, host = http_request.scheme, http_request.host
    if config.get("proxy_mode"):
        forwarded_proto = http_request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        forwarded_host = http_request.headers.get("X-Forwarded-Host", "").split(",")[0].strip()
        scheme = forwarded_proto if forwarded_proto in ("http", "https") else scheme
        host = forwarded_host if HOST.match(forwarded_host) else host
    return f"{scheme}://{host}"


def _werkzeug_rule(openapi_path):
    return openapi_path.replace("{", "<").replace("}", ">")
