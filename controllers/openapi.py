"""GET /api/openapi.json (OpenAPI 3.1, built from the routes' own schemas) and GET /api/docs."""

import importlib.util
import logging
import mimetypes
import os

from pydantic.json_schema import models_json_schema
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from odoo import http, release
from odoo.http import request

from ..schemas.common import ErrorResponse
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
    error_response,
    operation_id,
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
# Routes that count failed logins and lock an identifier (abs.login.attempt).
THROTTLED_PATHS = {"/api/auth/login", "/api/customer/auth/login"}


def build_openapi(server_url):
    models = set()
    for route in ROUTES:
        models.update(m for m in (route.body, route.response) if m)
    models.add(ErrorResponse)
    keyed = [(m, "validation" if any(r.body is m for r in ROUTES) else "serialization") for m in models]
    key_map, definitions = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
    schemas = definitions.get("$defs", {})

    def ref(model, mode):
        return key_map[(model, mode)]

    paths = {}
    for route in sorted(ROUTES, key=lambda r: (r.path, r.method)):
        operation = {
            # From method and path, so that an alias path gets its own operation id.
            "operationId": operation_id(route.method, route.path),
            "summary": route.summary,
            "tags": list(route.tags) or ["API"],
            "parameters": [],
            "responses": {},
        }
        if route.description and route.description != route.summary:
            operation["description"] = route.description
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
            for name, field_schema in route.query.model_json_schema()["properties"].items():
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
            operation["parameters"].append(
                {
                    "name": "X-SA-ID",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DB_INT},
                    "description": "Service account the call acts in (needed for writes when the caller has several).",
                }
            )
        if route.body:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(route.body, "validation")}},
            }
        success = {"description": STATUS_TEXT.get(route.status, "OK")}
        if route.response:
            success["content"] = {"application/json": {"schema": ref(route.response, "serialization")}}
        if route.links:
            success["links"] = {
                name: {"operationId": link.operation_id, "parameters": dict(link.parameters)}
                for name, link in sorted(route.links.items())
            }
        operation["responses"][str(route.status)] = success
        error_ref = {"application/json": {"schema": ref(ErrorResponse, "serialization")}}
        statuses = (400, 401, 403, 404, 409) if PUBLIC not in route.auth else (400, 401)
        if route.path in THROTTLED_PATHS:
            statuses += (429,)
        for status in statuses:
            operation["responses"][str(status)] = {"description": STATUS_TEXT[status], "content": error_ref}
        if PUBLIC not in route.auth:
            operation["security"] = [{SCHEME_NAMES[a]: []} for a in route.auth if a in SCHEME_NAMES]
        paths.setdefault(route.path, {})[route.method.lower()] = operation

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "abs_connector API",
            "version": release.major_version,
            "description": "Field-agent REST API of the solar-kit distributor. Every governed record "
            "belongs to a service account (SA); see X-SA-ID.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {SCHEME_NAMES[k]: v for k, v in SECURITY_SCHEMES.items()},
        },
    }


DOCS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>abs_connector API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>"""


class AbsOpenApiController(http.Controller):
    @api_route("/api/openapi.json", "GET", auth=(PUBLIC,), tags=("Meta",))
    def openapi_document(self, ctx, body, query):
        """The OpenAPI 3.1 document of this API."""
        return request.make_json_response(build_openapi(request.httprequest.host_url.rstrip("/")))

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


def _werkzeug_rule(openapi_path):
    return openapi_path.replace("{", "<").replace("}", ">")
