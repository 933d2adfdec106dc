"""Mobile-money statements under real parallel HTTP requests: one statement imported at the same moment by
several cashiers is reconciled once, its lines never doubled."""

import uuid

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import tagged

from .common import RealTransactionsCase


@tagged("post_install", "-at_install")
class TestMomoStatementRaces(RealTransactionsCase):
    def _commit_sa(self):
        """Commit an SA with a staff member: ``(account id, staff token)``."""
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account, _agent, _token = self.create_sa_with_agent(env, "Momo", tag)
            staff = env["abs.employee"].create({"name": f"Momo Staff {tag}", "login": f"momo.staff.{tag}"})
            env["ov.membership"].create({"employee_id": staff.id, "account_id": account.id, "role_code": "staff"})
            token = env["abs.api.token"]._issue_pair("employee", staff.id)["access_token"]
            # The race needs data that other transactions (the parallel requests) can see.
            cr.commit()  # pylint: disable=invalid-commit
        return account.id, token, tag

    def _lines_of(self, account_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            lines = env["abs.momo.statement.line"].search([("x_sa_id", "=", account_id)])
            return env["abs.momo.statement"].search([("x_sa_id", "=", account_id)]).ids, sorted(
                lines.mapped("reference")
            )

    def test_parallel_imports_of_one_statement_reconcile_it_once(self):
        account_id, token, tag = self._commit_sa()
        today = str(fields.Date.today())
        references = [f"RACE-{tag}-{index}" for index in range(20)]
        body = {
            "date_from": today,
            "date_to": today,
            "lines": [
                {"reference": reference, "date": today, "amount": 10.0 + index, "phone": "+228 90 00 00 01"}
                for index, reference in enumerate(references)
            ],
        }
        headers = {"Authorization": f"Bearer {token}", "X-SA-ID": str(account_id)}
        results = self.post_in_parallel([("/api/mobile-money/statements", body, headers)] * 6)
        statuses = sorted(status for status, _payload in results)
        self.assertEqual(statuses, [201] + [409] * 5, results)
        # The losers wait for the winner's lock on the SA, fail to serialise, and their retry is told the
        # statement is imported already: nothing of theirs written.
        losers = {payload["code"] for status, payload in results if status == 409}
        self.assertEqual(losers, {"statement_already_imported"}, results)
        [winner] = [payload["statement"] for status, payload in results if status == 201]
        statement_ids, lines = self._lines_of(account_id)
        self.assertEqual(statement_ids, [winner["id"]])
        self.assertEqual(lines, sorted(references))
