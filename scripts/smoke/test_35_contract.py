"""The contract test (scripts/contract/check.sh) on the document this server serves: Spectral's OAS ruleset,
the TypeScript types compiling an agent's day under tsc --strict, the Python client under mypy --strict.

npm missing: skipped on a developer's machine, a failure in CI (CI=true), as Chromium for /api/docs.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from conftest import TIMEOUT

CHECK = Path(__file__).resolve().parents[1] / "contract" / "check.sh"


def test_generated_clients_compile_against_the_served_document(base_url):
    if not shutil.which("npm"):
        message = "npm is not installed (Debian: apt-get install nodejs npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI needs it for the contract test")
        pytest.skip(message)
    response = requests.get(f"{base_url}/api/openapi.json", timeout=TIMEOUT)
    assert response.status_code == 200, response.text[:500]
    build = Path(os.environ.get("ABS_SMOKE_BUILD") or CHECK.parents[2] / ".build") / "contract"
    build.mkdir(parents=True, exist_ok=True)
    document = build / "openapi-served.json"
    document.write_bytes(response.content)
    run = subprocess.run([str(CHECK), str(document)], capture_output=True, text=True, timeout=900, check=False)
    assert run.returncode == 0, (
        f"contract test failed (exit {run.returncode}):\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    )
