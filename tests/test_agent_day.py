"""The field agent's day without holes (issue 16): what a mobile client needs and the seed's literal calls.

Over real HTTP with real tokens: serial availability on the lots list, the customer portal's assets,
orders' delivery and invoice status, quotation lines changed and removed, quotation cancel, the SA's
price and taxes on products, a payment with an open backorder, ``state=ready``, ``move_line_id`` and
``company_id`` on stock reads. Each refusal writes nothing.
"""

from odoo.tests import tagged

from .common import AbsHttpCase, AbsStockFixturesMixin


@tagged("post_install", "-at_install")
class TestAgentDay(AbsStockFixturesMixin, AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_stock_fixtures()
        cls.kit.invoice_policy = "delivery"  # as the seed's physical products: invoiced once delivered
        cls.other_company = cls.env["res.company"].create({"name": "Test Agent Day Other Company"})

    def ok(self, method, path, body=None, status=200, **kwargs):
        got, payload, _response = self.api(method, path, body, **kwargs)
        self.assertEqual(got, status, payload)
        self.assertIs(payload["success"], True)
        return payload

    def lot_answers(self, query, **kwargs):
        payload = self.ok("GET", f"/api/stock/lots?product_id={self.kit.id}&limit=200{query}", **kwargs)
        return {lot["serial"]: lot for lot in payload["lots"]}

    # ------------------------------------------------------------------ lots: availability

    def test_lots_list_shows_a_serial_reserved_by_another_delivery_and_filters_free_ones(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], agent=self.agent_tg)
        reserved = order.picking_ids.move_line_ids.lot_id
        self.assertEqual(len(reserved), 1)
        lots = self.lot_answers("", token=self.tok_agent_tg)
        self.assertEqual(
            {k: lots[reserved.name][k] for k in ("qty_on_hand", "qty_reserved", "qty_available", "available")},
            {"qty_on_hand": 1.0, "qty_reserved": 1.0, "qty_available": 0.0, "available": False},
        )
        free_names = set(self.serials.mapped("name")) - {reserved.name}
        for name in free_names:
            self.assertEqual((lots[name]["qty_available"], lots[name]["available"]), (1.0, True))
        self.assertEqual(set(self.lot_answers("&available=true", token=self.tok_agent_tg)), free_names)
        self.assertEqual(set(self.lot_answers("&available=false", token=self.tok_agent_tg)), {reserved.name})
        # Delivered, the serial leaves the warehouse: no longer on hand, still not available.
        order.picking_ids._abs_validate_delivery(None, False, actor=self.agent_tg)
        lot = self.lot_answers("&available=false", token=self.tok_agent_tg)[reserved.name]
        self.assertEqual((lot["qty_on_hand"], lot["qty_reserved"]), (0.0, 0.0))

    def test_lots_available_filter_refuses_a_non_boolean(self):
        self.assertError(
            self.api("GET", "/api/stock/lots?available=perhaps", token=self.tok_agent_tg), 400, "invalid_query"
        )

    # ------------------------------------------------------------------ stock: company_id, state=ready

    def test_company_id_filters_stock_reads_and_another_company_answers_404(self):
        own = self.lot_answers(f"&company_id={self.company.id}", token=self.tok_agent_tg)
        self.assertEqual(set(own), set(self.serials.mapped("name")))
        paths = [
            "/api/stock/lots",
            "/api/stock/levels",
            f"/api/stock/levels/{self.kit.id}",
            "/api/warehouses",
            "/api/stock/receipts",
            "/api/stock/movements",
            "/api/stock/deliveries",
        ]
        for path in paths:
            with self.subTest(path=path):
                self.ok("GET", f"{path}?company_id={self.company.id}", token=self.tok_agent_tg)
                self.assertError(
                    self.api("GET", f"{path}?company_id={self.other_company.id}", token=self.tok_agent_tg),
                    404,
                    "not_found",
                )
        # An API key without X-SA-ID filters by any company of the API's user: another one answers none of ours.
        key = self.new_api_key()
        self.env.ref("abs_connector.user_api").company_ids |= self.other_company
        foreign = self.ok("GET", f"/api/stock/levels?company_id={self.other_company.id}", api_key=key)
        self.assertEqual(foreign["levels"], [])
        self.assertError(self.api("GET", "/api/stock/levels?company_id=999999", api_key=key), 404, "not_found")
        levels = self.ok(
            "GET", f"/api/stock/levels?company_id={self.company.id}&product_id={self.kit.id}", token=self.tok_agent_tg
        )
        self.assertEqual(sum(level["qty_on_hand"] for level in levels["levels"]), 4.0)

    def test_deliveries_state_ready_is_assigned(self):
        ready = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], agent=self.agent_tg).picking_ids
        absent = self.env["product.product"].create({"name": "Test Out Of Stock", "type": "consu", "is_storable": True})
        waiting = self.make_order(self.sa_togo, self.customer_tg, [(absent, 1)], agent=self.agent_tg).picking_ids
        self.assertEqual((ready.state, waiting.state), ("assigned", "confirmed"))

        def listed(state):
            payload = self.ok("GET", f"/api/stock/deliveries?state={state}&limit=200", token=self.tok_agent_tg)
            return {delivery["id"] for delivery in payload["deliveries"]}

        self.assertEqual(listed("ready"), listed("assigned"))
        self.assertIn(ready.id, listed("ready"))
        self.assertNotIn(waiting.id, listed("ready"))
        self.assertError(self.api("GET", "/api/stock/deliveries?state=soon", token=self.tok_agent_tg), 400)

    # ------------------------------------------------------------------ validate by move_line_id

    def test_validate_with_the_seeds_move_line_id_delivers_the_serial_reserved_on_it(self):
        delivery = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], agent=self.agent_tg).picking_ids
        move_line = delivery.move_line_ids
        reserved = move_line.lot_id
        body = {"lines": [{"move_line_id": move_line.id, "qty_done": 1}]}
        payload = self.ok("POST", f"/api/stock/deliveries/{delivery.id}/validate", body, token=self.tok_agent_tg)
        self.assertEqual(payload["delivery"]["state"], "done")
        self.assertEqual(self.qty_at(reserved, self.customer_location), 1.0)

    def test_validate_with_the_seeds_body_naming_the_serial(self):
        delivery = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], agent=self.agent_tg).picking_ids
        other = (self.serials - delivery.move_line_ids.lot_id)[0]
        body = {"lines": [{"move_line_id": delivery.move_line_ids.id, "lot_name": other.name, "qty_done": 1}]}
        self.ok("POST", f"/api/stock/deliveries/{delivery.id}/validate", body, token=self.tok_agent_tg)
        self.assertEqual(self.qty_at(other, self.customer_location), 1.0)

    def test_validate_refuses_a_move_line_of_another_delivery_and_writes_nothing(self):
        delivery = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], agent=self.agent_tg).picking_ids
        other = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], agent=self.agent_tg).picking_ids
        body = {"lines": [{"move_line_id": other.move_line_ids.id, "qty_done": 1}]}
        self.assertError(
            self.api("POST", f"/api/stock/deliveries/{delivery.id}/validate", body, token=self.tok_agent_tg),
            400,
            "move_not_in_delivery",
        )
        mismatch = {"lines": [{"move_id": other.move_ids.id, "move_line_id": delivery.move_line_ids.id, "qty_done": 1}]}
        self.assertError(
            self.api("POST", f"/api/stock/deliveries/{delivery.id}/validate", mismatch, token=self.tok_agent_tg),
            400,
            "move_not_in_delivery",
        )
        neither = {"lines": [{"qty_done": 1}]}
        self.assertError(
            self.api("POST", f"/api/stock/deliveries/{delivery.id}/validate", neither, token=self.tok_agent_tg),
            400,
            "invalid_body",
        )
        self.env.invalidate_all()
        self.assertEqual((delivery.state, other.state), ("assigned", "assigned"))

    # ------------------------------------------------------------------ orders: statuses

    def test_orders_answer_delivery_and_invoice_status(self):
        quotation = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 1)], agent=self.agent_tg, confirm=False)
        answer = self.ok("GET", f"/api/orders/{quotation.id}", token=self.tok_agent_tg)["order"]
        self.assertEqual((answer["delivery_status"], answer["invoice_status"]), (None, "no"))
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 2)], agent=self.agent_tg)
        answer = self.ok("GET", f"/api/orders/{order.id}", token=self.tok_agent_tg)["order"]
        self.assertEqual((answer["delivery_status"], answer["invoice_status"]), ("pending", "no"))  # on delivery
        line = order.picking_ids.move_ids
        lines = [{"move_id": line.id, "quantity": 1, "lot_id": order.picking_ids.move_line_ids[0].lot_id.id}]
        order.picking_ids._abs_validate_delivery(lines, True, actor=self.agent_tg)
        listed = self.ok("GET", f"/api/orders?partner_id={self.customer_tg.id}&limit=200", token=self.tok_agent_tg)
        answer = next(item for item in listed["orders"] if item["id"] == order.id)
        self.assertEqual((answer["delivery_status"], answer["invoice_status"]), ("partial", "to invoice"))

    # ------------------------------------------------------------------ quotation lines and cancel

    def quotation(self, approved=False):
        order = self.make_order(
            self.sa_togo, self.customer_tg, [(self.battery, 1), (self.kit, 1)], agent=self.agent_tg, confirm=False
        )
        if approved:
            order.sudo().write({"abs_approval_state": "approved"})
        return order

    def test_a_quotation_line_is_changed_and_the_approval_withdrawn(self):
        order = self.quotation(approved=True)
        line = order.order_line.filtered(lambda item: item.product_id == self.battery)
        payload = self.ok(
            "PUT", f"/api/orders/{order.id}/lines/{line.id}", {"quantity": 3, "discount": 5}, token=self.tok_agent_tg
        )
        answered = next(item for item in payload["order"]["lines"] if item["id"] == line.id)
        self.assertEqual((answered["quantity"], answered["discount"]), (3.0, 5.0))
        self.assertEqual(payload["order"]["approval"]["state"], "none")
        self.env.invalidate_all()
        self.assertEqual((line.product_uom_qty, order.abs_approval_state), (3.0, "none"))

    def test_a_line_change_is_refused_with_nothing_written(self):
        order = self.quotation(approved=True)
        line = order.order_line[0]
        path = f"/api/orders/{order.id}/lines/{line.id}"
        self.assertError(self.api("PUT", path, {}, token=self.tok_agent_tg), 400, "invalid_body")
        self.assertError(self.api("PUT", path, {"quantity": 0}, token=self.tok_agent_tg), 400, "invalid_body")
        other = self.quotation()
        self.assertError(
            self.api(
                "PUT",
                f"/api/orders/{order.id}/lines/{other.order_line[0].id}",
                {"quantity": 2},
                token=self.tok_agent_tg,
            ),
            404,
            "not_found",
        )
        self.assertError(
            self.api("PUT", f"/api/orders/{order.id}/lines/{line.id}", {"quantity": 2}, token=self.tok_agent_ke),
            404,
            "not_found",
        )
        confirmed = self.make_order(self.sa_togo, self.customer_tg, [(self.battery, 1)], agent=self.agent_tg)
        self.assertError(
            self.api(
                "PUT",
                f"/api/orders/{confirmed.id}/lines/{confirmed.order_line.id}",
                {"quantity": 2},
                token=self.tok_agent_tg,
            ),
            400,
            "invalid_state",
        )
        self.env.invalidate_all()
        self.assertEqual((line.product_uom_qty, order.abs_approval_state), (1.0, "approved"))
        self.assertEqual((other.order_line[0].product_uom_qty, confirmed.order_line.product_uom_qty), (1.0, 1.0))

    def test_a_quotation_line_is_removed_but_never_the_last(self):
        order = self.quotation(approved=True)
        first, last = order.order_line
        payload = self.ok("DELETE", f"/api/orders/{order.id}/lines/{first.id}", token=self.tok_agent_tg)
        self.assertEqual([item["id"] for item in payload["order"]["lines"]], last.ids)
        self.assertEqual(payload["order"]["approval"]["state"], "none")
        self.assertError(
            self.api("DELETE", f"/api/orders/{order.id}/lines/{last.id}", token=self.tok_agent_tg), 400, "no_lines"
        )
        self.assertError(
            self.api("DELETE", f"/api/orders/{order.id}/lines/{last.id}", token=self.tok_agent_ke), 404, "not_found"
        )
        self.env.invalidate_all()
        self.assertTrue(last.exists())
        self.assertFalse(first.exists())

    def test_a_quotation_is_cancelled_by_its_agent_or_staff_not_by_another_agent(self):
        mine, other = self.quotation(approved=True), self.quotation()
        self.assertError(
            self.api("POST", f"/api/orders/{mine.id}/cancel", {}, token=self.tok_agent_multi, sa=self.sa_togo),
            403,
            "role_forbidden",
        )
        self.assertError(
            self.api("POST", f"/api/orders/{mine.id}/cancel", {}, token=self.tok_agent_ke), 404, "not_found"
        )
        self.env.invalidate_all()
        self.assertEqual((mine.state, mine.abs_approval_state), ("draft", "approved"))
        payload = self.ok(
            "POST", f"/api/orders/{mine.id}/cancel", {"reason": "customer changed his mind"}, token=self.tok_agent_tg
        )
        self.assertEqual((payload["order"]["state"], payload["order"]["approval"]["state"]), ("cancel", "none"))
        self.assertTrue(any("customer changed his mind" in message.body for message in mine.message_ids))
        self.ok("POST", f"/api/orders/{other.id}/cancel", {}, token=self.tok_manager_tg)
        self.env.invalidate_all()
        self.assertEqual(other.state, "cancel")

    def test_a_confirmed_order_is_not_cancelled_here(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.battery, 1)], agent=self.agent_tg)
        self.assertError(
            self.api("POST", f"/api/orders/{order.id}/cancel", {}, token=self.tok_manager_tg), 400, "invalid_state"
        )
        self.assertError(
            self.api("POST", f"/api/orders/{order.id}/cancel", {"why": "x"}, token=self.tok_manager_tg),
            400,
            "invalid_body",
        )
        self.env.invalidate_all()
        self.assertEqual(order.state, "sale")

    # ------------------------------------------------------------------ products: the SA's price and taxes

    def test_products_answer_the_acting_sas_pricelist_price_and_taxes(self):
        env = self.env
        tax = env["account.tax"].create({"name": "Test VAT 18%", "amount": 18.0, "type_tax_use": "sale"})
        self.battery.taxes_id = tax
        pricelist = env["product.pricelist"].create(
            {
                "name": "Test Togo Prices",
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.battery.id,
                            "compute_price": "percentage",
                            "percent_price": 10.0,
                        },
                    ),
                ],
            }
        )
        self.sa_togo.pricelist_id = pricelist
        price = self.ok("GET", f"/api/products/{self.battery.id}", token=self.tok_agent_tg)["product"]["price"]
        self.assertEqual(price["pricelist"], {"id": pricelist.id, "name": pricelist.display_name})
        self.assertAlmostEqual(price["price_unit"], 72.0)
        self.assertEqual([(t["id"], t["amount"], t["price_include"]) for t in price["taxes"]], [(tax.id, 18.0, False)])
        self.assertAlmostEqual(price["price_tax_excluded"], 72.0)
        self.assertAlmostEqual(price["price_tax_included"], 84.96)
        # The price the quotation then uses.
        quotation = self.ok(
            "POST",
            "/api/quotations",
            {"customer_id": self.customer_tg.id, "products": [{"product_id": self.battery.id, "quantity": 1}]},
            status=201,
            token=self.tok_agent_tg,
        )["order"]
        self.assertAlmostEqual(quotation["lines"][0]["price_unit"], price["price_unit"])
        # In a list too; SA Kenya has no pricelist: the sales price.
        listed = self.ok("GET", "/api/products?limit=200", token=self.tok_agent_tg)["products"]
        self.assertAlmostEqual(next(p for p in listed if p["id"] == self.battery.id)["price"]["price_unit"], 72.0)
        kenya = self.ok("GET", f"/api/products/{self.battery.id}", token=self.tok_agent_ke)["product"]["price"]
        self.assertEqual((kenya["pricelist"], kenya["price_unit"]), (None, 80.0))

    # ------------------------------------------------------------------ payment with an open backorder

    def test_register_payment_with_an_open_backorder_pays_what_was_delivered_and_says_so(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 2)], agent=self.agent_tg)
        delivery = order.picking_ids
        lines = [{"move_id": delivery.move_ids.id, "quantity": 1, "lot_id": delivery.move_line_ids[0].lot_id.id}]
        backorder = delivery._abs_validate_delivery(lines, True, actor=self.agent_tg)
        self.assertTrue(backorder)
        payload = self.ok("POST", f"/api/orders/{order.id}/register-payment", {}, status=201, token=self.tok_agent_tg)
        self.assertEqual(payload["backorders"], [{"id": backorder.id, "name": backorder.display_name}])
        self.assertIn(backorder.name, payload["message"])
        invoice = self.env["account.move"].browse(payload["invoice"]["id"])
        self.assertEqual(invoice.invoice_line_ids.mapped("quantity"), [1.0])
        self.assertAlmostEqual(payload["payment"]["amount"], invoice.amount_total)
        # Nothing delivered is left to pay: the backorder must be delivered first.
        self.assertError(
            self.api("POST", f"/api/orders/{order.id}/register-payment", {}, token=self.tok_agent_tg),
            400,
            "delivery_not_validated",
        )

    # ------------------------------------------------------------------ customer portal: assets

    def test_a_customer_lists_and_reads_its_own_assets_only(self):
        Asset = self.env["ov.asset"]
        mine = Asset._abs_register(
            {"partner_id": self.customer_tg.id, "lot_id": self.serials[0].id}, self.sa_togo, self.agent_tg
        )
        theirs = Asset._abs_register(
            {"partner_id": self.customer_ke.id, "lot_id": self.serials[1].id}, self.sa_kenya, self.agent_ke
        )
        token = self.customer_token_for(self.customer_tg)
        payload = self.ok("GET", "/api/customer/assets", token=token)
        self.assertEqual([asset["id"] for asset in payload["assets"]], mine.ids)
        self.assertEqual(payload["total"], 1)
        asset = self.ok("GET", f"/api/customer/assets/{mine.id}", token=token)["asset"]
        self.assertEqual((asset["lot"]["serial"], asset["state"]), (self.serials[0].name, "active"))
        self.assertNotIn("notes", asset)
        self.assertEqual(self.ok("GET", "/api/customer/assets?state=inactive", token=token)["assets"], [])
        self.assertError(self.api("GET", f"/api/customer/assets/{theirs.id}", token=token), 404, "not_found")
        self.assertError(self.api("GET", "/api/customer/assets", token=self.tok_agent_tg), 401)
        self.assertError(self.api("GET", "/api/customer/assets"), 401)
