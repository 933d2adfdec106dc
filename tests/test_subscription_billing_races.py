"""Recurring billing under real transactions: re-run, concurrent, killed and restarted, one bad subscription.

Each test commits its own subscriptions (unique names; the test database is thrown away after the
run) and runs the billing job in cursors of its own, as Odoo's cron workers do. Other committed
subscriptions of the database may be billed by the same runs: every check is about this test's own.
"""

import threading
import uuid
from collections import Counter
from datetime import timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import tagged

from ..models.abs_subscription import AbsSubscription
from .common import RealTransactionsCase

DUE_PERIODS = 2  # started 40 days ago, monthly: the periods of 40 days ago and of 10 days ago


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the job catches it."""


@tagged("post_install", "-at_install")
class TestRecurringBillingRaces(RealTransactionsCase):
    def setUp(self):
        super().setUp()
        tag = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account, agent, _token = self.create_sa_with_agent(env, "Billing", tag)
            partner = env["res.partner"]._abs_create_customer(
                {"name": f"Test Billing Customer {tag}", "phone": f"+228 9{int(tag, 16) % 10**7:07d}"}, account, agent
            )
            product = env["product.product"].create(
                {
                    "name": f"Test Maintenance {tag}",
                    "type": "service",
                    "list_price": 9.0,
                    "x_pu_category": "contract",
                    "recurring_invoice": True,
                }
            )
            self.today = fields.Date.context_today(env["abs.subscription"])
            subscriptions = env["abs.subscription"].create(
                [
                    {
                        "partner_id": partner.id,
                        "product_id": product.id,
                        "price_unit": 9.0,
                        "cadence": "monthly",
                        "start_date": self.today - timedelta(days=40),
                        "x_sa_id": account.id,
                        "company_id": account.company_id.id,
                        "state": "active",
                    }
                    for _ in range(7)
                ]
            )
            self.subscription_ids = subscriptions.ids
            self.account_id = account.id

    def run_job(self, **kwargs):
        """The billing job in a transaction of its own, as a cron worker runs it."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["abs.subscription"]._cron_invoice_due(**kwargs)

    def billed(self):
        """``{subscription id: [period starts]}`` as committed, and the invoices of those periods."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            periods = env["abs.subscription.period"].search([("subscription_id", "in", self.subscription_ids)])
            starts = {sid: [] for sid in self.subscription_ids}
            for period in periods:
                starts[period.subscription_id.id].append(period.period_start)
            invoices = periods.invoice_id
            return (
                {sid: sorted(dates) for sid, dates in starts.items()},
                {
                    "count": len(invoices),
                    "posted": len(invoices.filtered(lambda m: m.state == "posted")),
                    "governed": len(
                        invoices.filtered(lambda m: m.abs_sa_assignment_ids.account_id.id == self.account_id)
                    ),
                    "by_subscription": Counter(invoices.abs_subscription_id.ids),
                },
            )

    def assertEachDuePeriodBilledOnce(self):
        starts, invoices = self.billed()
        first = self.today - timedelta(days=40)
        expected = [first, first + relativedelta(months=1)]
        for subscription_id, dates in starts.items():
            self.assertEqual(dates, expected, f"subscription {subscription_id}: each due period once, none skipped")
        total = len(self.subscription_ids) * DUE_PERIODS
        self.assertEqual(invoices["count"], total, "one invoice per period")
        self.assertEqual(invoices["posted"], total)
        self.assertEqual(invoices["governed"], total, "every recurring invoice is governed by the SA")

    def test_run_twice_bills_each_period_once(self):
        self.run_job(batch_size=3)
        self.assertEachDuePeriodBilledOnce()
        self.run_job(batch_size=3)
        self.assertEachDuePeriodBilledOnce()

    def test_two_runs_at_once_bill_each_period_once(self):
        barrier = threading.Barrier(2)
        errors = []

        def run():
            try:
                barrier.wait()
                self.run_job(batch_size=2)
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        self.assertEqual(errors, [])
        self.assertEachDuePeriodBilledOnce()

    def test_a_run_killed_after_its_first_batch_resumes_without_double_or_gap(self):
        original = AbsSubscription._abs_bill_isolated
        calls = []

        def dies_in_second_batch(subscriptions, today):
            result = original(subscriptions, today)
            calls.append(subscriptions.ids)
            if len(calls) == 2:
                raise Killed  # the second batch is billed but never committed
            return result

        with patch.object(AbsSubscription, "_abs_bill_isolated", dies_in_second_batch), self.assertRaises(Killed):
            self.run_job(batch_size=3)
        starts, _invoices = self.billed()
        committed = {sid for sid, dates in starts.items() if dates}
        ours_in_first_batch = set(calls[0]) & set(self.subscription_ids)
        self.assertEqual(committed, ours_in_first_batch, "only the first batch was committed")
        for sid in committed:
            self.assertEqual(len(starts[sid]), DUE_PERIODS)
        # Restarted: the rest is billed, the first batch is not billed again.
        self.run_job(batch_size=3)
        self.assertEachDuePeriodBilledOnce()

    def test_a_failing_subscription_does_not_stop_the_run(self):
        bad_id = self.subscription_ids[3]
        original = AbsSubscription._abs_prepare_invoice_vals

        def failing(subscription, start, end):
            if subscription.id == bad_id:
                raise ValueError("the customer's fiscal position has no tax mapping")
            return original(subscription, start, end)

        with (
            patch.object(AbsSubscription, "_abs_prepare_invoice_vals", failing),
            self.assertLogs("odoo.addons.abs_connector.models.abs_subscription", "WARNING") as logs,
        ):
            self.run_job(batch_size=3)
        self.assertTrue(any(str(bad_id) in line for line in logs.output))
        starts, _invoices = self.billed()
        self.assertEqual(starts[bad_id], [], "rolled back to its savepoint: no period, no invoice")
        for sid in set(self.subscription_ids) - {bad_id}:
            self.assertEqual(len(starts[sid]), DUE_PERIODS, "the rest of its batch and the next batches are billed")
        with self.registry.cursor() as cr:
            bad = api.Environment(cr, SUPERUSER_ID, {})["abs.subscription"].browse(bad_id)
            self.assertIn("no tax mapping", bad.billing_error)
            self.assertTrue(bad.billing_error_date)
        # Mended: the next run bills it and clears the error.
        self.run_job(batch_size=3)
        self.assertEachDuePeriodBilledOnce()
        with self.registry.cursor() as cr:
            self.assertFalse(api.Environment(cr, SUPERUSER_ID, {})["abs.subscription"].browse(bad_id).billing_error)

    def test_a_stored_due_date_with_nothing_due_ends_the_run_flagged(self):
        """The stored date says due, the schedule says nothing is (a direct SQL write, an import)."""
        bad_id = self.subscription_ids[2]
        with self.registry.cursor() as cr:
            # Two periods counted as billed: by the schedule the next one starts in 50 days, while
            # the stored next_invoice_date still says 40 days ago.
            cr.execute("UPDATE abs_subscription SET billed_period_count = 2 WHERE id = %s", [bad_id])
        original = AbsSubscription._abs_take_due_batch
        batches = []

        def bounded(model, today, limit, skip_ids):
            batches.append(1)
            if len(batches) > 50:
                raise Killed  # a run taking the same batch again and again: fail instead of hanging
            return original(model, today, limit, skip_ids)

        with (
            patch.object(AbsSubscription, "_abs_take_due_batch", bounded),
            self.assertLogs("odoo.addons.abs_connector.models.abs_subscription", "WARNING") as logs,
        ):
            self.run_job(batch_size=3)
        self.assertTrue(any(str(bad_id) in line for line in logs.output))
        starts, _invoices = self.billed()
        self.assertEqual(starts[bad_id], [], "nothing billed for it")
        for sid in set(self.subscription_ids) - {bad_id}:
            self.assertEqual(len(starts[sid]), DUE_PERIODS, "the others are billed in the same run")
        with self.registry.cursor() as cr:
            bad = api.Environment(cr, SUPERUSER_ID, {})["abs.subscription"].browse(bad_id)
            self.assertIn("disagrees with the schedule", bad.billing_error)
            self.assertIn(str(self.today - timedelta(days=40)), bad.billing_error)
            self.assertTrue(bad.billing_error_date)

    def test_the_scheduled_job_reports_its_progress(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cron = env.ref("abs_connector.ir_cron_subscription_invoicing")
            cron_id = cron.id
            cron.method_direct_trigger()
        self.assertEachDuePeriodBilledOnce()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            progress = env["ir.cron.progress"].search([("cron_id", "=", cron_id)], order="id desc", limit=1)
            self.assertGreaterEqual(progress.done, len(self.subscription_ids))
            self.assertEqual(progress.remaining, 0)
