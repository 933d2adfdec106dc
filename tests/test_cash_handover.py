"""Agents' cash (seed workflow 9): who collected what, cash in hand as a ledger balance, the handover to the
SA's cashier, over real HTTP with real tokens."""

from odoo.tests import tagged

from .test_payments_api import PaymentCase


class CashCase(PaymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kenya_staff = cls._staff_of(cls.sa_kenya)
        cls.tok_staff_ke = cls.token_for(cls.kenya_staff)
        # Sold at any price above its list price (1.0): no approval needed.
        cls.cash_service = cls.env["product.product"].create(
            {"name": "Test Cash Service", "type": "service", "invoice_policy": "order", "list_price": 1.0}
        )
        cls.cash_service.taxes_id = False

    def collect(self, amount=100.0, source="cash", agent=None, account=None, partner=None):
        """An order of ``amount`` (one service) paid in full by ``agent`` over the API: the payment."""
        agent = agent or self.agent_tg
        account = account or self.sa_togo
        partner = partner or (self.customer_tg if account == self.sa_togo else self.customer_ke)
        order = self.make_order(account, partner, [(self.cash_service, 1)], agent=agent, confirm=False)
        order.order_line.price_unit = amount
        order.action_confirm()
        token = self.token_for(agent)
        status, payload, _r = self.pay(order, {"payment_source": source}, token=token)
        self.assertEqual(status, 201, payload)
        return self.env["account.payment"].browse(payload["payment"]["id"])

    def ok(self, result, status=200):
        got, payload, _r = result
        self.assertEqual(got, status, payload)
        self.assertIs(payload["success"], True)
        return payload

    def in_hand_balance(self, agent, account):
        in_hand = account.abs_cash_in_hand_account_id
        lines = self.env["account.move.line"].search(
            [("account_id", "=", in_hand.id), ("partner_id", "=", agent.partner_id.id), ("parent_state", "=", "posted")]
        )
        return sum(lines.mapped("balance"))

    def declare(self, payments, amount=None, token=None, sa=None):
        body = {"amount": amount if amount is not None else sum(payments.mapped("amount")), "payment_ids": payments.ids}
        return self.api("POST", "/api/cash-handovers", body, token=token or self.tok_agent_tg, sa=sa)

    def declared(self, payments, amount=None):
        status, payload, _r = self.declare(payments, amount)
        self.assertEqual(status, 201, payload)
        return self.env["abs.cash.handover"].browse(payload["handover"]["id"])

    def confirm(self, handover, counted, token=None):
        return self.api(
            "POST",
            f"/api/cash-handovers/{handover.id}/confirm",
            {"counted_amount": counted},
            token=token or self.tok_manager_tg,
        )


@tagged("post_install", "-at_install")
class TestWhoCollectedWhat(CashCase):
    def test_payments_filter_by_agent_source_and_date(self):
        cash = self.collect(40.0)
        bank = self.collect(60.0, source="bank")
        other = self.collect(25.0, agent=self.agent_multi)
        get = lambda query: {  # noqa: E731
            p["id"]
            for p in self.ok(self.api("GET", f"/api/payments?limit=200{query}", token=self.tok_manager_tg))["payments"]
        }
        self.assertEqual(get(f"&agent_id={self.agent_tg.id}") & {cash.id, bank.id, other.id}, {cash.id, bank.id})
        by_source = get(f"&agent_id={self.agent_tg.id}&source=cash")
        self.assertIn(cash.id, by_source)
        self.assertNotIn(bank.id, by_source)
        self.assertIn(bank.id, get("&source=bank"))
        self.assertFalse(get(f"&agent_id={self.agent_tg.id}&date_to=2000-01-01"))
        self.assertIn(cash.id, get(f"&date_from={cash.date}&date_to={cash.date}"))
        self.assertError(self.api("GET", "/api/payments?source=cheque", token=self.tok_manager_tg), 400)

    def test_an_agent_sees_only_the_payments_it_took_staff_all_of_their_sa(self):
        mine = self.collect(30.0)
        theirs = self.collect(20.0, agent=self.agent_multi)
        payload = self.ok(self.api("GET", "/api/payments?limit=200", token=self.tok_agent_tg))
        ids = {p["id"] for p in payload["payments"]}
        self.assertIn(mine.id, ids)
        self.assertNotIn(theirs.id, ids)
        self.assertError(self.api("GET", f"/api/payments/{theirs.id}", token=self.tok_agent_tg), 404)
        staff = {
            p["id"] for p in self.ok(self.api("GET", "/api/payments?limit=200", token=self.tok_manager_tg))["payments"]
        }
        self.assertLessEqual({mine.id, theirs.id}, staff)
        [row] = [p for p in payload["payments"] if p["id"] == mine.id]
        self.assertEqual((row["agent"]["id"], row["collected_by_user"]), (self.agent_tg.id, None))

    def test_a_backend_payment_names_the_user_who_took_it(self):
        order = self.service_order()
        invoice = order.invoice_ids
        invoice.action_post()
        billing = self.env["res.users"].create(
            {
                "name": "Test Billing Cashier",
                "login": "t.billing.cashier",
                "email": "t.billing.cashier@example.com",
                "groups_id": [(6, 0, [self.env.ref("account.group_account_invoice").id])],
            }
        )
        wizard = (
            self.env["account.payment.register"]
            .with_user(billing)
            .with_context(active_model="account.move", active_ids=invoice.ids)
        )
        payment = wizard.create({})._create_payments()
        payload = self.ok(self.api("GET", f"/api/payments/{payment.id}", token=self.tok_manager_tg))
        self.assertEqual(payload["payment"]["collected_by_user"]["id"], billing.id)
        self.assertIsNone(payload["payment"]["agent"])


@tagged("post_install", "-at_install")
class TestCashInHand(CashCase):
    def test_an_agent_cash_payment_is_booked_on_its_sa_cash_in_hand_account_with_the_agent_as_partner(self):
        payment = self.collect(70.0)
        in_hand = self.sa_togo.abs_cash_in_hand_account_id
        self.assertTrue(in_hand.reconcile)
        self.assertEqual(payment.outstanding_account_id, in_hand)
        [line] = payment.move_id.line_ids.filtered(lambda line: line.account_id == in_hand)
        self.assertEqual((line.partner_id, line.debit), (self.agent_tg.partner_id, 70.0))
        self.assertEqual(payment.invoice_ids.payment_state, "paid")
        # Bank and mobile money are not cash in hand.
        bank = self.collect(10.0, source="bank")
        self.assertNotEqual(bank.outstanding_account_id, in_hand)

    def test_agent_me_cash_is_the_ledger_balance_and_the_open_payments(self):
        first, second = self.collect(70.0), self.collect(30.0)
        self.collect(15.0, source="bank")
        cash = self.ok(self.api("GET", "/api/agents/me/cash", token=self.tok_agent_tg))["cash"]
        self.assertEqual(cash["agent"]["id"], self.agent_tg.id)
        self.assertEqual(cash["balance"], self.in_hand_balance(self.agent_tg, self.sa_togo))
        self.assertEqual(cash["balance"], 100.0)
        self.assertEqual({p["id"] for p in cash["payments"]}, {first.id, second.id})
        self.assertEqual(
            cash["service_accounts"], [{"id": self.sa_togo.id, "name": self.sa_togo.name, "balance": 100.0}]
        )

    def test_an_agent_sees_only_its_own_cash(self):
        self.collect(50.0)
        self.collect(20.0, agent=self.agent_multi)
        cash = self.ok(self.api("GET", "/api/agents/me/cash", token=self.tok_agent_tg))["cash"]
        self.assertEqual(cash["balance"], 50.0)
        self.assertError(self.api("GET", f"/api/agents/{self.agent_multi.id}/cash", token=self.tok_agent_tg), 403)

    def test_staff_read_their_sa_agents_cash_another_sa_staff_404(self):
        self.collect(45.0, agent=self.agent_multi)
        self.collect(12.0, agent=self.agent_multi, account=self.sa_kenya)
        path = f"/api/agents/{self.agent_multi.id}/cash"
        cash = self.ok(self.api("GET", path, token=self.tok_manager_tg))["cash"]
        self.assertEqual(cash["balance"], 45.0)  # SA Togo's share only: the manager is staff of SA Togo
        self.assertEqual([sa["id"] for sa in cash["service_accounts"]], [self.sa_togo.id])
        self.assertError(self.api("GET", f"/api/agents/{self.agent_tg.id}/cash", token=self.tok_staff_ke), 404)
        self.assertError(self.api("GET", path), 401)


@tagged("post_install", "-at_install")
class TestCashHandover(CashCase):
    def test_declare_then_confirm_moves_the_cash_to_the_sa_cash_journal(self):
        first, second = self.collect(70.0), self.collect(30.0)
        status, payload, _r = self.declare(first | second, 100.0)
        self.assertEqual(status, 201, payload)
        handover = payload["handover"]
        self.assertEqual((handover["state"], handover["expected_amount"]), ("declared", 100.0))
        self.assertEqual(first.abs_handover_id.id, handover["id"])
        status, payload, _r = self.api(
            "POST",
            f"/api/cash-handovers/{handover['id']}/confirm",
            {"counted_amount": 100.0},
            token=self.tok_manager_tg,
        )
        self.assertEqual(status, 200, payload)
        self.assertEqual((payload["handover"]["state"], payload["handover"]["difference"]), ("confirmed", 0.0))
        journal = self.sa_togo.abs_cash_journal_id
        cash_lines = self.env["account.move.line"].search(
            [("account_id", "=", journal.default_account_id.id), ("parent_state", "=", "posted")]
        )
        self.assertEqual(sum(cash_lines.mapped("balance")), 100.0)
        self.assertEqual(self.in_hand_balance(self.agent_tg, self.sa_togo), 0.0)
        cash = self.ok(self.api("GET", "/api/agents/me/cash", token=self.tok_agent_tg))["cash"]
        self.assertEqual((cash["balance"], cash["payments"]), (0.0, []))

    def test_a_shortage_books_the_difference_and_the_cash_journal_holds_the_counted_amount(self):
        first, second = self.collect(70.0), self.collect(30.0)
        handover = self.declared(first | second, 100.0)
        status, payload, _r = self.confirm(handover, 85.0)
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["handover"]["difference"], -15.0)
        journal = self.sa_togo.abs_cash_journal_id
        move = handover.move_id
        self.assertEqual((move.state, move.journal_id, move.x_sa_id), ("posted", journal, self.sa_togo))
        balance = lambda account: sum(  # noqa: E731
            self.env["account.move.line"]
            .search([("account_id", "=", account.id), ("parent_state", "=", "posted"), ("journal_id", "=", journal.id)])
            .mapped("balance")
        )
        self.assertEqual(balance(journal.default_account_id), 85.0)
        self.assertEqual(balance(journal.loss_account_id), 15.0)
        self.assertEqual(self.in_hand_balance(self.agent_tg, self.sa_togo), 0.0)
        self.assertTrue(self.agent_tg.abs_cash_flagged)
        self.assertEqual(self.agent_tg.abs_cash_shortage, 15.0)
        self.assertTrue(self.ok(self.api("GET", "/api/agents/me/cash", token=self.tok_agent_tg))["cash"]["flagged"])

    def test_an_overage_is_booked_to_the_cash_difference_profit(self):
        handover = self.declared(self.collect(50.0), 50.0)
        self.assertEqual(self.confirm(handover, 52.0)[0], 200)
        journal = self.sa_togo.abs_cash_journal_id
        [line] = handover.move_id.line_ids.filtered(lambda line: line.account_id == journal.profit_account_id)
        self.assertEqual(line.credit, 2.0)
        self.assertFalse(self.agent_tg.abs_cash_flagged)

    def test_a_payment_is_never_covered_twice(self):
        payment = self.collect(40.0)
        handover = self.declared(payment)
        payload = self.assertError(self.declare(payment), 409, "already_handed_over")
        self.assertEqual(payload["details"]["payment_ids"], [payment.id])
        self.assertEqual(self.confirm(handover, 40.0)[0], 200)
        # Confirmed: no longer cash in hand at all.
        self.assertError(self.declare(payment), 400, "not_cash_in_hand")
        self.assertError(self.confirm(handover, 40.0), 400, "invalid_state")

    def test_a_disputed_handover_books_nothing_and_frees_its_payments(self):
        payment = self.collect(40.0)
        handover = self.declared(payment)
        path = f"/api/cash-handovers/{handover.id}/dispute"
        status, payload, _r = self.api("POST", path, {"reason": "The bag holds 30"}, token=self.tok_manager_tg)
        self.assertEqual((status, payload["handover"]["state"]), (200, "disputed"), payload)
        self.assertFalse(handover.move_id)
        self.assertFalse(payment.abs_handover_id)
        self.assertEqual(self.in_hand_balance(self.agent_tg, self.sa_togo), 40.0)
        self.assertEqual(self.declare(payment)[0], 201)
        self.assertError(self.api("POST", path, {"reason": "again"}, token=self.tok_manager_tg), 400, "invalid_state")

    def test_bad_declarations_are_refused_and_write_nothing(self):
        mine = self.collect(40.0)
        bank = self.collect(10.0, source="bank")
        theirs = self.collect(20.0, agent=self.agent_multi)
        kenya = self.collect(30.0, agent=self.agent_ke, account=self.sa_kenya)
        before = self.env["abs.cash.handover"].search_count([])
        self.assertError(self.declare(mine | bank), 400, "not_cash_in_hand")
        self.assertError(self.declare(mine | theirs), 404, "not_found")
        self.assertError(self.declare(mine | kenya), 404, "not_found")
        self.assertError(
            self.api("POST", "/api/cash-handovers", {"amount": 1, "payment_ids": []}, token=self.tok_agent_tg), 400
        )
        self.assertError(
            self.api("POST", "/api/cash-handovers", {"amount": -1, "payment_ids": mine.ids}, token=self.tok_agent_tg),
            400,
        )
        self.assertError(self.api("POST", "/api/cash-handovers", {"amount": 1, "payment_ids": mine.ids}), 401)
        self.assertEqual(self.env["abs.cash.handover"].search_count([]), before)
        self.assertFalse(mine.abs_handover_id)

    def test_only_staff_of_the_handover_sa_confirm_another_sa_404(self):
        handover = self.declared(self.collect(40.0))
        self.assertError(self.confirm(handover, 40.0, token=self.tok_agent_tg), 403, "role_forbidden")
        self.assertError(self.confirm(handover, 40.0, token=self.tok_staff_ke), 404)
        self.assertError(self.api("GET", f"/api/cash-handovers/{handover.id}", token=self.tok_staff_ke), 404)
        self.assertError(self.api("GET", f"/api/cash-handovers/{handover.id}", token=self.tok_agent_multi), 404)
        self.assertError(self.confirm(handover, -1.0), 400)
        self.assertEqual(handover.state, "declared")
        ids = lambda token: {h["id"] for h in self.ok(self.api("GET", "/api/cash-handovers", token=token))["handovers"]}  # noqa: E731
        self.assertIn(handover.id, ids(self.tok_manager_tg))
        self.assertIn(handover.id, ids(self.tok_agent_tg))
        self.assertNotIn(handover.id, ids(self.tok_agent_multi))
        self.assertNotIn(handover.id, ids(self.tok_staff_ke))

    def test_the_backend_button_confirms_with_the_same_rule(self):
        handover = self.declared(self.collect(40.0))
        handover.counted_amount = 38.0
        handover.action_confirm()
        self.assertEqual((handover.state, handover.difference), ("confirmed", -2.0))
        self.assertEqual(handover.cashier_user_id, self.env.user)
        with self.assertRaises(Exception) as caught:
            handover.action_confirm()
        self.assertEqual(caught.exception.code, "invalid_state")


@tagged("post_install", "-at_install")
class TestCashReport(CashCase):
    def summary(self, query="", token=None):
        payload = self.ok(self.api("GET", f"/api/reports/sa-summary{query}", token=token or self.tok_manager_tg))
        return {item["id"]: item for item in payload["service_accounts"]}

    def received_in_db(self, account, date_from=None, date_to=None):
        Payment = self.env["account.payment"]
        domain = [("x_sa_id", "=", account.id), *Payment._abs_received_domain()]
        domain += [("date", ">=", date_from)] if date_from else []
        domain += [("date", "<=", date_to)] if date_to else []
        return sum(Payment.search(domain).mapped("amount_company_currency_signed"))

    def test_received_is_the_period_payments_by_date_and_source(self):
        self.collect(70.0)
        self.collect(30.0, source="bank")
        self.collect(20.0, agent=self.agent_multi)
        self.collect(15.0, agent=self.agent_ke, account=self.sa_kenya)
        togo = self.summary()[self.sa_togo.id]
        self.assertEqual(
            togo["received"], {"total": 120.0, "cash": 90.0, "bank": 30.0, "mobile_money": 0.0, "other": 0.0}
        )
        self.assertEqual(togo["received"]["total"], self.received_in_db(self.sa_togo))
        self.assertEqual(togo["cash_in_hand"], 90.0)
        old = self.summary("?date_from=2000-01-01&date_to=2000-12-31")[self.sa_togo.id]
        self.assertEqual(old["received"]["total"], self.received_in_db(self.sa_togo, "2000-01-01", "2000-12-31"))
        self.assertEqual((old["received"]["total"], old["cash_in_hand"]), (0.0, 0.0))
        self.assertNotIn("agents", togo)

    def test_kits_delivered_counts_serial_units(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 2), (self.battery, 3)], agent=self.agent_tg)
        order.picking_ids._abs_validate_delivery(None, False, actor=self.agent_tg)
        self.assertEqual(order.picking_ids.state, "done")
        togo = self.summary()[self.sa_togo.id]
        self.assertEqual((togo["kits_delivered"], togo["deliveries"]), (2, 1))

    def test_by_agent_rows_add_up_to_the_sa_and_show_handovers(self):
        first = self.collect(70.0)
        self.collect(30.0, source="bank")
        self.collect(20.0, agent=self.agent_multi)
        self.confirm(self.declared(first), 60.0)
        self.collect(15.0, agent=self.agent_ke, account=self.sa_kenya)
        togo = self.summary("?by=agent")[self.sa_togo.id]
        rows = {row["agent"]["id"] if row["agent"] else None: row for row in togo["agents"]}
        self.assertEqual(set(rows), {self.agent_tg.id, self.agent_multi.id})
        mine = rows[self.agent_tg.id]
        self.assertEqual(
            (mine["collected"], mine["cash_in_hand"], mine["handed_over"], mine["shortages"]), (100.0, 0.0, 70.0, 10.0)
        )
        self.assertEqual(mine["sales"], 100.0)
        self.assertEqual(rows[self.agent_multi.id]["cash_in_hand"], 20.0)
        for key in ("collected", "cash_in_hand"):
            total = togo["received"]["total"] if key == "collected" else togo["cash_in_hand"]
            self.assertEqual(sum(row[key] for row in togo["agents"]), total, key)

    def test_the_report_never_shows_another_sa(self):
        self.collect(70.0)
        kenya = self.summary("?by=agent", token=self.tok_staff_ke)
        self.assertEqual(list(kenya), [self.sa_kenya.id])
        agents = {row["agent"]["id"] for row in kenya[self.sa_kenya.id]["agents"] if row["agent"]}
        self.assertNotIn(self.agent_tg.id, agents)
        self.assertEqual(kenya[self.sa_kenya.id]["received"]["total"], 0.0)
        self.assertError(self.api("GET", "/api/reports/sa-summary?by=team", token=self.tok_manager_tg), 400)

    def test_by_agent_queries_do_not_grow_with_agents_and_payments(self):
        self.collect(10.0)
        self.summary("?by=agent")  # warm the caches
        small = self.count_queries(lambda: self.summary("?by=agent"))
        for index in range(6):
            agent = self.env["abs.employee"].create(
                {"name": f"Test Report Agent {index}", "login": f"t.report.{index}"}
            )
            self.env["ov.membership"].create(
                {"employee_id": agent.id, "account_id": self.sa_togo.id, "role_code": "agent"}
            )
            self.confirm(
                self.declared_by(agent, self.collect(10.0, agent=agent) | self.collect(5.0, agent=agent)), 12.0
            )
            self.collect(7.0, agent=agent, source="bank")
        self.summary("?by=agent")  # the new records' caches, as for the first answer
        self.env.flush_all()
        with self.assertQueryCount(small):
            togo = self.summary("?by=agent")[self.sa_togo.id]
        self.assertEqual(len(togo["agents"]), 7)

    def agents_with_payments(self, agent_count, payment_count, tag):
        """``agent_count`` new agents of SA Togo and ``payment_count`` posted payments they took, round robin
        over them and over the cash, bank and mobile-money journals: created in batch (two creates, one post)."""
        agents = self.env["abs.employee"].create(
            [{"name": f"Test Bulk Agent {tag}{i}", "login": f"t.bulk.{tag}.{i}"} for i in range(agent_count)]
        )
        self.env["ov.membership"].create(
            [{"employee_id": agent.id, "account_id": self.sa_togo.id, "role_code": "agent"} for agent in agents]
        )
        Journal = self.env["account.journal"]
        journals = [Journal._abs_payment_journal(self.company, source) for source in ("cash", "bank", "mobile_money")]
        payments = self.env["account.payment"].create(
            [
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": self.customer_tg.id,
                    "amount": 10.0 + i % 7,
                    "journal_id": journals[i % 3].id,
                    "x_sa_id": self.sa_togo.id,
                    "x_actor_id": agents[i % agent_count].id,
                }
                for i in range(payment_count)
            ]
        )
        payments.action_post()
        return agents, payments

    def test_by_agent_answers_in_the_same_queries_for_3_agents_30_payments_and_15_agents_300(self):
        _agents, payments = self.agents_with_payments(3, 30, "a")
        self.summary("?by=agent")  # warm the caches
        small = self.count_queries(lambda: self.summary("?by=agent"))
        _more, more_payments = self.agents_with_payments(12, 270, "b")
        self.summary("?by=agent")  # the new records' caches, as for the first answer
        self.env.flush_all()
        with self.assertQueryCount(small):
            togo = self.summary("?by=agent")[self.sa_togo.id]
        self.assertEqual(len(togo["agents"]), 15)
        everything = payments | more_payments
        self.assertEqual(togo["received"]["total"], sum(everything.mapped("amount")))
        self.assertEqual(sum(row["collected"] for row in togo["agents"]), togo["received"]["total"])
        cash = everything.filtered(lambda p: p.journal_id.abs_payment_source == "cash")
        self.assertEqual(togo["cash_in_hand"], sum(cash.mapped("amount")))

    def declared_by(self, agent, payments):
        body = {"amount": sum(payments.mapped("amount")), "payment_ids": payments.ids}
        status, payload, _r = self.api("POST", "/api/cash-handovers", body, token=self.token_for(agent))
        self.assertEqual(status, 201, payload)
        return self.env["abs.cash.handover"].browse(payload["handover"]["id"])


@tagged("post_install", "-at_install")
class TestCashBackend(CashCase):
    def test_cash_in_hand_menu_shows_the_ledger_per_agent(self):
        self.collect(70.0)
        self.collect(20.0, agent=self.agent_multi)
        action = self.env["ov.serviced_account"]._abs_action_cash_in_hand()
        groups = dict(
            self.env[action["res_model"]]._read_group(
                action["domain"] + [("account_id", "=", self.sa_togo.abs_cash_in_hand_account_id.id)],
                ["partner_id"],
                ["balance:sum"],
            )
        )
        self.assertEqual(groups, {self.agent_tg.partner_id: 70.0, self.agent_multi.partner_id: 20.0})

    def test_an_officer_of_another_sa_does_not_see_the_handover(self):
        handover = self.declared(self.collect(40.0))
        officer = self.env["res.users"].create(
            {
                "name": "Test Kenya Cashier",
                "login": "t.kenya.cashier",
                "groups_id": [(6, 0, [self.env.ref("abs_connector.group_abs_user").id])],
                "abs_sa_ids": [(6, 0, self.sa_kenya.ids)],
            }
        )
        Handover = self.env["abs.cash.handover"].with_user(officer)
        self.assertFalse(Handover.search([("id", "=", handover.id)]))
        togo_officer = officer.copy({"login": "t.togo.cashier", "abs_sa_ids": [(6, 0, self.sa_togo.ids)]})
        self.assertEqual(
            self.env["abs.cash.handover"].with_user(togo_officer).search([("id", "=", handover.id)]), handover
        )
