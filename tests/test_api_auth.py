import json
from datetime import UTC, datetime, timedelta

import jwt

from odoo import fields
from odoo.tests import tagged

from ..models.abs_api_token import AUDIENCE, ISSUERS
from .common import AbsHttpCase


@tagged("post_install", "-at_install")
class TestEmployeeLogin(AbsHttpCase):
    def test_login_ok_returns_tokens_and_service_accounts(self):
        status, payload, _r = self.api("POST", "/api/auth/login", {"login": "t.tg.manager", "password": self.PASSWORD})
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["token_type"], "Bearer")
        self.assertEqual(payload["employee"], {"id": self.manager_tg.id, "name": "Test TG Manager"})
        self.assertEqual([(sa["id"], sa["role"]) for sa in payload["service_accounts"]], [(self.sa_togo.id, "staff")])
        self.assertGreater(payload["expires_in"], 0)
        status, me, _r = self.api("GET", "/api/auth/me", token=payload["access_token"])
        self.assertEqual(status, 200)
        self.assertEqual(me["employee"]["id"], self.manager_tg.id)

    def test_login_is_case_insensitive_on_login(self):
        status, _payload, _r = self.api(
            "POST", "/api/auth/login", {"login": " T.TG.Manager ", "password": self.PASSWORD}
        )
        self.assertEqual(status, 200)

    def test_wrong_password_and_unknown_login_answer_the_same_401(self):
        wrong = self.assertError(
            self.api("POST", "/api/auth/login", {"login": "t.tg.manager", "password": "nope"}), 401
        )
        unknown = self.assertError(self.api("POST", "/api/auth/login", {"login": "nobody", "password": "nope"}), 401)
        self.assertEqual(wrong, unknown)

    def test_login_of_archived_employee_is_refused(self):
        self.manager_tg.active = False
        self.assertError(self.api("POST", "/api/auth/login", {"login": "t.tg.manager", "password": self.PASSWORD}), 401)

    def test_login_body_with_unknown_field_is_400(self):
        payload = self.assertError(
            self.api("POST", "/api/auth/login", {"login": "a", "password": "b", "remember": True}), 400, "invalid_body"
        )
        self.assertEqual(payload["details"]["fields"], {"remember": "unknown field"})

    def test_refresh_rotates_both_tokens_and_spends_the_old_one(self):
        tokens = self.env["abs.api.token"]._issue_pair("employee", self.agent_tg.id)
        status, fresh, _r = self.api("POST", "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]})
        self.assertEqual(status, 200, fresh)
        self.assertNotEqual(fresh["access_token"], tokens["access_token"])
        self.assertNotEqual(fresh["refresh_token"], tokens["refresh_token"])
        self.assertEqual(self.api("GET", "/api/customers", token=fresh["access_token"])[0], 200)
        # The spent refresh token cannot be replayed: it is revoked (log in again).
        self.assertError(
            self.api("POST", "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}), 401, "token_revoked"
        )
        # A refresh token is not an access token, nor the reverse.
        self.assertError(self.api("GET", "/api/customers", token=fresh["refresh_token"]), 401)
        self.assertError(self.api("POST", "/api/auth/refresh", {"refresh_token": fresh["access_token"]}), 401)

    def test_logout_revokes_the_access_token_and_its_session(self):
        tokens = self.env["abs.api.token"]._issue_pair("employee", self.agent_tg.id)
        status, payload, _r = self.api("POST", "/api/auth/logout", {}, token=tokens["access_token"])
        self.assertEqual(status, 200, payload)
        self.assertError(self.api("GET", "/api/customers", token=tokens["access_token"]), 401, "token_revoked")
        self.assertError(
            self.api("POST", "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}), 401, "token_revoked"
        )
        # Other sessions of the same employee are untouched.
        self.assertEqual(self.api("GET", "/api/customers", token=self.tok_agent_tg)[0], 200)

    def test_backend_revoke_all_logs_the_employee_out_everywhere(self):
        token = self.token_for(self.agent_tg)
        self.agent_tg.action_revoke_tokens()
        self.assertError(self.api("GET", "/api/customers", token=token), 401, "token_revoked")


@tagged("post_install", "-at_install")
class TestTokenForgery(AbsHttpCase):
    def _claims(self, **overrides):
        now = datetime.now(UTC)
        claims = {
            "iss": ISSUERS["employee"],
            "aud": AUDIENCE,
            "sub": f"employee:{self.agent_tg.id}",
            "iat": now,
            "exp": now + timedelta(minutes=5),
            "jti": "forged-jti",
            "sid": "forged-sid",
            "use": "access",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def _secret(self):
        return self.env["abs.api.token"]._secret()

    def assert_refused(self, token):
        self.assertError(self.api("GET", "/api/customers", token=token), 401, "unauthorized")

    def test_genuine_token_is_accepted(self):
        token = jwt.encode(self._claims(), self._secret(), algorithm="HS256")
        self.assertEqual(self.api("GET", "/api/customers", token=token)[0], 200)

    def test_alg_none_is_refused(self):
        self.assert_refused(jwt.encode(self._claims(), None, algorithm="none"))

    def test_tampered_payload_is_refused(self):
        header, _payload, signature = self.tok_agent_tg.split(".")
        forged = jwt.utils.base64url_encode(
            json.dumps(
                {
                    **jwt.decode(self.tok_agent_tg, options={"verify_signature": False}),
                    "sub": f"employee:{self.manager_tg.id}",
                }
            ).encode()
        ).decode()
        self.assert_refused(f"{header}.{forged}.{signature}")

    def test_expired_token_is_refused_with_token_expired(self):
        """Expired (refresh it) is told apart from invalid (log in again), but only for a token we signed."""
        past = datetime.now(UTC) - timedelta(hours=2)
        expired = self._claims(iat=past, exp=past + timedelta(minutes=5))
        self.assertError(
            self.api("GET", "/api/customers", token=jwt.encode(expired, self._secret())), 401, "token_expired"
        )
        self.assert_refused(jwt.encode(expired, "not-the-database-secret-" * 3))

    def test_wrong_issuer_is_refused(self):
        self.assert_refused(jwt.encode(self._claims(iss="someone-else"), self._secret()))

    def test_wrong_audience_is_refused(self):
        self.assert_refused(jwt.encode(self._claims(aud="another-api"), self._secret()))

    def test_missing_required_claim_is_refused(self):
        self.assert_refused(jwt.encode(self._claims(jti=None), self._secret()))

    def test_token_signed_with_another_secret_is_refused(self):
        self.assert_refused(jwt.encode(self._claims(), "not-the-database-secret-" * 3))

    def test_other_algorithm_is_refused(self):
        self.assert_refused(jwt.encode(self._claims(), self._secret(), algorithm="HS512"))

    def test_customer_token_on_employee_route_is_refused(self):
        self.assert_refused(self.customer_token_for(self.customer_tg))

    def test_employee_token_on_customer_route_is_refused(self):
        self.assertError(self.api("GET", "/api/customer/me", token=self.tok_agent_tg), 401)

    def test_missing_and_malformed_authorization_are_refused(self):
        self.assertError(self.api("GET", "/api/customers"), 401)
        self.assertError(self.api("GET", "/api/customers", headers={"Authorization": "Basic abc"}), 401)
        self.assert_refused("not-a-jwt")

    def test_each_database_has_its_own_generated_secret(self):
        secret = self._secret()
        self.assertGreaterEqual(len(secret), 64)
        self.assertEqual(secret, self.env["ir.config_parameter"].sudo().get_param("abs_connector.jwt_secret"))


@tagged("post_install", "-at_install")
class TestIdentityChangesTakeEffectAtOnce(AbsHttpCase):
    def test_archived_employee_token_stops_working(self):
        self.assertEqual(self.api("GET", "/api/customers", token=self.tok_agent_tg)[0], 200)
        self.agent_tg.active = False
        self.assertError(self.api("GET", "/api/customers", token=self.tok_agent_tg), 401)

    def test_ended_membership_removes_the_sa_on_next_request(self):
        status, payload, _r = self.api("GET", f"/api/customers/{self.customer_tg.id}", token=self.tok_agent_multi)
        self.assertEqual(status, 200)
        membership = self.agent_multi.membership_ids.filtered(lambda m: m.account_id == self.sa_togo)
        membership.action_end_membership()
        self.assertError(self.api("GET", f"/api/customers/{self.customer_tg.id}", token=self.tok_agent_multi), 404)
        self.assertError(self.api("GET", "/api/customers", token=self.tok_agent_multi, sa=self.sa_togo), 403)

    def test_employee_whose_only_membership_starts_later_is_refused(self):
        membership = self.agent_ke.membership_ids
        membership.date_from = fields.Date.add(fields.Date.today(), days=3)
        self.assertError(self.api("GET", "/api/customers", token=self.tok_agent_ke, sa=self.sa_kenya), 401)


@tagged("post_install", "-at_install")
class TestApiKeyAndCustomerAuth(AbsHttpCase):
    def test_api_key_of_the_technical_user_sees_every_sa(self):
        key = self.new_api_key()
        status, payload, _r = self.api("GET", "/api/customers?limit=200", api_key=key)
        self.assertEqual(status, 200, payload)
        ids = {c["id"] for c in payload["customers"]}
        self.assertTrue({self.customer_tg.id, self.customer_ke.id} <= ids)

    def test_api_key_with_sa_header_is_scoped(self):
        key = self.new_api_key()
        status, payload, _r = self.api("GET", "/api/customers?limit=200", api_key=key, sa=self.sa_kenya)
        ids = {c["id"] for c in payload["customers"]}
        self.assertIn(self.customer_ke.id, ids)
        self.assertNotIn(self.customer_tg.id, ids)

    def test_bad_api_key_is_401(self):
        self.assertError(self.api("GET", "/api/customers", api_key="0" * 40), 401)

    def test_api_key_of_another_user_is_401(self):
        admin_key = (
            self.env["res.users.apikeys"]
            .with_user(self.env.ref("base.user_admin"))
            .sudo()
            ._generate("rpc", "admin key", None)
        )
        self.assertError(self.api("GET", "/api/customers", api_key=admin_key), 401)

    def test_customer_login_with_pin_and_me(self):
        self.customer_tg._abs_set_pin("4321")
        status, payload, _r = self.api("POST", "/api/customer/auth/login", {"phone": "+22890111111", "pin": "4321"})
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["customer"]["id"], self.customer_tg.id)
        status, me, _r = self.api("GET", "/api/customer/me", token=payload["access_token"])
        self.assertEqual((status, me["customer"]["id"]), (200, self.customer_tg.id))
        self.assertNotIn("4321", json.dumps(me))
        self.assertNotIn("pin_hash", json.dumps(me))
        self.assertError(self.api("GET", "/api/customers", token=payload["access_token"]), 401)

    def test_customer_refresh_rotates_and_logout_revokes(self):
        tokens = self.env["abs.api.token"]._issue_pair("customer", self.customer_tg.id)
        status, fresh, _r = self.api("POST", "/api/customer/auth/refresh", {"refresh_token": tokens["refresh_token"]})
        self.assertEqual(status, 200, fresh)
        # An employee's refresh token is not a customer's.
        employee_refresh = self.env["abs.api.token"]._issue_pair("employee", self.agent_tg.id)["refresh_token"]
        self.assertError(self.api("POST", "/api/customer/auth/refresh", {"refresh_token": employee_refresh}), 401)
        self.assertEqual(self.api("GET", "/api/customer/me", token=fresh["access_token"])[0], 200)
        status, _payload, _r = self.api("POST", "/api/customer/auth/logout", {}, token=fresh["access_token"])
        self.assertEqual(status, 200)
        self.assertError(self.api("GET", "/api/customer/me", token=fresh["access_token"]), 401)
        self.assertError(self.api("POST", "/api/customer/auth/refresh", {"refresh_token": fresh["refresh_token"]}), 401)
        # The spent one stays spent (replayed before the logout it revokes the session: test_token_families).
        self.assertError(
            self.api("POST", "/api/customer/auth/refresh", {"refresh_token": tokens["refresh_token"]}), 401
        )

    def test_customer_login_wrong_pin_is_401(self):
        self.customer_tg._abs_set_pin("4321")
        self.assertError(self.api("POST", "/api/customer/auth/login", {"phone": "+22890111111", "pin": "0000"}), 401)
        self.assertError(self.api("POST", "/api/customer/auth/login", {"phone": "+22800000000", "pin": "4321"}), 401)

    def test_pin_is_stored_hashed(self):
        self.customer_tg._abs_set_pin("4321")
        stored = self.customer_tg.sudo().abs_pin_hash
        self.assertTrue(stored.startswith("$pbkdf2"))
        self.assertNotIn("4321", stored)
        self.assertFalse(self.customer_tg.with_user(self.api_user).read(["abs_has_pin"])[0].get("abs_pin_hash"))


@tagged("post_install", "-at_install")
class TestApiKit(AbsHttpCase):
    def test_cors_preflight_lists_the_allowed_headers(self):
        response = self.opener.options(
            self.base_url() + "/api/customers",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,x-sa-id",
            },
        )
        self.assertEqual(response.status_code, 204)
        allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
        self.assertTrue({"authorization", "x-api-key", "x-sa-id", "content-type", "idempotency-key"} <= allowed)
        self.assertIn("POST", response.headers["Access-Control-Allow-Methods"])
        self.assertEqual(response.headers["Access-Control-Allow-Origin"], "*")

    def test_every_json_answer_carries_cors_origin(self):
        _status, _payload, response = self.api("GET", "/api/customers", token=self.tok_agent_tg)
        self.assertEqual(response.headers["Access-Control-Allow-Origin"], "*")

    def test_unknown_api_path_is_a_json_404(self):
        self.assertError(self.api("GET", "/api/does-not-exist", token=self.tok_agent_tg), 404, "not_found")

    def test_wrong_method_is_a_json_405(self):
        self.assertError(self.api("DELETE", "/api/customers", token=self.tok_agent_tg), 405, "method_not_allowed")

    def test_malformed_path_ids_are_400(self):
        for path in ("/api/customers/abc", "/api/customers/-4", "/api/customers/0", "/api/stock/deliveries/1.5"):
            payload = self.assertError(self.api("GET", path, token=self.tok_agent_tg), 400, "invalid_id")
            self.assertTrue(payload["details"]["fields"])

    def test_malformed_sa_header_is_400(self):
        self.assertError(self.api("GET", "/api/customers", token=self.tok_agent_tg, sa="abc"), 400, "invalid_sa_header")

    def test_foreign_sa_header_is_403(self):
        self.assertError(
            self.api("GET", "/api/customers", token=self.tok_agent_ke, sa=self.sa_togo), 403, "sa_forbidden"
        )

    def test_limit_above_maximum_is_400(self):
        self.assertError(self.api("GET", "/api/customers?limit=201", token=self.tok_agent_tg), 400, "invalid_query")
        self.assertError(self.api("GET", "/api/customers?page=0", token=self.tok_agent_tg), 400, "invalid_query")

    def test_write_in_a_foreign_sa_is_403_and_writes_nothing(self):
        count = self.env["res.partner"].search_count([])
        self.assertError(
            self.api("POST", "/api/customers", {"name": "Ghost"}, token=self.tok_agent_ke, sa=self.sa_togo),
            403,
            "sa_forbidden",
        )
        self.assertEqual(self.env["res.partner"].search_count([]), count)


@tagged("post_install", "-at_install")
class TestLoginThrottling(AbsHttpCase):
    def test_five_failures_lock_the_login_even_for_the_right_password(self):
        for _attempt in range(5):
            self.assertError(self.api("POST", "/api/auth/login", {"login": "t.tg.manager", "password": "guess"}), 401)
        self.assertEqual(self.env["abs.login.attempt"].search_count([("identifier", "=", "t.tg.manager")]), 5)
        locked = self.api("POST", "/api/auth/login", {"login": "t.tg.manager", "password": self.PASSWORD})
        self.assertError(locked, 429, "too_many_attempts")
        # When to try again, in seconds (at most the 15-minute window), readable by a browser client too.
        self.assertTrue(0 < int(locked[2].headers["Retry-After"]) <= 15 * 60, locked[2].headers)
        self.assertIn("Retry-After", locked[2].headers["Access-Control-Expose-Headers"])

    def test_a_successful_login_clears_earlier_failures(self):
        for _attempt in range(4):
            self.api("POST", "/api/auth/login", {"login": "T.TG.Manager", "password": "guess"})
        self.assertEqual(
            self.api("POST", "/api/auth/login", {"login": "t.tg.manager", "password": self.PASSWORD})[0], 200
        )
        self.assertFalse(self.env["abs.login.attempt"].search_count([("identifier", "=", "t.tg.manager")]))

    def test_pin_guessing_is_locked_per_phone(self):
        self.customer_tg._abs_set_pin("4321")
        for pin in ("0000", "1111", "2222", "3333", "5555"):
            self.assertError(
                self.api("POST", "/api/customer/auth/login", {"phone": "+228 90 11 11 11", "pin": pin}), 401
            )
        self.assertError(
            self.api("POST", "/api/customer/auth/login", {"phone": "+22890111111", "pin": "4321"}),
            429,
            "too_many_attempts",
        )
        # Another customer's login is not affected.
        self.customer_ke._abs_set_pin("8642")
        self.assertEqual(
            self.api("POST", "/api/customer/auth/login", {"phone": "+254700111111", "pin": "8642"})[0], 200
        )
