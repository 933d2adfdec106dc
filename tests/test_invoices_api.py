"""Invoices over real HTTP with real tokens (seed workflows 6-7): made from orders, posted, credited, read."""

import base64

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_orders_api import OrderCase


class InvoiceCase(OrderCase):
    """Confirmed orders of SA Togo (and one of SA Kenya) made by the model, as the backend would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_ke.email = "otieno@example.ke"

    def confirmed(self, lines=None, account=None, partner=None, agent=None):
        """A confirmed order; its ``invoice_policy = order`` lines already have their draft invoice."""
        return self.make_order(
            account or self.sa_togo,
            partner or self.customer_tg,
            lines or [(self.install, 2)],
            agent or self.agent_tg,
        )

    def deliver(self, order):
        picking = order.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()

    def invoice_of(self, order):
        return order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice").sorted("id")[-1:]

    def posted_invoice(self, lines=None, **kwargs):
        order = self.confirmed(lines, **kwargs)
        invoice = self.invoice_of(order)
        invoice.action_post()
        return order, invoice

    def post_api(self, path, body=None, token=None, **kwargs):
        return self.api("POST", path, body if body is not None else {}, token=token or self.tok_agent_tg, **kwargs)

    def get_api(self, path, token=None, **kwargs):
        return self.api("GET", path, token=token or self.tok_agent_tg, **kwargs)

    def ok(self, result, status=200):
        got, payload, _r = result
        self.assertEqual(got, status, payload)
        self.assertIs(payload["success"], True)
        return payload

    def invoice_counts(self):
        self.env.invalidate_all()
        return (
            self.env["account.move"].search_count([]),
            self.env["account.move.line"].search_count([]),
            self.env["ov.sa_invoice_assignment"].search_count([]),
        )


@tagged("post_install", "-at_install")
class TestInvoiceFromOrder(InvoiceCase):
    def test_invoice_returns_the_draft_made_at_confirmation_instead_of_a_duplicate(self):
        order = self.confirmed()
        draft = self.invoice_of(order)
        before = self.invoice_counts()
        for _attempt in range(2):
            payload = self.ok(self.post_api(f"/api/orders/{order.id}/invoice"))
            self.assertIs(payload["created"], False)
            self.assertEqual(payload["invoice"]["id"], draft.id)
        self.assertEqual(self.invoice_counts(), before)

    def test_invoice_of_delivered_goods_is_a_new_governed_draft(self):
        order = self.confirmed([(self.battery, 2)])
        self.assertFalse(order.invoice_ids)
        self.deliver(order)
        payload = self.ok(self.post_api(f"/api/orders/{order.id}/invoice"))
        self.assertIs(payload["created"], True)
        invoice = self.env["account.move"].browse(payload["invoice"]["id"])
        self.assertRecordValues(invoice, [{"state": "draft", "move_type": "out_invoice", "x_sa_id": self.sa_togo.id}])
        self.assertEqual(invoice.abs_sa_assignment_ids.account_id, self.sa_togo)
        self.assertEqual(invoice.abs_sa_assignment_ids.actor_id, self.agent_tg)
        answer = payload["invoice"]
        self.assertEqual(answer["state"], "draft")
        self.assertEqual(answer["payment_state"], "not_paid")
        self.assertEqual(answer["service_account"], {"id": self.sa_togo.id, "name": self.sa_togo.display_name})
        self.assertEqual([line["quantity"] for line in answer["lines"]], [2.0])
        self.assertEqual(answer["lines"][0]["order_line_ids"], order.order_line.ids)
        self.assertEqual(answer["orders"], [{"id": order.id, "name": order.name}])

    def test_partial_invoice_leaves_the_rest_of_the_order_open(self):
        order = self.confirmed([(self.install, 4)])
        self.invoice_of(order).unlink()  # the draft of confirmation, so the order has all 4 to invoice
        line = order.order_line
        payload = self.ok(
            self.post_api(f"/api/orders/{order.id}/invoice", {"lines": [{"order_line_id": line.id, "quantity": 1}]})
        )
        self.assertIs(payload["created"], True)
        self.assertEqual([item["quantity"] for item in payload["invoice"]["lines"]], [1.0])
        self.assertEqual(line.qty_invoiced, 1)
        self.assertEqual(line.qty_to_invoice, 3)
        self.assertEqual(order.invoice_status, "to invoice")
        # Posted, the next call makes the next invoice of what is left.
        self.env["account.move"].browse(payload["invoice"]["id"]).action_post()
        payload = self.ok(self.post_api(f"/api/orders/{order.id}/invoice"))
        self.assertIs(payload["created"], True)
        self.assertEqual([item["quantity"] for item in payload["invoice"]["lines"]], [3.0])
        self.assertEqual(order.invoice_status, "invoiced")

    def test_partial_invoice_refusals_write_nothing(self):
        order = self.confirmed([(self.install, 2)])
        self.invoice_of(order).unlink()
        other = self.confirmed([(self.install, 1)])
        line = order.order_line
        before = self.invoice_counts()
        cases = [
            ({"lines": [{"order_line_id": other.order_line.id, "quantity": 1}]}, 400, "invalid_invoice_lines"),
            ({"lines": [{"order_line_id": line.id, "quantity": 1}] * 2}, 400, "invalid_invoice_lines"),
            ({"lines": [{"order_line_id": line.id, "quantity": 3}]}, 400, "over_invoice"),
            ({"lines": [{"order_line_id": line.id, "quantity": 0}]}, 400, "invalid_body"),
            ({"lines": []}, 400, "invalid_body"),
            ({"lines": [{"order_line_id": line.id}]}, 400, "invalid_body"),
            ({"surprise": 1}, 400, "invalid_body"),
        ]
        for body, status, code in cases:
            with self.subTest(body=body):
                self.assertError(self.post_api(f"/api/orders/{order.id}/invoice", body), status, code)
        self.assertEqual(self.invoice_counts(), before)

    def test_partial_invoice_while_a_draft_waits_is_409(self):
        order = self.confirmed([(self.install, 2)])
        body = {"lines": [{"order_line_id": order.order_line.id, "quantity": 1}]}
        payload = self.assertError(self.post_api(f"/api/orders/{order.id}/invoice", body), 409, "draft_invoice_exists")
        self.assertEqual(payload["details"], {"invoice_id": self.invoice_of(order).id})

    def test_nothing_to_invoice_is_409_and_a_quotation_is_400(self):
        goods = self.confirmed([(self.battery, 1)])
        self.assertError(self.post_api(f"/api/orders/{goods.id}/invoice"), 409, "nothing_to_invoice")
        quotation = self.order_tg()
        self.assertError(self.post_api(f"/api/orders/{quotation.id}/invoice"), 400, "invalid_state")
        self.assertFalse(goods.invoice_ids | quotation.invoice_ids)

    def test_idempotency_key_replays_the_first_answer(self):
        order = self.confirmed([(self.battery, 1)])
        self.deliver(order)
        headers = {"Idempotency-Key": "invoice-once-1"}
        first = self.ok(self.post_api(f"/api/orders/{order.id}/invoice", headers=headers))
        status, second, response = self.post_api(f"/api/orders/{order.id}/invoice", headers=headers)
        self.assertEqual(status, 200)
        self.assertEqual(response.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(second, first)
        self.assertEqual(len(order.invoice_ids), 1)

    def test_order_invoices_lists_invoices_and_credit_notes(self):
        order, invoice = self.posted_invoice()
        credit = invoice._abs_credit_note("returned")
        payload = self.ok(self.get_api(f"/api/orders/{order.id}/invoices"))
        self.assertEqual([item["id"] for item in payload["invoices"]], [invoice.id, credit.id])
        self.assertEqual([item["move_type"] for item in payload["invoices"]], ["out_invoice", "out_refund"])


@tagged("post_install", "-at_install")
class TestInvoicePosting(InvoiceCase):
    def test_confirm_posts_the_receivable_revenue_and_tax_entry(self):
        order = self.confirmed([(self.install, 2)])
        invoice = self.invoice_of(order)
        payload = self.ok(self.post_api(f"/api/orders/{order.id}/invoices/{invoice.id}/confirm"))
        self.assertEqual(payload["invoice"]["state"], "posted")
        self.assertEqual(invoice.state, "posted")
        self.assertTrue(invoice.name and invoice.name != "/")
        self.assertTrue(payload["invoice"]["invoice_date_due"])
        receivable = invoice.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        revenue = invoice.line_ids.filtered(lambda line: line.display_type == "product")
        tax = invoice.line_ids.filtered(lambda line: line.display_type == "tax")
        self.assertEqual(receivable.debit, invoice.amount_total)
        self.assertEqual(receivable.partner_id, self.customer_tg)
        self.assertEqual(sum(revenue.mapped("credit")), invoice.amount_untaxed)
        self.assertEqual(sum(tax.mapped("credit")), invoice.amount_tax)
        self.assertEqual(self.customer_tg.credit, invoice.amount_total)
        self.assertEqual(payload["invoice"]["amount_residual"], invoice.amount_total)
        self.assertEqual(len(payload["invoice"]["taxes"]), len(tax))

    def test_confirm_refuses_what_is_not_a_draft_and_another_orders_invoice(self):
        order, invoice = self.posted_invoice()
        self.assertError(
            self.post_api(f"/api/orders/{order.id}/invoices/{invoice.id}/confirm"), 409, "invoice_not_draft"
        )
        other = self.confirmed()
        self.assertError(self.post_api(f"/api/orders/{other.id}/invoices/{invoice.id}/confirm"), 404, "not_found")

    def test_abs_post_refuses_a_posted_invoice(self):
        _order, invoice = self.posted_invoice()
        with self.assertRaises(Exception) as caught:
            invoice._abs_post()
        self.assertEqual(caught.exception.code, "invoice_not_draft")


@tagged("post_install", "-at_install")
class TestCreditNotes(InvoiceCase):
    def test_full_credit_note_reverses_the_invoice_and_keeps_its_sa(self):
        order, invoice = self.posted_invoice()
        payload = self.ok(
            self.post_api(
                f"/api/orders/{order.id}/credit-note",
                {"invoice_id": invoice.id, "reason": "Customer returned goods", "date": str(fields.Date.today())},
            ),
            201,
        )
        credit = self.env["account.move"].browse(payload["credit_note"]["id"])
        self.assertRecordValues(
            credit,
            [
                {
                    "move_type": "out_refund",
                    "state": "posted",
                    "reversed_entry_id": invoice.id,
                    "x_sa_id": self.sa_togo.id,
                }
            ],
        )
        self.assertEqual(credit.abs_sa_assignment_ids.account_id, self.sa_togo)
        self.assertIn("Customer returned goods", credit.ref)
        self.assertEqual(credit.amount_total, invoice.amount_total)
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertEqual(payload["invoice"]["payment_state"], "reversed")
        self.assertEqual(payload["invoice"]["amount_residual"], 0)
        self.assertError(
            self.post_api(f"/api/orders/{order.id}/credit-note", {"invoice_id": invoice.id, "reason": "again"}),
            409,
            "invoice_reversed",
        )

    def test_partial_credit_note_by_lines(self):
        order, invoice = self.posted_invoice([(self.install, 3), (self.warranty, 1)])
        install_line = invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.install)
        payload = self.ok(
            self.post_api(
                f"/api/orders/{order.id}/credit-note",
                {
                    "invoice_id": invoice.id,
                    "reason": "one visit cancelled",
                    "lines": [{"invoice_line_id": install_line.id, "quantity": 1}],
                },
            ),
            201,
        )
        credit = self.env["account.move"].browse(payload["credit_note"]["id"])
        self.assertEqual(credit.invoice_line_ids.product_id, self.install)
        self.assertEqual(credit.invoice_line_ids.quantity, 1)
        self.assertEqual(payload["invoice"]["payment_state"], "partial")
        self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total - credit.amount_total)
        self.assertEqual(credit.x_sa_id, self.sa_togo)

    def test_credit_note_refusals_write_nothing(self):
        order = self.confirmed([(self.install, 2)])
        draft = self.invoice_of(order)
        _other_order, other_invoice = self.posted_invoice()
        before = self.invoice_counts()
        path = f"/api/orders/{order.id}/credit-note"
        self.assertError(self.post_api(path, {"invoice_id": draft.id, "reason": "x"}), 400, "invoice_not_posted")
        self.assertError(self.post_api(path, {"invoice_id": other_invoice.id, "reason": "x"}), 404, "not_found")
        self.assertError(self.post_api(path, {"invoice_id": draft.id}), 400, "invalid_body")
        draft.action_post()
        before = self.invoice_counts()
        tomorrow = str(fields.Date.add(fields.Date.today(), days=1))
        self.assertError(
            self.post_api(path, {"invoice_id": draft.id, "reason": "x", "date": tomorrow}), 400, "invalid_date"
        )
        line = draft.invoice_line_ids
        self.assertError(
            self.post_api(
                path, {"invoice_id": draft.id, "reason": "x", "lines": [{"invoice_line_id": line.id, "quantity": 5}]}
            ),
            400,
            "over_invoice",
        )
        foreign = other_invoice.invoice_line_ids
        self.assertError(
            self.post_api(
                path, {"invoice_id": draft.id, "reason": "x", "lines": [{"invoice_line_id": foreign.id, "quantity": 1}]}
            ),
            400,
            "invalid_invoice_lines",
        )
        self.assertEqual(self.invoice_counts(), before)


@tagged("post_install", "-at_install")
class TestInvoiceReads(InvoiceCase):
    def test_list_filters(self):
        _order, posted = self.posted_invoice()
        draft = self.invoice_of(self.confirmed())
        ke_order = self.confirmed(account=self.sa_kenya, partner=self.customer_ke, agent=self.agent_ke)
        ke_invoice = self.invoice_of(ke_order)

        def ids(query=""):
            return [item["id"] for item in self.ok(self.get_api(f"/api/invoices{query}"))["invoices"]]

        self.assertEqual(set(ids()), {posted.id, draft.id})
        self.assertNotIn(ke_invoice.id, ids())
        self.assertEqual(ids("?state=draft"), [draft.id])
        self.assertEqual(ids("?state=posted&payment_state=not_paid"), [posted.id])
        self.assertEqual(ids("?payment_state=paid"), [])
        self.assertEqual(set(ids(f"?partner_id={self.customer_tg.id}")), {posted.id, draft.id})
        today = str(fields.Date.today())
        self.assertEqual(ids(f"?date_from={today}&date_to={today}&state=posted"), [posted.id])
        self.assertEqual(ids("?date_to=2000-01-01"), [])
        self.assertError(self.get_api("/api/invoices?state=paid"), 400, "invalid_query")
        self.assertError(self.get_api("/api/invoices?limit=201"), 400, "invalid_query")

    def test_in_payment_is_shown_as_paid(self):
        _order, invoice = self.posted_invoice()
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {}
        )._create_payments()
        self.assertIn(invoice.payment_state, ("in_payment", "paid"))
        payload = self.ok(self.get_api(f"/api/invoices/{invoice.id}"))
        self.assertEqual(payload["invoice"]["payment_state"], "paid")
        listed = self.ok(self.get_api("/api/invoices?payment_state=paid"))["invoices"]
        self.assertEqual([item["id"] for item in listed], [invoice.id])

    def test_detail_has_lines_taxes_residual_and_due_date(self):
        _order, invoice = self.posted_invoice([(self.install, 2), (self.warranty, 1)])
        answer = self.ok(self.get_api(f"/api/invoices/{invoice.id}"))["invoice"]
        self.assertEqual(answer["name"], invoice.name)
        self.assertEqual([line["product"]["id"] for line in answer["lines"]], [self.install.id, self.warranty.id])
        self.assertEqual(answer["amount_total"], invoice.amount_total)
        self.assertEqual(answer["amount_residual"], invoice.amount_total)
        self.assertEqual(answer["invoice_date_due"], str(invoice.invoice_date_due))
        self.assertAlmostEqual(sum(tax["amount"] for tax in answer["taxes"]), invoice.amount_tax)

    def test_pdf_is_the_real_invoice_pdf(self):
        _order, invoice = self.posted_invoice()
        # The test server answers one request at a time: wkhtmltopdf's own requests for the styles go
        # nowhere (an unstyled, but real, PDF), as in test_orders_api. The smoke run renders it styled.
        self.env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
        with mute_logger("odoo.addons.base.models.ir_actions_report"):
            payload = self.ok(self.get_api(f"/api/invoices/{invoice.id}/pdf"))
        self.assertEqual(payload["mimetype"], "application/pdf")
        self.assertTrue(base64.b64decode(payload["content_base64"]).startswith(b"%PDF"))
        self.assertTrue(payload["filename"].endswith(".pdf"))

    def test_send_queues_the_mail_with_the_pdf(self):
        _order, invoice = self.posted_invoice()
        payload = self.ok(self.post_api(f"/api/invoices/{invoice.id}/send"))
        mails = self.env["mail.mail"].sudo().browse(payload["mail_ids"])
        self.assertTrue(mails)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        self.assertIn(self.customer_tg, mails.recipient_ids)
        self.assertTrue(any(a.mimetype == "application/pdf" for a in mails.attachment_ids))
        self.assertTrue(invoice.is_move_sent)

    def test_send_refuses_a_draft_and_a_customer_without_email(self):
        draft = self.invoice_of(self.confirmed())
        self.assertError(self.post_api(f"/api/invoices/{draft.id}/send"), 400, "invoice_not_posted")
        self.customer_tg.email = False
        _order, invoice = self.posted_invoice()
        self.assertError(self.post_api(f"/api/invoices/{invoice.id}/send"), 400, "no_email")

    def test_customer_invoices_pending_and_next_payment(self):
        _order, posted = self.posted_invoice()
        draft = self.invoice_of(self.confirmed())
        _paid_order, paid = self.posted_invoice()
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=paid.ids).create(
            {}
        )._create_payments()
        base = f"/api/customers/{self.customer_tg.id}"
        listed = self.ok(self.get_api(f"{base}/invoices"))
        self.assertEqual({item["id"] for item in listed["invoices"]}, {posted.id, draft.id, paid.id})
        pending = self.ok(self.get_api(f"{base}/invoices/pending"))
        self.assertEqual([item["id"] for item in pending["invoices"]], [posted.id])
        nxt = self.ok(self.get_api(f"{base}/next-payment"))["next_payment"]
        self.assertEqual(nxt["invoice"]["id"], posted.id)
        self.assertEqual(nxt["amount"], posted.amount_total)
        self.assertEqual(nxt["due_date"], str(posted.invoice_date_due))
        self.ok(self.get_api(f"{base}/next-payment", token=self.tok_manager_tg))
        # A customer with nothing due: null.
        nothing = self.ok(self.get_api(f"/api/customers/{self.customer_ke.id}/next-payment", token=self.tok_agent_ke))
        self.assertIsNone(nothing["next_payment"])

    def test_customer_portal_lists_its_own_posted_invoices_only(self):
        _order, mine = self.posted_invoice()
        self.invoice_of(self.confirmed())  # a draft: not shown to the customer
        ke_order = self.confirmed(account=self.sa_kenya, partner=self.customer_ke, agent=self.agent_ke)
        self.invoice_of(ke_order).action_post()
        token = self.customer_token_for(self.customer_tg)
        payload = self.ok(self.api("GET", "/api/customer/invoices", token=token))
        self.assertEqual([item["id"] for item in payload["invoices"]], [mine.id])
        self.assertError(self.api("GET", "/api/invoices", token=token), 401)
        self.assertError(self.api("GET", "/api/customer/invoices", token=self.tok_agent_tg), 401)

    def test_list_queries_do_not_grow_with_the_page_size(self):
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": self.customer_tg.id,
                    "x_sa_id": self.sa_togo.id,
                    "x_actor_id": self.agent_tg.id,
                    "order_line": [Command.create({"product_id": self.install.id, "product_uom_qty": 1})],
                }
                for _index in range(12)
            ]
        )
        for order in orders:
            order.action_confirm()  # one invoice each (confirmed together, core would group them)
        self.assertEqual(len(orders.invoice_ids), 12)
        orders.invoice_ids[:6].action_post()

        def page(limit):
            payload = self.ok(self.api("GET", f"/api/invoices?limit={limit}", token=self.tok_agent_tg))
            return len(payload["invoices"])

        page(2)  # warm the caller's caches (token, memberships) and the registry's
        small = self.count_queries(lambda: self.assertEqual(page(2), 2))
        large = self.count_queries(lambda: self.assertGreaterEqual(page(200), 12))
        self.assertLessEqual(large, small + 2, f"2 invoices: {small} queries, a full page: {large}")
        self.assertLessEqual(large, 12)
