from odoo import http
from odoo.exceptions import AccessDenied
from odoo.http import request

from ..exceptions import InvalidToken, LoginBusy, LoginLocked
from ..helpers.phone import normalize_phone
from ..schemas.auth import (
    CustomerLoginRequest,
    CustomerLoginResponse,
    LoginRequest,
    LoginResponse,
    LogoutRequest,
    LogoutResponse,
    MeResponse,
    RefreshRequest,
    TokenPair,
)
from ..schemas.customer import CustomerResponse
from .api_kit import CUSTOMER, EMPLOYEE, PUBLIC, ApiError, api_route, error_response, unauthorized
from .serializers.customer import serialize_customers


def _service_accounts(employee):
    return [
        {"id": m.account_id.id, "name": m.account_id.name, "code": m.account_id.code, "role": m.role_code}
        for m in employee._active_memberships()
    ]


class AbsAuthController(http.Controller):
    @api_route(
        "/api/auth/login",
        "POST",
        auth=(PUBLIC,),
        body=LoginRequest,
        response=LoginResponse,
        tags=("Auth",),
        readonly=False,
    )
    def employee_login(self, ctx, body, query):
        """Employee login: a token pair and the service accounts the employee acts in."""
        identifier = body.login.strip().lower()

        def authenticate(env):
            employee = env["abs.employee"]._authenticate(body.login, body.password)
            if not employee._active_memberships():
                # An employee with no SA in force cannot do anything; answer like a wrong password.
                raise AccessDenied()
            return employee

        employee_id = _throttled_login(ctx, EMPLOYEE, identifier, authenticate, body.device_token)
        if isinstance(employee_id, http.Response):
            return employee_id
        employee = ctx.env["abs.employee"].browse(employee_id)
        accounts = _service_accounts(employee)
        Token = ctx.env["abs.api.token"]
        tokens = Token._issue_pair(EMPLOYEE, employee.id)
        return {
            **tokens,
            "device_token": Token._issue_device_token(EMPLOYEE, employee.id, identifier),
            "employee": {"id": employee.id, "name": employee.name},
            "service_accounts": accounts,
        }

    @api_route(
        "/api/auth/refresh",
        "POST",
        auth=(PUBLIC,),
        body=RefreshRequest,
        response=TokenPair,
        tags=("Auth",),
        readonly=False,
    )
    def employee_refresh(self, ctx, body, query):
        """Rotate tokens: the refresh token is spent, a new pair is issued in the same session."""
        return _rotate(ctx, body.refresh_token, EMPLOYEE)

    @api_route(
        "/api/auth/logout",
        "POST",
        auth=(EMPLOYEE,),
        body=LogoutRequest,
        response=LogoutResponse,
        tags=("Auth",),
        readonly=False,
    )
    def employee_logout(self, ctx, body, query):
        """Revoke the calling token and its login session (the refresh token stops working too)."""
        _logout(ctx, body)
        return {"message": "Logged out"}

    @api_route("/api/auth/me", "GET", auth=(EMPLOYEE,), response=MeResponse, tags=("Auth",))
    def employee_me(self, ctx, body, query):
        """The calling employee and the service accounts it acts in."""
        return {
            "employee": {"id": ctx.employee.id, "name": ctx.employee.name},
            "service_accounts": _service_accounts(ctx.employee),
        }

    @api_route(
        "/api/customer/auth/login",
        "POST",
        auth=(PUBLIC,),
        body=CustomerLoginRequest,
        response=CustomerLoginResponse,
        tags=("Customer portal",),
        readonly=False,
    )
    def customer_login(self, ctx, body, query):
        """Customer login with the phone and PIN an agent gave them."""
        identifier = normalize_phone(body.phone) or body.phone
        partner_id = _throttled_login(
            ctx,
            CUSTOMER,
            identifier,
            lambda env: env["res.partner"]._abs_authenticate_customer(body.phone, body.pin),
            body.device_token,
        )
        if isinstance(partner_id, http.Response):
            return partner_id
        partner = ctx.env["res.partner"].browse(partner_id)
        Token = ctx.env["abs.api.token"]
        tokens = Token._issue_pair(CUSTOMER, partner.id)
        return {
            **tokens,
            "device_token": Token._issue_device_token(CUSTOMER, partner.id, identifier),
            "customer": {"id": partner.id, "name": partner.name, "phone": partner.phone or None},
        }

    @api_route(
        "/api/customer/auth/refresh",
        "POST",
        auth=(PUBLIC,),
        body=RefreshRequest,
        response=TokenPair,
        tags=("Customer portal",),
        readonly=False,
    )
    def customer_refresh(self, ctx, body, query):
        """Rotate a customer's tokens."""
        return _rotate(ctx, body.refresh_token, CUSTOMER)

    @api_route(
        "/api/customer/auth/logout",
        "POST",
        auth=(CUSTOMER,),
        body=LogoutRequest,
        response=LogoutResponse,
        tags=("Customer portal",),
        readonly=False,
    )
    def customer_logout(self, ctx, body, query):
        """Revoke the customer's token and its login session."""
        _logout(ctx, body)
        return {"message": "Logged out"}

    @api_route("/api/customer/me", "GET", auth=(CUSTOMER,), response=CustomerResponse, tags=("Customer portal",))
    def customer_me(self, ctx, body, query):
        """The calling customer's own profile."""
        return {"customer": serialize_customers(ctx.customer)[0]}


def _throttled_login(ctx, kind, identifier, authenticate, device_token=None):
    """The identity id ``authenticate(env)`` returns, under the failed-login limit (abs.login.attempt),
    counted apart for a device that logged in for ``identifier`` before (its ``device_token``).

    A refusal (401 for any wrong credential, 429 once the identifier is locked) is returned as a
    response, not raised: the kit rolls back what a raising request wrote, and under Odoo's test
    mode the failure's bookkeeping shares this request's transaction (on a real server it has
    committed in its own already).
    """
    device = ctx.env["abs.api.token"]._device_id(device_token, kind, identifier)
    try:
        return ctx.env["abs.login.attempt"]._guarded_login(
            kind, identifier, lambda env: authenticate(env).id, request.httprequest.remote_addr, device
        )
    except LoginBusy:
        busy = error_response(ApiError(429, "too_many_logins", "Too many logins at once: try again in a moment."))
        busy.headers["Retry-After"] = "1"
        return busy
    except LoginLocked:
        return error_response(ApiError(429, "too_many_attempts", "Too many failed logins: try again in a few minutes."))
    except AccessDenied:
        return error_response(unauthorized())


def _rotate(ctx, refresh_token, kind):
    try:
        _kind, _id, pair = ctx.env["abs.api.token"]._rotate(refresh_token, kind)
    except InvalidToken as exc:
        # Answered, not raised: a reused token's session revocation must commit with the 401.
        return error_response(unauthorized(exc.code))
    return pair


def _logout(ctx, body):
    ctx.env["abs.api.token"]._logout(ctx.claims, body.refresh_token)
