"""Guarantees the kit gives every declared route, checked route by route from the registry."""

import re

from odoo.tests import tagged

from ..controllers.api_kit import API_KEY, CUSTOMER, EMPLOYEE, PUBLIC, ROUTES
from .common import AbsHttpCase

# Tables a refused write must leave untouched.
WATCHED_MODELS = ["res.partner", "stock.picking", "stock.move", "stock.lot", "stock.quant", "stock.scrap"]


def concrete_path(route):
    """The route's path with a plausible value in each placeholder."""
    return re.sub(r"\{([^}]+)\}", lambda m: "SN-0001" if m.group(1).endswith("name") else "1", route.path)


@tagged("post_install", "-at_install")
class TestEveryRoute(AbsHttpCase):
    def protected_routes(self):
        return [route for route in ROUTES if PUBLIC not in route.auth]

    def test_every_protected_route_answers_401_without_or_with_a_bad_token(self):
        self.assertGreater(len(self.protected_routes()), 20)
        for route in self.protected_routes():
            with self.subTest(route=f"{route.method} {route.path}"):
                path = concrete_path(route)
                body = {} if route.body else None
                self.assertError(self.api(route.method, path, body), 401, "unauthorized")
                self.assertError(self.api(route.method, path, body, token="abc.def.ghi"), 401, "unauthorized")
                self.assertError(self.api(route.method, path, body, api_key="f" * 40), 401, "unauthorized")

    def test_employee_routes_refuse_customer_tokens_and_the_reverse(self):
        customer_token = self.customer_token_for(self.customer_tg)
        for route in self.protected_routes():
            body = {} if route.body else None
            with self.subTest(route=f"{route.method} {route.path}"):
                if CUSTOMER not in route.auth:
                    self.assertError(self.api(route.method, concrete_path(route), body, token=customer_token), 401)
                if EMPLOYEE not in route.auth:
                    self.assertError(self.api(route.method, concrete_path(route), body, token=self.tok_agent_tg), 401)

    def test_every_route_answers_the_cors_preflight(self):
        for route in ROUTES:
            with self.subTest(route=f"{route.method} {route.path}"):
                response = self.opener.options(self.base_url() + concrete_path(route))
                self.assertEqual(response.status_code, 204)
                self.assertIn(route.method, response.headers["Access-Control-Allow-Methods"])
                self.assertIn("X-SA-ID", response.headers["Access-Control-Allow-Headers"])

    def test_every_body_refuses_an_unknown_field_and_writes_nothing(self):
        key = self.new_api_key()
        before = {model: self.env[model].search_count([]) for model in WATCHED_MODELS}
        checked = 0
        for route in ROUTES:
            if not route.body:
                continue
            with self.subTest(route=f"{route.method} {route.path}"):
                credentials = (
                    {"api_key": key, "sa": self.sa_togo}
                    if API_KEY in route.auth
                    else {"token": self.tok_manager_tg}
                    if EMPLOYEE in route.auth
                    else {"token": self.customer_token_for(self.customer_tg)}
                    if CUSTOMER in route.auth
                    else {}
                )
                payload = self.assertError(
                    self.api(route.method, concrete_path(route), {"no_such_field": 1}, **credentials), 400
                )
                self.assertIn(payload["code"], ("invalid_body", "invalid_id"))
                checked += 1
        self.assertGreater(checked, 10)
        self.assertEqual({model: self.env[model].search_count([]) for model in WATCHED_MODELS}, before)

    def test_every_staff_route_refuses_an_agent_and_writes_nothing(self):
        # Declared once on the route (role="staff"), enforced by the kit before any handler runs.
        staff_routes = [route for route in ROUTES if route.role == "staff"]
        self.assertGreater(len(staff_routes), 10)
        before = {model: self.env[model].search_count([]) for model in WATCHED_MODELS}
        for route in staff_routes:
            with self.subTest(route=f"{route.method} {route.path}"):
                body = {} if route.body else None
                result = self.api(route.method, concrete_path(route), body, token=self.tok_agent_tg)
                self.assertError(result, 403, "role_forbidden")
        self.assertEqual({model: self.env[model].search_count([]) for model in WATCHED_MODELS}, before)
