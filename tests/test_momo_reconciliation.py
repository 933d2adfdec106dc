"""Mobile-money reconciliation per SA (seed workflow 9 gap): a provider's statement matched with the SA's
mobile-money payments, over real HTTP with real tokens, and the backend's import wizard (the same rule)."""

import base64

import psycopg2

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_payments_api import PaymentCase

PHONE = "+228 90 12 34 56"
STATEMENTS = "/api/mobile-money/statements"
CSV_HEADER = "reference,date,amount,phone\n"


class MomoCase(PaymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.staff_ke = cls._staff_of(cls.sa_kenya)
        cls.tok_staff_ke = cls.token_for(cls.staff_ke)
        cls.momo_journal = cls.env["account.journal"]._abs_payment_journal(cls.company, "mobile_money")
        cls.today = fields.Date.context_today(cls.env["abs.momo.statement"])
        # Sold at any price above its list price (1.0): no approval needed.
        cls.momo_service = cls.env["product.product"].create(
            {"name": "Test Momo Service", "type": "service", "invoice_policy": "order", "list_price": 1.0}
        )
        cls.momo_service.taxes_id = False

    def open_invoice(self, amount=100.0, account=None, partner=None):
        """A posted invoice of ``amount`` of SA Togo (or ``account``)."""
        account = account or self.sa_togo
        partner = partner or (self.customer_tg if account == self.sa_togo else self.customer_ke)
        order = self.make_order(account, partner, [(self.momo_service, 1)], agent=self.agent_tg, confirm=False)
        order.order_line.price_unit = amount
        order.action_confirm()
        order.invoice_ids.action_post()
        self.assertEqual(order.invoice_ids.amount_total, amount)
        return order.invoice_ids

    def attempt_paid(self, amount=100.0, account=None, partner=None):
        """A mobile-money attempt the provider's callback settled: its payment."""
        invoice = self.open_invoice(amount, account, partner)
        Attempt = self.env["abs.payment.attempt"]
        attempt = Attempt._abs_start(invoice, PHONE, actor=self.agent_tg)
        Attempt._abs_settle(attempt.reference, "done")
        self.assertEqual(attempt.state, "done")
        return attempt

    def manual_payment(self, amount, memo=None):
        """A mobile-money payment an agent registered itself (no attempt): the customer's phone is its phone."""
        invoice = self.open_invoice(amount)
        return invoice._abs_register_payment(journal=self.momo_journal, memo=memo, actor=self.agent_tg)

    def line(self, reference, amount, phone=PHONE, date=None):
        return {"reference": reference, "amount": amount, "phone": phone, "date": str(date or self.today)}

    def body(self, lines=None, **values):
        return {"date_from": str(self.today), "date_to": str(self.today), "lines": lines or [], **values}

    def import_(self, body, token=None, sa=None):
        return self.api("POST", STATEMENTS, body, token=token or self.tok_manager_tg, sa=sa)

    def imported(self, body):
        status, payload, _r = self.import_(body)
        self.assertEqual(status, 201, payload)
        return payload["statement"]

    def by_status(self, statement):
        found = {}
        for line in statement["lines"]:
            found.setdefault(line["status"], []).append(line)
        return found

    def written(self):
        self.env.invalidate_all()
        return (
            self.env["abs.momo.statement"].search_count([]),
            self.env["abs.momo.statement.line"].search_count([]),
        )


@tagged("post_install", "-at_install")
class TestMomoReconciliation(MomoCase):
    def test_a_statement_is_matched_by_reference_and_lists_what_each_side_misses(self):
        on_both = self.attempt_paid(60.0)
        only_ours = self.attempt_paid(25.0)
        statement = self.imported(
            self.body(
                [self.line(on_both.reference, 60.0), self.line("PROVIDER-ONLY-1", 15.0, phone="+228 91 00 00 00")]
            )
        )
        lines = self.by_status(statement)
        self.assertEqual(
            [(line["reference"], line["payment_id"], line["match_rule"]) for line in lines["matched"]],
            [(on_both.reference, on_both.payment_id.id, "reference")],
        )
        self.assertEqual([line["reference"] for line in lines["missing_ours"]], ["PROVIDER-ONLY-1"])
        self.assertEqual(
            [(line["reference"], line["payment_id"]) for line in lines["missing_provider"]],
            [(None, only_ours.payment_id.id)],
        )
        self.assertEqual(
            statement["counts"], {"matched": 1, "missing_ours": 1, "missing_provider": 1, "already_reconciled": 0}
        )
        self.assertEqual(
            statement["amounts"], {"statement": 75.0, "matched": 60.0, "missing_ours": 15.0, "missing_provider": 25.0}
        )
        record = self.env["abs.momo.statement"].browse(statement["id"])
        self.assertEqual((record.x_sa_id, record.x_actor_id, record.origin), (self.sa_togo, self.manager_tg, "lines"))
        self.assertEqual(record.abs_sa_assignment_ids.account_id, self.sa_togo)
        self.assertEqual(statement["service_account"], {"id": self.sa_togo.id, "name": self.sa_togo.name})

    def test_an_attempt_the_provider_collected_without_our_payment_is_missing_ours(self):
        invoice = self.open_invoice(40.0)
        attempt = self.env["abs.payment.attempt"]._abs_start(invoice, PHONE, actor=self.agent_tg)
        statement = self.imported(self.body([self.line(attempt.reference, 40.0)]))
        (line,) = statement["lines"]
        self.assertEqual((line["status"], line["attempt_id"], line["payment_id"]), ("missing_ours", attempt.id, None))
        self.assertIn("pending", line["note"])

    def test_a_payment_memo_is_a_reference_too(self):
        payment = self.manual_payment(30.0, memo="TXN-778899")
        (line,) = self.imported(self.body([self.line("TXN-778899", 30.0, phone="+228 99 99 99 99")]))["lines"]
        self.assertEqual((line["status"], line["payment_id"], line["match_rule"]), ("matched", payment.id, "reference"))

    def test_amount_phone_and_date_match_only_when_unambiguous(self):
        # The customer's phone is +228 90 11 11 11; the provider writes it without spaces.
        single = self.manual_payment(40.0)
        twins = self.manual_payment(25.0) | self.manual_payment(25.0)
        statement = self.imported(
            self.body([self.line("P-40", 40.0, phone="+22890111111"), self.line("P-25", 25.0, phone="+22890111111")])
        )
        lines = {line["reference"]: line for line in statement["lines"] if line["reference"]}
        self.assertEqual(
            (lines["P-40"]["status"], lines["P-40"]["payment_id"], lines["P-40"]["match_rule"]),
            ("matched", single.id, "amount_phone_date"),
        )
        self.assertEqual(lines["P-25"]["status"], "missing_ours")
        self.assertIn("Several", lines["P-25"]["note"])
        missing = self.by_status(statement)["missing_provider"]
        self.assertEqual(sorted(line["payment_id"] for line in missing), sorted(twins.ids))

    def test_the_sandbox_statement_route_serves_its_transactions_as_json_and_csv(self):
        done = self.attempt_paid(60.0)
        invoice = self.open_invoice(20.0)
        collected_no_callback = self.env["abs.payment.attempt"]._abs_start(invoice, PHONE, actor=self.agent_tg)
        collected_no_callback.sandbox_outcome = "done"
        self.env["abs.payment.attempt"]._abs_start(self.open_invoice(10.0), PHONE, actor=self.agent_tg)  # pending
        query = f"?date_from={self.today}&date_to={self.today}"
        status, payload, _r = self.api("GET", f"/api/mobile-money/sandbox/statement{query}", token=self.tok_manager_tg)
        self.assertEqual(status, 200, payload)
        self.assertEqual(
            sorted((t["reference"], t["amount"]) for t in payload["transactions"]),
            sorted([(done.reference, 60.0), (collected_no_callback.reference, 20.0)]),
        )
        self.assertTrue(payload["csv"].startswith("reference,date,amount,phone\n"))
        # The CSV the provider serves is a statement the API imports.
        statement = self.imported({"date_from": str(self.today), "date_to": str(self.today), "csv": payload["csv"]})
        self.assertEqual(statement["origin"], "csv")
        self.assertEqual(
            {line["reference"]: line["status"] for line in statement["lines"]},
            {done.reference: "matched", collected_no_callback.reference: "missing_ours"},
        )
        self.assertError(
            self.api("GET", f"/api/mobile-money/sandbox/statement{query}", token=self.tok_agent_tg),
            403,
            "role_forbidden",
        )

    def test_fetch_from_the_provider_reconciles_its_statement(self):
        done = self.attempt_paid(60.0)
        statement = self.imported(
            {"date_from": str(self.today), "date_to": str(self.today), "fetch_from_provider": True}
        )
        self.assertEqual(statement["origin"], "provider")
        self.assertEqual(
            [(line["reference"], line["status"]) for line in statement["lines"]], [(done.reference, "matched")]
        )

    def test_importing_a_statement_again_adds_no_line(self):
        paid = self.attempt_paid(60.0)
        body = self.body([self.line(paid.reference, 60.0), self.line("PROVIDER-ONLY-2", 15.0)])
        first = self.imported(body)
        before = self.written()
        payload = self.assertError(self.import_(body), 409, "statement_already_imported")
        self.assertEqual(payload["details"]["statement_ids"], [first["id"]])
        self.assertEqual(self.written(), before)
        # A statement that overlaps the first: only its new transactions are reconciled; the payment matched
        # by the first is not "missing" from the second.
        again = self.imported(self.body([*body["lines"], self.line("PROVIDER-ONLY-3", 5.0)]))
        self.assertEqual([line["reference"] for line in again["lines"]], ["PROVIDER-ONLY-3"])
        self.assertEqual(again["counts"]["already_reconciled"], 2)
        self.assertEqual(again["counts"]["missing_provider"], 0)

    def test_the_reference_is_unique_in_the_database(self):
        first = self.env["abs.momo.statement"]._abs_import(
            self.sa_togo, "sandbox", self.today, self.today, [self.line("DUP-1", 5.0)]
        )
        second = self.env["abs.momo.statement"]._abs_import(
            self.sa_togo, "sandbox", self.today, self.today, [self.line("OTHER-1", 5.0)]
        )
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError), self.env.cr.savepoint():
            self.env["abs.momo.statement.line"].create(
                {
                    "statement_id": second.id,
                    "reference": "DUP-1",
                    "amount": 5.0,
                    "date": self.today,
                    "status": "matched",
                }
            )
        self.assertEqual(len(first.line_ids), 1)

    def test_bad_statements_are_400_and_write_nothing(self):
        paid = self.attempt_paid(60.0)
        before = self.written()
        yesterday = fields.Date.subtract(self.today, days=1)
        for body, code in (
            (self.body([self.line(paid.reference, 60.0, date=yesterday)]), "invalid_statement"),
            (self.body([self.line("R-1", 1.0), self.line("R-1", 2.0)]), "invalid_statement"),
            ({"date_from": str(self.today), "date_to": str(self.today), "csv": "ref;amount\nx;1"}, "invalid_statement"),
            (
                {
                    "date_from": str(self.today),
                    "date_to": str(self.today),
                    "csv": "reference,date,amount,phone\nR,x,1,2",
                },
                "invalid_statement",
            ),
            (
                {"date_from": str(self.today), "date_to": str(self.today), "csv": CSV_HEADER + "x" * 140000},
                "invalid_statement",
            ),
            ({"date_from": str(self.today), "date_to": str(self.today)}, "invalid_body"),
            ({**self.body([]), "fetch_from_provider": True}, "invalid_body"),
            ({**self.body([]), "date_from": "2030-01-01"}, "invalid_body"),
            (self.body([{**self.line("R-2", 1.0), "amount": -1}]), "invalid_body"),
        ):
            with self.subTest(body=body):
                self.assertError(self.import_(body), 400, code)
        self.assertEqual(self.written(), before)

    def test_without_or_with_a_bad_token_401(self):
        for path, body in ((STATEMENTS, self.body([])), (STATEMENTS, None), (f"{STATEMENTS}/1", None)):
            method = "POST" if body is not None else "GET"
            with self.subTest(method=method, path=path):
                self.assertError(self.api(method, path, body), 401, "unauthorized")
                self.assertError(self.api(method, path, body, token="abc.def.ghi"), 401, "unauthorized")

    def test_an_agent_gets_403_and_writes_nothing(self):
        before = self.written()
        self.assertError(
            self.import_(self.body([self.line("A-1", 1.0)]), token=self.tok_agent_tg), 403, "role_forbidden"
        )
        self.assertError(self.api("GET", STATEMENTS, token=self.tok_agent_tg), 403, "role_forbidden")
        self.assertEqual(self.written(), before)

    def test_another_sas_statement_is_404_and_not_listed(self):
        togo = self.imported(self.body([self.line("TG-1", 1.0)]))
        self.assertError(self.api("GET", f"{STATEMENTS}/{togo['id']}", token=self.tok_staff_ke), 404, "not_found")
        status, payload, _r = self.api("GET", STATEMENTS, token=self.tok_staff_ke)
        self.assertEqual((status, payload["total"], payload["statements"]), (200, 0, []))

    def test_staff_list_and_read_their_statements(self):
        first = self.imported(self.body([self.line("L-1", 1.0)]))
        second = self.imported(self.body([self.line("L-2", 2.0)]))
        status, payload, _r = self.api("GET", f"{STATEMENTS}?limit=1", token=self.tok_manager_tg)
        self.assertEqual((status, payload["total"], [s["id"] for s in payload["statements"]]), (200, 2, [second["id"]]))
        self.assertNotIn("lines", payload["statements"][0])
        status, payload, _r = self.api("GET", f"{STATEMENTS}/{first['id']}", token=self.tok_manager_tg)
        self.assertEqual((status, [line["reference"] for line in payload["statement"]["lines"]]), (200, ["L-1"]))


@tagged("post_install", "-at_install")
class TestMomoReconciliationBackend(MomoCase):
    def test_the_wizard_imports_a_csv_with_the_same_rule_and_lists_the_unmatched(self):
        paid = self.attempt_paid(60.0)
        only_ours = self.attempt_paid(25.0)
        # Billing and SA Officer of SA Togo: the SA's cashier, restricted to its SA.
        clerk = new_test_user(
            self.env,
            "t.momo.billing",
            groups="base.group_user,account.group_account_invoice,abs_connector.group_abs_user",
        )
        clerk.abs_sa_ids = self.sa_togo
        csv_text = self.env["abs.momo.statement"]._abs_csv(
            [
                {"reference": paid.reference, "date": self.today, "amount": 60.0, "phone": PHONE},
                {"reference": "CSV-ONLY", "date": self.today, "amount": 9.0, "phone": PHONE},
            ]
        )
        wizard = (
            self.env["abs.momo.statement.import"]
            .with_user(clerk)
            .create(
                {
                    "account_id": self.sa_togo.id,
                    "date_from": self.today,
                    "date_to": self.today,
                    "csv_file": base64.b64encode(csv_text.encode()),
                }
            )
        )
        action = wizard.action_import()
        statement = self.env["abs.momo.statement"].browse(action["res_id"])
        self.assertEqual(
            {(line.reference or line.payment_id.id, line.status) for line in statement.line_ids},
            {(paid.reference, "matched"), ("CSV-ONLY", "missing_ours"), (only_ours.payment_id.id, "missing_provider")},
        )
        unmatched = self.env.ref("abs_connector.abs_momo_statement_line_action")
        self.assertEqual(unmatched.context, "{'search_default_unmatched': 1}")
        Line = self.env["abs.momo.statement.line"].with_user(clerk)
        self.assertEqual(
            set(Line.search([("status", "!=", "matched")]).mapped("status")), {"missing_ours", "missing_provider"}
        )

    def test_every_reconciliation_model_has_its_backend_views(self):
        for model in ("abs.momo.statement", "abs.momo.statement.line", "ov.sa_momo_statement_assignment"):
            with self.subTest(model=model):
                views = self.env[model].get_views([(False, "list"), (False, "search")])["views"]
                self.assertTrue(views["list"]["id"] and views["search"]["id"], views)
                action = self.env["ir.actions.act_window"].search([("res_model", "=", model)])
                self.assertTrue(action)
                self.assertTrue(
                    self.env["ir.ui.menu"].search([("action", "in", [f"ir.actions.act_window,{a.id}" for a in action])])
                )

    def test_an_officer_of_another_sa_does_not_see_the_statement_or_its_lines(self):
        statement = self.env["abs.momo.statement"]._abs_import(
            self.sa_togo, "sandbox", self.today, self.today, [self.line("OFF-1", 5.0)]
        )
        officer = new_test_user(self.env, "t.momo.ke.officer", groups="base.group_user,abs_connector.group_abs_user")
        officer.abs_sa_ids = self.sa_kenya
        self.assertFalse(self.env["abs.momo.statement"].with_user(officer).search([("id", "=", statement.id)]))
        self.assertFalse(
            self.env["abs.momo.statement.line"].with_user(officer).search([("statement_id", "=", statement.id)])
        )
        officer.abs_sa_ids = self.sa_togo
        self.assertEqual(
            self.env["abs.momo.statement"].with_user(officer).search([("id", "=", statement.id)]), statement
        )
