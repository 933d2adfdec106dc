"""Offline sync (issue 19): WatermelonDB's pull and push over real HTTP, and the cursor over real transactions."""

import json
import uuid

import requests

from odoo.tests import tagged

from .common import AbsHttpCase, AbsStockFixturesMixin, AbsTransactionCase, RealTransactionsCase


def client_id():
    """An id the way WatermelonDB makes one: 16 letters and digits."""
    return uuid.uuid4().hex[:16]


def rows(pull, table, kind=None):
    changes = pull["changes"][table]
    kinds = [kind] if kind else ["created", "updated"]
    return [row for k in kinds for row in changes[k]]


def ids(pull, table, kind=None):
    return {row["id"] for row in rows(pull, table, kind)}


@tagged("post_install", "-at_install")
class TestSyncApi(AbsStockFixturesMixin, AbsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_stock_fixtures()
        cls.order_tg = cls.make_order(cls.sa_togo, cls.customer_tg, [(cls.battery, 1)], agent=cls.agent_tg)
        cls.order_ke = cls.make_order(cls.sa_kenya, cls.customer_ke, [(cls.battery, 1)], agent=cls.agent_ke)
        cls.tok_customer_tg = cls.customer_token_for(cls.customer_tg)

    def pull(self, token, query="", status=200):
        result = self.api("GET", f"/api/sync?{query}", token=token)
        self.assertEqual(result[0], status, result[1])
        return result[1]

    def push(self, token, changes, last_pulled_at=None, sa=None):
        query = f"?last_pulled_at={last_pulled_at}" if last_pulled_at else ""
        return self.api("POST", f"/api/sync{query}", body={"changes": changes}, token=token, sa=sa)

    # ------------------------------------------------------------------ schema

    def test_schema_is_watermelondb_app_schema_input(self):
        status, payload, _r = self.api("GET", "/api/sync/schema", token=self.tok_agent_tg)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["version"], 2)
        tables = {table["name"]: table for table in payload["tables"]}
        self.assertIn("payg_accounts", tables)
        self.assertIn("cash_handovers", tables)
        columns = {column["name"]: column for column in tables["orders"]["columns"]}
        self.assertEqual(
            columns["partner_id"], {"name": "partner_id", "type": "string", "isOptional": True, "isIndexed": True}
        )
        self.assertEqual(columns["amount_total"]["type"], "number")
        steps = payload["migrations"][0]["steps"]
        self.assertEqual(payload["migrations"][0]["toVersion"], 2)
        self.assertIn({"create_table", "add_columns"}, [{step["type"] for step in steps}])

    def test_schema_version_1_has_no_later_table_or_column(self):
        _s, payload, _r = self.api("GET", "/api/sync/schema?schema_version=1", token=self.tok_agent_tg)
        tables = {table["name"]: table for table in payload["tables"]}
        self.assertNotIn("payg_accounts", tables)
        self.assertNotIn("resolution_note", {column["name"] for column in tables["tickets"]["columns"]})
        self.assertEqual(payload["migrations"], [])

    def test_unknown_schema_version_is_400(self):
        self.assertError(
            self.api("GET", "/api/sync/schema?schema_version=9", token=self.tok_agent_tg), 400, "unknown_schema_version"
        )

    # ------------------------------------------------------------------ pull

    def test_first_pull_has_the_agents_sa_and_never_another(self):
        pull = self.pull(self.tok_agent_tg)
        self.assertGreater(pull["timestamp"], 0)
        self.assertIsNone(pull["next"])
        self.assertIn(str(self.customer_tg.id), ids(pull, "customers", "created"))
        self.assertNotIn(str(self.customer_ke.id), ids(pull, "customers"))
        self.assertIn(str(self.order_tg.id), ids(pull, "orders", "created"))
        self.assertNotIn(str(self.order_ke.id), ids(pull, "orders"))
        line_ids = ids(pull, "order_lines")
        self.assertIn(str(self.order_tg.order_line.id), line_ids)
        self.assertNotIn(str(self.order_ke.order_line.id), line_ids)
        order = next(row for row in rows(pull, "orders") if row["id"] == str(self.order_tg.id))
        self.assertEqual(order["partner_id"], str(self.customer_tg.id))
        self.assertEqual(order["state"], "sale")
        self.assertEqual(order["sa_id"], str(self.sa_togo.id))
        product = next(row for row in rows(pull, "products") if row["id"] == str(self.battery.id))
        stock = self.battery._abs_stock_figures()[self.battery.id]
        self.assertEqual(product["qty_available"], stock["qty_available"])
        self.assertIn("payg_accounts", pull["changes"])

    def test_customer_pull_has_only_its_own_rows(self):
        pull = self.pull(self.tok_customer_tg)
        self.assertNotIn("customers", pull["changes"])
        self.assertNotIn("products", pull["changes"])
        self.assertEqual(ids(pull, "orders"), {str(self.order_tg.id)})
        self.assertEqual(ids(pull, "order_lines"), {str(self.order_tg.order_line.id)})

    def test_schema_version_1_pull_has_no_later_columns(self):
        pull = self.pull(self.tok_agent_tg, "schema_version=1")
        self.assertNotIn("payg_accounts", pull["changes"])
        product = next(row for row in rows(pull, "products") if row["id"] == str(self.battery.id))
        self.assertNotIn("payg_plan_id", product)

    def test_pages_hold_every_row_once(self):
        whole = self.pull(self.tok_agent_tg)
        seen, page, timestamps = [], None, set()
        while True:
            pull = self.pull(self.tok_agent_tg, "limit=2" + (f"&page={page}" if page else ""))
            timestamps.add(pull["timestamp"])
            page_rows = [(table, row["id"]) for table in pull["changes"] for row in rows(pull, table)]
            self.assertLessEqual(len(page_rows), 2)
            seen += page_rows
            page = pull["next"]
            if not page:
                break
        every = [(table, row["id"]) for table in whole["changes"] for row in rows(whole, table)]
        self.assertGreater(len(every), 6)
        self.assertEqual(sorted(seen), sorted(every))
        self.assertEqual(len(timestamps), 1, "every page hands out the first page's cursor")

    def test_incremental_pull_has_a_changed_row(self):
        first = self.pull(self.tok_agent_tg)
        self.customer_tg.phone = "+228 90 22 22 22"
        self.env.flush_all()
        pull = self.pull(self.tok_agent_tg, f"last_pulled_at={first['timestamp']}")
        customer = next(row for row in rows(pull, "customers") if row["id"] == str(self.customer_tg.id))
        self.assertEqual(customer["phone"], "+228 90 22 22 22")
        self.assertNotIn(str(self.customer_ke.id), ids(pull, "customers"))

    def test_a_cursor_no_pull_gave_is_400(self):
        result = self.api("GET", "/api/sync?last_pulled_at=987654321", token=self.tok_agent_tg)
        self.assertError(result, 400, "sync_cursor_expired")

    def test_a_migration_brings_the_new_tables_and_columns_in_full(self):
        old = self.pull(self.tok_agent_tg, "schema_version=1")
        migration = {
            "from": 1,
            "tables": ["payg_accounts", "payg_tokens"],
            "columns": [{"table": "products", "columns": ["payg_plan_id"]}],
        }
        query = f"last_pulled_at={old['timestamp']}&schema_version=2&migration={json.dumps(migration)}"
        pull = self.pull(self.tok_agent_tg, query)
        self.assertIn("payg_accounts", pull["changes"])
        products = {row["id"]: row for row in pull["changes"]["products"]["updated"]}
        self.assertIn(str(self.battery.id), products, "every product again, with the column added")
        self.assertIn("payg_plan_id", products[str(self.battery.id)])

    def test_bad_queries_are_400(self):
        for query, code in (
            ("page=not-a-token", "invalid_sync_page"),
            ("schema_version=7", "unknown_schema_version"),
            ("migration=%7Bnope", "invalid_query"),
            ("last_pulled_at=-3", "invalid_query"),
            ("limit=0", "invalid_query"),
        ):
            with self.subTest(query=query):
                self.assertError(self.api("GET", f"/api/sync?{query}", token=self.tok_agent_tg), 400, code)

    def test_without_or_with_a_bad_token_is_401(self):
        self.assertError(self.api("GET", "/api/sync"), 401)
        self.assertError(self.api("GET", "/api/sync", token="not.a.jwt"), 401)
        self.assertError(self.push(None, {}), 401)
        self.assertError(self.api("GET", "/api/sync/schema", token="bad"), 401)

    # ------------------------------------------------------------------ push

    def new_quotation_changes(self, customer_ref=None, price_unit=None, state="draft"):
        customer_id, order_id, line_id = client_id(), client_id(), client_id()
        line = {
            "id": line_id,
            "order_id": order_id,
            "product_id": str(self.battery.id),
            "quantity": 2,
            "_status": "created",
            "_changed": "",
        }
        if price_unit is not None:
            line["price_unit"] = price_unit
        changes = {
            "customers": {
                "created": [
                    {"id": customer_id, "name": "Offline Kofi", "phone": "+228 91 00 00 01", "_status": "created"}
                ],
                "updated": [],
                "deleted": [],
            },
            "orders": {
                "created": [
                    {
                        "id": order_id,
                        "partner_id": customer_ref or customer_id,
                        "state": state,
                        "amount_total": 0,
                        "_status": "created",
                    }
                ],
                "updated": [],
                "deleted": [],
            },
            "order_lines": {"created": [line], "updated": [], "deleted": []},
            "products": {"created": [], "updated": [], "deleted": []},
        }
        return changes, customer_id, order_id, line_id

    def test_push_creates_customer_and_quotation_keeping_the_app_ids(self):
        changes, customer_id, order_id, line_id = self.new_quotation_changes()
        status, payload, _r = self.push(self.tok_agent_tg, changes)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["applied"]["orders"], {"created": 1, "updated": 0})
        order = self.env["sale.order"].search([("x_sync_client_id", "=", order_id)])
        self.assertEqual(order.partner_id.x_sync_client_id, customer_id)
        self.assertEqual(order.x_sa_id, self.sa_togo)
        self.assertEqual(order.x_actor_id, self.agent_tg)
        self.assertEqual(order.order_line.x_sync_client_id, line_id)
        self.assertEqual(order.order_line.product_uom_qty, 2)
        # the next pull sends them back under the app's ids (an update: the phone has them)
        pull = self.pull(self.tok_agent_tg)
        pulled = next(row for row in rows(pull, "orders") if row["id"] == order_id)
        self.assertEqual(pulled["partner_id"], customer_id)
        self.assertIn(line_id, ids(pull, "order_lines"))

    def test_pushing_the_same_changes_twice_creates_nothing_twice(self):
        changes, customer_id, order_id, _line = self.new_quotation_changes()
        self.assertEqual(self.push(self.tok_agent_tg, changes)[0], 200)
        status, payload, _r = self.push(self.tok_agent_tg, changes)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["applied"]["orders"]["created"], 0)
        self.assertEqual(self.env["sale.order"].search_count([("x_sync_client_id", "=", order_id)]), 1)
        self.assertEqual(self.env["res.partner"].search_count([("x_sync_client_id", "=", customer_id)]), 1)

    def test_push_of_another_sas_customer_is_400_naming_it_and_writes_nothing(self):
        changes, customer_id, order_id, _line = self.new_quotation_changes(customer_ref=str(self.customer_ke.id))
        payload = self.assertError(self.push(self.tok_agent_tg, changes), 400, "sync_record_refused")
        self.assertEqual(payload["details"]["table"], "orders")
        self.assertEqual(payload["details"]["id"], order_id)
        # all or nothing: the customer created before the refused order is not there either
        self.assertFalse(self.env["res.partner"].search([("x_sync_client_id", "=", customer_id)]))

    def test_confirmed_offline_below_the_pricelist_is_400_and_writes_nothing(self):
        changes, _customer, order_id, _line = self.new_quotation_changes(price_unit=1.0, state="sale")
        payload = self.assertError(self.push(self.tok_agent_tg, changes), 400, "sync_record_refused")
        self.assertEqual(payload["details"]["id"], order_id)
        self.assertFalse(self.env["sale.order"].search([("x_sync_client_id", "=", order_id)]))

    def test_push_of_a_table_the_app_may_not_change_is_400(self):
        invoice_row = {"id": "99", "state": "posted"}
        payload = self.assertError(
            self.push(self.tok_agent_tg, {"invoices": {"created": [], "updated": [invoice_row], "deleted": []}}),
            400,
            "sync_record_refused",
        )
        self.assertEqual(payload["details"]["table"], "invoices")

    def test_invalid_rows_are_400(self):
        changes, *_ = self.new_quotation_changes()
        changes["order_lines"]["created"][0]["quantity"] = -1
        self.assertError(self.push(self.tok_agent_tg, changes), 400, "invalid_body")
        self.assertError(self.push(self.tok_agent_tg, {"nope": {}}), 400, "invalid_body")

    def test_a_customer_may_not_push(self):
        self.assertError(self.push(self.tok_customer_tg, {}), 403, "role_forbidden")

    def test_offline_cash_payment_pays_the_invoice_once(self):
        self.battery.invoice_policy = "order"
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.battery, 1)], agent=self.agent_tg)
        invoice = order.invoice_ids[:1] or order._create_invoices()  # confirmation drafts it (ordered quantities)
        invoice.action_post()
        payment_id = client_id()
        changes = {"payments": {"created": [{"id": payment_id, "invoice_id": str(invoice.id), "amount": 20.0}]}}
        for _attempt in range(2):
            status, payload, _r = self.push(self.tok_agent_tg, changes)
            self.assertEqual(status, 200, payload)
        payment = self.env["account.payment"].search([("x_sync_client_id", "=", payment_id)])
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.amount, 20.0)
        self.assertEqual(payment.x_actor_id, self.agent_tg)
        self.assertEqual(invoice.amount_residual, invoice.amount_total - 20.0)


@tagged("post_install", "-at_install")
class TestSyncQueries(AbsStockFixturesMixin, AbsTransactionCase):
    """A pull's queries do not grow with the rows: one search and one read per table and batch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_stock_fixtures()

    def _pull_queries(self):
        from ..helpers.sync_tables import SyncScope

        scope = SyncScope(kind="employee", account_ids=[self.sa_togo.id], employee=self.agent_tg, account=self.sa_togo)
        self.env["abs.sync"]._abs_pull(scope)  # warm: caches that a first call fills are not the rows' cost
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.cr.sql_log_count
        result = self.env["abs.sync"]._abs_pull(scope)
        return self.cr.sql_log_count - before, result

    def test_first_pull_queries_do_not_grow_with_the_rows(self):
        Partner = self.env["res.partner"]
        for index in range(3):
            Partner._abs_create_customer({"name": f"Few {index}"}, self.sa_togo, self.agent_tg)
            self.make_order(self.sa_togo, self.customer_tg, [(self.battery, 1)], agent=self.agent_tg, confirm=False)
        few, result = self._pull_queries()
        few_rows = sum(len(rows(result, table)) for table in result["changes"])
        for index in range(30):
            Partner._abs_create_customer({"name": f"Many {index}"}, self.sa_togo, self.agent_tg)
            self.make_order(self.sa_togo, self.customer_tg, [(self.battery, 1)], agent=self.agent_tg, confirm=False)
        many, result = self._pull_queries()
        many_rows = sum(len(rows(result, table)) for table in result["changes"])
        self.assertGreater(many_rows, few_rows + 80)
        self.assertEqual(many, few, f"{few} queries for {few_rows} rows, {many} for {many_rows}")

    def test_incremental_pull_queries_do_not_grow_with_the_changes(self):
        """Every change of this test's transaction is after a cursor taken now (its snapshot did not see them)."""
        from ..helpers.sync_tables import SyncScope

        scope = SyncScope(kind="employee", account_ids=[self.sa_togo.id], employee=self.agent_tg, account=self.sa_togo)
        Sync, Partner = self.env["abs.sync"], self.env["res.partner"]
        cursor = self.env["abs.sync.log"]._abs_cursor()
        counts = []
        for size in (3, 30):
            for index in range(size):
                Partner._abs_create_customer({"name": f"Changed {size} {index}"}, self.sa_togo, self.agent_tg)
                self.make_order(self.sa_togo, self.customer_tg, [(self.battery, 1)], agent=self.agent_tg, confirm=False)
            Sync._abs_pull(scope, last_pulled_at=cursor)  # warm
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.cr.sql_log_count
            result = Sync._abs_pull(scope, last_pulled_at=cursor)
            counts.append((self.cr.sql_log_count - before, len(rows(result, "customers"))))
        (few, few_rows), (many, many_rows) = counts
        self.assertGreaterEqual(many_rows, few_rows + 30)
        self.assertEqual(many, few, f"{few} queries for {few_rows} customers, {many} for {many_rows}")


class TestSyncCursorRealTransactions(RealTransactionsCase):
    """The cursor over real, committed transactions: the row ``write_date`` loses, and rows that leave a scope."""

    def _scope(self, env, account, agent):
        from ..helpers.sync_tables import SyncScope

        return SyncScope(kind="employee", account_ids=[account.id], employee=agent, account=account)

    def test_a_transaction_that_commits_after_a_pull_is_in_the_next_pull(self):
        tag = uuid.uuid4().hex[:6]
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            account, agent, _token = self.create_sa_with_agent(env, "Sync", tag)
            first = env["abs.sync"]._abs_pull(self._scope(env, account, agent))
        # B begins (and writes), A begins, writes and commits, a pull hands out its cursor, B commits.
        with self.registry.cursor() as cr_b:
            env_b = self.env_of(cr_b)
            customer_b = env_b["res.partner"]._abs_create_customer({"name": f"B {tag}"}, account.with_env(env_b), None)
            env_b.flush_all()
            with self.registry.cursor() as cr_a:
                env_a = self.env_of(cr_a)
                customer_a = env_a["res.partner"]._abs_create_customer(
                    {"name": f"A {tag}"}, account.with_env(env_a), None
                )
            with self.registry.cursor() as cr_pull:
                env_p = self.env_of(cr_pull)
                second = env_p["abs.sync"]._abs_pull(
                    self._scope(env_p, account, agent), last_pulled_at=first["timestamp"]
                )
        self.assertIn(str(customer_a.id), ids(second, "customers"))
        self.assertNotIn(str(customer_b.id), ids(second, "customers"))  # not committed when it pulled
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            third = env["abs.sync"]._abs_pull(self._scope(env, account, agent), last_pulled_at=second["timestamp"])
        self.assertIn(str(customer_b.id), ids(third, "customers"))

    def test_a_row_moved_to_another_sa_is_deleted_exactly_once(self):
        tag = uuid.uuid4().hex[:6]
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            account, agent, token = self.create_sa_with_agent(env, "Sync", tag)
            other, _agent, _token = self.create_sa_with_agent(env, "Sync", tag + "o")
            customer = env["res.partner"]._abs_create_customer({"name": f"Mover {tag}"}, account, agent)
        first = self.http_pull(token)
        self.assertIn(str(customer.id), ids(first, "customers"))
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            partner = env["res.partner"].browse(customer.id)
            partner.abs_sa_assignment_ids.action_end()
            env["ov.sa_customer_assignment"]._assign(partner, env["ov.serviced_account"].browse(other.id), None)
        second = self.http_pull(token, first["timestamp"])
        self.assertEqual(second["changes"]["customers"]["deleted"], [str(customer.id)])
        with self.registry.cursor() as cr:
            # the other SA changes it: nothing for the first SA's phone
            self.env_of(cr)["res.partner"].browse(customer.id).phone = "+228 93 00 00 00"
        third = self.http_pull(token, second["timestamp"])
        self.assertNotIn(str(customer.id), third["changes"]["customers"]["deleted"])
        self.assertNotIn(str(customer.id), ids(third, "customers"))

    def test_an_agent_that_leaves_an_sa_gets_its_rows_deleted(self):
        tag = uuid.uuid4().hex[:6]
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            account, agent, token = self.create_sa_with_agent(env, "Sync", tag)
            other, _agent, _token = self.create_sa_with_agent(env, "Sync", tag + "l")
            membership = env["ov.membership"].create(
                {"employee_id": agent.id, "account_id": other.id, "role_code": "agent"}
            )
            kept = env["res.partner"]._abs_create_customer({"name": f"Kept {tag}"}, account, agent)
            left = env["res.partner"]._abs_create_customer({"name": f"Left {tag}"}, other, agent)
        first = self.http_pull(token)
        self.assertLessEqual({str(kept.id), str(left.id)}, ids(first, "customers"))
        with self.registry.cursor() as cr:
            self.env_of(cr)["ov.membership"].browse(membership.id).action_end_membership()
        second = self.http_pull(token, first["timestamp"])
        self.assertIn(str(left.id), second["changes"]["customers"]["deleted"])
        self.assertNotIn(str(kept.id), second["changes"]["customers"]["deleted"])

    def test_push_of_a_row_changed_since_the_pull_is_409_then_accepted_after_a_pull(self):
        tag = uuid.uuid4().hex[:6]
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            account, agent, token = self.create_sa_with_agent(env, "Sync", tag)
            customer = env["res.partner"]._abs_create_customer({"name": f"Clash {tag}"}, account, agent)
        first = self.http_pull(token)
        with self.registry.cursor() as cr:
            self.env_of(cr)["res.partner"].browse(customer.id).city = "Kara"
        row = {"id": str(customer.id), "name": f"Clash {tag}", "phone": "+228 94 00 00 00"}
        changes = {"customers": {"created": [], "updated": [row], "deleted": []}}
        response = requests.post(
            f"{self.base_url}/api/sync?last_pulled_at={first['timestamp']}",
            json={"changes": changes},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        self.assertEqual(response.status_code, 409, response.text)
        self.assertEqual(response.json()["details"]["conflicts"], {"customers": [str(customer.id)]})
        second = self.http_pull(token, first["timestamp"])
        response = requests.post(
            f"{self.base_url}/api/sync?last_pulled_at={second['timestamp']}",
            json={"changes": changes},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        self.assertEqual(response.status_code, 200, response.text)
        with self.registry.cursor() as cr:
            partner = self.env_of(cr)["res.partner"].browse(customer.id)
            self.assertEqual((partner.phone, partner.city), ("+228 94 00 00 00", "Kara"))

    def test_parallel_retries_of_one_push_create_one_customer(self):
        tag = uuid.uuid4().hex[:6]
        with self.registry.cursor() as cr:
            _account, _agent, token = self.create_sa_with_agent(self.env_of(cr), "Sync", tag)
        row_id = client_id()
        body = {"changes": {"customers": {"created": [{"id": row_id, "name": f"Twice {tag}"}]}}}
        results = self.post_in_parallel([("/api/sync", body, {"Authorization": f"Bearer {token}"})] * 4)
        self.assertTrue(all(status == 200 for status, _payload in results), results)
        self.assertEqual(sum(payload["applied"]["customers"]["created"] for _s, payload in results), 1)
        with self.registry.cursor() as cr:
            self.assertEqual(self.env_of(cr)["res.partner"].search_count([("x_sync_client_id", "=", row_id)]), 1)

    # ------------------------------------------------------------------ helpers

    def env_of(self, cr):
        from odoo import SUPERUSER_ID, api

        return api.Environment(cr, SUPERUSER_ID, {})

    def http_pull(self, token, last_pulled_at=None):
        query = f"?last_pulled_at={last_pulled_at}" if last_pulled_at else ""
        response = requests.get(
            f"{self.base_url}/api/sync{query}", headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()
