"""A write that keeps failing to serialise answers 409 after Odoo's last retry, never a 500."""

import uuid
from unittest.mock import patch

import requests

from odoo import SUPERUSER_ID, api
from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE
from odoo.tests import tagged

from ..models.abs_ticket import AbsTicket
from .common import RealTransactionsCase


@tagged("post_install", "-at_install")
class TestRetriesExhausted(RealTransactionsCase):
    def test_a_request_that_never_serialises_answers_409_with_nothing_written(self):
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account, agent, token = self.create_sa_with_agent(env, "Retry", tag)
            customer = env["res.partner"]._abs_create_customer({"name": f"Test Retry {tag}"}, account, agent)
            stage_id = env.ref("abs_connector.abs_ticket_stage_new").id
        registry, tries = self.registry, []

        def always_loses_the_race(model, *args, **kwargs):
            # A real serialization failure: another transaction changes and commits a row after this
            # request's snapshot, then this request writes the same row — on every one of Odoo's tries.
            tries.append(1)
            model.env.cr.execute("SELECT 1 FROM abs_ticket_stage WHERE id = %s", [stage_id])  # the snapshot
            with registry.cursor() as other:
                other.execute("UPDATE abs_ticket_stage SET write_date = now() WHERE id = %s", [stage_id])
            model.env.cr.execute(
                "UPDATE abs_ticket_stage SET write_date = now() WHERE id = %s", [stage_id], log_exceptions=False
            )

        with patch.object(AbsTicket, "_abs_open", always_loses_the_race):
            response = requests.post(
                f"{self.base_url}/api/tickets",
                json={"subject": "Never serialises", "partner_id": customer.id},
                headers={"Authorization": f"Bearer {token}", "X-SA-ID": str(account.id)},
                timeout=120,
            )
        self.assertEqual(response.status_code, 409, response.text)
        self.assertEqual(response.json()["code"], "concurrent_update")
        self.assertEqual(len(tries), MAX_TRIES_ON_CONCURRENCY_FAILURE, "Odoo retried it, then the kit answered")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertFalse(env["abs.ticket"].search_count([("partner_id", "=", customer.id)]))
