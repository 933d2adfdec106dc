"""Fixtures of the smoke run: a real Odoo server started by scripts/smoke.sh, reached over plain HTTP.

scripts/smoke.sh passes the server in environment variables:
ABS_SMOKE_URL (base URL), ABS_SMOKE_API_KEY (an API key of abs_connector.user_api),
ABS_SMOKE_LOG (the server's log file) and ABS_SMOKE_BUILD (the .build folder, for screenshots).
"""

import os
import re

import pytest
import requests

DEMO_PASSWORD = "demo1234"
DEMO_CUSTOMER_PHONE = "+228 91 23 45 67"
DEMO_CUSTOMER_PIN = "1234"
TIMEOUT = 60


def pytest_configure(config):
    missing = [name for name in ("ABS_SMOKE_URL", "ABS_SMOKE_API_KEY", "ABS_SMOKE_LOG") if not os.environ.get(name)]
    if missing:
        raise pytest.UsageError(
            f"{', '.join(missing)} not set: run the smoke tests with scripts/smoke.sh (make smoke)."
        )


# A value that starts like a date and a time is a datetime: RFC 3339 with its zone, as the contract says.
LOOKS_LIKE_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
# Every datetime met in an answer of this run, so that test_95_datetimes can say how many were checked.
DATETIMES_SEEN = []


# Text a caller wrote (the fuzzer may write "2026-01-01 10:00" in a name): not the API's datetimes.
FREE_TEXT = {
    "name",
    "display_name",
    "note",
    "notes",
    "description",
    "subject",
    "memo",
    "ref",
    "origin",
    "reference",
    "message",
    "error",
    "resolution_note",
    "reject_reason",
    "reason",
    "client_order_ref",
    "street",
    "city",
    "zip",
    "invoice_origin",
    "default_code",
    "barcode",
    "lot_name",
    "phone",
    "email",
    "fields",
    "repair_note",
}


def check_datetimes(value, where, path="$"):
    """Every datetime in an answer is RFC 3339 with a zone (``2026-12-05T21:27:52Z``)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in FREE_TEXT:
                check_datetimes(item, where, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_datetimes(item, where, f"{path}[{index}]")
    elif isinstance(value, str) and LOOKS_LIKE_DATETIME.match(value):
        assert RFC3339.match(value), f"{where}: {path} = {value!r} is not an RFC 3339 datetime with a zone"
        DATETIMES_SEEN.append(value)


def check_envelope(response):
    """Every /api answer: no 5xx, JSON, the envelope. Returns the decoded body."""
    request = response.request
    where = f"{request.method} {request.path_url} -> {response.status_code}"
    assert response.status_code < 500, f"{where}: server error: {response.text[:2000]}"
    content_type = response.headers.get("Content-Type", "")
    assert content_type.startswith("application/json"), f"{where}: not JSON ({content_type!r}): {response.text[:500]}"
    body = response.json()
    assert isinstance(body, dict) and "success" in body, f"{where}: no envelope: {response.text[:500]}"
    check_datetimes(body, where)
    if response.status_code < 400:
        assert body["success"] is True, f"{where}: success is not true: {body}"
    else:
        assert body["success"] is False, f"{where}: an error answered success: {body}"
        assert isinstance(body.get("error"), str) and body["error"], f"{where}: error text missing: {body}"
        assert isinstance(body.get("code"), str) and body["code"], f"{where}: error code missing: {body}"
    return body


def rpc(base_url, service, method, *args):
    """Odoo's external JSON-RPC (``/jsonrpc``): ``rpc(url, "object", "execute_kw", db, uid, password, ...)``."""
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {"service": service, "method": method, "args": args},
    }
    body = requests.post(f"{base_url}/jsonrpc", json=payload, timeout=TIMEOUT).json()
    assert "error" not in body, body
    return body.get("result")  # absent when the method returns nothing


class Api:
    """A small client for /api: authenticates as told, checks the envelope and the expected status."""

    def __init__(self, base_url, api_key):
        self.base_url = base_url
        self.api_key = api_key
        self.session = requests.Session()

    def call(
        self, method, path, *, expect, token=None, api_key=False, sa_id=None, json=None, params=None, headers=None
    ):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if api_key:
            headers["X-API-KEY"] = self.api_key
        if sa_id:
            headers["X-SA-ID"] = str(sa_id)
        response = self.session.request(
            method, self.base_url + path, headers=headers, json=json, params=params, timeout=TIMEOUT
        )
        body = check_envelope(response)
        assert response.status_code == expect, (
            f"{method} {path}: expected {expect}, got {response.status_code}: {response.text[:2000]}"
        )
        return body

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.call("PUT", path, **kwargs)

    def login(self, login, password=DEMO_PASSWORD):
        return self.post("/api/auth/login", json={"login": login, "password": password}, expect=200)

    def sell(self, token, customer_name, phone, lines):
        """The agent's sale: a new customer, a quotation of ``lines`` (``[(product id, quantity)]``) and its
        confirmation. Returns the confirmed order."""
        customer = self.post("/api/customers", token=token, json={"name": customer_name, "phone": phone}, expect=201)
        products = [{"product_id": product_id, "quantity": quantity} for product_id, quantity in lines]
        body = {"customer_id": customer["customer"]["id"], "products": products}
        quotation = self.post("/api/quotations", token=token, json=body, expect=201)["order"]
        return self.post(f"/api/orders/{quotation['id']}/confirm", token=token, json={}, expect=200)["order"]

    def customer_login(self, phone=DEMO_CUSTOMER_PHONE, pin=DEMO_CUSTOMER_PIN):
        return self.post("/api/customer/auth/login", json={"phone": phone, "pin": pin}, expect=200)


@pytest.fixture(scope="session")
def base_url():
    return os.environ["ABS_SMOKE_URL"].rstrip("/")


@pytest.fixture(scope="session")
def api(base_url):
    return Api(base_url, os.environ["ABS_SMOKE_API_KEY"])


@pytest.fixture(scope="session")
def manager_token(api):
    return api.login("tg.manager")["access_token"]


@pytest.fixture(scope="session")
def agent_token(api):
    return api.login("tg.agent")["access_token"]


@pytest.fixture(scope="session")
def kenya_token(api):
    return api.login("ke.agent")["access_token"]


@pytest.fixture(scope="session")
def customer_token(api):
    return api.customer_login()["access_token"]


@pytest.fixture(scope="session")
def sandbox_secret(base_url):
    """The sandbox mobile-money provider's signing secret (a system parameter), read as admin over JSON-RPC."""
    db = os.environ.get("ABS_SMOKE_DB", "abs_connector_smoke")
    uid = rpc(base_url, "common", "login", db, "admin", "admin")
    param = "abs_connector.mobile_money.sandbox_secret"
    return rpc(base_url, "object", "execute_kw", db, uid, "admin", "ir.config_parameter", "get_param", [param])


@pytest.fixture(scope="session")
def togo(api, manager_token):
    """The SA Togo of the demo data, as the manager sees it."""
    accounts = api.get("/api/auth/me", token=manager_token, expect=200)["service_accounts"]
    return next(sa for sa in accounts if sa["code"] == "TG")
