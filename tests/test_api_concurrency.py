"""A mobile app retries a create on a flaky network: both copies arrive at once, one customer exists."""

import uuid

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .common import RealTransactionsCase


@tagged("post_install", "-at_install")
class TestSimultaneousRetries(RealTransactionsCase):
    def setUp(self):
        super().setUp()
        self.tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            _account, _agent, self.token = self.create_sa_with_agent(env, "Retry", self.tag)
            # The race needs data that other transactions (the two requests) can see.
            cr.commit()  # pylint: disable=invalid-commit

    def count_customers(self, name):
        with self.registry.cursor() as cr:
            return api.Environment(cr, SUPERUSER_ID, {})["res.partner"].search_count([("name", "=", name)])

    def test_two_simultaneous_copies_of_one_create_make_one_customer(self):
        name = f"Twice Sent {self.tag}"
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": f"create-{self.tag}"}
        results = self.post_in_parallel([("/api/customers", {"name": name}, headers)] * 2)
        statuses = sorted(status for status, _payload in results)
        # One creates; the other waits for it (the key is locked) and replays its stored answer.
        self.assertEqual(statuses, [201, 201], results)
        self.assertEqual(self.count_customers(name), 1)
        created = [payload["customer"]["id"] for status, payload in results if status == 201]
        self.assertEqual(len(set(created)), 1, results)

    def test_without_a_key_two_sends_are_two_customers(self):
        # The control: the guarantee comes from the key, not from luck in the timing.
        name = f"No Key {self.tag}"
        headers = {"Authorization": f"Bearer {self.token}"}
        results = self.post_in_parallel([("/api/customers", {"name": name}, headers)] * 2)
        self.assertEqual(sorted(status for status, _payload in results), [201, 201], results)
        self.assertEqual(self.count_customers(name), 2)
