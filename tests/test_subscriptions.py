"""Subscriptions (workflow 10): sold by agents or by an order's recurring line, billed per period,
paused, resumed and cancelled by staff and by customers — each only within its SA or its own."""

from datetime import date, timedelta
from unittest.mock import patch

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import AbsHttpCase, AbsStockFixturesMixin


class SubscriptionCase(AbsStockFixturesMixin, AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_stock_fixtures()
        Product = cls.env["product.product"]
        cls.warranty = Product.create(
            {
                "name": "Test Warranty Monthly",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 15.0,
                "x_pu_category": "contract",
                "recurring_invoice": True,
            }
        )
        cls.install = Product.create(
            {"name": "Test Installation", "type": "service", "invoice_policy": "order", "list_price": 40.0}
        )
        cls.customer_tg.email = "ama@example.com"
        cls.today = fields.Date.context_today(cls.env["abs.subscription"])
        Subscription = cls.env["abs.subscription"]
        cls.sub_tg = Subscription._abs_purchase(
            {"partner_id": cls.customer_tg.id, "product_id": cls.warranty.id}, cls.sa_togo, cls.agent_tg
        )
        cls.sub_ke = Subscription._abs_purchase(
            {"partner_id": cls.customer_ke.id, "product_id": cls.warranty.id}, cls.sa_kenya, cls.agent_ke
        )
        cls.tok_customer_tg = cls.customer_token_for(cls.customer_tg)
        cls.tok_customer_ke = cls.customer_token_for(cls.customer_ke)

    def purchase(self, token=None, **values):
        body = {"partner_id": self.customer_tg.id, "product_id": self.warranty.id, **values}
        return self.api("POST", "/api/subscription/purchase", body, token=token or self.tok_agent_tg)

    def counts(self):
        return (
            self.env["abs.subscription"].search_count([]),
            self.env["account.move"].search_count([]),
            self.env["abs.subscription.period"].search_count([]),
        )


@tagged("post_install", "-at_install")
class TestPurchase(SubscriptionCase):
    def test_purchase_bills_the_first_period_and_is_governed(self):
        status, payload, _r = self.purchase(quantity=2, price_unit=12.5)
        self.assertEqual(status, 201, payload)
        out = payload["subscription"]
        self.assertEqual(out["state"], "active")
        self.assertTrue(out["code"].startswith("SUB-"))
        self.assertEqual(out["amount_per_period"], 25.0)
        self.assertEqual(out["cadence"], "monthly")
        self.assertEqual(out["service_account"]["id"], self.sa_togo.id)
        self.assertEqual(out["sold_by"]["id"], self.agent_tg.id)
        self.assertEqual(len(out["billed_periods"]), 1, "the period that starts today is billed at once")
        self.assertEqual(out["billed_periods"][0]["period_start"], str(self.today))
        invoice_total = self.env["account.move"].browse(out["billed_periods"][0]["invoice"]["id"]).amount_total
        self.assertEqual(out["billed_periods"][0]["amount_total"], invoice_total)
        self.assertGreaterEqual(invoice_total, 25.0, "25 before the product's taxes")
        self.assertEqual(out["next_invoice_date"], str(self.today + _month()))
        subscription = self.env["abs.subscription"].browse(out["id"])
        self.assertEqual(subscription.abs_sa_assignment_ids.account_id, self.sa_togo)
        invoice = subscription.period_ids.invoice_id
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.x_sa_id, self.sa_togo, "recurring invoices are SA-stamped (seed gap of workflow 10)")
        self.assertEqual(invoice.abs_sa_assignment_ids.account_id, self.sa_togo)
        self.assertEqual(invoice.abs_subscription_id, subscription)
        # sudo: the mail queue is readable by administrators only
        mail = self.env["mail.mail"].sudo().search([("model", "=", "account.move"), ("res_id", "=", invoice.id)])
        self.assertEqual(len(mail), 1, "the customer's notification is queued")
        self.assertEqual(mail.state, "outgoing", "queued, not sent in the billing transaction")

    def test_a_start_in_the_past_bills_each_missed_period(self):
        start = self.today - timedelta(days=70)
        status, payload, _r = self.purchase(start_date=str(start), cadence="monthly")
        self.assertEqual(status, 201, payload)
        periods = payload["subscription"]["billed_periods"]
        self.assertEqual(len(periods), 3, "70 days ago: three monthly periods have started, one invoice each")
        starts = sorted(p["period_start"] for p in periods)
        self.assertEqual(starts, [str(start), str(start + _month()), str(start + _month(2))])
        self.assertEqual(len({p["invoice"]["id"] for p in periods}), 3)

    def test_a_start_in_the_future_bills_nothing_yet(self):
        start = self.today + timedelta(days=5)
        status, payload, _r = self.purchase(start_date=str(start))
        self.assertEqual(status, 201, payload)
        self.assertEqual(payload["subscription"]["billed_periods"], [])
        self.assertEqual(payload["subscription"]["next_invoice_date"], str(start))

    def test_bad_input_is_refused_and_nothing_written(self):
        other_product = self.env["product.product"].create(
            {"name": "Test Kenya-only plan", "type": "service", "x_pu_category": "contract", "recurring_invoice": True}
        )
        other_product.product_tmpl_id.x_sa_id = self.sa_kenya
        before = self.counts()
        cases = [
            ({"product_id": self.warranty.id}, 400, "invalid_body"),
            ({"partner_id": self.customer_tg.id}, 400, "invalid_body"),
            ({"partner_id": self.customer_tg.id, "product_id": self.warranty.id, "quantity": 0}, 400, "invalid_body"),
            (
                {"partner_id": self.customer_tg.id, "product_id": self.warranty.id, "price_unit": -1},
                400,
                "invalid_body",
            ),
            (
                {"partner_id": self.customer_tg.id, "product_id": self.warranty.id, "cadence": "daily"},
                400,
                "invalid_body",
            ),
            (
                {
                    "partner_id": self.customer_tg.id,
                    "product_id": self.warranty.id,
                    "start_date": "2026-05-01",
                    "end_date": "2026-04-01",
                },
                400,
                "invalid_body",
            ),
            ({"partner_id": self.customer_tg.id, "product_id": self.install.id}, 400, "not_recurring"),
            ({"partner_id": self.customer_ke.id, "product_id": self.warranty.id}, 404, "not_found"),
            ({"partner_id": self.customer_tg.id, "product_id": other_product.id}, 404, "not_found"),
            ({"partner_id": self.customer_tg.id, "product_id": 2_000_000_000}, 404, "not_found"),
        ]
        for body, status, code in cases:
            with self.subTest(body=body):
                result = self.api("POST", "/api/subscription/purchase", body, token=self.tok_agent_tg)
                self.assertError(result, status, code)
        self.assertEqual(self.counts(), before)

    def test_a_retried_purchase_is_one_purchase(self):
        before = self.counts()
        headers = {"Idempotency-Key": "sub-purchase-1"}
        body = {"partner_id": self.customer_tg.id, "product_id": self.warranty.id}
        first = self.api("POST", "/api/subscription/purchase", body, token=self.tok_agent_tg, headers=headers)
        again = self.api("POST", "/api/subscription/purchase", body, token=self.tok_agent_tg, headers=headers)
        self.assertEqual(first[0], 201, first[1])
        self.assertEqual(again[1]["subscription"]["id"], first[1]["subscription"]["id"])
        self.assertEqual(self.counts()[0], before[0] + 1)

    def test_customer_tokens_cannot_buy(self):
        self.assertError(self.purchase(token=self.tok_customer_tg), 401)


@tagged("post_install", "-at_install")
class TestOrderConfirmation(SubscriptionCase):
    def test_the_warranty_line_starts_a_subscription_billed_by_the_order_invoice(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.install, 1), (self.warranty, 1)], self.agent_tg)
        subscription = self.env["abs.subscription"].search([("sale_order_id", "=", order.id)])
        self.assertEqual(len(subscription), 1)
        self.assertEqual(subscription.state, "active")
        self.assertEqual(subscription.product_id, self.warranty)
        self.assertEqual(subscription.x_sa_id, self.sa_togo)
        self.assertEqual(subscription.x_actor_id, self.agent_tg)
        self.assertEqual(subscription.abs_sa_assignment_ids.account_id, self.sa_togo)
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1, "one draft invoice: installation and the warranty's first period")
        self.assertEqual(subscription.period_ids.invoice_id, invoice)
        self.assertEqual(subscription.period_ids.period_start, subscription.start_date)
        self.assertEqual(subscription.next_invoice_date, subscription.start_date + _month())
        # Billing today finds nothing: the first period is the order's.
        self.assertFalse(subscription._abs_bill_due_periods(self.today))


@tagged("post_install", "-at_install")
class TestBillingRules(SubscriptionCase):
    def make(self, start, cadence="monthly", end=None):
        subscription = self.env["abs.subscription"].create(
            {
                "partner_id": self.customer_tg.id,
                "product_id": self.warranty.id,
                "price_unit": 10.0,
                "cadence": cadence,
                "start_date": start,
                "end_date": end,
                "x_sa_id": self.sa_togo.id,
                "company_id": self.company.id,
                "state": "active",
            }
        )
        return subscription

    def test_periods_count_from_the_anchor_without_drift(self):
        subscription = self.make(date(2026, 1, 31))
        periods = subscription._abs_due_periods(date(2026, 4, 30))
        self.assertEqual(
            [(start, end) for _i, start, end in periods],
            [
                (date(2026, 1, 31), date(2026, 2, 27)),
                (date(2026, 2, 28), date(2026, 3, 30)),
                (date(2026, 3, 31), date(2026, 4, 29)),
                (date(2026, 4, 30), date(2026, 5, 30)),
            ],
        )

    def test_end_date_limits_the_periods_and_expires(self):
        subscription = self.make(date(2026, 1, 1), cadence="weekly", end=date(2026, 1, 20))
        invoices = subscription._abs_bill_due_periods(date(2026, 3, 1))
        self.assertEqual(len(invoices), 3, "weeks starting 1, 8 and 15 January; the 22nd is after the end")
        self.assertEqual(subscription.period_ids.sorted("period_start")[-1].period_end, date(2026, 1, 20))
        self.env["abs.subscription"]._abs_expire_ended(date(2026, 3, 1))
        self.assertEqual(subscription.state, "expired")

    def test_a_billed_period_is_never_billed_twice(self):
        subscription = self.make(self.today - timedelta(days=40))
        first = subscription._abs_bill_due_periods(self.today)
        self.assertEqual(len(first), 2)
        self.assertFalse(subscription._abs_bill_due_periods(self.today), "nothing is due any more")
        # Even if the schedule were set back by hand, the unique billed period refuses the second invoice.
        subscription.billed_period_count = 0
        with self.assertRaises(psycopg2.IntegrityError), self.env.cr.savepoint():
            subscription._abs_bill_due_periods(self.today)

    def test_the_next_invoice_date_cannot_drift_from_the_schedule(self):
        subscription = self.make(self.today - timedelta(days=40))
        subscription._abs_bill_due_periods(self.today)
        scheduled = self.today - timedelta(days=40) + _month() * 2
        self.assertEqual(subscription.next_invoice_date, scheduled)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            subscription.write({"next_invoice_date": self.today - timedelta(days=1)})
        subscription.invalidate_recordset()
        self.assertEqual(subscription.next_invoice_date, scheduled)

    def test_a_failing_subscription_does_not_stop_its_batch(self):
        subs = self.make(self.today) | self.make(self.today) | self.make(self.today)
        bad = subs[1]
        original = type(bad)._abs_prepare_invoice_vals

        def failing(record, start, end):
            if record == bad:
                raise ValueError("no income account for this customer")
            return original(record, start, end)

        with (
            patch.object(type(bad), "_abs_prepare_invoice_vals", failing),
            self.assertLogs("odoo.addons.abs_connector.models.abs_subscription", "WARNING"),
        ):
            invoices, failed = subs._abs_bill_isolated(self.today)
        self.assertEqual(failed, bad)
        self.assertEqual(len(invoices), 2)
        self.assertEqual((subs - bad).mapped("billed_period_count"), [1, 1])
        self.assertEqual(bad.billed_period_count, 0)
        self.assertFalse(bad.period_ids)
        self.assertIn("no income account", bad.billing_error)
        self.assertIn("no income account", bad.message_ids[0].body)
        # Mended, the next billing clears the error.
        bad._abs_bill_due_periods(self.today)
        self.assertFalse(bad.billing_error)


@tagged("post_install", "-at_install")
class TestStaffRoutes(SubscriptionCase):
    def test_list_and_read_within_the_sa(self):
        status, payload, _r = self.api("GET", "/api/subscriptions", token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        ids = {s["id"] for s in payload["subscriptions"]}
        self.assertIn(self.sub_tg.id, ids)
        self.assertNotIn(self.sub_ke.id, ids)
        status, payload, _r = self.api(
            "GET", f"/api/subscriptions?state=active&partner_id={self.customer_tg.id}", token=self.tok_agent_tg
        )
        self.assertEqual({s["id"] for s in payload["subscriptions"]}, {self.sub_tg.id})
        status, payload, _r = self.api("GET", f"/api/subscriptions/{self.sub_tg.id}", token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["subscription"]["code"], self.sub_tg.code)
        self.assertEqual(len(payload["subscription"]["billed_periods"]), 1)

    def test_status_by_code(self):
        status, payload, _r = self.api("GET", f"/api/subscription/status/{self.sub_tg.code}", token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        out = payload["subscription"]
        self.assertEqual(out["state"], "active")
        self.assertEqual(out["open_invoices"], 1)
        self.assertEqual(out["amount_due"], self.sub_tg.period_ids.invoice_id.amount_residual)
        self.assertGreater(out["amount_due"], 0)
        self.assertError(self.api("GET", "/api/subscription/status/SUB-NOPE", token=self.tok_agent_tg), 404)

    def test_another_sa_gets_404_everywhere_and_nothing_changes(self):
        sub = self.sub_ke
        for method, path, body in [
            ("GET", f"/api/subscriptions/{sub.id}", None),
            ("GET", f"/api/subscription/status/{sub.code}", None),
            ("POST", f"/api/subscriptions/{sub.id}/pause", None),
            ("POST", f"/api/subscriptions/{sub.id}/resume", None),
            ("POST", f"/api/subscriptions/{sub.id}/cancel", {"reason": "other"}),
        ]:
            with self.subTest(path=path, method=method):
                self.assertError(self.api(method, path, body, token=self.tok_agent_tg), 404, "not_found")
        self.assertEqual(sub.state, "active")

    def test_staff_pause_resume_cancel(self):
        sub = self.sub_tg
        status, payload, _r = self.api("POST", f"/api/subscriptions/{sub.id}/pause", token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["subscription"]["state"], "paused")
        self.assertError(
            self.api("POST", f"/api/subscriptions/{sub.id}/pause", token=self.tok_agent_tg), 400, "invalid_state"
        )
        status, payload, _r = self.api("POST", f"/api/subscriptions/{sub.id}/resume", token=self.tok_agent_tg)
        self.assertEqual(payload["subscription"]["state"], "active")
        body = {"reason": "moved_away", "note": "To Kara"}
        status, payload, _r = self.api("POST", f"/api/subscriptions/{sub.id}/cancel", body, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["subscription"]["close_reason"]["code"], "moved_away")
        self.assertFalse(sub._abs_bill_due_periods(self.today + timedelta(days=400)), "a cancelled one bills nothing")

    def test_list_queries_do_not_grow_with_the_page(self):
        Subscription = self.env["abs.subscription"]
        for _ in range(4):
            Subscription._abs_purchase(
                {"partner_id": self.customer_tg.id, "product_id": self.warranty.id}, self.sa_togo, self.agent_tg
            )
        self.api("GET", "/api/subscriptions?limit=5", token=self.tok_agent_tg)  # warm the caches
        small = self.count_queries(lambda: self.api("GET", "/api/subscriptions?limit=1", token=self.tok_agent_tg))
        with self.assertQueryCount(small):
            status, payload, _r = self.api("GET", "/api/subscriptions?limit=200", token=self.tok_agent_tg)
        self.assertEqual(status, 200)
        self.assertGreaterEqual(len(payload["subscriptions"]), 5)


@tagged("post_install", "-at_install")
class TestCustomerRoutes(SubscriptionCase):
    def test_a_customer_sees_its_own_only(self):
        status, payload, _r = self.api("GET", "/api/customer/subscriptions", token=self.tok_customer_tg)
        self.assertEqual(status, 200, payload)
        self.assertEqual({s["id"] for s in payload["subscriptions"]}, {self.sub_tg.id})
        status, payload, _r = self.api(
            "GET", f"/api/customer/subscriptions/{self.sub_tg.id}", token=self.tok_customer_tg
        )
        self.assertEqual(status, 200, payload)
        for method, suffix, body in [
            ("GET", "", None),
            ("POST", "/pause", None),
            ("POST", "/resume", None),
            ("POST", "/cancel", {"reason": "other"}),
        ]:
            with self.subTest(suffix=suffix):
                path = f"/api/customer/subscriptions/{self.sub_ke.id}{suffix}"
                self.assertError(self.api(method, path, body, token=self.tok_customer_tg), 404, "not_found")
        self.assertEqual(self.sub_ke.state, "active")

    def test_pause_and_resume_move_the_next_invoice_by_the_days_paused(self):
        sub = self.sub_tg
        next_before = sub.next_invoice_date
        status, payload, _r = self.api(
            "POST", f"/api/customer/subscriptions/{sub.id}/pause", token=self.tok_customer_tg
        )
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["subscription"]["paused_on"], str(self.today))
        # Paused twelve days ago: resuming today moves the next invoice twelve days on.
        sub.paused_on = self.today - timedelta(days=12)
        self.assertFalse(sub._abs_bill_due_periods(self.today + timedelta(days=400)), "a paused one bills nothing")
        status, payload, _r = self.api(
            "POST", f"/api/customer/subscriptions/{sub.id}/resume", token=self.tok_customer_tg
        )
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["subscription"]["state"], "active")
        self.assertEqual(payload["subscription"]["next_invoice_date"], str(next_before + timedelta(days=12)))
        self.assertEqual(payload["subscription"]["paused_days"], 12)
        self.assertError(
            self.api("POST", f"/api/customer/subscriptions/{sub.id}/resume", token=self.tok_customer_tg),
            400,
            "invalid_state",
        )

    def test_cancel_needs_a_configured_reason(self):
        sub = self.sub_tg
        path = f"/api/customer/subscriptions/{sub.id}/cancel"
        self.assertError(self.api("POST", path, {}, token=self.tok_customer_tg), 400, "invalid_body")
        payload = self.assertError(
            self.api("POST", path, {"reason": "bored"}, token=self.tok_customer_tg), 400, "invalid_reason"
        )
        self.assertIn("too_expensive", payload["details"]["fields"]["reason"])
        self.assertEqual(sub.state, "active")
        status, payload, _r = self.api("GET", "/api/subscription/close-reasons", token=self.tok_customer_tg)
        self.assertIn("too_expensive", [r["code"] for r in payload["reasons"]])
        status, payload, _r = self.api("POST", path, {"reason": "too_expensive"}, token=self.tok_customer_tg)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["subscription"]["state"], "cancelled")
        self.assertEqual(payload["subscription"]["close_reason"]["code"], "too_expensive")
        self.assertError(self.api("POST", path, {"reason": "other"}, token=self.tok_customer_tg), 400, "invalid_state")

    def test_staff_tokens_cannot_use_customer_routes(self):
        self.assertError(self.api("GET", "/api/customer/subscriptions", token=self.tok_agent_tg), 401)


def _month(count=1):
    return relativedelta(months=count)
