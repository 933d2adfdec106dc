"""Guessing in parallel: the five-failures limit holds when the guesses arrive all at once."""

import threading
import time
import uuid

import requests

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from ..models.abs_login_attempt import MAX_FAILURES
from .common import RealTransactionsCase


class GuessCase(RealTransactionsCase):
    """An agent with a password and a customer with a PIN, committed (the guesses are other transactions)."""

    GUESSES = 16

    def setUp(self):
        super().setUp()
        self.tag = uuid.uuid4().hex[:8]
        self.phone = f"+999{int(self.tag, 16) % 10**9:09d}"
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account, self.agent, _token = self.create_sa_with_agent(env, "Guess", self.tag)
            self.agent.password = "right-password"
            self.login = self.agent.login
            customer = env["res.partner"]._abs_create_customer(
                {"name": f"Guess Customer {self.tag}", "phone": self.phone}, account, self.agent
            )
            customer._abs_set_pin("2468")
            # The guesses are separate transactions: they must see this data.
            cr.commit()  # pylint: disable=invalid-commit

    def failures_recorded(self, kind, identifier):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["abs.login.attempt"].search_count([("kind", "=", kind), ("identifier", "=", identifier)])

    def assert_limit_held(self, results, kind, identifier, checked_at_most=MAX_FAILURES):
        statuses = [status for status, _payload in results]
        self.assertNotIn(500, statuses, results)
        # A 401 is a guess that was checked; a 429 one that was refused unchecked.
        self.assertLessEqual(statuses.count(401), checked_at_most, statuses)
        self.assertEqual(statuses.count(401) + statuses.count(429) + statuses.count(200), len(statuses), statuses)
        self.assertLessEqual(self.failures_recorded(kind, identifier), MAX_FAILURES)


@tagged("post_install", "-at_install")
class TestParallelGuesses(GuessCase):
    def test_parallel_wrong_pins_check_at_most_the_limit(self):
        guesses = [f"{1000 + i}" for i in range(self.GUESSES)]
        results = self.post_in_parallel(
            [("/api/customer/auth/login", {"phone": self.phone, "pin": pin}, {}) for pin in guesses]
        )
        self.assert_limit_held(results, "customer", self.phone)
        self.assertEqual([s for s, _p in results].count(401), MAX_FAILURES, results)

    def test_the_right_pin_among_parallel_guesses_does_not_slip_past_the_lock(self):
        guesses = [f"{1000 + i}" for i in range(self.GUESSES - 1)] + ["2468"]
        results = self.post_in_parallel(
            [("/api/customer/auth/login", {"phone": self.phone, "pin": pin}, {}) for pin in guesses]
        )
        right_status = results[-1][0]
        if right_status == 200:
            # Checked among the first five: its success clears the count, five more may be checked.
            self.assert_limit_held(results, "customer", self.phone, checked_at_most=2 * MAX_FAILURES - 1)
        else:
            # Arrived after the fifth failure: refused unchecked, like every later guess.
            self.assertEqual(right_status, 429, results)
            self.assert_limit_held(results, "customer", self.phone)
            self.assertEqual([s for s, _p in results].count(401), MAX_FAILURES, results)

    def test_after_the_limit_even_the_right_pin_is_refused(self):
        wrong = self.post_in_parallel(
            [("/api/customer/auth/login", {"phone": self.phone, "pin": f"{1000 + i}"}, {}) for i in range(8)]
        )
        self.assert_limit_held(wrong, "customer", self.phone)
        right = self.post_in_parallel([("/api/customer/auth/login", {"phone": self.phone, "pin": "2468"}, {})])
        self.assertEqual(right[0][0], 429, right)

    def test_parallel_wrong_passwords_check_at_most_the_limit(self):
        results = self.post_in_parallel(
            [("/api/auth/login", {"login": self.login, "password": f"wrong-{i}"}, {}) for i in range(self.GUESSES)]
        )
        self.assert_limit_held(results, "employee", self.login)
        self.assertEqual([s for s, _p in results].count(401), MAX_FAILURES, results)

    def test_unknown_logins_are_counted_like_wrong_passwords(self):
        unknown = f"nobody.{self.tag}"
        results = self.post_in_parallel(
            [("/api/auth/login", {"login": unknown, "password": f"wrong-{i}"}, {}) for i in range(MAX_FAILURES + 3)]
        )
        statuses = sorted(status for status, _payload in results)
        self.assertEqual(statuses, [401] * MAX_FAILURES + [429] * 3, results)
        self.assertEqual(self.failures_recorded("employee", unknown), MAX_FAILURES)
        for _status, payload in results:
            self.assertIs(payload["success"], False)


@tagged("post_install", "-at_install")
class TestDeviceCookies(GuessCase):
    """OWASP device cookies: a device that logged in before is counted apart from anonymous guessers."""

    GUESSES = 8

    def attempt(self, password, device_token=None):
        body = {"login": self.login, "password": password}
        if device_token:
            body["device_token"] = device_token
        return ("/api/auth/login", body, {})

    def owners_device(self):
        ((status, payload),) = self.post_in_parallel([self.attempt("right-password")])
        self.assertEqual(status, 200, payload)
        return payload["device_token"]

    def test_anonymous_wrong_passwords_do_not_stop_the_owners_known_device(self):
        device = self.owners_device()
        guesses = self.post_in_parallel([self.attempt(f"wrong-{i}") for i in range(self.GUESSES)])
        self.assert_limit_held(guesses, "employee", self.login)
        self.assertEqual(sorted(s for s, _p in guesses), [401] * MAX_FAILURES + [429] * (self.GUESSES - MAX_FAILURES))
        ((status, payload),) = self.post_in_parallel([self.attempt("right-password", device)])
        self.assertEqual(status, 200, payload)
        # The owner's success does not lift the anonymous lock.
        ((status, payload),) = self.post_in_parallel([self.attempt("right-password")])
        self.assertEqual(status, 429, payload)

    def test_a_known_device_that_guesses_locks_itself_out_only(self):
        device = self.owners_device()
        guesses = self.post_in_parallel([self.attempt(f"wrong-{i}", device) for i in range(self.GUESSES)])
        self.assertEqual(sorted(s for s, _p in guesses), [401] * MAX_FAILURES + [429] * (self.GUESSES - MAX_FAILURES))
        ((status, _payload),) = self.post_in_parallel([self.attempt("right-password", device)])
        self.assertEqual(status, 429, "the guessing device is locked")
        ((status, payload),) = self.post_in_parallel([self.attempt("right-password")])
        self.assertEqual(status, 200, payload)

    def test_forged_or_foreign_device_tokens_count_as_anonymous(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            foreign = env["abs.api.token"]._issue_device_token("employee", self.agent.id, "someone.else")
        tokens = [foreign, "not-a-device-token-at-all", foreign[:-4] + "AAAA"] * 3
        guesses = self.post_in_parallel([self.attempt(f"wrong-{i}", token) for i, token in enumerate(tokens)])
        self.assert_limit_held(guesses, "employee", self.login)
        self.assertEqual([s for s, _p in guesses].count(401), MAX_FAILURES, guesses)

    def test_a_customer_device_keeps_its_pin_login(self):
        body = {"phone": self.phone, "pin": "2468"}
        ((status, payload),) = self.post_in_parallel([("/api/customer/auth/login", body, {})])
        self.assertEqual(status, 200, payload)
        device = payload["device_token"]
        self.post_in_parallel(
            [("/api/customer/auth/login", {"phone": self.phone, "pin": f"{1000 + i}"}, {}) for i in range(6)]
        )
        ((status, payload),) = self.post_in_parallel(
            [("/api/customer/auth/login", {**body, "device_token": device}, {})]
        )
        self.assertEqual(status, 200, payload)


@tagged("post_install", "-at_install")
class TestLoginBurst(GuessCase):
    """A burst of logins never answers 5xx: logins beyond the process's slots wait a moment, then get 429."""

    def test_a_hundred_parallel_logins_never_5xx_and_the_api_keeps_serving(self):
        server = odoo.service.server.server
        self.assertTrue(
            server.httpd.max_http_threads, "run under scripts/test.sh: ODOO_MAX_HTTP_THREADS bounds the server"
        )
        bodies = [{"login": f"nobody.{self.tag}.{i}", "password": "wrong-password"} for i in range(50)]
        bodies += [{"login": self.login, "password": f"wrong-{i}"} for i in range(45)]
        bodies += [{"login": self.login, "password": "right-password"} for _ in range(5)]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            token = env["abs.api.token"]._issue_pair("employee", self.agent.id)["access_token"]
        barrier = threading.Barrier(len(bodies) + 1)
        answers = [None] * len(bodies)
        reads = []

        def login(index, body):
            barrier.wait()
            response = requests.post(f"{self.base_url}/api/auth/login", json=body, timeout=180)
            answers[index] = (response.status_code, response.headers.get("Retry-After"), response.json())

        def read():
            barrier.wait()
            time.sleep(0.5)  # in the thick of the burst
            response = requests.get(
                f"{self.base_url}/api/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=180
            )
            reads.append(response.status_code)

        threads = [threading.Thread(target=login, args=(i, body)) for i, body in enumerate(bodies)]
        threads.append(threading.Thread(target=read))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(240)
        self.assertNotIn(None, answers, "a login did not answer")
        statuses = [status for status, _retry, _payload in answers]
        self.assertEqual([s for s in statuses if s >= 500], [], statuses)
        self.assertLessEqual(set(statuses), {200, 401, 429}, statuses)
        for status, retry_after, payload in answers:
            if status == 429 and payload["code"] == "too_many_logins":
                self.assertEqual(retry_after, "1", payload)
        self.assertEqual(reads, [200], "an authenticated request during the burst")


@tagged("post_install", "-at_install")
class TestParallelRefresh(RealTransactionsCase):
    def test_one_refresh_token_spent_twice_at_once_rotates_once(self):
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            _account, agent, _token = self.create_sa_with_agent(env, "Refresh", tag)
            refresh = env["abs.api.token"]._issue_pair("employee", agent.id)["refresh_token"]
            cr.commit()  # pylint: disable=invalid-commit
        results = self.post_in_parallel([("/api/auth/refresh", {"refresh_token": refresh}, {})] * 4)
        statuses = sorted(status for status, _payload in results)
        self.assertEqual(statuses, [200, 401, 401, 401], results)

    def test_the_losers_of_a_concurrent_refresh_are_not_logged_as_errors(self):
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            _account, agent, _token = self.create_sa_with_agent(env, "Refresh", tag)
            refresh = env["abs.api.token"]._issue_pair("employee", agent.id)["refresh_token"]
            cr.commit()  # pylint: disable=invalid-commit
        with self.assertNoLogs("odoo", "ERROR"):
            results = self.post_in_parallel([("/api/auth/refresh", {"refresh_token": refresh}, {})] * 10)
        statuses = sorted(status for status, _payload in results)
        self.assertEqual(statuses, [200] + [401] * 9, results)
        # A spent refresh token presented again is a reuse: the winner's pair is revoked with its family
        # (a client refreshes once at a time; two holders of one refresh token means it was stolen).
        winner = next(payload for status, payload in results if status == 200)
        again = self.post_in_parallel([("/api/auth/refresh", {"refresh_token": winner["refresh_token"]}, {})])
        self.assertEqual(again[0][0], 401, again)
