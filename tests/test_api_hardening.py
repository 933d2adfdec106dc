"""Input that must never reach PostgreSQL or Python unchecked: a 400 from the kit, nothing written."""

import json
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import jwt

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.abs_api_token import ALGORITHM, AUDIENCE, ISSUERS
from .common import AbsHttpCase, AbsTransactionCase


@tagged("post_install", "-at_install")
class TestHostileInput(AbsHttpCase):
    def customers_named(self, name):
        return self.env["res.partner"].search_count([("name", "=like", name)])

    def assert_refused_and_nothing_written(self, result, name, code=None):
        self.assertError(result, 400, code)
        self.assertEqual(self.customers_named(name), 0)

    def test_nul_character_in_body_is_refused(self):
        result = self.api("POST", "/api/customers", {"name": "Nul\x00Name"}, token=self.tok_agent_tg)
        self.assert_refused_and_nothing_written(result, "Nul_Name", "invalid_characters")

    def test_nul_character_in_a_body_key_is_refused(self):
        result = self.api("POST", "/api/customers", {"name": "Nul Key", "x\x00": 1}, token=self.tok_agent_tg)
        self.assert_refused_and_nothing_written(result, "Nul Key", "invalid_characters")

    def test_nul_character_in_query_is_refused(self):
        self.assertError(self.api("GET", "/api/customers?q=a%00b", token=self.tok_agent_tg), 400, "invalid_characters")

    def test_nul_character_in_path_is_refused(self):
        status, payload, _response = self.api("GET", "/api/stock/lots/SN%00X", token=self.tok_agent_tg)
        self.assertEqual(status, 400, payload)
        self.assertIs(payload["success"], False)

    def test_nul_character_in_a_header_is_refused(self):
        result = self.api(
            "POST",
            "/api/customers",
            {"name": "Header Nul"},
            token=self.tok_agent_tg,
            headers={"Idempotency-Key": "a\x00b"},
        )
        self.assert_refused_and_nothing_written(result, "Header Nul")

    def test_deeply_nested_json_is_refused(self):
        raw = '{"name": "Deep", "ref": ' + "[" * 5000 + "]" * 5000 + "}"
        self.assert_refused_and_nothing_written(
            self.api("POST", "/api/customers", raw=raw, token=self.tok_agent_tg), "Deep", "invalid_json"
        )

    def test_json_nested_past_the_limit_is_refused(self):
        raw = '{"name": "Nested", "ref": ' + "[" * 40 + "]" * 40 + "}"
        self.assert_refused_and_nothing_written(
            self.api("POST", "/api/customers", raw=raw, token=self.tok_agent_tg), "Nested", "invalid_json"
        )

    def test_integer_with_thousands_of_digits_is_refused(self):
        raw = '{"name": "Huge Int", "outlet_id": ' + "9" * 5000 + "}"
        self.assert_refused_and_nothing_written(
            self.api("POST", "/api/customers", raw=raw, token=self.tok_agent_tg), "Huge Int", "invalid_json"
        )

    def test_nan_and_infinity_are_refused(self):
        for constant in ("NaN", "Infinity", "-Infinity", "1e999"):
            with self.subTest(constant=constant):
                raw = '{"name": "Not Finite", "outlet_id": ' + constant + "}"
                self.assert_refused_and_nothing_written(
                    self.api("POST", "/api/customers", raw=raw, token=self.tok_agent_tg), "Not Finite", "invalid_json"
                )

    def test_id_above_postgresql_integer_is_a_400(self):
        for path in ("/api/customers/2147483648", "/api/customers/99999999999999999999"):
            with self.subTest(path=path):
                self.assertError(self.api("GET", path, token=self.tok_agent_tg), 400, "invalid_id")
        self.assertError(
            self.api("POST", "/api/customers", {"name": "Big Outlet", "outlet_id": 2**31}, token=self.tok_agent_tg),
            400,
            "invalid_body",
        )

    def test_id_in_non_ascii_digits_is_a_400(self):
        # "٣" (Arabic-Indic three) is a digit to Python's int() and to \\d, not to this API.
        self.assertError(self.api("GET", "/api/customers/%D9%A3", token=self.tok_agent_tg), 400, "invalid_id")
        self.assertError(
            self.api("GET", f"/api/customers?page=%D9%A3&limit={self.customer_tg.id}", token=self.tok_agent_tg),
            400,
            "invalid_query",
        )

    def test_sa_header_out_of_range_or_non_ascii_is_a_400(self):
        # "Ù£" is how the UTF-8 bytes of "٣" read in an HTTP header (latin-1).
        for header in ("2147483648", "Ù£", "1e3", "-1"):
            with self.subTest(header=header):
                result = self.api("GET", "/api/customers", token=self.tok_agent_tg, headers={"X-SA-ID": header})
                self.assertError(result, 400, "invalid_sa_header")

    def test_page_too_large_is_a_400(self):
        self.assertError(
            self.api("GET", "/api/customers?page=99999999999999999", token=self.tok_agent_tg), 400, "invalid_query"
        )
        status, payload, _response = self.api("GET", "/api/customers?page=1000000&limit=200", token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["customers"], [])

    def test_bad_pin_in_non_ascii_digits_is_refused(self):
        result = self.api(
            "POST",
            "/api/customers",
            {"name": "Arabic Pin", "phone": "+228 90 00 00 01", "pin": "١٢٣٤"},
            token=self.tok_agent_tg,
        )
        self.assert_refused_and_nothing_written(result, "Arabic Pin", "invalid_body")

    def test_null_name_on_update_is_refused_and_documented(self):
        result = self.api("PUT", f"/api/customers/{self.customer_tg.id}", {"name": None}, token=self.tok_agent_tg)
        self.assertError(result, 400, "invalid_body")
        self.assertEqual(self.customer_tg.name, "Test Ama Togo")
        _status, document, _response = self.api("GET", "/api/openapi.json")
        name = document["components"]["schemas"]["CustomerUpdate"]["properties"]["name"]
        self.assertEqual(name["type"], "string")

    def test_query_string_is_not_logged_as_ignored_arguments(self):
        with self.assertNoLogs("odoo.http", level="WARNING"):
            status, payload, _response = self.api("GET", "/api/customers?page=1&limit=5&q=Ama", token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)


@tagged("post_install", "-at_install")
class TestForgedTokenClaims(AbsHttpCase):
    """A token signed with the right secret but claims no code of ours writes: a 401, never a 500."""

    def forged(self, **overrides):
        now = datetime.now(UTC)
        claims = {
            "iss": ISSUERS["employee"],
            "aud": AUDIENCE,
            "sub": f"employee:{self.agent_tg.id}",
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(hours=1)).timestamp()),
            "jti": "f" * 32,
            "sid": "s" * 32,
            "use": "access",
        }
        claims.update(overrides)
        return jwt.encode(claims, self.env["abs.api.token"]._secret(), algorithm=ALGORITHM)

    def test_the_untouched_forgery_works(self):
        # The control: the forging helper makes a valid token, so the refusals below are the claims'.
        status, payload, _response = self.api("GET", "/api/auth/me", token=self.forged())
        self.assertEqual(status, 200, payload)

    def test_claims_of_the_wrong_type_or_range_are_401(self):
        cases = {
            "sub_int": {"sub": 5},
            "sub_list": {"sub": ["employee:1"]},
            "sub_non_ascii_id": {"sub": "employee:٣"},
            "sub_huge_id": {"sub": "employee:99999999999"},
            "sid_dict": {"sid": {"a": 1}},
            "sid_long": {"sid": "x" * 500},
            "jti_int": {"jti": 7},
            "exp_huge": {"exp": 10**20},
            "iat_string": {"iat": "yesterday"},
            "iat_negative": {"iat": -5},
            "use_list": {"use": ["access"]},
        }
        for label, overrides in cases.items():
            with self.subTest(label):
                self.assertError(self.api("GET", "/api/auth/me", token=self.forged(**overrides)), 401, "unauthorized")


@tagged("post_install", "-at_install")
class TestContractDetails(AbsHttpCase):
    def test_405_says_which_methods_are_allowed(self):
        status, payload, response = self.api("DELETE", "/api/customers", token=self.tok_agent_tg)
        self.assertEqual(status, 405, payload)
        self.assertEqual(payload["code"], "method_not_allowed")
        self.assertIn("GET", response.headers["Allow"])
        self.assertIn("POST", response.headers["Allow"])

    def test_login_operations_document_429(self):
        _status, document, _response = self.api("GET", "/api/openapi.json")
        for path in ("/api/auth/login", "/api/customer/auth/login"):
            self.assertIn("429", document["paths"][path]["post"]["responses"], path)
        self.assertNotIn("429", document["paths"]["/api/customers"]["post"]["responses"])

    def test_string_path_parameters_are_documented_as_strings(self):
        _status, document, _response = self.api("GET", "/api/openapi.json")
        lot = document["paths"]["/api/stock/lots/{lot_name}"]["get"]["parameters"][0]
        self.assertEqual(lot["schema"]["type"], "string")
        customer = document["paths"]["/api/customers/{customer_id}"]["get"]["parameters"][0]
        self.assertEqual(customer["schema"], {"type": "integer", "minimum": 1, "maximum": 2**31 - 1})

    @mute_logger("odoo.sql_db")
    def test_conflict_answers_name_no_constraint(self):
        self.env["abs.idempotency.record"]._store("k-1", f"employee:{self.agent_tg.id}", "x", "h", 201, "{}")
        # A unique violation reached through the kit: the answer must not carry the constraint's name.
        with patch.object(type(self.env["abs.idempotency.record"]), "_find", lambda *a: None):
            status, payload, _response = self.api(
                "POST",
                "/api/customers",
                {"name": "Dup Key"},
                token=self.tok_agent_tg,
                headers={"Idempotency-Key": "k-1"},
            )
        self.assertEqual(status, 409, payload)
        self.assertNotIn("uniq", json.dumps(payload))
        self.assertNotIn("details", payload)


@tagged("post_install", "-at_install")
class TestLoginCost(AbsTransactionCase):
    """Every failed login costs one hash verification, so timing does not tell which logins exist."""

    def count_verifications(self, func):
        crypt = self.env["res.users"]._crypt_context()
        calls = []
        real_verify = crypt.verify

        def counting_verify(secret, hashed):
            calls.append(hashed)
            return real_verify(secret, hashed)

        with patch.object(type(crypt), "verify", property(lambda _self: counting_verify)):
            try:
                func()
            except Exception:  # noqa: BLE001 - the refusal itself is asserted by the caller's other tests
                pass
        return calls

    def test_unknown_login_and_wrong_password_cost_the_same(self):
        Employee = self.env["abs.employee"]
        unknown = self.count_verifications(lambda: Employee._authenticate("nobody.here", "whatever1"))
        wrong = self.count_verifications(lambda: Employee._authenticate("t.tg.manager", "whatever1"))
        no_password = self.count_verifications(lambda: Employee._authenticate("t.tg.agent", "whatever1"))
        self.assertEqual((len(unknown), len(wrong), len(no_password)), (1, 1, 1))
        # The stand-in hash is a real one of the same context (same scheme, same rounds).
        self.assertEqual(unknown[0].split("$")[:3], wrong[0].split("$")[:3])

    def test_unknown_phone_and_wrong_pin_cost_the_same(self):
        Partner = self.env["res.partner"]
        self.customer_tg._abs_set_pin("4321")
        unknown = self.count_verifications(lambda: Partner._abs_authenticate_customer("+228 99 99 99 99", "4321"))
        wrong = self.count_verifications(lambda: Partner._abs_authenticate_customer("+228 90 11 11 11", "0000"))
        garbage = self.count_verifications(lambda: Partner._abs_authenticate_customer("no digits", "0000"))
        self.assertEqual((len(unknown), len(wrong), len(garbage)), (1, 1, 1))

    def test_unknown_login_raises_access_denied_with_odoo_context(self):
        # Odoo's CryptContext wrapper (outside test mode) has no dummy_verify: the path must not need it.
        with self.assertRaises(Exception) as refused:
            self.env["abs.employee"]._authenticate("nobody.here", "whatever1")
        self.assertEqual(type(refused.exception).__name__, "AccessDenied")
