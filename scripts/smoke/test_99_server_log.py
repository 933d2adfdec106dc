"""Last of the smoke run (files run in name order): the server's log after everything above.

Fails on any ERROR or CRITICAL line, on any Python traceback printed outside the logger, and on any
WARNING tied to the database: every request's lines name it (e.g. odoo.http's "called ignoring args"),
only the server's own start-up lines (process, ports, addons paths) do not.
"""

import os
import re

import pytest

# "2026-01-31 12:00:00,000 4242 WARNING dbname logger.name: message"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[^:]+):")


# Debian's wkhtmltopdf (the README's prerequisite) is built on an unpatched Qt: it says so on every PDF,
# and Odoo relays that as a WARNING. The PDFs are right; these notices alone are allowed.
# And werkzeug's "Request timed out" (logged at ERROR): a connection a worker accepted but whose client sent
# no request before the socket timeout, so nothing was processed. The login burst (test_41) opens 100
# connections at once against 2 workers; on a loaded machine some of its client threads are not scheduled in
# time. Odoo answers no request wrongly there; what the burst must show (no 5xx) its own test checks.
KNOWN_HARMLESS = re.compile(
    r" odoo\.addons\.base\.models\.ir_actions_report: wkhtmltopdf: .*"
    r"(is not support using unpatched qt|XDG_RUNTIME_DIR)"
    r"| werkzeug: 127\.0\.0\.1 - - \[[^]]+\] Request timed out: TimeoutError\('timed out'\) - - -$"
)


def traceback_end(lines, start):
    """The exception line that closes the traceback starting at ``lines[start]``."""
    for line in lines[start + 1 :]:
        if line and not line.startswith((" ", "\t")):
            return line
    return ""


def offending_lines(lines):
    bad = []
    for number, line in enumerate(lines, 1):
        if line.startswith("Traceback (most recent call last)"):
            bad.append((number, f"{line} ... {traceback_end(lines, number - 1)}"))
            continue
        match = LOG_LINE.match(line)
        if match:
            level, db = match["level"], match["db"]
            serious = level in ("ERROR", "CRITICAL") or (level == "WARNING" and db != "?")
            if serious and not KNOWN_HARMLESS.search(line):
                bad.append((number, line))
        elif " ERROR " in line:
            bad.append((number, line))
    return bad


def test_server_log_has_no_error_and_no_request_warning():
    path = os.environ["ABS_SMOKE_LOG"]
    with open(path, encoding="utf-8", errors="replace") as log:
        lines = log.read().splitlines()
    bad = offending_lines(lines)
    if bad:
        report = "\n".join(f"{path}:{number}: {line}" for number, line in bad)
        pytest.fail(f"{len(bad)} ERROR/WARNING line(s) in the server log:\n{report}", pytrace=False)
