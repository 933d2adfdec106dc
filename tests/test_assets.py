"""Assets (seed workflow 8 and the serial lifecycle 0g): deliveries create them, returns and scraps
move them, the API registers, lists, reads and changes them within the caller's SAs."""

from odoo.tests import tagged

from .common import AbsHttpCase, AbsStockFixturesMixin


class AssetCase(AbsStockFixturesMixin, AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_stock_fixtures()
        cls.spare = cls.add_serials(cls.kit, ["T-SN-SPARE-1", "T-SN-SPARE-2", "T-SN-SPARE-3"])

    def register(self, partner, lot, account, agent=None):
        return self.env["ov.asset"]._abs_register({"partner_id": partner.id, "lot_id": lot.id}, account, agent)

    def deliver(self, account, partner, qty, agent=None):
        order = self.make_order(account, partner, [(self.kit, qty)], agent)
        delivery = order.picking_ids
        delivery._abs_validate_delivery(None, False, actor=agent)
        return delivery

    def assets_of(self, lots):
        return self.env["ov.asset"].search([("lot_id", "in", lots.ids)], order="id")


@tagged("post_install", "-at_install")
class TestAssetLifecycle(AssetCase):
    def test_delivery_validated_over_http_creates_the_asset_of_each_serial(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 2), (self.battery, 1)], self.agent_tg)
        delivery = order.picking_ids
        status, payload, _r = self.api(
            "POST", f"/api/stock/deliveries/{delivery.id}/validate", {}, token=self.tok_manager_tg
        )
        self.assertEqual(status, 200, payload)
        lots = delivery.move_line_ids.lot_id
        assets = self.assets_of(lots)
        self.assertEqual(len(lots), 2)
        self.assertEqual(assets.lot_id, lots)
        for asset in assets:
            self.assertEqual(asset.state, "active")
            self.assertEqual(asset.partner_id, self.customer_tg)
            self.assertEqual(asset.x_sa_id, self.sa_togo)
            self.assertEqual(asset.x_actor_id, self.manager_tg, "the employee who validated")
            self.assertEqual(asset.picking_id, delivery)
            self.assertEqual(asset.asset_code, asset.lot_id.name)
            self.assertEqual(asset.product_id, self.kit)
            self.assertEqual(asset.abs_sa_assignment_ids.account_id, self.sa_togo)
            self.assertEqual(asset.abs_sa_assignment_ids.state, "active")

    def test_backend_validation_credits_the_order_agent(self):
        delivery = self.deliver(self.sa_togo, self.customer_tg, 1, None)
        asset = self.assets_of(delivery.move_line_ids.lot_id)
        self.assertEqual(asset.x_actor_id, self.env["abs.employee"], "no validating employee, no order agent")
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], self.agent_tg)
        order.picking_ids._abs_validate_delivery(None, False)
        self.assertEqual(self.assets_of(order.picking_ids.move_line_ids.lot_id).x_actor_id, self.agent_tg)

    def test_asset_creation_costs_the_same_queries_for_one_or_five_serials(self):
        self.add_serials(self.kit, [f"T-SN-BATCH-{i}" for i in range(5)])
        self.sa_togo.approval_threshold = 100_000  # five kits need no approval here
        costs = {}
        for qty in (1, 5):
            delivery = self.deliver(self.sa_togo, self.customer_tg, qty, self.agent_tg)
            lines = delivery.move_line_ids.filtered("lot_id")
            self.assertEqual(len(self.assets_of(lines.lot_id)), qty)
            self.assets_of(lines.lot_id).unlink()
            self.env.invalidate_all()
            costs[qty] = self.count_queries(lambda d=delivery, ml=lines: d._abs_on_serials_delivered(ml))
            self.assertEqual(len(self.assets_of(lines.lot_id)), qty)
        self.assertEqual(costs[5], costs[1], costs)

    def test_return_makes_the_asset_inactive(self):
        delivery = self.deliver(self.sa_togo, self.customer_tg, 1, self.agent_tg)
        asset = self.assets_of(delivery.move_line_ids.lot_id)
        delivery._abs_return_delivery(None, "broken", self.agent_tg)
        self.assertEqual(asset.state, "inactive")

    def test_scrap_decommissions_the_asset(self):
        delivery = self.deliver(self.sa_togo, self.customer_tg, 1, self.agent_tg)
        lot = delivery.move_line_ids.lot_id
        asset = self.assets_of(lot)
        delivery._abs_return_delivery(None, "end of life", self.agent_tg)
        self.env["stock.scrap"]._abs_scrap(
            {"product_id": self.kit.id, "quantity": 1, "lot_id": lot.id}, location=self.stock_location
        )
        self.assertEqual(asset.state, "decommissioned")

    def test_serial_delivered_again_after_return_gets_a_new_asset(self):
        lot = self.spare[0]
        first = self.register(self.customer_tg, lot, self.sa_togo, self.agent_tg)
        first.state = "inactive"
        order = self.make_order(self.sa_kenya, self.customer_ke, [(self.kit, 1)], self.agent_ke, confirm=False)
        order.action_confirm()
        delivery = order.picking_ids
        delivery._abs_validate_delivery(
            [{"move_id": delivery.move_ids.id, "quantity": 1, "lot_id": lot.id}], False, actor=self.agent_ke
        )
        assets = self.assets_of(lot)
        self.assertEqual(assets.mapped("state"), ["inactive", "active"])
        self.assertEqual(assets[1].x_sa_id, self.sa_kenya)

    def test_serial_still_active_for_another_holder_is_transferred(self):
        lot = self.spare[1]
        first = self.register(self.customer_tg, lot, self.sa_togo, self.agent_tg)
        order = self.make_order(self.sa_kenya, self.customer_ke, [(self.kit, 1)], self.agent_ke)
        delivery = order.picking_ids
        delivery._abs_validate_delivery(
            [{"move_id": delivery.move_ids.id, "quantity": 1, "lot_id": lot.id}], False, actor=self.agent_ke
        )
        self.assertEqual(first.state, "transferred")
        new = self.assets_of(lot) - first
        self.assertEqual((new.state, new.partner_id, new.x_sa_id), ("active", self.customer_ke, self.sa_kenya))

    def test_serial_active_for_the_same_holder_keeps_its_asset(self):
        lot = self.spare[2]
        first = self.register(self.customer_tg, lot, self.sa_togo, self.agent_tg)
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], self.agent_tg)
        delivery = order.picking_ids
        delivery._abs_validate_delivery(
            [{"move_id": delivery.move_ids.id, "quantity": 1, "lot_id": lot.id}], False, actor=self.agent_tg
        )
        self.assertEqual(self.assets_of(lot), first)
        self.assertEqual(first.state, "active")


@tagged("post_install", "-at_install")
class TestAssetApi(AssetCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.asset_tg = cls.env["ov.asset"]._abs_register(
            {"partner_id": cls.customer_tg.id, "lot_id": cls.serials[0].id}, cls.sa_togo, cls.agent_tg
        )
        cls.asset_ke = cls.env["ov.asset"]._abs_register(
            {"partner_id": cls.customer_ke.id, "lot_id": cls.serials[1].id}, cls.sa_kenya, cls.agent_ke
        )

    def test_register_an_asset_by_hand(self):
        body = {
            "partner_id": self.customer_tg.id,
            "lot_id": self.spare[0].id,
            "installation_date": "2026-04-23",
            "notes": "Roof of the shop",
        }
        status, payload, _r = self.api("POST", "/api/assets", body, token=self.tok_agent_tg)
        self.assertEqual(status, 201, payload)
        out = payload["asset"]
        self.assertEqual(out["name"], self.kit.name)
        self.assertEqual(out["asset_code"], "T-SN-SPARE-1")
        self.assertEqual(out["lot"], {"id": self.spare[0].id, "serial": "T-SN-SPARE-1"})
        self.assertEqual(out["customer"]["id"], self.customer_tg.id)
        self.assertEqual(out["service_account"]["id"], self.sa_togo.id)
        self.assertEqual(out["actor"]["id"], self.agent_tg.id)
        self.assertEqual((out["state"], out["installation_date"]), ("active", "2026-04-23"))
        asset = self.env["ov.asset"].browse(out["id"])
        self.assertEqual(asset.abs_sa_assignment_ids.account_id, self.sa_togo)

    def test_second_active_asset_for_a_serial_is_refused(self):
        body = {"partner_id": self.customer_tg.id, "lot_id": self.serials[0].id}
        before = self.env["ov.asset"].search_count([])
        self.assertError(self.api("POST", "/api/assets", body, token=self.tok_agent_tg), 409, "asset_exists")
        self.assertEqual(self.env["ov.asset"].search_count([]), before)

    def test_a_serial_another_sa_holds_answers_like_a_serial_out_of_reach(self):
        before = self.env["ov.asset"].search_count([])
        body = {"partner_id": self.customer_ke.id, "lot_id": self.serials[0].id}  # Togo's customer holds it
        held = self.assertError(self.api("POST", "/api/assets", body, token=self.tok_agent_ke), 404, "not_found")
        body = {"partner_id": self.customer_ke.id, "lot_id": 999_999_999}
        missing = self.assertError(self.api("POST", "/api/assets", body, token=self.tok_agent_ke), 404, "not_found")
        self.assertEqual(held["error"], missing["error"])
        self.assertEqual(list(held["details"]), list(missing["details"]))
        self.assertNotIn("active asset", str(held))
        self.assertEqual(self.env["ov.asset"].search_count([]), before)
        # Nor in the lot list.
        _s, payload, _r = self.api("GET", "/api/stock/lots?limit=200", token=self.tok_agent_ke)
        self.assertNotIn(self.serials[0].id, [lot["id"] for lot in payload["lots"]])
        _s, payload, _r = self.api("GET", "/api/stock/lots?limit=200", token=self.tok_agent_tg)
        self.assertIn(self.serials[0].id, [lot["id"] for lot in payload["lots"]])

    def test_swapping_in_a_serial_another_sa_holds_answers_404(self):
        path = f"/api/assets/{self.asset_ke.id}"
        self.assertError(
            self.api("PUT", path, {"lot_id": self.serials[0].id}, token=self.tok_agent_ke), 404, "not_found"
        )
        self.assertEqual(self.asset_ke.lot_id, self.serials[1])

    def test_bad_input_is_refused_and_nothing_written(self):
        before = self.env["ov.asset"].search_count([])
        cases = [
            ({"lot_id": self.spare[0].id}, 400, "invalid_body"),
            ({"partner_id": self.customer_tg.id}, 400, "invalid_body"),
            ({"partner_id": self.customer_tg.id, "lot_id": self.spare[0].id, "color": "red"}, 400, "invalid_body"),
            (
                {"partner_id": self.customer_tg.id, "lot_id": self.spare[0].id, "product_id": self.battery.id},
                400,
                "lot_product_mismatch",
            ),
            ({"partner_id": self.customer_ke.id, "lot_id": self.spare[0].id}, 404, "not_found"),
        ]
        for body, status, code in cases:
            with self.subTest(body=body):
                self.assertError(self.api("POST", "/api/assets", body, token=self.tok_agent_tg), status, code)
        self.assertEqual(self.env["ov.asset"].search_count([]), before)

    def test_every_route_needs_a_token(self):
        for method, path, body in [
            ("GET", "/api/assets", None),
            ("POST", "/api/assets", {}),
            ("GET", f"/api/assets/{self.asset_tg.id}", None),
            ("PUT", f"/api/assets/{self.asset_tg.id}", {}),
        ]:
            with self.subTest(path=path, method=method):
                self.assertError(self.api(method, path, body), 401, "unauthorized")

    def test_another_sa_asset_answers_404_everywhere(self):
        path = f"/api/assets/{self.asset_ke.id}"
        self.assertError(self.api("GET", path, token=self.tok_agent_tg), 404, "not_found")
        self.assertError(self.api("PUT", path, {"notes": "x"}, token=self.tok_agent_tg), 404, "not_found")
        self.assertFalse(self.asset_ke.notes)
        _s, payload, _r = self.api("GET", "/api/assets?limit=200", token=self.tok_agent_tg)
        ids = [a["id"] for a in payload["assets"]]
        self.assertIn(self.asset_tg.id, ids)
        self.assertNotIn(self.asset_ke.id, ids)

    def test_list_filters(self):
        _s, payload, _r = self.api(
            "GET", f"/api/assets?partner_id={self.customer_tg.id}&state=active", token=self.tok_agent_multi
        )
        self.assertEqual([a["id"] for a in payload["assets"]], [self.asset_tg.id])
        _s, payload, _r = self.api("GET", f"/api/assets?sa_id={self.sa_kenya.id}", token=self.tok_agent_multi)
        self.assertEqual([a["id"] for a in payload["assets"]], [self.asset_ke.id])
        _s, payload, _r = self.api("GET", "/api/assets?state=decommissioned", token=self.tok_agent_multi)
        self.assertEqual(payload["total"], 0)
        self.assertError(self.api("GET", "/api/assets?state=lost", token=self.tok_agent_tg), 400, "invalid_query")

    def test_read_one(self):
        status, payload, _r = self.api("GET", f"/api/assets/{self.asset_tg.id}", token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["asset"]["lot"]["serial"], self.serials[0].name)

    def test_update_repair_note_and_swap(self):
        path = f"/api/assets/{self.asset_tg.id}"
        status, payload, _r = self.api("PUT", path, {"repair_note": "Fuse replaced"}, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertIn("Fuse replaced", payload["asset"]["notes"])
        body = {"notes": "Roof", "repair_note": "Panel cleaned"}
        status, payload, _r = self.api("PUT", path, body, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertRegex(payload["asset"]["notes"], r"^Roof\n\d{4}-\d{2}-\d{2}: Panel cleaned$")
        status, payload, _r = self.api("PUT", path, {"lot_id": self.spare[1].id}, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["asset"]["lot"]["id"], self.spare[1].id)
        self.assertEqual(payload["asset"]["asset_code"], self.spare[1].name)
        # Swapping onto a serial that another active asset of the SA holds is refused, nothing changed;
        # onto one another SA holds, as if it did not exist.
        self.register(self.customer_tg, self.spare[0], self.sa_togo, self.agent_tg)
        self.assertError(
            self.api("PUT", path, {"lot_id": self.spare[0].id}, token=self.tok_agent_tg), 409, "asset_exists"
        )
        self.assertError(
            self.api("PUT", path, {"lot_id": self.serials[1].id}, token=self.tok_agent_tg), 404, "not_found"
        )
        self.assertEqual(self.asset_tg.lot_id, self.spare[1])

    def test_decommissioned_asset_no_longer_changes(self):
        path = f"/api/assets/{self.asset_tg.id}"
        status, payload, _r = self.api("PUT", path, {"state": "decommissioned"}, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertError(self.api("PUT", path, {"notes": "again"}, token=self.tok_agent_tg), 400, "invalid_state")

    def test_lot_lookup_says_who_holds_the_serial_to_its_sa_only(self):
        path = f"/api/stock/lots/{self.serials[0].name}"
        status, payload, _r = self.api("GET", path, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        holder = payload["holder"]
        self.assertEqual(holder["asset_id"], self.asset_tg.id)
        self.assertEqual(holder["customer"]["id"], self.customer_tg.id)
        self.assertEqual(holder["service_account"]["id"], self.sa_togo.id)
        # To another SA, a serial deployed at Togo's customer is as unknown as a name no lot has.
        held = self.assertError(self.api("GET", path, token=self.tok_agent_ke), 404, "not_found")
        unknown = self.assertError(self.api("GET", "/api/stock/lots/NO-SUCH-SERIAL", token=self.tok_agent_ke), 404)
        self.assertEqual(
            held["error"].replace(self.serials[0].name, "?"), unknown["error"].replace("NO-SUCH-SERIAL", "?")
        )
        _s, payload, _r = self.api("GET", f"/api/stock/lots/{self.spare[2].name}", token=self.tok_agent_tg)
        self.assertIsNone(payload["holder"])

    def test_list_queries_do_not_grow_with_the_page(self):
        lots = self.add_serials(self.kit, [f"T-SN-LIST-{i:02d}" for i in range(30)])
        partners = self.env["res.partner"]
        for i in range(3):
            partners |= self.env["res.partner"]._abs_create_customer({"name": f"Test List {i}"}, self.sa_togo, None)
        for index, lot in enumerate(lots):
            self.register(partners[index % 3], lot, self.sa_togo, self.agent_tg)
        self.api("GET", "/api/assets?limit=5", token=self.tok_agent_tg)  # warm the caches
        small = self.count_queries(lambda: self.api("GET", "/api/assets?limit=1", token=self.tok_agent_tg))
        with self.assertQueryCount(small + 1):
            status, payload, _r = self.api("GET", "/api/assets?limit=200", token=self.tok_agent_tg)
        self.assertEqual(status, 200)
        self.assertGreaterEqual(len(payload["assets"]), 31)
