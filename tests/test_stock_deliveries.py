from odoo.tests import tagged

from .common import AbsHttpCase, AbsStockFixturesMixin


class DeliveryCase(AbsStockFixturesMixin, AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_stock_fixtures()
        # A Togo order for one kit and two batteries; a Kenya order for one kit.
        cls.order_tg = cls.make_order(cls.sa_togo, cls.customer_tg, [(cls.kit, 1), (cls.battery, 2)], cls.agent_tg)
        cls.delivery_tg = cls.order_tg.picking_ids
        cls.order_ke = cls.make_order(cls.sa_kenya, cls.customer_ke, [(cls.kit, 1)], cls.agent_ke)
        cls.delivery_ke = cls.order_ke.picking_ids

    def url(self, picking, action=""):
        return f"/api/stock/deliveries/{picking.id}" + (f"/{action}" if action else "")

    def move_of(self, picking, product):
        return picking.move_ids.filtered(lambda m: m.product_id == product)

    def snapshot(self, picking):
        """What a refused request must leave untouched."""
        self.env.invalidate_all()
        return (
            picking.state,
            sorted((ml.lot_id.id, ml.quantity, ml.picked) for ml in picking.move_line_ids),
            self.env["stock.picking"].search_count([("backorder_id", "=", picking.id)]),
        )


@tagged("post_install", "-at_install")
class TestDeliveryGovernance(DeliveryCase):
    def test_confirmation_dual_writes_the_delivery_assignment(self):
        assignment = self.delivery_tg.abs_sa_assignment_ids
        self.assertEqual(len(self.delivery_tg), 1)
        self.assertEqual(assignment.account_id, self.sa_togo)
        self.assertEqual(assignment.actor_id, self.agent_tg)
        self.assertEqual(assignment.state, "active")
        self.assertEqual(self.delivery_tg.abs_sa_id, self.sa_togo)
        self.assertEqual(self.delivery_ke.abs_sa_id, self.sa_kenya)

    def test_order_without_sa_gives_ungoverned_delivery(self):
        order = self.make_order(None, self.customer_tg, [(self.battery, 1)])
        self.assertFalse(order.picking_ids.abs_sa_assignment_ids)
        self.assertFalse(order.picking_ids.abs_sa_id)

    def test_backend_validation_dual_writes_when_order_was_stamped_late(self):
        order = self.make_order(None, self.customer_tg, [(self.battery, 1)])
        picking = order.picking_ids
        # Stamping the order (a backend write) governs its delivery at once (sale.order.write).
        order.x_sa_id = self.sa_togo
        self.assertEqual(picking.abs_sa_assignment_ids.account_id, self.sa_togo)
        # The backend path: Odoo's own validation button, no API involved.
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.abs_sa_assignment_ids.account_id, self.sa_togo)
        self.assertEqual(picking.abs_sa_id, self.sa_togo)

    def test_validation_does_not_duplicate_the_assignment(self):
        self.delivery_tg._abs_validate_delivery(None, False, actor=self.agent_tg)
        self.assertEqual(self.delivery_tg.state, "done")
        self.assertEqual(len(self.delivery_tg.abs_sa_assignment_ids), 1)

    def test_lot_sa_is_the_sa_of_its_last_delivery_and_searchable(self):
        lot = self.delivery_tg.move_line_ids.lot_id
        self.assertFalse(lot.abs_sa_id)
        self.delivery_tg._abs_validate_delivery(None, False)
        lot.invalidate_recordset(["abs_sa_id"])
        self.assertEqual(lot.abs_sa_id, self.sa_togo)
        Lot = self.env["stock.lot"]
        self.assertIn(lot, Lot.search([("abs_sa_id", "=", self.sa_togo.id)]))
        self.assertNotIn(lot, Lot.search([("abs_sa_id", "=", self.sa_kenya.id)]))
        self.assertNotIn(lot, Lot.search([("abs_sa_id", "=", False)]))
        self.assertIn(self.serials[-1], Lot.search([("abs_sa_id", "=", False)]))


@tagged("post_install", "-at_install")
class TestDeliveryList(DeliveryCase):
    def test_agent_lists_the_deliveries_of_its_sa_only(self):
        status, payload, _r = self.api("GET", "/api/stock/deliveries", token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        ids = [d["id"] for d in payload["deliveries"]]
        self.assertIn(self.delivery_tg.id, ids)
        self.assertNotIn(self.delivery_ke.id, ids)
        item = next(d for d in payload["deliveries"] if d["id"] == self.delivery_tg.id)
        self.assertEqual(item["sale_order"], {"id": self.order_tg.id, "name": self.order_tg.name})
        self.assertEqual(item["partner"]["id"], self.customer_tg.id)
        self.assertEqual(item["location_from"]["id"], self.stock_location.id)
        self.assertEqual(item["location_to"]["id"], self.customer_location.id)
        self.assertEqual(item["move_count"], 2)
        self.assertEqual(item["origin"], self.order_tg.name)
        self.assertIsNone(item["date_done"])
        self.assertEqual(
            set(item),
            {
                "id",
                "name",
                "state",
                "scheduled_date",
                "date_done",
                "origin",
                "partner",
                "sale_order",
                "location_from",
                "location_to",
                "move_count",
            },
        )
        self.assertEqual((payload["page"], payload["limit"]), (1, 20))

    def test_filters_state_warehouse_and_sale_order(self):
        path = f"/api/stock/deliveries?sale_order_id={self.order_tg.id}&warehouse_id={self.warehouse.id}"
        _s, payload, _r = self.api("GET", path, token=self.tok_agent_tg)
        self.assertEqual([d["id"] for d in payload["deliveries"]], [self.delivery_tg.id])
        self.assertEqual(payload["total"], 1)
        _s, payload, _r = self.api("GET", path + "&state=done", token=self.tok_agent_tg)
        self.assertEqual(payload["deliveries"], [])
        self.delivery_tg._abs_validate_delivery(None, False)
        _s, payload, _r = self.api("GET", path + "&state=done", token=self.tok_agent_tg)
        self.assertEqual([d["state"] for d in payload["deliveries"]], ["done"])
        # Default: done deliveries are not listed.
        _s, payload, _r = self.api("GET", path, token=self.tok_agent_tg)
        self.assertEqual(payload["deliveries"], [])

    def test_api_key_sees_every_sa_and_x_sa_id_narrows(self):
        key = self.new_api_key()
        _s, payload, _r = self.api("GET", "/api/stock/deliveries?limit=200", api_key=key)
        ids = {d["id"] for d in payload["deliveries"]}
        self.assertTrue({self.delivery_tg.id, self.delivery_ke.id} <= ids)
        _s, payload, _r = self.api("GET", "/api/stock/deliveries?limit=200", api_key=key, sa=self.sa_kenya)
        ids = {d["id"] for d in payload["deliveries"]}
        self.assertIn(self.delivery_ke.id, ids)
        self.assertNotIn(self.delivery_tg.id, ids)

    def test_bad_query_is_400(self):
        self.assertError(
            self.api("GET", "/api/stock/deliveries?limit=201", token=self.tok_agent_tg), 400, "invalid_query"
        )
        self.assertError(
            self.api("GET", "/api/stock/deliveries?state=shipped", token=self.tok_agent_tg), 400, "invalid_query"
        )
        self.assertError(
            self.api("GET", "/api/stock/deliveries?warehouse_id=-3", token=self.tok_agent_tg), 400, "invalid_query"
        )

    def test_list_without_or_with_bad_token_is_401(self):
        self.assertError(self.api("GET", "/api/stock/deliveries"), 401, "unauthorized")
        self.assertError(self.api("GET", "/api/stock/deliveries", token="not-a-jwt"), 401, "unauthorized")

    def test_query_count_does_not_grow_with_page_size(self):
        for index in range(25):
            partner = self.customer_tg if index % 2 else self.env["res.partner"].create({"name": f"Test Buyer {index}"})
            self.make_order(self.sa_togo, partner, [(self.battery, 1)], self.agent_tg)
        path = "/api/stock/deliveries?limit=%d"
        self.api("GET", path % 20, token=self.tok_agent_tg)  # warm the caches (ormcache, routing)
        small = self.count_queries(
            lambda: self.assertEqual(len(self.api("GET", path % 20, token=self.tok_agent_tg)[1]["deliveries"]), 20)
        )
        with self.assertQueryCount(small + 2):
            status, payload, _r = self.api("GET", path % 200, token=self.tok_agent_tg)
        self.assertEqual(status, 200)
        self.assertGreaterEqual(len(payload["deliveries"]), 26)


@tagged("post_install", "-at_install")
class TestDeliveryDetail(DeliveryCase):
    def test_detail_has_lines_and_reserved_serials(self):
        status, payload, _r = self.api("GET", self.url(self.delivery_tg), token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        delivery = payload["delivery"]
        self.assertEqual(delivery["id"], self.delivery_tg.id)
        self.assertEqual(delivery["service_account"]["id"], self.sa_togo.id)
        kit_line = next(line for line in delivery["lines"] if line["product"]["id"] == self.kit.id)
        kit_move = self.move_of(self.delivery_tg, self.kit)
        self.assertEqual(kit_line["id"], kit_move.id)
        self.assertEqual((kit_line["qty_ordered"], kit_line["qty_done"], kit_line["tracking"]), (1.0, 0.0, "serial"))
        self.assertEqual(kit_line["lot_ids"], kit_move.move_line_ids.lot_id.ids)
        self.assertEqual(len(kit_line["lot_ids"]), 1)
        self.assertEqual(kit_line["move_lines"][0]["lot_name"], kit_move.move_line_ids.lot_id.name)
        self.assertEqual(kit_line["uom"]["id"], self.kit.uom_id.id)

    def test_detail_unknown_or_other_sa_is_404(self):
        self.assertError(self.api("GET", "/api/stock/deliveries/999999", token=self.tok_agent_tg), 404, "not_found")
        self.assertError(self.api("GET", self.url(self.delivery_tg), token=self.tok_agent_ke), 404, "not_found")

    def test_other_sa_gets_404_on_every_route(self):
        before = self.snapshot(self.delivery_tg)
        kit_move = self.move_of(self.delivery_tg, self.kit)
        for method, path, body in [
            ("GET", self.url(self.delivery_tg), None),
            ("POST", self.url(self.delivery_tg, "validate"), {}),
            ("POST", self.url(self.delivery_tg, "validate"), {"lines": [{"move_id": kit_move.id, "qty_done": 1}]}),
            ("POST", self.url(self.delivery_tg, "return"), {}),
        ]:
            with self.subTest(method=method, path=path):
                self.assertError(self.api(method, path, body, token=self.tok_agent_ke), 404, "not_found")
                self.assertError(self.api(method, path, body, token=self.tok_agent_multi, sa=self.sa_kenya), 404)
        self.assertEqual(self.snapshot(self.delivery_tg), before)

    def test_routes_without_or_with_bad_token_are_401(self):
        for method, path in [
            ("GET", self.url(self.delivery_tg)),
            ("POST", self.url(self.delivery_tg, "validate")),
            ("POST", self.url(self.delivery_tg, "return")),
        ]:
            with self.subTest(path=path):
                self.assertError(self.api(method, path, {} if method == "POST" else None), 401)
                self.assertError(self.api(method, path, {} if method == "POST" else None, token="x.y.z"), 401)
                self.assertError(
                    self.api(
                        method, path, {} if method == "POST" else None, token=self.customer_token_for(self.customer_tg)
                    ),
                    401,
                )


@tagged("post_install", "-at_install")
class TestDeliveryValidate(DeliveryCase):
    def test_validate_everything_reserved_ships_the_serial_to_the_customer(self):
        lot = self.move_of(self.delivery_tg, self.kit).move_line_ids.lot_id
        status, payload, _r = self.api("POST", self.url(self.delivery_tg, "validate"), {}, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["message"], "Delivery validated")
        self.assertEqual(payload["delivery"]["state"], "done")
        self.assertTrue(payload["delivery"]["date_done"])
        self.assertIsNone(payload["backorder"])
        self.env.invalidate_all()
        self.assertEqual(self.delivery_tg.state, "done")
        self.assertEqual(self.qty_at(lot, self.stock_location), 0)
        self.assertEqual(self.qty_at(lot, self.customer_location), 1)
        self.assertEqual(self.order_tg.order_line.mapped("qty_delivered"), [1.0, 2.0])
        self.assertEqual(len(self.delivery_tg.abs_sa_assignment_ids), 1)

    def test_validate_with_the_serial_named_by_the_agent(self):
        kit_move = self.move_of(self.delivery_tg, self.kit)
        battery_move = self.move_of(self.delivery_tg, self.battery)
        chosen = self.serials.filtered(
            lambda s: s not in kit_move.move_line_ids.lot_id and s not in self.delivery_ke.move_line_ids.lot_id
        )[0]
        body = {
            "lines": [
                {"move_id": kit_move.id, "qty_done": 1, "lot_name": chosen.name},
                {"move_id": battery_move.id, "qty_done": 2},
            ]
        }
        status, payload, _r = self.api("POST", self.url(self.delivery_tg, "validate"), body, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.env.invalidate_all()
        self.assertEqual(kit_move.move_line_ids.lot_id, chosen)
        self.assertEqual(self.qty_at(chosen, self.customer_location), 1)
        self.assertEqual(self.qty_at(chosen, self.stock_location), 0)

    def test_bad_bodies_are_400_and_write_nothing(self):
        kit_move = self.move_of(self.delivery_tg, self.kit)
        battery_move = self.move_of(self.delivery_tg, self.battery)
        lot = kit_move.move_line_ids.lot_id
        before = self.snapshot(self.delivery_tg)
        path = self.url(self.delivery_tg, "validate")
        cases = [
            ({"force": True}, 400, "invalid_body"),
            (
                {"lines": [{"move_id": kit_move.id, "qty_done": 1, "lot_id": lot.id, "color": "red"}]},
                400,
                "invalid_body",
            ),
            ({"lines": [{"move_id": kit_move.id, "qty_done": 0, "lot_id": lot.id}]}, 400, "invalid_body"),
            ({"lines": [{"move_id": kit_move.id, "qty_done": -1, "lot_id": lot.id}]}, 400, "invalid_body"),
            ({"lines": [{"move_id": kit_move.id, "qty_done": 1e300, "lot_id": lot.id}]}, 400, "invalid_body"),
            (
                {"lines": [{"move_id": kit_move.id, "qty_done": 1, "lot_id": lot.id, "lot_name": lot.name}]},
                400,
                "invalid_body",
            ),
            ({"lines": []}, 400, "invalid_body"),
            # partial (the batteries are missing) without force_backorder
            ({"lines": [{"move_id": kit_move.id, "qty_done": 1, "lot_id": lot.id}]}, 400, "partial_delivery"),
            (
                {"lines": [{"move_id": kit_move.id, "qty_done": 1}, {"move_id": battery_move.id, "qty_done": 2}]},
                400,
                "lot_required",
            ),
            (
                {
                    "lines": [
                        {"move_id": kit_move.id, "qty_done": 1, "lot_id": lot.id},
                        {"move_id": battery_move.id, "qty_done": 2, "lot_id": lot.id},
                    ]
                },
                400,
                "lot_not_tracked",
            ),
            (
                {"lines": [{"move_id": self.delivery_ke.move_ids.id, "qty_done": 1, "lot_id": lot.id}]},
                400,
                "move_not_in_delivery",
            ),
            (
                {
                    "lines": [
                        {"move_id": kit_move.id, "qty_done": 1, "lot_id": 99999999},
                        {"move_id": battery_move.id, "qty_done": 2},
                    ]
                },
                404,
                "lot_not_found",
            ),
            (
                {
                    "lines": [
                        {"move_id": kit_move.id, "qty_done": 1, "lot_name": "NO-SUCH-SERIAL"},
                        {"move_id": battery_move.id, "qty_done": 2},
                    ]
                },
                404,
                "lot_not_found",
            ),
            (
                {
                    "lines": [
                        {"move_id": kit_move.id, "qty_done": 1, "lot_id": lot.id},
                        {"move_id": battery_move.id, "qty_done": 3},
                    ]
                },
                400,
                "over_delivery",
            ),
        ]
        for body, status, code in cases:
            with self.subTest(body=body):
                self.assertError(self.api("POST", path, body, token=self.tok_agent_tg), status, code)
                self.assertEqual(self.snapshot(self.delivery_tg), before)
        self.assertError(self.api("POST", path, raw="{not json", token=self.tok_agent_tg), 400, "invalid_json")
        self.assertEqual(self.snapshot(self.delivery_tg), before)

    def test_serial_already_delivered_is_409(self):
        lot = self.move_of(self.delivery_tg, self.kit).move_line_ids.lot_id
        self.delivery_tg._abs_validate_delivery(None, False)
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], self.agent_tg)
        picking = order.picking_ids
        before = self.snapshot(picking)
        body = {"lines": [{"move_id": picking.move_ids.id, "qty_done": 1, "lot_id": lot.id}]}
        payload = self.assertError(
            self.api("POST", self.url(picking, "validate"), body, token=self.tok_agent_tg), 409, "serial_unavailable"
        )
        self.assertIn(lot.name, payload["error"])
        self.assertEqual(self.snapshot(picking), before)

    def test_serial_held_in_another_location_is_409(self):
        van = self.env["stock.location"].create(
            {"name": "Test Van", "usage": "internal", "location_id": self.warehouse.view_location_id.id}
        )
        lot = self.add_serials(self.kit, ["T-SN-VAN"], location=van)
        kit_move = self.move_of(self.delivery_tg, self.kit)
        battery_move = self.move_of(self.delivery_tg, self.battery)
        before = self.snapshot(self.delivery_tg)
        body = {
            "lines": [
                {"move_id": kit_move.id, "qty_done": 1, "lot_id": lot.id},
                {"move_id": battery_move.id, "qty_done": 2},
            ]
        }
        self.assertError(
            self.api("POST", self.url(self.delivery_tg, "validate"), body, token=self.tok_agent_tg),
            409,
            "serial_unavailable",
        )
        self.assertEqual(self.snapshot(self.delivery_tg), before)
        self.assertEqual(self.qty_at(lot, van), 1)

    def test_validate_without_serials_in_stock_is_409(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 10)], self.agent_tg)
        picking = order.picking_ids
        before = self.snapshot(picking)
        self.assertError(
            self.api("POST", self.url(picking, "validate"), {}, token=self.tok_agent_tg), 409, "serial_unavailable"
        )
        self.assertEqual(self.snapshot(picking), before)

    def test_force_backorder_delivers_part_and_governs_the_backorder(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 2)], self.agent_tg)
        picking = order.picking_ids
        move = picking.move_ids
        lot = move.move_line_ids.lot_id[:1]
        body = {"force_backorder": True, "lines": [{"move_id": move.id, "qty_done": 1, "lot_id": lot.id}]}
        status, payload, _r = self.api("POST", self.url(picking, "validate"), body, token=self.tok_manager_tg)
        self.assertEqual(status, 200, payload)
        self.env.invalidate_all()
        backorder = self.env["stock.picking"].browse(payload["backorder"]["id"])
        self.assertEqual(backorder.backorder_id, picking)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.move_ids.quantity, 1)
        self.assertEqual(backorder.move_ids.product_uom_qty, 1)
        self.assertEqual(backorder.abs_sa_id, self.sa_togo)
        self.assertEqual(backorder.abs_sa_assignment_ids.account_id, self.sa_togo)
        self.assertEqual(self.qty_at(lot, self.customer_location), 1)
        # The backorder is listed and can be validated in turn.
        status, payload, _r = self.api("POST", self.url(backorder, "validate"), {}, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertIsNone(payload["backorder"])

    def test_validate_done_delivery_again_is_400(self):
        self.delivery_tg._abs_validate_delivery(None, False)
        self.assertError(
            self.api("POST", self.url(self.delivery_tg, "validate"), {}, token=self.tok_agent_tg), 400, "invalid_state"
        )

    def test_api_key_validates_any_sa_delivery(self):
        status, payload, _r = self.api("POST", self.url(self.delivery_ke, "validate"), {}, api_key=self.new_api_key())
        self.assertEqual(status, 200, payload)
        self.env.invalidate_all()
        self.assertEqual(self.delivery_ke.state, "done")


@tagged("post_install", "-at_install")
class TestDeliveryReturn(DeliveryCase):
    def test_return_everything_puts_the_serial_back_in_stock(self):
        lot = self.move_of(self.delivery_tg, self.kit).move_line_ids.lot_id
        self.delivery_tg._abs_validate_delivery(None, False)
        status, payload, _r = self.api(
            "POST", self.url(self.delivery_tg, "return"), {"reason": "Faulty panel"}, token=self.tok_agent_tg
        )
        self.assertEqual(status, 200, payload)
        self.env.invalidate_all()
        return_picking = self.env["stock.picking"].browse(payload["return_picking"]["id"])
        self.assertEqual(return_picking.state, "done")
        self.assertEqual(return_picking.return_id, self.delivery_tg)
        self.assertEqual(return_picking.abs_sa_id, self.sa_togo)
        self.assertEqual(self.qty_at(lot, self.stock_location), 1)
        self.assertEqual(self.qty_at(lot, self.customer_location), 0)
        self.assertIn("Faulty panel", "".join(return_picking.message_ids.mapped("body")))
        # Nothing is left to return, and the serial can be delivered again.
        self.assertError(
            self.api("POST", self.url(self.delivery_tg, "return"), {}, token=self.tok_agent_tg),
            400,
            "nothing_to_return",
        )
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], self.agent_tg)
        body = {"lines": [{"move_id": order.picking_ids.move_ids.id, "qty_done": 1, "lot_id": lot.id}]}
        status, payload, _r = self.api("POST", self.url(order.picking_ids, "validate"), body, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)

    def test_return_one_serial_by_line(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 2)], self.agent_tg)
        picking = order.picking_ids
        picking._abs_validate_delivery(None, False)
        lots = picking.move_line_ids.lot_id
        self.assertEqual(len(lots), 2)
        body = {"lines": [{"product_id": self.kit.id, "quantity": 1, "lot_id": lots[1].id}]}
        status, payload, _r = self.api("POST", self.url(picking, "return"), body, token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.env.invalidate_all()
        self.assertEqual(self.qty_at(lots[1], self.stock_location), 1)
        self.assertEqual(self.qty_at(lots[0], self.customer_location), 1)
        # The same serial cannot come back twice.
        self.assertError(
            self.api("POST", self.url(picking, "return"), body, token=self.tok_agent_tg), 409, "over_return"
        )

    def test_return_refusals_write_nothing(self):
        returns = self.env["stock.picking"].search_count([("return_id", "=", self.delivery_tg.id)])
        self.assertError(
            self.api("POST", self.url(self.delivery_tg, "return"), {}, token=self.tok_agent_tg), 400, "not_returnable"
        )
        self.delivery_tg._abs_validate_delivery(None, False)
        other_lot = self.serials.filtered(lambda s: s not in self.delivery_tg.move_line_ids.lot_id)[0]
        for body, status, code in [
            (
                {"lines": [{"product_id": self.kit.id, "quantity": 1, "lot_id": other_lot.id}]},
                400,
                "lot_not_in_delivery",
            ),
            ({"lines": [{"product_id": self.customer_tg.id + 10**6, "quantity": 1}]}, 400, "product_not_in_delivery"),
            ({"lines": [{"product_id": self.battery.id, "quantity": 5}]}, 409, "over_return"),
            ({"lines": [{"product_id": self.battery.id, "quantity": 1}], "why": "?"}, 400, "invalid_body"),
        ]:
            with self.subTest(body=body):
                self.assertError(
                    self.api("POST", self.url(self.delivery_tg, "return"), body, token=self.tok_agent_tg), status, code
                )
        self.assertEqual(self.env["stock.picking"].search_count([("return_id", "=", self.delivery_tg.id)]), returns)


@tagged("post_install", "-at_install")
class TestStockInvariants(DeliveryCase):
    """Whatever the API is asked, tracked stock never goes negative and never reserves more than is there."""

    def assert_tracked_stock_sane(self):
        self.env.invalidate_all()
        quants = self.env["stock.quant"].search(
            [("product_id.tracking", "!=", "none"), ("location_id.usage", "=", "internal")]
        )
        self.assertTrue(quants)
        for quant in quants:
            self.assertGreaterEqual(quant.quantity, 0, quant.lot_id.name)
            self.assertLessEqual(quant.reserved_quantity, quant.quantity, quant.lot_id.name)
            if quant.lot_id and quant.product_id.tracking == "serial":
                self.assertLessEqual(quant.quantity, 1, f"serial {quant.lot_id.name} counted twice")

    def test_order_beyond_stock_reserves_what_exists_and_delivers_no_more(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 5)], self.agent_tg)
        delivery = order.picking_ids
        kit_move = delivery.move_ids
        self.assertEqual(kit_move.quantity, 2, "only the two free serials can be reserved")
        self.assert_tracked_stock_sane()
        # Everything at the ordered quantity is more than exists: refused, nothing moves.
        self.assertError(
            self.api("POST", self.url(delivery, "validate"), {}, token=self.tok_agent_tg), 409, "serial_unavailable"
        )
        self.assert_tracked_stock_sane()
        self.assertEqual(delivery.state, "assigned")
        # What is reserved goes out; the rest waits in a backorder.
        status, payload, _r = self.api(
            "POST", self.url(delivery, "validate"), {"force_backorder": True}, token=self.tok_agent_tg
        )
        self.assertEqual(status, 200, payload)
        self.assertEqual(delivery.state, "done")
        self.assertEqual(sum(delivery.move_ids.mapped("quantity")), 2)
        backorder = self.env["stock.picking"].browse(payload["backorder"]["id"])
        self.assertEqual(backorder.move_ids.product_uom_qty, 3)
        self.assert_tracked_stock_sane()
        # Delivering one of the shipped serials again through another order is refused.
        shipped = delivery.move_line_ids.lot_id[0]
        self.assertError(
            self.api(
                "POST",
                self.url(self.delivery_ke, "validate"),
                {"lines": [{"move_id": self.delivery_ke.move_ids.id, "qty_done": 1, "lot_id": shipped.id}]},
                token=self.tok_agent_ke,
            ),
            409,
            "serial_unavailable",
        )
        self.assert_tracked_stock_sane()


@tagged("post_install", "-at_install")
class TestGovernedPickingsInStockReads(DeliveryCase):
    """The return of an SA Togo delivery is an incoming picking governed by SA Togo: the stock reads that
    reach incoming pickings and moves (receipts, movements) follow SA scope like the delivery routes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.delivery_tg._abs_validate_delivery(None, False)
        cls.return_tg = cls.delivery_tg._abs_return_delivery(None, "Faulty")
        cls.serial_tg = cls.delivery_tg.move_line_ids.lot_id
        # A supplier receipt: company-level, governed by no SA.
        cls.receipt = cls.env["stock.picking"]._abs_receive([{"product_id": cls.battery.id, "quantity": 3}])

    def receipt_ids(self, **auth):
        status, payload, _r = self.api("GET", "/api/stock/receipts?state=done&limit=200", **auth)
        self.assertEqual(status, 200, payload)
        return [receipt["id"] for receipt in payload["receipts"]]

    def movement_pickings(self, **auth):
        status, payload, _r = self.api("GET", f"/api/stock/movements?lot_id={self.serial_tg.id}&limit=200", **auth)
        self.assertEqual(status, 200, payload)
        return {(m["picking"] or {}).get("id") for m in payload["movements"]}

    def test_return_is_governed_by_the_sa_of_its_delivery(self):
        self.assertEqual(self.return_tg.picking_type_code, "incoming")
        self.assertEqual(self.return_tg.abs_sa_id, self.sa_togo)

    def test_kenya_agent_cannot_see_a_togo_return_in_receipts(self):
        for auth in ({"token": self.tok_agent_ke}, {"token": self.tok_agent_multi, "sa": self.sa_kenya}):
            with self.subTest(auth=auth):
                ids = self.receipt_ids(**auth)
                self.assertNotIn(self.return_tg.id, ids)
                self.assertIn(self.receipt.id, ids)
                self.assertError(self.api("GET", f"/api/stock/receipts/{self.return_tg.id}", **auth), 404, "not_found")

    def test_kenya_agent_cannot_see_togo_moves_in_movements(self):
        pickings = self.movement_pickings(token=self.tok_agent_ke)
        self.assertNotIn(self.return_tg.id, pickings)
        self.assertNotIn(self.delivery_tg.id, pickings)

    def test_togo_agent_sees_its_return_everywhere(self):
        self.assertIn(self.return_tg.id, self.receipt_ids(token=self.tok_agent_tg))
        self.assertIn(self.receipt.id, self.receipt_ids(token=self.tok_agent_tg))
        status, payload, _r = self.api("GET", f"/api/stock/receipts/{self.return_tg.id}", token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["receipt"]["supplier"]["id"], self.customer_tg.id)
        self.assertEqual(payload["receipt"]["lines"][0]["lot_ids"], self.serial_tg.ids)
        self.assertTrue({self.return_tg.id, self.delivery_tg.id} <= self.movement_pickings(token=self.tok_agent_tg))

    def test_api_key_sees_every_sa_and_x_sa_id_narrows(self):
        key = self.new_api_key()
        self.assertIn(self.return_tg.id, self.receipt_ids(api_key=key))
        self.assertNotIn(self.return_tg.id, self.receipt_ids(api_key=key, sa=self.sa_kenya))
        self.assertIn(self.return_tg.id, self.movement_pickings(api_key=key))
