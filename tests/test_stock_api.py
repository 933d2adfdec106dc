from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from ..exceptions import AbsConflict, AbsInvalid, AbsNotFound
from ..refusals import stock as rules
from .common import AbsHttpCase, AbsStockFixturesMixin, AbsWarehouseFixturesMixin


class StockCase(AbsWarehouseFixturesMixin, AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_warehouse_fixtures()

    def get(self, path, token=None, **kwargs):
        return self.api("GET", path, token=token or self.tok_agent_tg, **kwargs)

    def post(self, path, body, token=None, **kwargs):
        return self.api("POST", path, body, token=token or self.tok_manager_tg, **kwargs)

    def ok(self, result, status=200):
        got, payload, _r = result
        self.assertEqual(got, status, payload)
        self.assertIs(payload["success"], True)
        return payload

    def snapshot(self):
        """Row counts of everything a stock write may create."""
        self.env.invalidate_all()
        return {
            model: self.env[model].search_count([])
            for model in ("stock.picking", "stock.move", "stock.move.line", "stock.lot", "stock.quant", "stock.scrap")
        }

    def assertNothingWritten(self, before):
        self.assertEqual(self.snapshot(), before)

    def on_hand(self, product, location, lot=None):
        self.env.invalidate_all()
        quants = self.env["stock.quant"].search(
            [
                ("product_id", "=", product.id),
                ("location_id", "=", location.id),
                ("lot_id", "=", lot.id if lot else False),
            ]
        )
        return sum(quants.mapped("quantity"))


@tagged("post_install", "-at_install")
class TestStockReads(StockCase):
    def test_warehouses_list_named_locations_of_own_company_only(self):
        payload = self.ok(self.get("/api/warehouses"))
        by_id = {wh["id"]: wh for wh in payload["warehouses"]}
        self.assertIn(self.warehouse.id, by_id)
        self.assertNotIn(self.other_warehouse.id, by_id)
        wh = by_id[self.warehouse.id]
        self.assertEqual(wh["short_name"], self.warehouse.code)
        self.assertEqual(wh["company"]["id"], self.env.company.id)
        self.assertEqual(wh["locations"]["stock"], {"id": self.stock_loc.id, "name": self.stock_loc.complete_name})
        self.assertEqual(set(wh["locations"]), {"input", "stock", "pack", "output"})
        # One-step delivery: Odoo archives WH/Output, which no operation may use; it is shown as null.
        self.assertEqual(self.warehouse.delivery_steps, "ship_only")
        self.assertIsNone(wh["locations"]["output"])

    def test_reads_without_or_with_bad_token_are_401(self):
        self.assertError(self.api("GET", "/api/stock/levels"), 401, "unauthorized")
        self.assertError(self.api("GET", "/api/stock/lots", token="not.a.jwt"), 401, "unauthorized")
        self.assertError(self.api("GET", "/api/warehouses", api_key="wrong-key"), 401, "unauthorized")

    def test_levels_per_product_and_location(self):
        payload = self.ok(self.get(f"/api/stock/levels?product_id={self.kit.id}"))
        self.assertEqual(payload["limit"], 50)
        levels = {lvl["location"]["id"]: lvl for lvl in payload["levels"]}
        self.assertEqual(payload["total"], 2)
        self.assertEqual(levels[self.stock_loc.id]["qty_on_hand"], self.KIT_SERIALS - 1)
        self.assertEqual(levels[self.shelf.id]["qty_available"], 1)
        self.assertEqual(levels[self.shelf.id]["product"]["id"], self.kit.id)

    def test_levels_filtered_by_foreign_warehouse_is_404(self):
        self.assertError(self.get(f"/api/stock/levels?warehouse_id={self.other_warehouse.id}"), 404, "not_found")

    def test_another_sas_own_product_is_not_shown(self):
        # The warehouse is shared; an SA's own catalogue product is not (found by the BOLA matrix).
        own = self.env["product.product"].create(
            {"name": "Test Kenya-only Lamp", "is_storable": True, "type": "consu", "x_sa_id": self.sa_kenya.id}
        )
        self.env["stock.quant"]._update_available_quantity(own, self.stock_loc, 5)
        listed = self.ok(self.get("/api/stock/levels?limit=200"))
        self.assertNotIn(own.id, {level["product"]["id"] for level in listed["levels"]})
        self.assertError(self.get(f"/api/stock/levels/{own.id}"), 404, "not_found")
        kenya = self.ok(self.get(f"/api/stock/levels/{own.id}", token=self.tok_agent_ke))
        self.assertEqual(kenya["totals"]["qty_on_hand"], 5)

    def test_levels_limit_above_200_is_400(self):
        self.assertError(self.get("/api/stock/levels?limit=201"), 400, "invalid_query")

    def test_levels_query_count_does_not_grow_with_page_size(self):
        small = self.count_queries(lambda: self.ok(self.get("/api/stock/levels?limit=20")))
        big_payload = {}
        big = self.count_queries(lambda: big_payload.update(self.ok(self.get("/api/stock/levels?limit=200"))))
        self.assertGreater(len(big_payload["levels"]), 25)
        self.assertLessEqual(big, small + 2)

    def test_product_levels_totals_and_forecast_include_incoming(self):
        self.ok(
            self.post(
                "/api/stock/receive",
                {
                    "warehouse_id": self.warehouse.id,
                    "validate": False,
                    "lines": [{"product_id": self.bracket.id, "qty": 4}],
                },
            ),
            201,
        )
        payload = self.ok(self.get(f"/api/stock/levels/{self.bracket.id}?warehouse_id={self.warehouse.id}"))
        self.assertEqual(payload["product"]["tracking"], "none")
        self.assertEqual(payload["totals"]["qty_on_hand"], 10)
        self.assertEqual(payload["totals"]["qty_forecasted"], 14)
        self.assertEqual([lvl["location"]["id"] for lvl in payload["by_location"]], [self.stock_loc.id])

    def test_product_levels_of_unknown_or_foreign_product_is_404(self):
        self.assertError(self.get("/api/stock/levels/999999999"), 404, "not_found")
        self.assertError(self.get(f"/api/stock/levels/{self.other_product.id}"), 404, "not_found")

    def test_lots_filters_and_quantity(self):
        payload = self.ok(self.get(f"/api/stock/lots?product_id={self.kit.id}"))
        self.assertEqual(payload["total"], self.KIT_SERIALS)
        self.assertEqual(payload["limit"], 20)
        exact = self.ok(self.get("/api/stock/lots?serial=T-SN-001"))["lots"]
        self.assertEqual([(lot["serial"], lot["qty_on_hand"]) for lot in exact], [("T-SN-001", 1.0)])
        partial = self.ok(self.get("/api/stock/lots?q=CBL-LOT"))["lots"]
        self.assertEqual([(lot["id"], lot["qty_on_hand"]) for lot in partial], [(self.cable_lot.id, 50.0)])
        no_stock = self.ok(self.get("/api/stock/lots?serial=T-BAT-001"))["lots"]
        self.assertEqual(no_stock[0]["qty_on_hand"], 0.0)

    def test_lots_hide_other_company(self):
        self.assertEqual(self.ok(self.get("/api/stock/lots?serial=T-FOREIGN-001"))["total"], 0)

    def test_lots_query_count_does_not_grow_with_page_size(self):
        small = self.count_queries(lambda: self.ok(self.get("/api/stock/lots?limit=20")))
        big_payload = {}
        big = self.count_queries(lambda: big_payload.update(self.ok(self.get("/api/stock/lots?limit=200"))))
        self.assertGreater(len(big_payload["lots"]), 25)
        self.assertLessEqual(big, small + 2)

    def test_lot_lookup_locates_the_serial(self):
        payload = self.ok(self.get(f"/api/stock/lots/{self.kit_lots[-1].name}"))
        self.assertEqual(payload["lot"]["id"], self.kit_lots[-1].id)
        self.assertEqual(payload["lot"]["product"]["id"], self.kit.id)
        self.assertEqual(
            [(loc["location"]["id"], loc["qty_on_hand"]) for loc in payload["locations"]], [(self.shelf.id, 1.0)]
        )

    def test_lot_lookup_of_unknown_or_foreign_serial_is_404(self):
        self.assertError(self.get("/api/stock/lots/NO-SUCH-SERIAL"), 404, "not_found")
        self.assertError(self.get("/api/stock/lots/T-FOREIGN-001"), 404, "not_found")

    def test_receipts_list_and_detail_with_lots(self):
        created = self.ok(
            self.post(
                "/api/stock/receive",
                {
                    "warehouse_id": self.warehouse.id,
                    "partner_id": self.supplier.id,
                    "lines": [{"product_id": self.battery.id, "qty": 1, "lot_name": "T-BAT-NEW-1"}],
                },
            ),
            201,
        )
        picking_id = created["picking"]["id"]
        listed = self.ok(self.get(f"/api/stock/receipts?state=done&partner_id={self.supplier.id}"))
        self.assertEqual([r["id"] for r in listed["receipts"]], [picking_id])
        self.assertEqual(listed["receipts"][0]["move_count"], 1)
        self.assertEqual(listed["receipts"][0]["supplier"]["id"], self.supplier.id)
        self.assertEqual(self.ok(self.get(f"/api/stock/receipts?partner_id={self.supplier.id}"))["total"], 0)
        detail = self.ok(self.get(f"/api/stock/receipts/{picking_id}"))["receipt"]
        lot = self.env["stock.lot"].search([("name", "=", "T-BAT-NEW-1")])
        self.assertEqual(detail["state"], "done")
        self.assertEqual(
            [(line["product"]["id"], line["qty_done"], line["lot_ids"]) for line in detail["lines"]],
            [(self.battery.id, 1.0, lot.ids)],
        )

    def test_receipt_detail_of_a_non_receipt_is_404(self):
        created = self.ok(
            self.post(
                "/api/stock/transfer",
                {
                    "from_location_id": self.stock_loc.id,
                    "to_location_id": self.shelf.id,
                    "lines": [{"product_id": self.bracket.id, "qty": 1}],
                },
            ),
            201,
        )
        self.assertError(self.get(f"/api/stock/receipts/{created['picking']['id']}"), 404, "not_found")

    def test_movements_of_a_serial(self):
        lot = self.kit_lots[0]
        self.ok(
            self.post(
                "/api/stock/transfer",
                {
                    "from_location_id": self.stock_loc.id,
                    "to_location_id": self.shelf.id,
                    "lines": [{"product_id": self.kit.id, "qty": 1, "lot_id": lot.id}],
                },
            ),
            201,
        )
        payload = self.ok(self.get(f"/api/stock/movements?lot_id={lot.id}"))
        self.assertEqual([m["type"] for m in payload["movements"]], ["internal", "inventory"])
        self.assertTrue(all(m["lot_ids"] == [lot.id] for m in payload["movements"]))
        internal = self.ok(self.get(f"/api/stock/movements?lot_id={lot.id}&picking_type=internal"))["movements"]
        self.assertEqual(internal[0]["to_location"]["id"], self.shelf.id)
        self.assertEqual(internal[0]["qty_done"], 1.0)
        self.assertEqual(self.ok(self.get(f"/api/stock/movements?lot_id={lot.id}&date_to=2000-01-01"))["total"], 0)


@tagged("post_install", "-at_install")
class TestStockReceive(StockCase):
    def test_receive_workflow0_body_creates_lots_and_stock(self):
        payload = self.ok(
            self.post(
                "/api/warehouse/receive",
                {
                    "warehouse_id": self.warehouse.id,
                    "supplier_id": self.supplier.id,
                    "scheduled_date": "2026-04-25",
                    "lines": [{"product_id": self.battery.id, "quantity": 3, "lots": ["T-B-1", "T-B-2", "T-B-3"]}],
                },
            ),
            201,
        )
        self.assertEqual(payload["picking"]["state"], "done")
        lots = self.env["stock.lot"].search([("name", "in", ["T-B-1", "T-B-2", "T-B-3"])])
        self.assertEqual(lots.product_id, self.battery)
        self.assertEqual([self.on_hand(self.battery, self.stock_loc, lot) for lot in lots], [1.0, 1.0, 1.0])

    def test_datetimes_are_rfc3339_with_their_zone_in_and_out(self):
        """A datetime is read with its zone (stored in UTC) and answered in UTC with Z; one without a zone is a 400."""
        count = self.env["stock.picking"].search_count([])
        body = {
            "warehouse_id": self.warehouse.id,
            "partner_id": self.supplier.id,
            "validate": False,
            "lines": [{"product_id": self.cable.id, "qty": 2, "lot_name": self.cable_lot.name}],
        }
        payload = self.assertError(
            self.post("/api/stock/receive", {**body, "scheduled_date": "2026-04-25T10:00:00"}), 400, "invalid_body"
        )
        self.assertIn("scheduled_date", str(payload["details"]["fields"]))
        self.assertEqual(self.env["stock.picking"].search_count([]), count)
        created = self.ok(self.post("/api/stock/receive", {**body, "scheduled_date": "2026-04-25T10:00:00+03:00"}), 201)
        picking = self.env["stock.picking"].browse(created["picking"]["id"])
        self.assertEqual(fields.Datetime.to_string(picking.scheduled_date), "2026-04-25 07:00:00")
        receipt = self.ok(self.get(f"/api/stock/receipts/{picking.id}"))["receipt"]
        self.assertEqual(receipt["scheduled_date"], "2026-04-25T07:00:00Z")

    def test_receive_reference_body_without_validation_leaves_a_ready_receipt(self):
        before = self.on_hand(self.cable, self.stock_loc, self.cable_lot)
        payload = self.ok(
            self.post(
                "/api/stock/receive",
                {
                    "warehouse_id": self.warehouse.id,
                    "partner_id": self.supplier.id,
                    "validate": False,
                    "lines": [{"product_id": self.cable.id, "qty": 20, "lot_name": self.cable_lot.name}],
                },
            ),
            201,
        )
        picking = self.env["stock.picking"].browse(payload["picking"]["id"])
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(picking.picking_type_id, self.warehouse.in_type_id)
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, self.cable_lot)
        self.assertEqual(self.on_hand(self.cable, self.stock_loc, self.cable_lot), before)

    def test_receive_with_api_key(self):
        self.ok(
            self.api(
                "POST",
                "/api/stock/receive",
                {"lines": [{"product_id": self.bracket.id, "qty": 2}]},
                api_key=self.new_api_key(),
            ),
            201,
        )
        self.assertEqual(self.on_hand(self.bracket, self.stock_loc), 12)

    def test_receive_serial_already_in_stock_is_409_and_writes_nothing(self):
        before = self.snapshot()
        payload = self.assertError(
            self.post(
                "/api/stock/receive",
                {"lines": [{"product_id": self.kit.id, "quantity": 2, "lots": ["T-NEW-9", self.kit_lots[0].name]}]},
            ),
            409,
            "serial_in_stock",
        )
        self.assertEqual(payload["details"]["serials"], [self.kit_lots[0].name])
        self.assertNothingWritten(before)

    def test_receive_serial_without_stock_reuses_the_lot(self):
        self.ok(
            self.post(
                "/api/stock/receive",
                {"lines": [{"product_id": self.battery.id, "qty": 1, "lot_name": self.battery_lot.name}]},
            ),
            201,
        )
        self.assertEqual(self.env["stock.lot"].search_count([("name", "=", self.battery_lot.name)]), 1)
        self.assertEqual(self.on_hand(self.battery, self.stock_loc, self.battery_lot), 1)

    def test_receive_serial_quantity_other_than_one_per_serial_is_400(self):
        before = self.snapshot()
        self.assertError(
            self.post("/api/stock/receive", {"lines": [{"product_id": self.kit.id, "qty": 2, "lot_name": "T-NEW-1"}]}),
            400,
            "serial_quantity",
        )
        self.assertError(
            self.post(
                "/api/stock/receive",
                {"lines": [{"product_id": self.kit.id, "quantity": 3, "lots": ["T-NEW-1", "T-NEW-2"]}]},
            ),
            400,
            "serial_quantity",
        )
        self.assertNothingWritten(before)

    def test_receive_tracked_product_without_lot_is_400(self):
        before = self.snapshot()
        self.assertError(
            self.post("/api/stock/receive", {"lines": [{"product_id": self.kit.id, "qty": 1}]}), 400, "lot_required"
        )
        self.assertError(
            self.post("/api/stock/receive", {"lines": [{"product_id": self.cable.id, "qty": 5}]}), 400, "lot_required"
        )
        self.assertNothingWritten(before)

    def test_receive_lot_on_untracked_product_is_400(self):
        before = self.snapshot()
        self.assertError(
            self.post("/api/stock/receive", {"lines": [{"product_id": self.bracket.id, "qty": 1, "lot_name": "X-1"}]}),
            400,
            "lot_not_tracked",
        )
        self.assertNothingWritten(before)

    def test_receive_service_product_is_400(self):
        before = self.snapshot()
        self.assertError(
            self.post("/api/stock/receive", {"lines": [{"product_id": self.install.id, "qty": 1}]}), 400, "not_storable"
        )
        self.assertNothingWritten(before)

    def test_receive_unknown_product_or_foreign_warehouse_is_404(self):
        before = self.snapshot()
        self.assertError(
            self.post("/api/stock/receive", {"lines": [{"product_id": 999999999, "qty": 1}]}), 404, "not_found"
        )
        self.assertError(
            self.post(
                "/api/stock/receive", {"lines": [{"product_id": self.other_product.id, "qty": 1, "lot_name": "F-1"}]}
            ),
            404,
            "not_found",
        )
        self.assertError(
            self.post(
                "/api/stock/receive",
                {"warehouse_id": self.other_warehouse.id, "lines": [{"product_id": self.bracket.id, "qty": 1}]},
            ),
            404,
            "not_found",
        )
        self.assertNothingWritten(before)

    def test_receive_bad_quantities_and_unknown_fields_are_400(self):
        before = self.snapshot()
        for line in (
            {"product_id": self.bracket.id, "qty": 0},
            {"product_id": self.bracket.id, "qty": -3},
            {"product_id": self.bracket.id, "qty": 1, "price": 4},
        ):
            self.assertError(self.post("/api/stock/receive", {"lines": [line]}), 400, "invalid_body")
        self.assertError(
            self.post("/api/stock/receive", {"lines": [{"product_id": self.bracket.id, "qty": 1}], "owner": 1}),
            400,
            "invalid_body",
        )
        self.assertNothingWritten(before)

    def test_agent_cannot_do_manager_operations(self):
        before = self.snapshot()
        line = {"product_id": self.bracket.id, "qty": 1}
        for path, body in (
            ("/api/stock/receive", {"lines": [line]}),
            ("/api/warehouse/receive", {"lines": [line]}),
            ("/api/stock/adjustment", {"lines": [{"product_id": self.bracket.id, "quantity_counted": 1}]}),
            ("/api/stock/adjust", {"lines": [{"product_id": self.bracket.id, "quantity_counted": 1}]}),
            (
                "/api/stock/transfer",
                {"from_location_id": self.stock_loc.id, "to_location_id": self.shelf.id, "lines": [line]},
            ),
            ("/api/stock/scrap", {"product_id": self.bracket.id, "quantity": 1}),
        ):
            self.assertError(self.post(path, body, token=self.tok_agent_tg), 403, "role_forbidden")
        self.assertNothingWritten(before)


@tagged("post_install", "-at_install")
class TestStockAdjustTransferScrap(StockCase):
    def test_adjustment_sets_the_counted_quantity(self):
        payload = self.ok(
            self.post(
                "/api/stock/adjustment",
                {
                    "warehouse_id": self.warehouse.id,
                    "reason": "Physical count",
                    "lines": [
                        {"product_id": self.bracket.id, "quantity_counted": 7},
                        {"product_id": self.cable.id, "lot_id": self.cable_lot.id, "quantity_counted": 45},
                    ],
                },
            )
        )
        self.assertEqual(
            [(a["product"]["id"], a["qty_on_hand"]) for a in payload["adjusted"]],
            [(self.bracket.id, 7.0), (self.cable.id, 45.0)],
        )
        self.assertEqual(self.on_hand(self.bracket, self.stock_loc), 7)
        move = self.env["stock.move"].search(
            [("product_id", "=", self.bracket.id), ("is_inventory", "=", True)], order="id desc", limit=1
        )
        self.assertTrue(move.name.startswith("Physical count"), move.name)

    def test_adjust_alias_writes_off_a_serial(self):
        lot = self.kit_lots[1]
        self.ok(
            self.post(
                "/api/stock/adjust",
                {"reason": "Damaged", "lines": [{"product_id": self.kit.id, "lot_id": lot.id, "quantity_counted": 0}]},
            )
        )
        self.assertEqual(self.on_hand(self.kit, self.stock_loc, lot), 0)

    def test_adjust_serial_not_in_the_location_is_409(self):
        before = self.snapshot()
        self.assertError(
            self.post(
                "/api/stock/adjust",
                {"lines": [{"product_id": self.kit.id, "lot_id": self.kit_lots[-1].id, "quantity_counted": 0}]},
            ),
            409,
            "serial_unavailable",
        )
        self.assertError(
            self.post(
                "/api/stock/adjust",
                {
                    "lines": [
                        {
                            "product_id": self.kit.id,
                            "lot_id": self.kit_lots[-1].id,
                            "location_id": self.stock_loc.id,
                            "quantity_counted": 1,
                        }
                    ]
                },
            ),
            409,
            "serial_in_stock",
        )
        self.assertNothingWritten(before)

    def test_adjust_tracked_without_lot_or_negative_count_is_400(self):
        before = self.snapshot()
        self.assertError(
            self.post("/api/stock/adjust", {"lines": [{"product_id": self.kit.id, "quantity_counted": 3}]}),
            400,
            "lot_required",
        )
        self.assertError(
            self.post("/api/stock/adjust", {"lines": [{"product_id": self.bracket.id, "quantity_counted": -1}]}),
            400,
            "invalid_body",
        )
        self.assertError(
            self.post(
                "/api/stock/adjust",
                {"lines": [{"product_id": self.kit.id, "lot_id": self.kit_lots[0].id, "quantity_counted": 2}]},
            ),
            400,
            "serial_quantity",
        )
        self.assertNothingWritten(before)

    def test_adjust_in_foreign_warehouse_is_404(self):
        before = self.snapshot()
        self.assertError(
            self.post(
                "/api/stock/adjust",
                {
                    "warehouse_id": self.other_warehouse.id,
                    "lines": [{"product_id": self.bracket.id, "quantity_counted": 1}],
                },
            ),
            404,
            "not_found",
        )
        self.assertNothingWritten(before)

    def test_transfer_moves_a_serial_to_the_shelf(self):
        lot = self.kit_lots[2]
        payload = self.ok(
            self.post(
                "/api/stock/transfer",
                {
                    "from_location_id": self.stock_loc.id,
                    "to_location_id": self.shelf.id,
                    "validate": True,
                    "lines": [
                        {"product_id": self.kit.id, "qty": 1, "lot_id": lot.id},
                        {"product_id": self.bracket.id, "quantity": 4},
                    ],
                },
            ),
            201,
        )
        self.assertEqual(payload["picking"]["state"], "done")
        self.assertEqual(self.on_hand(self.kit, self.shelf, lot), 1)
        self.assertEqual(self.on_hand(self.kit, self.stock_loc, lot), 0)
        self.assertEqual(self.on_hand(self.bracket, self.shelf), 4)

    def test_transfer_without_validation_reserves_the_serial(self):
        lot = self.kit_lots[3]
        payload = self.ok(
            self.post(
                "/api/stock/transfer",
                {
                    "from_location_id": self.stock_loc.id,
                    "to_location_id": self.shelf.id,
                    "validate": False,
                    "lines": [{"product_id": self.kit.id, "qty": 1, "lot_id": lot.id}],
                },
            ),
            201,
        )
        self.assertEqual(payload["picking"]["state"], "assigned")
        level = self.ok(self.get(f"/api/stock/lots/{lot.name}"))["locations"][0]
        self.assertEqual((level["qty_reserved"], level["qty_available"]), (1.0, 0.0))

    def test_transfer_serial_not_in_source_is_409(self):
        before = self.snapshot()
        self.assertError(
            self.post(
                "/api/stock/transfer",
                {
                    "from_location_id": self.shelf.id,
                    "to_location_id": self.stock_loc.id,
                    "lines": [{"product_id": self.kit.id, "qty": 1, "lot_id": self.kit_lots[0].id}],
                },
            ),
            409,
            "serial_unavailable",
        )
        self.assertNothingWritten(before)

    def test_transfer_more_than_available_is_409_and_never_negative(self):
        before = self.snapshot()
        self.assertError(
            self.post(
                "/api/stock/transfer",
                {
                    "from_location_id": self.stock_loc.id,
                    "to_location_id": self.shelf.id,
                    "lines": [{"product_id": self.cable.id, "qty": 51, "lot_id": self.cable_lot.id}],
                },
            ),
            409,
            "insufficient_stock",
        )
        self.assertNothingWritten(before)
        self.assertEqual(self.on_hand(self.cable, self.stock_loc, self.cable_lot), 50)

    def test_transfer_involving_a_foreign_location_is_404(self):
        before = self.snapshot()
        self.assertError(
            self.post(
                "/api/stock/transfer",
                {
                    "from_location_id": self.stock_loc.id,
                    "to_location_id": self.other_warehouse.lot_stock_id.id,
                    "lines": [{"product_id": self.bracket.id, "qty": 1}],
                },
            ),
            404,
            "not_found",
        )
        self.assertNothingWritten(before)

    def test_transfer_to_a_non_internal_location_is_400(self):
        customers = self.env.ref("stock.stock_location_customers")
        self.assertError(
            self.post(
                "/api/stock/transfer",
                {
                    "from_location_id": self.stock_loc.id,
                    "to_location_id": customers.id,
                    "lines": [{"product_id": self.bracket.id, "qty": 1}],
                },
            ),
            400,
            "not_internal_location",
        )

    def test_scrap_a_serial_takes_it_out_of_stock(self):
        lot = self.kit_lots[4]
        payload = self.ok(
            self.post(
                "/api/stock/scrap",
                {"product_id": self.kit.id, "lot_id": lot.id, "quantity": 1, "reason": "Cracked panel"},
            ),
            201,
        )
        scrap = self.env["stock.scrap"].browse(payload["scrap"]["id"])
        self.assertEqual((scrap.state, scrap.origin, scrap.lot_id), ("done", "Cracked panel", lot))
        self.assertEqual(self.on_hand(self.kit, self.stock_loc, lot), 0)
        self.assertEqual(self.on_hand(self.kit, scrap.scrap_location_id, lot), 1)

    def test_scrap_serial_not_in_the_location_is_409(self):
        before = self.snapshot()
        self.assertError(
            self.post(
                "/api/stock/scrap",
                {
                    "product_id": self.kit.id,
                    "lot_id": self.kit_lots[-1].id,
                    "quantity": 1,
                    "location_id": self.stock_loc.id,
                },
            ),
            409,
            "serial_unavailable",
        )
        self.assertNothingWritten(before)

    def test_scrap_more_than_on_hand_is_409(self):
        before = self.snapshot()
        self.assertError(
            self.post("/api/stock/scrap", {"product_id": self.bracket.id, "quantity": 11}), 409, "insufficient_stock"
        )
        self.assertNothingWritten(before)

    def test_scrap_lot_of_another_product_is_400(self):
        before = self.snapshot()
        self.assertError(
            self.post("/api/stock/scrap", {"product_id": self.kit.id, "lot_id": self.cable_lot.id, "quantity": 1}),
            400,
            "lot_product_mismatch",
        )
        self.assertNothingWritten(before)


@tagged("post_install", "-at_install")
class TestStockSchemaBounds(StockCase):
    def test_quantities_must_be_finite_and_bounded(self):
        before = self.snapshot()
        for qty in (1e300, 1e10, -1, 0):
            with self.subTest(qty=qty):
                for path, body in (
                    ("/api/stock/receive", {"lines": [{"product_id": self.bracket.id, "qty": qty}]}),
                    (
                        "/api/stock/transfer",
                        {
                            "from_location_id": self.stock_loc.id,
                            "to_location_id": self.shelf.id,
                            "lines": [{"product_id": self.bracket.id, "quantity": qty}],
                        },
                    ),
                    ("/api/stock/scrap", {"product_id": self.bracket.id, "quantity": qty}),
                ):
                    self.assertError(self.post(path, body), 400, "invalid_body")
        for counted in (1e300, 1e10, -1):
            self.assertError(
                self.post(
                    "/api/stock/adjust", {"lines": [{"product_id": self.bracket.id, "quantity_counted": counted}]}
                ),
                400,
                "invalid_body",
            )
        self.assertNothingWritten(before)


class LineRulesCase(AbsStockFixturesMixin, StockCase):
    """Warehouse fixtures, plus an open and a done SA Togo delivery of a kit serial and two brackets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lot = cls.env["stock.lot"]
        cls.no_stock_serial = Lot.create({"name": "T-SN-NOSTOCK", "product_id": cls.kit.id})
        cls.open_delivery = cls.make_order(
            cls.sa_togo, cls.customer_tg, [(cls.kit, 1), (cls.bracket, 2)], cls.agent_tg
        ).picking_ids
        cls.done_delivery = cls.make_order(
            cls.sa_togo, cls.customer_tg, [(cls.kit, 1), (cls.bracket, 2)], cls.agent_tg
        ).picking_ids
        cls.done_delivery._abs_validate_delivery(None, False)
        cls.delivered_serial = cls.done_delivery.move_line_ids.lot_id

    def move(self, picking, product):
        return picking.move_ids.filtered(lambda m: m.product_id == product)


@tagged("post_install", "-at_install")
class TestOneCodePerMistake(LineRulesCase):
    """The same bad line sent to every endpoint that takes lines answers the same code."""

    def endpoints(self, lines):
        """(name, method, path, body) of every endpoint taking lines, each given ``lines``.

        A line: ``(product, lot, quantity)``; ``lot`` is a stock.lot, a lot id or None."""

        def lot_id(lot):
            return lot if isinstance(lot, int) or lot is None else lot.id

        open_delivery, done_delivery = self.open_delivery, self.done_delivery
        yield (
            "transfer",
            "/api/stock/transfer",
            {
                "from_location_id": self.stock_loc.id,
                "to_location_id": self.shelf.id,
                "lines": [{"product_id": p.id, "qty": q, "lot_id": lot_id(lot)} for p, lot, q in lines],
            },
        )
        yield (
            "adjust",
            "/api/stock/adjust",
            {"lines": [{"product_id": p.id, "lot_id": lot_id(lot), "quantity_counted": q} for p, lot, q in lines]},
        )
        if len(lines) == 1:
            [(product, lot, qty)] = lines
            yield ("scrap", "/api/stock/scrap", {"product_id": product.id, "lot_id": lot_id(lot), "quantity": qty})
        yield (
            "validate",
            f"/api/stock/deliveries/{open_delivery.id}/validate",
            {
                "force_backorder": True,
                "lines": [
                    {"move_id": self.move(open_delivery, p).id, "qty_done": q, "lot_id": lot_id(lot)}
                    for p, lot, q in lines
                ],
            },
        )
        yield (
            "return",
            f"/api/stock/deliveries/{done_delivery.id}/return",
            {"lines": [{"product_id": p.id, "quantity": q, "lot_id": lot_id(lot)} for p, lot, q in lines]},
        )
        if all(lot is None or not isinstance(lot, int) for _p, lot, _q in lines):
            yield (
                "receive",
                "/api/stock/receive",
                {
                    "lines": [
                        {"product_id": p.id, "qty": q, **({"lot_name": lot.name} if lot else {})} for p, lot, q in lines
                    ]
                },
            )

    def assertSameCode(self, lines, status, code, skip=()):
        before = self.snapshot()
        answered = []
        for name, path, body in self.endpoints(lines):
            if name in skip:
                continue
            with self.subTest(endpoint=name):
                self.assertError(self.post(path, body), status, code)
                answered.append(name)
        self.assertNothingWritten(before)
        return answered

    def test_lot_on_untracked_product(self):
        answered = self.assertSameCode([(self.bracket, self.cable_lot, 1)], 400, "lot_not_tracked")
        self.assertEqual(set(answered), {"transfer", "adjust", "scrap", "validate", "return", "receive"})

    def test_serial_quantity_other_than_one(self):
        answered = self.assertSameCode([(self.kit, self.kit_lots[0], 2)], 400, "serial_quantity")
        self.assertEqual(set(answered), {"transfer", "adjust", "scrap", "validate", "return", "receive"})

    def test_same_serial_twice(self):
        lot = self.delivered_serial
        answered = self.assertSameCode([(self.kit, lot, 1), (self.kit, lot, 1)], 400, "duplicate_serial")
        self.assertEqual(set(answered), {"transfer", "adjust", "validate", "return", "receive"})

    def test_tracked_product_without_lot(self):
        answered = self.assertSameCode([(self.kit, None, 1)], 400, "lot_required")
        self.assertEqual(set(answered), {"transfer", "adjust", "scrap", "validate", "return", "receive"})

    def test_lot_of_another_product(self):
        # A receipt names lots by name, per product: it cannot name another product's lot.
        answered = self.assertSameCode([(self.kit, self.cable_lot, 1)], 400, "lot_product_mismatch", skip={"receive"})
        self.assertEqual(set(answered), {"transfer", "adjust", "scrap", "validate", "return"})

    def test_unknown_lot(self):
        answered = self.assertSameCode([(self.kit, 999999999, 1)], 404, "lot_not_found")
        self.assertEqual(set(answered), {"transfer", "adjust", "scrap", "validate", "return"})

    def test_serial_not_in_the_source_location(self):
        # Counting a serial out (0) where it is not is the same mistake as taking it from there.
        # A receipt brings serials in and a return takes them back from the customer: not concerned.
        answered = self.assertSameCode(
            [(self.kit, self.no_stock_serial, 0)],
            409,
            "serial_unavailable",
            skip={"transfer", "scrap", "validate", "return", "receive"},
        )
        answered += self.assertSameCode(
            [(self.kit, self.no_stock_serial, 1)], 409, "serial_unavailable", skip={"adjust", "return", "receive"}
        )
        self.assertEqual(set(answered), {"adjust", "transfer", "scrap", "validate"})

    def test_serial_reserved_by_another_delivery_is_unavailable(self):
        reserved = self.open_delivery.move_line_ids.lot_id
        self.assertTrue(reserved)
        self.assertSameCode(
            [(self.kit, reserved, 1)], 409, "serial_unavailable", skip={"adjust", "return", "receive", "validate"}
        )

    def test_serial_already_in_stock(self):
        # Receiving a serial that is in stock, or counting it in (1) where it is not: it is elsewhere.
        lot = self.kit_lots[-1]  # on the shelf
        self.assertError(
            self.post("/api/stock/receive", {"lines": [{"product_id": self.kit.id, "qty": 1, "lot_name": lot.name}]}),
            409,
            "serial_in_stock",
        )
        self.assertError(
            self.post(
                "/api/stock/adjust",
                {"lines": [{"product_id": self.kit.id, "lot_id": lot.id, "quantity_counted": 1}]},
            ),
            409,
            "serial_in_stock",
        )


@tagged("post_install", "-at_install")
class TestLineQueryCounts(LineRulesCase):
    """A request is checked in a number of queries that does not grow with its lines: lots in one search,
    quants gathered once. Each request here is refused by its last line, after every check ran."""

    LINES = 10

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        parts = cls.bulk_products[: cls.LINES - 1]
        cls.big_delivery = cls.make_order(
            cls.sa_togo, cls.customer_tg, [(p, 1) for p in parts] + [(cls.kit, 1)], cls.agent_tg
        ).picking_ids

    def assertSameCost(self, request_for):
        """``request_for(parts)`` -> result of a request whose lines are ``parts`` then one refused line."""
        request_for(self.bulk_products[:2])  # warm the caches (routing, ormcache, prefetch of the fixtures)
        # Two lines against ten: each with a line of stock to lock, so both pay for reading what they lock.
        two = self.count_queries(lambda: request_for(self.bulk_products[:1]))
        many = self.count_queries(lambda: request_for(self.bulk_products[: self.LINES - 1]))
        self.assertEqual(many, two, f"2 lines: {two} queries, {self.LINES} lines: {many}")
        return two

    def test_receive(self):
        in_stock = self.kit_lots[0].name

        def request(parts):
            lines = [{"product_id": p.id, "qty": 1} for p in parts]
            lines.append({"product_id": self.kit.id, "qty": 1, "lot_name": in_stock})
            self.assertError(self.post("/api/stock/receive", {"lines": lines}), 409, "serial_in_stock")

        self.assertSameCost(request)

    def test_transfer(self):
        def request(parts):
            lines = [{"product_id": p.id, "qty": 1} for p in parts]
            lines.append({"product_id": self.kit.id, "qty": 1, "lot_id": self.no_stock_serial.id})
            body = {"from_location_id": self.stock_loc.id, "to_location_id": self.shelf.id, "lines": lines}
            self.assertError(self.post("/api/stock/transfer", body), 409, "serial_unavailable")

        self.assertSameCost(request)

    def test_adjust(self):
        def request(parts):
            lines = [{"product_id": p.id, "quantity_counted": 4} for p in parts]
            lines.append({"product_id": self.kit.id, "lot_id": self.no_stock_serial.id, "quantity_counted": 0})
            self.assertError(self.post("/api/stock/adjust", {"lines": lines}), 409, "serial_unavailable")

        self.assertSameCost(request)

    def test_delivery_validate(self):
        delivery = self.big_delivery

        def request(parts):
            lines = [{"move_id": self.move(delivery, p).id, "qty_done": 1} for p in parts]
            lines.append(
                {"move_id": self.move(delivery, self.kit).id, "qty_done": 1, "lot_id": self.no_stock_serial.id}
            )
            body = {"force_backorder": True, "lines": lines}
            path = f"/api/stock/deliveries/{delivery.id}/validate"
            self.assertError(self.post(path, body, token=self.tok_agent_tg), 409, "serial_unavailable")

        self.assertSameCost(request)

    def test_delivery_return(self):
        delivery = self.big_delivery
        delivery._abs_validate_delivery(None, False)

        def request(parts):
            lines = [{"product_id": p.id, "quantity": 1} for p in parts]
            lines.append({"product_id": self.kit.id, "quantity": 1, "lot_id": self.no_stock_serial.id})
            path = f"/api/stock/deliveries/{delivery.id}/return"
            self.assertError(self.post(path, {"lines": lines}, token=self.tok_agent_tg), 400, "lot_not_in_delivery")

        self.assertSameCost(request)


@tagged("post_install", "-at_install")
class TestStockRulesAsModelMethods(LineRulesCase):
    """The operations are model methods taking records and plain values (a backend button can call
    them); they refuse by meaning, and the codes are the API's."""

    def test_transfer_from_the_backend(self):
        picking = self.env["stock.picking"]._abs_transfer(
            self.stock_loc, self.shelf, [{"product_id": self.bracket.id, "quantity": 3}]
        )
        self.assertEqual(picking.state, "done")
        self.assertEqual(self.on_hand(self.bracket, self.shelf), 3)

    def test_refusals_carry_a_meaning_and_a_code(self):
        Picking = self.env["stock.picking"]
        with self.assertRaises(AbsConflict) as caught:
            Picking._abs_transfer(
                self.stock_loc,
                self.shelf,
                [{"product_id": self.kit.id, "quantity": 1, "lot_id": self.no_stock_serial.id}],
            )
        self.assertEqual(caught.exception.code, rules.SERIAL_UNAVAILABLE.code)
        with self.assertRaises(AbsInvalid) as caught:
            self.env["stock.scrap"]._abs_scrap(
                {"product_id": self.bracket.id, "quantity": 1, "lot_id": self.cable_lot.id}
            )
        self.assertEqual(caught.exception.code, "lot_not_tracked")
        with self.assertRaises(AbsNotFound):
            self.env["stock.quant"]._abs_apply_counts([{"product_id": self.kit.id, "lot_id": 999999999, "quantity": 0}])
        self.assertFalse(hasattr(caught.exception, "status"), "a model does not choose an HTTP status")

    def test_serial_hooks_get_every_move_line_of_a_batch_at_once(self):
        pickings = (
            self.open_delivery
            | self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], self.agent_tg).picking_ids
        )
        calls = []
        Picking = self.registry["stock.picking"]
        with patch.object(
            Picking, "_abs_on_serials_delivered", autospec=True, side_effect=lambda s, lines: calls.append(lines)
        ):
            pickings.move_ids.picked = True
            pickings.button_validate()
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0], pickings.move_line_ids.filtered("lot_id"))
        self.assertEqual(len(calls[0].lot_id), 2)
