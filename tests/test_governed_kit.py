"""The governed-record kit: one SA at a time for orders' deliveries, several for customers, batched writes."""

from odoo.tests import tagged

from .common import AbsStockFixturesMixin, AbsTransactionCase


@tagged("post_install", "-at_install")
class TestGovernedMixin(AbsStockFixturesMixin, AbsTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_stock_fixtures()

    def count_queries(self, func):
        self.env.flush_all()
        before = self.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def active_accounts(self, records):
        return records.abs_sa_assignment_ids.filtered(lambda a: a.state == "active").account_id

    def test_moving_an_order_to_another_sa_moves_its_delivery(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.battery, 1)], agent=self.agent_tg)
        picking = order.picking_ids
        self.assertEqual(self.active_accounts(picking), self.sa_togo)
        order.x_sa_id = self.sa_kenya
        # One governor at a time: Togo's assignment is ended (kept as history), Kenya's is active.
        self.assertEqual(self.active_accounts(picking), self.sa_kenya)
        ended = picking.abs_sa_assignment_ids.filtered(lambda a: a.state == "ended")
        self.assertEqual(ended.account_id, self.sa_togo)
        self.assertTrue(ended.date_to)
        self.assertEqual(picking.abs_sa_id, self.sa_kenya)

    def test_a_customer_may_be_governed_by_several_sas(self):
        Assignment = self.env["ov.sa_customer_assignment"]
        Assignment._assign(self.customer_tg, self.sa_kenya)
        self.assertEqual(self.active_accounts(self.customer_tg), self.sa_togo | self.sa_kenya)
        # Re-stamping keeps both: customers are not exclusive.
        self.customer_tg.x_sa_id = self.sa_kenya
        self.assertEqual(self.active_accounts(self.customer_tg), self.sa_togo | self.sa_kenya)

    def test_sync_is_idempotent(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.battery, 1)])
        picking = order.picking_ids
        picking._abs_sync_sa_assignment()
        picking._abs_sync_sa_assignment()
        self.assertEqual(len(picking.abs_sa_assignment_ids), 1)

    def test_dual_write_of_a_batch_costs_the_same_as_of_one(self):
        Partner = self.env["res.partner"]

        def create(count):
            return lambda: Partner.create(
                [{"name": f"Batch {count} {i}", "x_sa_id": self.sa_togo.id} for i in range(count)]
            )

        create(1)(), Partner.create([{"name": "Warm-up"}])  # caches warm for both kinds
        one, many = self.count_queries(create(1)), self.count_queries(create(30))
        # res.partner's own create grows with the batch; the assignment part must not: compare the
        # same creates without a stamp.
        plain_one = self.count_queries(lambda: Partner.create([{"name": "Plain 1"}]))
        plain_many = self.count_queries(lambda: Partner.create([{"name": f"Plain {i}"} for i in range(30)]))
        self.assertEqual(many - plain_many, one - plain_one)

    def test_scope_domains(self):
        Picking = self.env["stock.picking"]
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.battery, 1)])
        ungoverned = self.make_order(None, self.customer_tg, [(self.battery, 1)]).picking_ids
        governed = order.picking_ids
        scope = [("id", "in", (governed | ungoverned).ids)]
        self.assertEqual(Picking.search(scope + Picking._abs_sa_domain([self.sa_togo.id])), governed)
        self.assertFalse(Picking.search(scope + Picking._abs_sa_domain([self.sa_kenya.id])))
        self.assertEqual(Picking.search(scope + Picking._abs_sa_domain(None)), governed)
        self.assertEqual(Picking.search(scope + Picking._abs_sa_visible_domain([self.sa_kenya.id])), ungoverned)
        self.assertEqual(
            Picking.search(scope + Picking._abs_sa_visible_domain([self.sa_togo.id])), governed | ungoverned
        )
