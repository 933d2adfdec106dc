"""Every datetime in every answer is RFC 3339 with a zone (the contract's "Dates and times").

conftest.check_envelope (every answer of the journeys) and the fuzzing check each answer as it comes; this
file reads every list of the API once more (API key and the demo customer), so that each kind of record
with a datetime is seen here whatever ran before, and says how many datetimes the run checked in all.
"""

import os

import requests
from conftest import DATETIMES_SEEN, TIMEOUT, check_envelope


def test_every_list_answers_rfc3339_datetimes(api, base_url, customer_token):
    document = requests.get(f"{base_url}/api/openapi.json", timeout=TIMEOUT).json()
    lists = [
        (path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method == "get" and "{" not in path and path != "/api/openapi.json"
    ]
    before = len(DATETIMES_SEEN)
    for path, operation in lists:
        schemes = {name for requirement in operation.get("security", []) for name in requirement}
        if "apiKey" in schemes:
            headers = {"X-API-KEY": os.environ["ABS_SMOKE_API_KEY"]}
        elif "customerJWT" in schemes:
            headers = {"Authorization": f"Bearer {customer_token}"}
        else:
            continue
        response = requests.get(f"{base_url}{path}", headers=headers, timeout=TIMEOUT)
        check_envelope(response)  # asserts every datetime of the answer
    # The demo data and the journeys leave orders, deliveries, movements and tickets: datetimes were met.
    assert len(DATETIMES_SEEN) - before >= 10, f"only {len(DATETIMES_SEEN) - before} datetimes met in the lists"
