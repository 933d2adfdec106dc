"""/api/docs as a person sees it: rendered by headless Chromium, every operation of the document on the page.

Chromium missing: skipped on a developer's machine, a failure in CI (CI=true). A screenshot is left in
.build/smoke-api-docs.png for a person to look at.
"""

import os
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from conftest import TIMEOUT

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=15000",
]


class _OpblockCounter(HTMLParser):
    """Counts Swagger UI's operation blocks (elements with the class ``opblock``) and its error boxes."""

    def __init__(self):
        super().__init__()
        self.opblocks = 0
        self.errors = 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        self.opblocks += "opblock" in classes
        self.errors += "errors-wrapper" in classes


@pytest.fixture(scope="module")
def chromium():
    path = os.environ.get("ABS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        message = "chromium is not installed (Debian: apt-get install chromium; or set ABS_CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI needs it to check /api/docs")
        pytest.skip(message)
    return path


def run_chromium(chromium, *args):
    with tempfile.TemporaryDirectory(prefix="abs-smoke-chromium-") as profile:
        return subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def test_api_docs_render_every_operation(chromium, base_url):
    document = requests.get(f"{base_url}/api/openapi.json", timeout=TIMEOUT).json()
    operations = sum(1 for item in document["paths"].values() for method in item if method in HTTP_METHODS)

    build = Path(os.environ.get("ABS_SMOKE_BUILD") or tempfile.gettempdir())
    screenshot = build / "smoke-api-docs.png"
    screenshot.unlink(missing_ok=True)
    shot = run_chromium(chromium, f"--screenshot={screenshot}", "--window-size=1280,3200", f"{base_url}/api/docs")
    assert screenshot.exists(), f"Chromium made no screenshot (exit {shot.returncode}): {shot.stderr[-2000:]}"

    dom = run_chromium(chromium, "--dump-dom", f"{base_url}/api/docs")
    assert dom.returncode == 0, f"Chromium failed (exit {dom.returncode}): {dom.stderr[-2000:]}"
    counter = _OpblockCounter()
    counter.feed(dom.stdout)
    assert counter.opblocks == operations and not counter.errors, (
        f"/api/docs shows {counter.opblocks} operations of the document's {operations}"
        f"{' and an error box' if counter.errors else ''}; see {screenshot}"
    )
