"""Per-worker caches (token revocations, memberships in force) stay true across the 2 workers.

Each worker caches them (ormcache); a revocation or a membership change clears the cache and Odoo
signals it to the other worker, which drops its own at the start of its next request. Every call
here opens a new connection, so the calls are spread over both workers.
"""

import os
import uuid

import requests
from conftest import TIMEOUT, check_envelope, rpc

CALLS = 12  # enough fresh connections that both workers answer several


def statuses_of_me(base_url, token):
    statuses = []
    for _ in range(CALLS):
        response = requests.get(
            f"{base_url}/api/auth/me",
            headers={"Authorization": f"Bearer {token}", "Connection": "close"},
            timeout=TIMEOUT,
        )
        check_envelope(response)
        statuses.append(response.status_code)
    return statuses


def test_logout_takes_effect_on_every_worker(api):
    tokens = api.login("tg.agent")
    assert statuses_of_me(api.base_url, tokens["access_token"]) == [200] * CALLS  # both workers cached it valid
    api.post("/api/auth/logout", token=tokens["access_token"], json={}, expect=200)
    assert statuses_of_me(api.base_url, tokens["access_token"]) == [401] * CALLS


def test_ended_membership_takes_effect_on_every_worker(api):
    base_url = api.base_url
    db = os.environ.get("ABS_SMOKE_DB", "abs_connector_smoke")
    uid = rpc(base_url, "common", "login", db, "admin", "admin")
    assert uid, "the demo database's admin/admin login failed"

    def execute(model, method, *args):
        return rpc(base_url, "object", "execute_kw", db, uid, "admin", model, method, list(args))

    login = f"smoke.{uuid.uuid4().hex[:8]}"
    togo = execute("ov.serviced_account", "search", [["code", "=", "TG"]])[0]
    employee = execute(
        "abs.employee", "create", {"name": "Smoke Worker Agent", "login": login, "password": "smoke-pass-1"}
    )
    membership = execute("ov.membership", "create", {"employee_id": employee, "account_id": togo, "role_code": "agent"})
    token = api.login(login, password="smoke-pass-1")["access_token"]
    assert statuses_of_me(base_url, token) == [200] * CALLS
    # The backend's "End membership" button, as a finance manager would press it.
    execute("ov.membership", "action_end_membership", [membership])
    assert statuses_of_me(base_url, token) == [401] * CALLS
