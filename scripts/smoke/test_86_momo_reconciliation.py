"""Mobile-money reconciliation over real HTTP on the demo data (seed workflow 9 gap): an agent's mobile-money
payment settled by the sandbox provider's signed callback, and one it registered by hand; the manager reads the
sandbox provider's statement (JSON and CSV), adds a transaction only the provider knows, imports the CSV: the
first is matched, the second missing on the provider's side, the third missing on ours. Importing it again is
refused (409); an agent 403; another SA's caller 404.
"""

import csv
import hashlib
import hmac
import io
import json
import time
from datetime import UTC, datetime

import pytest
import requests
from conftest import TIMEOUT

RUN = str(int(time.time()))
STATEMENTS = "/api/mobile-money/statements"


@pytest.fixture(scope="module")
def service(api, manager_token, togo):
    body = {"name": f"Smoke Momo Service {RUN}", "pu_category": "service", "invoice_policy": "order"}
    body.update(default_code=f"SMOKE-MOMO-{RUN}", list_price=25.0)
    return api.post("/api/products", token=manager_token, sa_id=togo["id"], json=body, expect=201)["product"]


def settle(base_url, secret, reference):
    raw = json.dumps({"reference": reference, "status": "success", "provider": "sandbox"}).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    response = requests.post(
        f"{base_url}/api/payments/mobile-money/callback",
        data=raw,
        headers={"Content-Type": "application/json", "X-Signature": signature},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_provider_statement_is_reconciled_with_the_sa_payments(
    api, agent_token, kenya_token, manager_token, togo, service, base_url, sandbox_secret
):
    today = datetime.now(UTC).date().isoformat()
    order = api.sell(agent_token, f"Smoke Momo Payer {RUN}", f"+228 95 {RUN[-6:]}", [(service["id"], 4)])
    # 40 through the provider (its callback settles it), 20 registered by the agent as mobile money itself.
    by_hand = api.post(
        f"/api/orders/{order['id']}/register-payment",
        token=agent_token,
        json={"amount": 20.0, "payment_source": "mobile_money"},
        expect=201,
    )
    invoice = by_hand["invoice"]
    attempt = api.post(
        "/api/payments/mobile-money",
        token=agent_token,
        json={"invoice_id": invoice["id"], "phone": "+228 90 66 55 44", "amount": 40.0},
        expect=201,
    )["attempt"]
    settled = settle(base_url, sandbox_secret, attempt["reference"])
    assert settled["state"] == "done" and settled["payment_id"], settled

    period = {"date_from": today, "date_to": today}
    provider = api.get(
        "/api/mobile-money/sandbox/statement", token=manager_token, sa_id=togo["id"], params=period, expect=200
    )
    assert attempt["reference"] in {t["reference"] for t in provider["transactions"]}, provider
    api.get("/api/mobile-money/sandbox/statement", token=agent_token, params=period, expect=403)

    # The provider's CSV, this run's transaction and one only the provider knows.
    rows = [row for row in csv.DictReader(io.StringIO(provider["csv"])) if row["reference"] == attempt["reference"]]
    rows.append(
        {"reference": f"SMOKE-PROVIDER-ONLY-{RUN}", "date": today, "amount": "7.5", "phone": "+228 90 00 11 22"}
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["reference", "date", "amount", "phone"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    body = {**period, "csv": out.getvalue()}
    api.post(STATEMENTS, token=agent_token, json=body, expect=403)
    statement = api.post(STATEMENTS, token=manager_token, sa_id=togo["id"], json=body, expect=201)["statement"]
    lines = {line["reference"]: line for line in statement["lines"] if line["reference"]}
    assert lines[attempt["reference"]]["status"] == "matched", statement
    assert lines[attempt["reference"]]["payment_id"] == settled["payment_id"], statement
    assert lines[f"SMOKE-PROVIDER-ONLY-{RUN}"]["status"] == "missing_ours", statement
    missing_provider = {line["payment_id"] for line in statement["lines"] if line["status"] == "missing_provider"}
    assert by_hand["payment"]["id"] in missing_provider, statement
    assert statement["counts"]["matched"] >= 1 and statement["counts"]["missing_ours"] == 1, statement

    again = api.post(STATEMENTS, token=manager_token, sa_id=togo["id"], json=body, expect=409)
    assert again["code"] == "statement_already_imported" and again["details"]["statement_ids"] == [statement["id"]]

    listed = api.get(STATEMENTS, token=manager_token, params={"limit": 200}, expect=200)
    assert statement["id"] in {item["id"] for item in listed["statements"]}, listed
    read = api.get(f"{STATEMENTS}/{statement['id']}", token=manager_token, expect=200)["statement"]
    assert read["lines"] == statement["lines"], read
    api.get(f"{STATEMENTS}/{statement['id']}", token=kenya_token, expect=403)  # an agent: staff only
    kenya = next(sa for sa in api.get("/api/auth/me", token=kenya_token, expect=200)["service_accounts"])
    api.get(f"{STATEMENTS}/{statement['id']}", api_key=True, sa_id=kenya["id"], expect=404)
