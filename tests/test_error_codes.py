"""Every error code the code can raise is in the document's ErrorCode enum, with the one status it answers.

The codes are read from the source (every ``RefusalCode(...)``, ``AbsInvalid(..., "code")``, ``ApiError(status,
"code")``, ``bad_request(..., code=...)``...), not from the registry they are checked against, so a code added
anywhere without its place in ``error_codes()`` fails here.
"""

import ast
import re
from pathlib import Path

from odoo.tests import TransactionCase, tagged

from ..controllers.api_kit import KIT_CODES, error_code_table, error_codes
from ..exceptions import REFUSAL_CODES
from .common import AbsHttpCase

ADDON = Path(__file__).resolve().parents[1]
MEANING_STATUS = {"AbsInvalid": 400, "AbsNotFound": 404, "AbsConflict": 409, "AbsForbidden": 403}
# Helpers of the kit: status, position of their code argument, default code.
HELPERS = {
    "bad_request": (400, 1, "bad_request"),
    "conflict": (409, 1, "conflict"),
    "forbidden": (403, 1, "forbidden"),
    "unauthorized": (401, 0, "unauthorized"),
    "not_found": (404, None, "not_found"),
    "InvalidToken": (401, 1, "unauthorized"),
}


def _constant(node, names=None):
    """A literal, or a module-level name bound to a literal (``CATALOGUE_FORBIDDEN = "catalogue_forbidden"``)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and names and node.id in names:
        return names[node.id]
    return ...


def _argument(call, position, names, keyword="code"):
    for item in call.keywords:
        if item.arg == keyword:
            return _constant(item.value, names)
    if position is not None and len(call.args) > position:
        return _constant(call.args[position], names)
    return None


def raised_codes():
    """``[(code, status, where)]`` for every code written in the addon's Python source (tests excepted)."""
    found = []
    for path in sorted(ADDON.rglob("*.py")):
        relative = path.relative_to(ADDON)
        if relative.parts[0] in ("tests", "scripts", "bench") or ".build" in relative.parts:
            continue
        tree = ast.parse(path.read_text(), str(path))
        names = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", getattr(call.func, "attr", None))
            where = f"{relative}:{call.lineno}"
            if name == "RefusalCode":
                meaning = call.args[1].id if len(call.args) > 1 else call.keywords[0].value.id
                found.append((_constant(call.args[0]), MEANING_STATUS[meaning], where))
            elif name in MEANING_STATUS:
                found.append((_argument(call, 1, names) or "rejected", MEANING_STATUS[name], where))
            elif name == "ApiError":
                found.append((_constant(call.args[1]), _constant(call.args[0]), where))
            elif name in HELPERS:
                status, position, default = HELPERS[name]
                found.append((_argument(call, position, names) or default, status, where))
    return found


@tagged("post_install", "-at_install")
class TestErrorCodes(TransactionCase):
    def test_every_code_raised_in_the_source_is_in_the_enum_with_its_status(self):
        codes = error_codes()
        found = raised_codes()
        self.assertGreater(len(found), 150, "the walk found the raises")
        for code, status, where in found:
            if code is ...:
                continue  # a code passed on (``unauthorized(exc.code)``): its origin is in the list
            with self.subTest(where=where, code=code):
                self.assertIn(code, codes)
                self.assertEqual(codes[code][0], status, "one HTTP status per code")

    def test_registry_holds_every_refusal_code_and_the_kit_codes(self):
        walked = {code for code, _status, _where in raised_codes() if code is not ...}
        self.assertEqual(set(error_codes()), set(KIT_CODES) | set(REFUSAL_CODES))
        # A code nobody raises any more should leave the enum too.
        self.assertEqual(set(error_codes()) - walked, set())

    def test_invalid_state_is_400_everywhere(self):
        self.assertEqual(error_codes()["invalid_state"][0], 400)

    def test_readme_table_is_the_generated_one(self):
        readme = (ADDON / "README.md").read_text()
        match = re.search(r"<!-- error-codes:start -->\n(.*?)\n<!-- error-codes:end -->", readme, re.S)
        self.assertTrue(match, "README.md has the error-codes markers")
        self.assertEqual(
            match.group(1),
            error_code_table(),
            "regenerate the README table with controllers.api_kit.error_code_table()",
        )


@tagged("post_install", "-at_install")
class TestErrorsOverHttp(AbsHttpCase):
    def test_document_error_code_enum_is_every_code(self):
        _status, document, _r = self.api("GET", "/api/openapi.json")
        schemas = document["components"]["schemas"]
        self.assertEqual(schemas["ErrorCode"]["enum"], list(error_codes()))
        self.assertEqual(schemas["ErrorResponse"]["properties"]["code"]["$ref"], "#/components/schemas/ErrorCode")
        for status, name in ((400, "BadRequest"), (401, "Unauthorized"), (409, "Conflict")):
            response = document["components"]["responses"][name]
            described = set(re.findall(r"`([a-z_]+)`", response["description"]))
            self.assertEqual(described, {code for code, (s, _m) in error_codes().items() if s == status})

    def test_invalid_body_answers_typed_field_details(self):
        count = self.env["res.partner"].search_count([])
        payload = self.assertError(
            self.api("POST", "/api/customers", {"name": "", "email": "nope", "colour": "red"}, token=self.tok_agent_tg),
            400,
            "invalid_body",
        )
        fields = payload["details"]["fields"]
        self.assertEqual(set(fields), {"name", "email", "colour"})
        self.assertTrue(all(isinstance(text, str) and text for text in fields.values()), fields)
        self.assertEqual(self.env["res.partner"].search_count([]), count)
