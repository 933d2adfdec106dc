"""Writing off a PAYG account (bad debt): the API's door and the backend's button, one model method."""

from odoo.tests import tagged

from .common import AbsHttpCase
from .test_payg import PaygFixturesMixin


@tagged("post_install", "-at_install")
class TestPaygWriteOff(PaygFixturesMixin, AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_payg_fixtures()
        cls.order, cls.invoice, cls.account, cls.lot = cls.sell_on_plan(
            cls.sa_togo, cls.customer_tg, "T-PAYG-WO1", cls.agent_tg
        )
        cls.invoice._abs_register_payment(60.0)  # deposit and 5 days: 440.0 outstanding

    def write_off(self, body, token=None, account=None, **kwargs):
        account = account or self.account
        return self.api("POST", f"/api/payg/accounts/{account.id}/write-off", body, token=token, **kwargs)

    def entries(self):
        return self.env["account.move"].search_count([("move_type", "=", "entry")])

    def test_manager_writes_off_the_balance_and_the_receivable(self):
        status, payload, _r = self.write_off({"reason": "Customer moved away"}, token=self.tok_manager_tg)
        self.assertEqual(status, 200, payload)
        answer = payload["account"]
        self.assertEqual(
            (answer["state"], answer["amount_written_off"], answer["amount_remaining"], answer["write_off_reason"]),
            ("written_off", 440.0, 0.0, "Customer moved away"),
        )
        self.assertIsNone(answer["next_instalment"])
        entry = self.account.write_off_move_id
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.line_ids.filtered(lambda line: line.account_id.account_type == "expense").debit, 440.0)
        self.assertEqual(self.invoice.amount_residual, 0.0, "the receivable is written off, reconciled")
        self.assertTrue(any("Customer moved away" in (m.body or "") for m in self.account.message_ids))

    def test_a_written_off_account_takes_no_payment_and_no_token(self):
        self.account._abs_write_off("Unreachable for 120 days")
        paid = self.api(
            "POST",
            f"/api/orders/{self.order.id}/register-payment",
            {"amount": 10.0, "invoice_id": self.invoice.id},
            token=self.tok_agent_tg,
        )
        self.assertError(paid, 409, "payg_written_off")
        without_invoice = self.api(
            "POST", f"/api/orders/{self.order.id}/register-payment", {"amount": 10.0}, token=self.tok_agent_tg
        )
        self.assertError(without_invoice, 409, "payg_written_off")
        self.assertError(
            self.api(
                "POST",
                f"/api/payg/accounts/{self.account.id}/tokens",
                {"kind": "counter_sync"},
                token=self.tok_manager_tg,
            ),
            409,
            "payg_account_closed",
        )
        self.assertEqual(len(self.account.token_ids), 1)

    def test_the_portfolio_counts_written_off_accounts(self):
        self.account._abs_write_off("Unreachable for 120 days")
        status, payload, _r = self.api("GET", "/api/reports/payg-portfolio", token=self.tok_manager_tg)
        self.assertEqual(status, 200, payload)
        [togo] = [sa for sa in payload["service_accounts"] if sa["service_account"]["id"] == self.sa_togo.id]
        self.assertEqual(togo["accounts_by_state"], {"written_off": 1})
        self.assertEqual((togo["written_off"], togo["outstanding"]), (440.0, 0.0))

    def test_without_a_reason_400_and_nothing_written(self):
        entries = self.entries()
        for body in ({}, {"reason": ""}, {"reason": "x"}):
            with self.subTest(body=body):
                self.assertError(self.write_off(body, token=self.tok_manager_tg), 400, "invalid_body")
        self.account.invalidate_recordset()
        self.assertEqual((self.account.state, self.account.amount_written_off), ("active", 0.0))
        self.assertEqual(self.entries(), entries)

    def test_twice_is_invalid_state(self):
        self.account._abs_write_off("Unreachable for 120 days")
        entries = self.entries()
        self.assertError(self.write_off({"reason": "Again"}, token=self.tok_manager_tg), 400, "invalid_state")
        self.assertEqual(self.entries(), entries)

    def test_401_403_and_404_of_another_sa(self):
        self.assertError(self.write_off({"reason": "No token"}), 401, "unauthorized")
        self.assertError(self.write_off({"reason": "An agent"}, token=self.tok_agent_tg), 403, "role_forbidden")
        _order, _invoice, kenya, _lot = self.sell_on_plan(
            self.sa_kenya, self.customer_ke, "T-PAYG-WO-KE", self.agent_ke
        )
        self.assertError(self.write_off({"reason": "Not mine"}, token=self.tok_manager_tg, account=kenya), 404)
        self.account.invalidate_recordset()
        kenya.invalidate_recordset()
        self.assertEqual((self.account.state, kenya.state), ("active", "active"))

    def test_an_api_key_writes_off(self):
        status, payload, _r = self.write_off(
            {"reason": "Finance decision"}, api_key=self.new_api_key(), sa=self.sa_togo
        )
        self.assertEqual((status, payload["account"]["state"]), (200, "written_off"), payload)

    def test_backend_button_writes_off_through_the_same_method(self):
        manager = self.env["res.users"].create(
            {
                "name": "Test PAYG WO Manager",
                "login": "t.payg.wo.manager",
                "email": "wo.manager@example.com",
                "groups_id": [(6, 0, [self.env.ref("abs_connector.group_abs_payg_manager").id])],
            }
        )
        action = self.account.with_user(manager).action_abs_write_off_wizard()
        self.assertEqual(action["res_model"], "abs.payg.write.off")
        wizard = (
            self.env["abs.payg.write.off"]
            .with_user(manager)
            .with_context(action["context"])
            .create({"reason": "Stolen kit"})
        )
        self.assertEqual(wizard.amount_remaining, 440.0)
        wizard.action_write_off()
        self.assertEqual((self.account.state, self.account.write_off_reason), ("written_off", "Stolen kit"))
        self.assertEqual(self.invoice.amount_residual, 0.0)
        arch = self.env["abs.payg.account"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("action_abs_write_off_wizard", arch)
        wizard_arch = self.env["abs.payg.write.off"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("confirm=", wizard_arch)
