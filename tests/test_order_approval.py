"""Approval (seed workflow 3): who may approve, when an order needs it, and what withdraws it."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..exceptions import AbsConflict, AbsForbidden, AbsInvalid
from .test_orders_api import OrderCase


class ApprovalCase(OrderCase):
    def big_order(self):
        """Four kits: above SA Togo's approval threshold (1000)."""
        return self.order_tg([self.line(self.kit, 4)])

    def post(self, order, action, body=None, token=None, **kwargs):
        return self.api(
            "POST", f"/api/orders/{order.id}/{action}", body or {}, token=token or self.tok_agent_tg, **kwargs
        )

    def assertOk(self, result):
        status, payload, _r = result
        self.assertEqual(status, 200, payload)
        return payload["order"]


@tagged("post_install", "-at_install")
class TestApprovalOverHttp(ApprovalCase):
    def test_above_threshold_confirm_is_409_until_a_staff_member_approves(self):
        order = self.big_order()
        payload = self.assertError(self.post(order, "confirm"), 409, "approval_required")
        self.assertEqual(payload["details"]["reasons"], ["threshold"])
        self.assertEqual(
            (order.state, order.picking_ids, order.invoice_ids),
            ("draft", order.picking_ids.browse(), order.invoice_ids.browse()),
        )

        answer = self.assertOk(self.post(order, "request-approval"))
        self.assertEqual(answer["approval"]["state"], "waiting")
        self.assertError(self.post(order, "confirm"), 409, "approval_required")

        answer = self.assertOk(
            self.post(order, "approve", {"note": "Approved for Q2 deployment"}, token=self.tok_manager_tg)
        )
        self.assertEqual(answer["approval"]["state"], "approved")
        self.assertEqual(answer["approval"]["note"], "Approved for Q2 deployment")
        self.assertEqual(answer["approval"]["decided_by"]["id"], self.manager_tg.id)
        self.assertEqual(order.abs_approved_by, self.manager_tg)

        answer = self.assertOk(self.post(order, "confirm"))
        self.assertEqual(answer["state"], "sale")

    def test_below_threshold_confirms_without_approval(self):
        order = self.order_tg([self.line(self.kit)])
        self.assertFalse(order.abs_needs_approval)
        self.assertEqual(self.assertOk(self.post(order, "confirm"))["state"], "sale")

    def test_reject_returns_to_draft_with_the_reason_shown(self):
        order = self.big_order()
        self.assertOk(self.post(order, "send"))
        self.assertEqual(order.state, "sent")
        self.assertOk(self.post(order, "request-approval"))
        answer = self.assertOk(
            self.post(order, "reject", {"reason": "Price too high, renegotiate"}, token=self.tok_manager_tg)
        )
        self.assertEqual((answer["state"], answer["approval"]["state"]), ("draft", "rejected"))
        self.assertEqual(order.abs_reject_reason, "Price too high, renegotiate")
        _s, payload, _r = self.api("GET", f"/api/orders/{order.id}", token=self.tok_agent_tg)
        self.assertEqual(payload["order"]["approval"]["reject_reason"], "Price too high, renegotiate")
        self.assertError(self.post(order, "confirm"), 409, "approval_required")
        # The agent revises and asks again; the last reason stays visible until the next decision.
        self.assertEqual(
            self.assertOk(self.post(order, "request-approval"))["approval"]["reject_reason"],
            "Price too high, renegotiate",
        )
        self.assertEqual(
            self.assertOk(self.post(order, "approve", token=self.tok_manager_tg))["approval"]["reject_reason"], None
        )

    def test_reject_needs_a_reason(self):
        order = self.big_order()
        self.assertOk(self.post(order, "request-approval"))
        self.assertError(self.post(order, "reject", {}, token=self.tok_manager_tg), 400, "invalid_body")
        self.assertError(self.post(order, "reject", {"reason": "   "}, token=self.tok_manager_tg), 400, "invalid_body")
        self.assertEqual(order.abs_approval_state, "waiting")

    def test_agent_cannot_approve_or_reject_even_its_own_order(self):
        order = self.big_order()
        self.assertOk(self.post(order, "request-approval"))
        self.assertError(self.post(order, "approve"), 403, "role_forbidden")
        self.assertError(self.post(order, "reject", {"reason": "mine"}), 403, "role_forbidden")
        self.assertError(
            self.post(order, "approve", token=self.tok_agent_multi, sa=self.sa_togo), 403, "role_forbidden"
        )
        self.env.invalidate_all()
        self.assertEqual((order.abs_approval_state, order.abs_reject_reason), ("waiting", False))

    def test_api_key_cannot_approve(self):
        order = self.big_order()
        self.assertOk(self.post(order, "request-approval"))
        key = self.new_api_key()
        self.assertError(self.api("POST", f"/api/orders/{order.id}/approve", {}, api_key=key), 403, "role_forbidden")
        self.assertEqual(order.abs_approval_state, "waiting")

    def test_staff_of_another_sa_cannot_approve(self):
        order = self.big_order()
        self.assertOk(self.post(order, "request-approval"))
        # Staff in Kenya, agent in Togo: sees the order, may not decide on it.
        mixed = self.env["abs.employee"].create({"name": "Test Mixed Employee", "login": "t.mixed"})
        self.env["ov.membership"].create(
            [
                {"employee_id": mixed.id, "account_id": self.sa_kenya.id, "role_code": "staff"},
                {"employee_id": mixed.id, "account_id": self.sa_togo.id, "role_code": "agent"},
            ]
        )
        token = self.token_for(mixed)
        self.assertError(self.post(order, "approve", token=token), 403, "role_forbidden")
        self.assertError(self.post(order, "approve", token=token, sa=self.sa_kenya), 404, "not_found")
        # Staff in Kenya only: the order does not exist for it.
        kenya_boss = self.env["abs.employee"].create({"name": "Test KE Manager", "login": "t.ke.manager"})
        self.env["ov.membership"].create(
            {"employee_id": kenya_boss.id, "account_id": self.sa_kenya.id, "role_code": "staff"}
        )
        self.assertError(self.post(order, "approve", token=self.token_for(kenya_boss)), 404, "not_found")
        self.assertEqual(order.abs_approval_state, "waiting")

    def test_decisions_need_an_order_waiting_for_approval(self):
        order = self.big_order()
        self.assertError(self.post(order, "approve", token=self.tok_manager_tg), 400, "invalid_state")
        self.assertOk(self.post(order, "request-approval"))
        self.assertError(self.post(order, "request-approval"), 400, "invalid_state")
        self.assertOk(self.post(order, "approve", token=self.tok_manager_tg))
        self.assertError(
            self.post(order, "reject", {"reason": "late"}, token=self.tok_manager_tg), 400, "invalid_state"
        )
        self.assertError(self.post(order, "request-approval"), 400, "invalid_state")

    def test_changing_the_lines_of_an_approved_order_withdraws_the_approval(self):
        order = self.big_order()
        self.assertOk(self.post(order, "request-approval"))
        self.assertOk(self.post(order, "approve", token=self.tok_manager_tg))
        answer = self.assertOk(self.post(order, "add-lines", {"products": [self.line(self.install)]}))
        self.assertEqual(answer["approval"]["state"], "none")
        self.assertError(self.post(order, "confirm"), 409, "approval_required")

    def approved(self):
        order = self.big_order()
        self.assertOk(self.post(order, "request-approval"))
        self.assertOk(self.post(order, "approve", token=self.tok_manager_tg))
        return order

    def test_changing_the_customer_of_an_approved_order_withdraws_the_approval(self):
        order = self.approved()
        other = self.env["res.partner"]._abs_create_customer(
            {"name": "Test Other Customer", "phone": "+228 90 55 44 33"}, self.sa_togo, self.agent_tg
        )
        status, payload, _r = self.api(
            "PUT", f"/api/orders/{order.id}", {"customer_id": other.id}, token=self.tok_agent_tg
        )
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["order"]["approval"]["state"], "none")
        self.assertError(self.post(order, "confirm"), 409, "approval_required")
        withdrawn = order.message_ids.filtered(lambda m: "withdrawn" in (m.body or ""))
        self.assertIn("Customer", withdrawn[0].body)

    def test_changing_the_payment_terms_of_an_approved_order_withdraws_the_approval(self):
        order = self.approved()
        terms = self.env.ref("account.account_payment_term_30days")
        status, payload, _r = self.api(
            "PUT", f"/api/orders/{order.id}", {"payment_term_id": terms.id}, token=self.tok_agent_tg
        )
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["order"]["approval"]["state"], "none")

    def test_writing_back_the_same_values_keeps_the_approval(self):
        order = self.approved()
        status, payload, _r = self.api(
            "PUT", f"/api/orders/{order.id}", {"customer_id": order.partner_id.id}, token=self.tok_agent_tg
        )
        self.assertEqual(status, 200, payload)
        self.assertEqual(payload["order"]["approval"]["state"], "approved")
        # A field the approval did not judge changes nothing either.
        self.assertOk(self.api("PUT", f"/api/orders/{order.id}", {"client_order_ref": "PO-7"}, token=self.tok_agent_tg))
        self.assertEqual(order.abs_approval_state, "approved")

    def test_unknown_fields_in_decisions_are_400(self):
        order = self.big_order()
        self.assertOk(self.post(order, "request-approval"))
        for action, body in (
            ("approve", {"note": "ok", "abs_approval_state": "approved"}),
            ("reject", {"reason": "no", "state": "draft"}),
            ("confirm", {"amount_total": 1}),
            ("request-approval", {"x_sa_id": self.sa_kenya.id}),
        ):
            with self.subTest(action=action):
                self.assertError(self.post(order, action, body, token=self.tok_manager_tg), 400, "invalid_body")
        self.assertEqual((order.state, order.abs_approval_state), ("draft", "waiting"))


@tagged("post_install", "-at_install")
class TestApprovalRules(ApprovalCase):
    def test_category_marked_requires_approval(self):
        category = self.env["product.category"].create({"name": "Test E-mobility", "abs_requires_approval": True})
        scooter = self.env["product.product"].create(
            {"name": "Test E-Scooter", "categ_id": category.id, "list_price": 10}
        )
        order = self.order_tg([self.line(scooter)])
        self.assertEqual(order._abs_approval_reason_codes(), ["category"])
        self.assertTrue(order.abs_needs_approval)
        self.assertIn("category", order.abs_approval_reasons)

    def test_line_below_the_pricelist_is_a_discount(self):
        cases = [
            ({"price_unit": 60.0}, ["discount"]),  # pricelist: 70
            ({"price_unit": 70.0}, []),
            ({"price_unit": 75.0}, []),
            ({}, []),
            ({"price_unit": 70.0, "discount": 10}, ["discount"]),
        ]
        for extra, reasons in cases:
            with self.subTest(extra=extra):
                order = self.order_tg([self.line(self.battery, **extra)])
                self.assertEqual(order._abs_approval_reason_codes(), reasons)
        order = self.order_tg([self.line(self.install, discount=5)])
        self.assertEqual(order._abs_approval_reason_codes(), ["discount"])

    def test_every_reason_is_reported(self):
        category = self.env["product.category"].create({"name": "Test Premium", "abs_requires_approval": True})
        self.kit.categ_id = category
        order = self.order_tg([self.line(self.kit, 4), self.line(self.battery, price_unit=1)])
        self.assertEqual(order._abs_approval_reason_codes(), ["threshold", "category", "discount"])

    def test_zero_threshold_means_no_threshold(self):
        self.sa_togo.approval_threshold = 0
        self.assertEqual(self.big_order()._abs_approval_reason_codes(), [])

    def test_an_order_of_no_sa_needs_no_approval(self):
        order = self.make_order(None, self.customer_tg, [(self.kit, 10)], confirm=False)
        self.assertFalse(order.abs_needs_approval)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_backend_pricelist_or_discount_changes_withdraw_the_approval(self):
        for change in ("pricelist", "discount"):
            with self.subTest(change=change):
                order = self.big_order()
                order._abs_request_approval()
                order._abs_approve("ok", self.manager_tg)
                self.assertEqual(order.abs_approval_state, "approved")
                if change == "pricelist":
                    order.pricelist_id = self.env["product.pricelist"].create({"name": "Test Other Pricelist"})
                else:
                    order.order_line[0].discount = 5.0
                self.assertEqual(order.abs_approval_state, "none")

    def test_backend_line_changes_and_removals_withdraw_the_approval(self):
        order = self.big_order()
        order._abs_request_approval()
        order._abs_approve("ok", self.manager_tg)
        order.order_line[0].product_uom_qty = 5
        self.assertEqual(order.abs_approval_state, "none")
        order._abs_request_approval()
        order._abs_approve("ok", self.manager_tg)
        order.order_line[0].name = "Only the description"
        self.assertEqual(order.abs_approval_state, "approved", "the description is not what was approved")
        order.write({"order_line": [(0, 0, {"product_id": self.install.id})]})
        self.assertEqual(order.abs_approval_state, "none")
        order._abs_request_approval()
        order._abs_approve("ok", self.manager_tg)
        order.order_line[-1].unlink()
        self.assertEqual(order.abs_approval_state, "none")


@tagged("post_install", "-at_install")
class TestApprovalBackend(ApprovalCase):
    """The buttons of the sale order form call the same model methods, with the same rule."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Users = cls.env["res.users"].with_context(no_reset_password=True)
        sales = cls.env.ref("sales_team.group_sale_salesman_all_leads")

        def user(login, *groups, sa=None):
            return Users.create(
                {
                    "name": login,
                    "login": login,
                    "email": f"{login}@example.com",
                    "groups_id": [(6, 0, [sales.id, *(cls.env.ref(g).id for g in groups)])],
                    "abs_sa_ids": [(6, 0, sa.ids if sa else [])],
                }
            )

        cls.sa_admin = user("t.sa.admin", "abs_connector.group_abs_manager")
        cls.officer_tg = user("t.officer.tg", "abs_connector.group_abs_user", sa=cls.sa_togo)
        cls.officer_ke = user("t.officer.ke", "abs_connector.group_abs_user", sa=cls.sa_kenya)
        cls.salesman = user("t.salesman")

    def waiting_order(self):
        order = self.big_order()
        order.with_user(self.salesman).action_abs_request_approval()
        self.assertEqual(order.abs_approval_state, "waiting")
        return order

    def test_backend_confirm_button_refuses_a_missing_approval(self):
        order = self.big_order()
        with self.assertRaises(AbsConflict):
            order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_sa_administrator_and_officer_of_the_sa_approve(self):
        for approver in (self.sa_admin, self.officer_tg):
            with self.subTest(approver=approver.login):
                order = self.waiting_order()
                order.with_user(approver).action_abs_approve("fine")
                self.assertRecordValues(
                    order,
                    [{"abs_approval_state": "approved", "abs_approval_user_id": approver.id, "abs_approved_by": False}],
                )
                order.with_user(approver).action_confirm()
                self.assertEqual(order.state, "sale")

    def test_officer_of_another_sa_and_a_plain_salesman_may_not_decide(self):
        order = self.waiting_order()
        # An officer of another SA does not even see the order (record rules); a salesman sees it but is
        # no staff of its SA.
        for user, refusal in ((self.officer_ke, AccessError), (self.salesman, AbsForbidden)):
            with self.subTest(user=user.login):
                with self.assertRaises(refusal):
                    order.with_user(user).action_abs_approve()
                with self.assertRaises(refusal):
                    order.with_user(user).action_abs_reject("no")
        self.assertEqual(order.abs_approval_state, "waiting")

    def test_approval_fields_cannot_be_written_around_the_rule(self):
        order = self.waiting_order()
        for vals in (
            {"abs_approval_state": "approved"},
            {"abs_reject_reason": "x"},
            {"abs_approved_by": self.manager_tg.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                order.with_user(self.salesman).write(vals)
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.salesman).create(
                {"partner_id": self.customer_tg.id, "x_sa_id": self.sa_togo.id, "abs_approval_state": "approved"}
            )
        self.assertEqual(order.abs_approval_state, "waiting")

    def test_reject_dialog_keeps_the_reason(self):
        order = self.waiting_order()
        action = order.with_user(self.officer_tg).with_context(decision="reject").action_abs_open_decision()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.officer_tg)
            .with_context(action["context"])
            .create({"note": "Renegotiate the kit price"})
        )
        wizard.action_confirm_decision()
        self.assertRecordValues(
            order,
            [{"state": "draft", "abs_approval_state": "rejected", "abs_reject_reason": "Renegotiate the kit price"}],
        )
        with self.assertRaises(AbsInvalid):
            order.with_user(self.officer_tg).action_abs_reject(" ")
