"""Cash handovers under real parallel HTTP requests: a payment is covered by one handover, counted once."""

import uuid

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .common import RealTransactionsCase


@tagged("post_install", "-at_install")
class TestCashHandoverRaces(RealTransactionsCase):
    def setUp(self):
        super().setUp()
        self.tag = uuid.uuid4().hex[:8]

    def _commit_cash(self, count=1):
        """Commit an SA with an agent and a staff member, and ``count`` cash payments of 50.0 the agent took."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account, agent, token = self.create_sa_with_agent(env, "Cash", self.tag)
            staff = env["abs.employee"].create({"name": f"Cash Staff {self.tag}", "login": f"cash.staff.{self.tag}"})
            env["ov.membership"].create({"employee_id": staff.id, "account_id": account.id, "role_code": "staff"})
            customer = env["res.partner"]._abs_create_customer({"name": f"Cash Customer {self.tag}"}, account, agent)
            product = env["product.product"].create(
                {"name": f"Cash Service {self.tag}", "type": "service", "invoice_policy": "order", "list_price": 50.0}
            )
            product.taxes_id = False
            journal = env["account.journal"]._abs_payment_journal(env.company, "cash")
            payments = env["account.payment"]
            for _i in range(count):
                order = env["sale.order"].create(
                    {
                        "partner_id": customer.id,
                        "x_sa_id": account.id,
                        "x_actor_id": agent.id,
                        "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})],
                    }
                )
                order.action_confirm()
                payments |= order._abs_register_payment(journal=journal, actor=agent)[1]
            data = {
                "account": account.id,
                "agent": agent.id,
                "payments": payments.ids,
                "agent_token": token,
                "staff_token": env["abs.api.token"]._issue_pair("employee", staff.id)["access_token"],
            }
            # The race needs data that other transactions (the parallel requests) can see.
            cr.commit()  # pylint: disable=invalid-commit
        return data

    def _read(self, data):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            handovers = env["abs.cash.handover"].search([("x_sa_id", "=", data["account"])])
            account = env["ov.serviced_account"].browse(data["account"])
            cash_lines = env["account.move.line"].search(
                [
                    ("account_id", "=", account.abs_cash_journal_id.default_account_id.id),
                    ("parent_state", "=", "posted"),
                ]
            )
            return handovers, sorted(handovers.mapped("state")), sum(cash_lines.mapped("balance"))

    def test_parallel_handovers_of_one_payment_leave_exactly_one(self):
        data = self._commit_cash(count=2)
        headers = {"Authorization": f"Bearer {data['agent_token']}"}
        first, second = data["payments"]
        # Ten handovers at once, each covering the first payment (five of them the second one too).
        bodies = [{"amount": 50.0, "payment_ids": [first]}] * 5 + [
            {"amount": 100.0, "payment_ids": [first, second]}
        ] * 5
        results = self.post_in_parallel([("/api/cash-handovers", body, headers) for body in bodies])
        statuses = sorted(status for status, _payload in results)
        self.assertEqual(statuses, [201] + [409] * 9, results)
        for status, payload in results:
            if status == 409:
                self.assertEqual(payload["code"], "already_handed_over", payload)
                self.assertIn(first, payload["details"]["payment_ids"])
        [winner] = [payload["handover"] for status, payload in results if status == 201]
        handovers, _states, _cash = self._read(data)
        self.assertEqual(handovers.ids, [winner["id"]])
        # The cashiers confirm it twice at once: it is counted once.
        staff = {"Authorization": f"Bearer {data['staff_token']}"}
        path = f"/api/cash-handovers/{winner['id']}/confirm"
        results = self.post_in_parallel([(path, {"counted_amount": winner["expected_amount"]}, staff)] * 5)
        statuses = sorted(status for status, _payload in results)
        self.assertEqual(statuses.count(200), 1, results)
        # The losers find it confirmed (400 invalid_state) or lose the row's race (409 concurrent_update).
        losers = {payload["code"] for status, payload in results if status != 200}
        self.assertLessEqual(losers, {"invalid_state", "concurrent_update"}, results)
        _handovers, states, cash = self._read(data)
        self.assertEqual((states, cash), (["confirmed"], winner["expected_amount"]))
