"""Tokens (issue 15): a reused refresh token revokes its family, logout ends the caller's own session
only, and neither a refresh nor a logout flushes the workers' caches (one indexed revocation read per
request instead), so the stand-in hash survives and an unknown login still costs a wrong password's time.
"""

from unittest.mock import patch

from odoo.exceptions import AccessDenied
from odoo.tests import tagged

from odoo.addons.base.models.res_users import CryptContext

from .common import AbsHttpCase


class RecordingCryptContext(CryptContext):
    """Odoo's password context, recording each hash it builds and verifies with the hash's scheme and rounds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = []

    def settings_of(self, stored_hash):
        passlib_context = self.__obj__  # the passlib context inside Odoo's wrapper
        scheme = passlib_context.identify(stored_hash)
        return scheme, passlib_context.handler(scheme).from_string(stored_hash).rounds

    def hash(self, secret, *args, **kwargs):
        self.calls.append(("hash",))
        return super().hash(secret, *args, **kwargs)

    def verify(self, secret, stored_hash, *args, **kwargs):
        self.calls.append(("verify", self.settings_of(stored_hash)))
        return super().verify(secret, stored_hash, *args, **kwargs)


@tagged("post_install", "-at_install")
class TestRefreshReuse(AbsHttpCase):
    def refresh(self, refresh_token, path="/api/auth/refresh"):
        return self.api("POST", path, {"refresh_token": refresh_token})

    def test_a_reused_refresh_token_revokes_the_pair_issued_from_it(self):
        stolen = self.env["abs.api.token"]._issue_pair("employee", self.agent_tg.id)
        status, fresh, _r = self.refresh(stolen["refresh_token"])
        self.assertEqual(status, 200, fresh)
        self.assertEqual(self.api("GET", "/api/auth/me", token=fresh["access_token"])[0], 200)
        # The spent token comes back: someone else holds it. Its whole family is revoked.
        self.assertError(self.refresh(stolen["refresh_token"]), 401)
        self.assertError(self.api("GET", "/api/auth/me", token=fresh["access_token"]), 401)
        self.assertError(self.refresh(fresh["refresh_token"]), 401)
        # Another login session of the same employee is untouched.
        self.assertEqual(self.api("GET", "/api/auth/me", token=self.tok_agent_tg)[0], 200)

    def test_a_reused_customer_refresh_token_revokes_its_family_too(self):
        stolen = self.env["abs.api.token"]._issue_pair("customer", self.customer_tg.id)
        status, fresh, _r = self.refresh(stolen["refresh_token"], "/api/customer/auth/refresh")
        self.assertEqual(status, 200, fresh)
        self.assertError(self.refresh(stolen["refresh_token"], "/api/customer/auth/refresh"), 401)
        self.assertError(self.api("GET", "/api/customer/me", token=fresh["access_token"]), 401)

    def test_a_refresh_token_of_a_logged_out_session_revokes_nothing_more(self):
        pair = self.env["abs.api.token"]._issue_pair("employee", self.agent_tg.id)
        self.assertEqual(self.api("POST", "/api/auth/logout", {}, token=pair["access_token"])[0], 200)
        self.assertError(self.refresh(pair["refresh_token"]), 401)
        claims = self.env["abs.api.token"]._decode(pair["refresh_token"], use="refresh", check_revoked=False)[2]
        rows = self.env["abs.jwt.revocation"].search([("jti", "in", [claims["jti"], claims["sid"]])])
        self.assertEqual(rows.mapped("reason"), ["logout"], "a logged-out session's token is refused, not a theft")


@tagged("post_install", "-at_install")
class TestLogoutOwnSession(AbsHttpCase):
    def test_logout_with_another_employees_refresh_token_ends_only_the_callers_session(self):
        Token = self.env["abs.api.token"]
        caller = Token._issue_pair("employee", self.agent_tg.id)
        victim = Token._issue_pair("employee", self.manager_tg.id)
        body = {"refresh_token": victim["refresh_token"]}
        status, payload, _r = self.api("POST", "/api/auth/logout", body, token=caller["access_token"])
        self.assertEqual(status, 200, payload)
        self.assertError(self.api("GET", "/api/auth/me", token=caller["access_token"]), 401)
        status, fresh, _r = self.api("POST", "/api/auth/refresh", body)
        self.assertEqual(status, 200, "the other employee's session goes on")
        self.assertEqual(self.api("GET", "/api/auth/me", token=fresh["access_token"])[0], 200)

    def test_logout_with_another_session_of_the_same_employee_leaves_that_session(self):
        Token = self.env["abs.api.token"]
        phone = Token._issue_pair("employee", self.agent_tg.id)
        tablet = Token._issue_pair("employee", self.agent_tg.id)
        body = {"refresh_token": tablet["refresh_token"]}
        self.assertEqual(self.api("POST", "/api/auth/logout", body, token=phone["access_token"])[0], 200)
        self.assertEqual(self.api("POST", "/api/auth/refresh", body)[0], 200)

    def test_logout_with_the_callers_own_refresh_token_revokes_it(self):
        pair = self.env["abs.api.token"]._issue_pair("employee", self.agent_tg.id)
        body = {"refresh_token": pair["refresh_token"]}
        self.assertEqual(self.api("POST", "/api/auth/logout", body, token=pair["access_token"])[0], 200)
        self.assertError(self.api("POST", "/api/auth/refresh", body), 401)


@tagged("post_install", "-at_install")
class TestNoCacheFlush(AbsHttpCase):
    def sentinel(self):
        """An ormcache entry of the worker (the technical user's xmlid, read by every API request)."""
        self.env["ir.model.data"]._xmlid_lookup("abs_connector.user_api")
        cache = self.registry._Registry__caches["default"]
        keys = [key for key in cache if "abs_connector.user_api" in key]
        self.assertEqual(len(keys), 1)
        return cache, keys[0]

    def test_refresh_and_logout_keep_the_caches(self):
        cache, key = self.sentinel()
        pair = self.env["abs.api.token"]._issue_pair("employee", self.agent_tg.id)
        status, fresh, _r = self.api("POST", "/api/auth/refresh", {"refresh_token": pair["refresh_token"]})
        self.assertEqual(status, 200, fresh)
        self.assertIn(key, cache, "a refresh flushed the registry's caches")
        self.assertEqual(self.api("POST", "/api/auth/logout", {}, token=fresh["access_token"])[0], 200)
        self.assertIn(key, cache, "a logout flushed the registry's caches")
        # Revoked at once all the same: the revocation is read on every request.
        self.assertError(self.api("GET", "/api/auth/me", token=fresh["access_token"]), 401)

    def test_a_refresh_and_a_logout_cost_a_constant_number_of_queries(self):
        Token = self.env["abs.api.token"]
        first, second = (Token._issue_pair("employee", self.agent_tg.id) for _ in range(2))
        refresh = self.count_queries(
            lambda: self.api("POST", "/api/auth/refresh", {"refresh_token": first["refresh_token"]})
        )
        with self.assertQueryCount(refresh):
            self.api("POST", "/api/auth/refresh", {"refresh_token": second["refresh_token"]})
        third, fourth = (Token._issue_pair("employee", self.manager_tg.id) for _ in range(2))
        logout = self.count_queries(lambda: self.api("POST", "/api/auth/logout", {}, token=third["access_token"]))
        with self.assertQueryCount(logout):
            self.api("POST", "/api/auth/logout", {}, token=fourth["access_token"])

    def test_unknown_login_and_wrong_password_do_the_same_hash_work_right_after_refreshes(self):
        """Each try right after a refresh or a logout (both used to flush the stand-in hash): an unknown login
        verifies one hash of the very scheme and rounds a stored password has, and builds none.

        Counted, not timed: the cost of a login is the hash verification it runs (pbkdf2, tens of thousands of
        rounds; a query or a log line is noise beside it), so the same verification on both paths is the
        property, and a count holds on a loaded machine where a clock swung by 20% between identical tries.
        """
        context = RecordingCryptContext(["pbkdf2_sha512"], pbkdf2_sha512__rounds=60_000)
        self.startPatcher(patch.object(type(self.env["res.users"]), "_crypt_context", lambda _users: context))
        self.agent_tg.password = "the-real-password"  # hashed with those rounds, as every stored hash would be
        stored = context.settings_of(self.agent_tg.sudo().password_hash)
        self.assertEqual(stored, ("pbkdf2_sha512", 60_000))
        Employee, Token = self.env["abs.employee"], self.env["abs.api.token"]
        Employee._authenticate("t.tg.agent", "the-real-password")  # the first login of the process, made earlier
        pairs = [Token._issue_pair("employee", self.agent_tg.id) for _ in range(8)]
        for index, pair in enumerate(pairs):
            if index % 4 < 2:
                answer = self.api("POST", "/api/auth/refresh", {"refresh_token": pair["refresh_token"]})
            else:
                answer = self.api("POST", "/api/auth/logout", {}, token=pair["access_token"])
            self.assertEqual(answer[0], 200, answer[1])
            login = f"nobody.{index}" if index % 2 else "t.tg.agent"
            context.calls.clear()
            with self.assertRaises(AccessDenied):
                Employee._authenticate(login, "not-the-password")
            self.assertEqual(context.calls, [("verify", stored)], f"login {login!r} after a refresh or a logout")
