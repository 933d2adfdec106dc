"""Schemathesis over the served /api/openapi.json: every operation, with an employee token and with the API key.

Bounded and deterministic, so that CI stays well inside its time: a fixed number of generated cases per
operation (ABS_SMOKE_FUZZ_EXAMPLES, default 10; valid and invalid data; derandomized; no shrinking).
Checks: no 5xx, and the answer conforms to the document (status code documented, content type, body schema).

ABS_SMOKE_FUZZ_COVERAGE=1 adds schemathesis' coverage phase (every boundary, missing and wrong-typed
field the schema defines: some 5,000 more requests, about 2 more minutes), for a deeper look than CI's.
"""

import os

import requests
import schemathesis
from conftest import DEMO_CUSTOMER_PHONE, DEMO_CUSTOMER_PIN, DEMO_PASSWORD, TIMEOUT, check_datetimes
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

BASE_URL = os.environ.get("ABS_SMOKE_URL", "").rstrip("/")
MAX_EXAMPLES = int(os.environ.get("ABS_SMOKE_FUZZ_EXAMPLES", "10"))
COVERAGE = os.environ.get("ABS_SMOKE_FUZZ_COVERAGE") == "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # explicit: schemathesis' coverage cases, when enabled; no shrink phase: a failure is reported as found.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "mode": "all",
            # Credentials are ours (below), not generated: a made-up X-API-KEY would shadow the bearer token.
            "with-security-parameters": False,
        },
        "phases": {"coverage": {"enabled": COVERAGE}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_url(f"{BASE_URL}/api/openapi.json", config=CONFIG, timeout=TIMEOUT)

# Logging out revokes the calling token: those operations get a token of their own for each case
# instead of the one the other operations share.
LOGOUT_PATHS = {"/api/auth/logout", "/api/customer/auth/logout"}

_session = requests.Session()
_tokens = {}


def _employee_token(fresh=False):
    if fresh or "employee" not in _tokens:
        response = _session.post(
            f"{BASE_URL}/api/auth/login", json={"login": "tg.manager", "password": DEMO_PASSWORD}, timeout=TIMEOUT
        )
        response.raise_for_status()
        token = response.json()["access_token"]
        if fresh:
            return token
        _tokens["employee"] = token
    return _tokens["employee"]


def _customer_token(fresh=False):
    if fresh or "customer" not in _tokens:
        response = _session.post(
            f"{BASE_URL}/api/customer/auth/login",
            json={"phone": DEMO_CUSTOMER_PHONE, "pin": DEMO_CUSTOMER_PIN},
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        token = response.json()["access_token"]
        if fresh:
            return token
        _tokens["customer"] = token
    return _tokens["customer"]


def _call(case, headers):
    response = case.call_and_validate(session=_session, headers=headers, checks=CHECKS, timeout=TIMEOUT)
    if response.headers.get("Content-Type", "").startswith("application/json"):
        check_datetimes(response.json(), f"{case.method} {case.formatted_path} -> {response.status_code}")


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_as_employee(case):
    token = _employee_token(fresh=case.path in LOGOUT_PATHS)
    _call(case, {"Authorization": f"Bearer {token}"})


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_with_api_key(case):
    _call(case, {"X-API-KEY": os.environ["ABS_SMOKE_API_KEY"]})


@schema.include(path_regex=r"^/api/customer/").parametrize()
@FUZZ_SETTINGS
def test_fuzz_as_customer(case):
    """The customer portal's own operations, with a customer token (the two runs above only get 401 there)."""
    token = _customer_token(fresh=case.path in LOGOUT_PATHS)
    _call(case, {"Authorization": f"Bearer {token}"})
