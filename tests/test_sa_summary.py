"""GET /api/reports/sa-summary (API contract, "Reports"): revenue, receivables, collected and deliveries
per SA, for the caller's SAs only."""

from odoo import fields
from odoo.tests import tagged

from .test_invoices_api import InvoiceCase


@tagged("post_install", "-at_install")
class TestSaSummary(InvoiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.staff_multi = cls.env["abs.employee"].create({"name": "Test Multi Staff", "login": "t.multi.staff"})
        cls.env["ov.membership"].create(
            [
                {"employee_id": cls.staff_multi.id, "account_id": cls.sa_togo.id, "role_code": "staff"},
                {"employee_id": cls.staff_multi.id, "account_id": cls.sa_kenya.id, "role_code": "agent"},
            ]
        )
        cls.tok_staff_multi = cls.token_for(cls.staff_multi)

    def pay(self, invoice, amount=None):
        wizard = self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids)
        wizard.create({"amount": amount} if amount else {})._create_payments()

    def summary(self, query="", token=None, **kwargs):
        payload = self.ok(
            self.api("GET", f"/api/reports/sa-summary{query}", token=token or self.tok_manager_tg, **kwargs)
        )
        return {item["id"]: item for item in payload["service_accounts"]}

    def test_staff_sees_its_sa_revenue_receivables_collected_and_deliveries(self):
        _o1, paid = self.posted_invoice([(self.install, 2)])  # 100 untaxed
        _o2, partly = self.posted_invoice([(self.warranty, 1)])  # 60 untaxed
        self.invoice_of(self.confirmed())  # a draft: not revenue
        self.pay(paid)
        self.pay(partly, 20.0)
        credited_order, credited = self.posted_invoice([(self.install, 1)])
        credited._abs_credit_note("returned")  # revenue and collected cancel out
        goods = self.confirmed([(self.battery, 1)])
        self.deliver(goods)
        ke_order, ke_invoice = self.posted_invoice(account=self.sa_kenya, partner=self.customer_ke, agent=self.agent_ke)
        self.pay(ke_invoice)

        result = self.summary()
        self.assertEqual(list(result), [self.sa_togo.id])
        togo = result[self.sa_togo.id]
        self.assertEqual(togo["name"], self.sa_togo.name)
        self.assertAlmostEqual(togo["revenue"], paid.amount_untaxed + partly.amount_untaxed)
        self.assertAlmostEqual(togo["receivables"], partly.amount_total - 20.0)
        self.assertAlmostEqual(togo["collected"], paid.amount_total + 20.0)
        self.assertEqual(togo["deliveries"], 1)

    def test_period_filters_invoices_and_deliveries(self):
        self.posted_invoice()
        today = fields.Date.today()
        self.assertGreater(self.summary(f"?date_from={today}&date_to={today}")[self.sa_togo.id]["revenue"], 0)
        old = self.summary("?date_from=2000-01-01&date_to=2000-12-31")[self.sa_togo.id]
        self.assertEqual((old["revenue"], old["receivables"], old["collected"], old["deliveries"]), (0, 0, 0, 0))
        self.assertError(
            self.api(
                "GET", "/api/reports/sa-summary?date_from=2026-02-01&date_to=2026-01-01", token=self.tok_manager_tg
            ),
            400,
            "invalid_query",
        )

    def test_an_agent_gets_403(self):
        self.assertError(self.api("GET", "/api/reports/sa-summary", token=self.tok_agent_tg), 403, "role_forbidden")
        self.assertError(self.api("GET", "/api/reports/sa-summary", token=self.tok_agent_ke), 403, "role_forbidden")
        self.assertError(self.api("GET", "/api/reports/sa-summary"), 401, "unauthorized")

    def test_staff_of_one_sa_and_agent_of_another_sees_only_the_first(self):
        self.posted_invoice(account=self.sa_kenya, partner=self.customer_ke, agent=self.agent_ke)
        self.assertEqual(list(self.summary(token=self.tok_staff_multi)), [self.sa_togo.id])
        self.assertError(self.api("GET", "/api/reports/sa-summary", token=self.tok_staff_multi, sa=self.sa_kenya), 403)

    def test_api_key_sees_every_sa_or_the_one_it_names(self):
        _order, ke_invoice = self.posted_invoice(account=self.sa_kenya, partner=self.customer_ke, agent=self.agent_ke)
        key = self.new_api_key()
        payload = self.ok(self.api("GET", "/api/reports/sa-summary", api_key=key))
        result = {item["id"]: item for item in payload["service_accounts"]}
        self.assertIn(self.sa_togo.id, result)
        self.assertAlmostEqual(result[self.sa_kenya.id]["revenue"], ke_invoice.amount_untaxed)
        payload = self.ok(self.api("GET", "/api/reports/sa-summary", api_key=key, sa=self.sa_kenya))
        self.assertEqual([item["id"] for item in payload["service_accounts"]], [self.sa_kenya.id])
