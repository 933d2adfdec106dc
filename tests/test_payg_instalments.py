"""PAYG plans priced per instalment (a price per daily, weekly or monthly instalment, a term), over real HTTP."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import AbsHttpCase
from .test_payg import PaygFixturesMixin, SimulatedDevice


@tagged("post_install", "-at_install")
class TestPaygInstalmentPlans(PaygFixturesMixin, AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_payg_fixtures()
        cls.weekly = cls.env["abs.payg.plan"].create(
            {
                "name": "Test Kit weekly, 10 weeks",
                "pricing_mode": "per_instalment",
                "deposit": 50.0,
                "instalment_price": 21.0,
                "cadence": "weekly",
                "term": 10,
                "free_days": 2,
            }
        )
        cls.weekly_kit = cls.env["product.product"].create(
            {
                "name": "Test PAYG Kit weekly",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 260.0,
                "taxes_id": [(6, 0, [])],
                "abs_payg_plan_id": cls.weekly.id,
            }
        )
        cls.order, cls.invoice, cls.account, cls.lot = cls.sell_on_plan(
            cls.sa_togo, cls.customer_tg, "T-PAYG-WK1", cls.agent_tg, cls.weekly_kit
        )

    def pay(self, amount):
        return self.api(
            "POST",
            f"/api/orders/{self.order.id}/register-payment",
            {"amount": amount, "invoice_id": self.invoice.id},
            token=self.tok_agent_tg,
        )

    def test_a_term_prices_the_plan_to_own(self):
        self.assertEqual(self.weekly.price_to_own, 50.0 + 10 * 21.0)
        self.assertEqual(self.weekly.price_per_day, 3.0)
        self.assertEqual(self.account.price_to_own, 260.0)

    def test_payments_buy_instalments_times_the_cadences_days(self):
        device = SimulatedDevice(self.lot, self.weekly)
        status, payload, _r = self.pay(50.0)
        self.assertEqual(status, 201, payload)
        self.assertEqual(payload["payg_tokens"][0]["days"], 2, "the deposit gives the free days")
        status, payload, _r = self.pay(21.0)
        self.assertEqual(payload["payg_tokens"][0]["days"], 7, "one weekly instalment: 7 days")
        status, payload, _r = self.pay(10.5)
        self.assertEqual(payload["payg_tokens"][0]["days"], 3, "half an instalment: 3.5 days, whole days only")
        status, payload, _r = self.pay(10.5)
        self.assertEqual(payload["payg_tokens"][0]["days"], 4, "the other half completes the second week")
        for token in reversed(self.account.token_ids):
            self.assertTrue(device.enter(token.code))
        self.assertEqual((device.days, self.account.days_credited), (2 + 14, 16))

    def test_next_instalment_follows_the_cadence(self):
        self.pay(50.0)
        self.pay(21.0)
        today = fields.Date.context_today(self.account)
        status, payload, _r = self.api("GET", f"/api/payg/accounts/{self.account.id}", token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        account = payload["account"]
        self.assertEqual(account["next_instalment"]["amount"], 21.0)
        self.assertEqual(account["next_instalment"]["due_date"], (today + timedelta(days=9)).isoformat())
        self.pay(21.0)
        status, payload, _r = self.api("GET", f"/api/payg/accounts/{self.account.id}", token=self.tok_agent_tg)
        self.assertEqual(payload["account"]["next_instalment"]["due_date"], (today + timedelta(days=16)).isoformat())
        plan = payload["account"]["plan"]
        self.assertEqual(
            (plan["pricing_mode"], plan["instalment_price"], plan["cadence"], plan["term"], plan["price_to_own"]),
            ("per_instalment", 21.0, "weekly", 10, 260.0),
        )
        self.assertEqual(plan["instalment_days"], 7)

    def test_product_answer_shows_the_instalment_pricing(self):
        status, payload, _r = self.api("GET", f"/api/products/{self.weekly_kit.id}", token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        plan = payload["product"]["payg_plan"]
        self.assertEqual(
            (plan["pricing_mode"], plan["instalment_price"], plan["cadence"], plan["term"], plan["deposit"]),
            ("per_instalment", 21.0, "weekly", 10, 50.0),
        )
        status, payload, _r = self.api("GET", f"/api/products/{self.payg_kit.id}", token=self.tok_agent_tg)
        plan = payload["product"]["payg_plan"]
        self.assertEqual(
            (plan["pricing_mode"], plan["price_per_day"], plan["instalment_price"], plan["cadence"], plan["term"]),
            ("per_day", 2.0, None, None, None),
        )

    def test_a_monthly_instalment_buys_30_days_and_no_term_keeps_the_price_to_own(self):
        monthly = self.weekly.copy(
            {"name": "Test monthly", "cadence": "monthly", "term": 0, "instalment_price": 60.0, "price_to_own": 800.0}
        )
        self.assertEqual((monthly.price_to_own, monthly.price_per_day), (800.0, 2.0))
        self.assertEqual(monthly._abs_days_for(50.0 + 60.0), 2 + 30)
        self.assertEqual(monthly._abs_days_for(50.0 + 20.0), 2 + 10)
        daily = self.weekly.copy({"name": "Test daily", "cadence": "daily", "instalment_price": 1.5})
        self.assertEqual((daily._abs_days_for(50.0 + 4.5), daily.price_to_own), (2 + 3, 50.0 + 15.0))

    def test_plan_constraints_say_what_is_missing(self):
        Plan = self.env["abs.payg.plan"]
        cases = [
            ({"pricing_mode": "per_instalment", "cadence": "weekly", "term": 4}, "positive instalment price"),
            ({"pricing_mode": "per_instalment", "instalment_price": 5.0, "cadence": False, "term": 4}, "cadence"),
            ({"pricing_mode": "per_instalment", "instalment_price": 5.0, "cadence": "daily", "term": -1}, "term"),
            ({"pricing_mode": "per_instalment", "instalment_price": 5.0, "cadence": "daily"}, "price to own"),
            ({"pricing_mode": "per_day", "price_to_own": 100.0}, "price per day"),
            ({"pricing_mode": "per_day", "price_per_day": 1.0, "price_to_own": 10.0, "deposit": 20.0}, "deposit"),
        ]
        for vals, message in cases:
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, message), self.cr.savepoint():
                Plan.create({"name": "Test bad plan", **vals})
