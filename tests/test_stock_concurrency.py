"""Two agents validate two deliveries carrying the same serial at the same moment: one wins, one gets 409.

Not an HttpCase: HttpCase funnels every request through the test's single cursor, so it cannot show
two transactions racing. This test commits its own data and calls the real server from two threads.
"""

import threading
import uuid

import requests

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests import get_db_name, tagged
from odoo.tests.common import BaseCase


@tagged("post_install", "-at_install")
class TestConcurrentDeliveryOfOneSerial(BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = odoo.modules.registry.Registry(get_db_name())
        self.assertFalse(self.registry.in_test_mode(), "needs real transactions: the registry is in test mode")
        server = odoo.service.server.server
        self.assertTrue(server and getattr(server, "httpd", None), "needs the HTTP server (--odoo-http)")
        self.base_url = f"http://127.0.0.1:{server.httpd.server_port}"
        self.tag = uuid.uuid4().hex[:8]

    def _commit_fixtures(self):
        """Create and commit: an SA with an agent, a serial in WH/Stock, two confirmed orders wanting it."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account = env["ov.serviced_account"].create(
                {"name": f"Race SA {self.tag}", "code": f"R{self.tag}", "company_id": env.company.id}
            )
            agent = env["abs.employee"].create({"name": f"Race Agent {self.tag}", "login": f"race.{self.tag}"})
            env["ov.membership"].create({"employee_id": agent.id, "account_id": account.id, "role_code": "agent"})
            customer = env["res.partner"]._abs_create_customer({"name": f"Race Customer {self.tag}"}, account, agent)
            product = env["product.product"].create(
                {"name": f"Race Kit {self.tag}", "type": "consu", "is_storable": True, "tracking": "serial"}
            )
            warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
            lot = env["stock.lot"].create({"name": f"RACE-{self.tag}", "product_id": product.id})
            env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 1, lot_id=lot)
            pickings = env["stock.picking"]
            for _index in range(2):
                order = env["sale.order"].create(
                    {
                        "partner_id": customer.id,
                        "x_sa_id": account.id,
                        "x_actor_id": agent.id,
                        "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})],
                    }
                )
                order.action_confirm()
                pickings |= order.picking_ids
            token = env["abs.api.token"]._issue_pair("employee", agent.id)["access_token"]
            data = {
                "pickings": pickings.ids,
                "moves": [p.move_ids.id for p in pickings],
                "lot": lot.id,
                "product": product.id,
                "token": token,
                "stock": warehouse.lot_stock_id.id,
            }
            # The race needs data that other transactions (the two requests) can see.
            cr.commit()  # pylint: disable=invalid-commit
        return data

    def _cleanup(self, data):
        # The done moves stay as history (unique names keep them harmless); the stock this test
        # put in WH/Stock is removed so stock levels elsewhere are not affected.
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM stock_quant WHERE product_id = %s", [data["product"]])
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["product.product"].browse(data["product"]).active = False
            cr.commit()  # pylint: disable=invalid-commit

    def test_one_serial_two_parallel_validations_exactly_one_wins(self):
        data = self._commit_fixtures()
        self.addCleanup(self._cleanup, data)
        barrier = threading.Barrier(2)
        results = {}

        def validate(index):
            picking_id, move_id = data["pickings"][index], data["moves"][index]
            body = {"lines": [{"move_id": move_id, "qty_done": 1, "lot_id": data["lot"]}]}
            barrier.wait()
            response = requests.post(
                f"{self.base_url}/api/stock/deliveries/{picking_id}/validate",
                json=body,
                timeout=120,
                headers={"Authorization": f"Bearer {data['token']}"},
            )
            results[index] = (response.status_code, response.json())

        threads = [threading.Thread(target=validate, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
        self.assertEqual(len(results), 2, results)
        statuses = sorted(status for status, _payload in results.values())
        self.assertEqual(statuses, [200, 409], results)
        loser = next(payload for status, payload in results.values() if status == 409)
        self.assertEqual(loser["code"], "serial_unavailable")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            pickings = env["stock.picking"].browse(data["pickings"])
            self.assertEqual(len(pickings.filtered(lambda p: p.state == "done")), 1)
            quants = env["stock.quant"].search([("lot_id", "=", data["lot"]), ("quantity", ">", 0)])
            self.assertEqual(quants.location_id.usage, "customer")
            self.assertEqual(sum(quants.mapped("quantity")), 1)
