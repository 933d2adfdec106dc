"""The backend as a first-class client: users holding only core Odoo groups do their daily job on SA
records over Odoo's own JSON-RPC (as the web client does), and every record stays governed.

Head office (core groups only) sees every SA as in plain Odoo; an SA Officer sees only its SAs'
records, whatever core group it also holds (``security/abs_sa_scope_rules.xml``).
"""

from odoo import Command, fields
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .test_invoices_api import InvoiceCase


class BackendUserCase(InvoiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )

    @classmethod
    def user(cls, login, groups, **values):
        return new_test_user(cls.env, login=login, password=login + "-Pass1", groups=groups, **values)

    def login_as(self, user):
        self.authenticate(user.login, user.login + "-Pass1")

    def rpc(self, model, method, *args, **kwargs):
        """One ``call_kw`` as the web client sends it, as the user logged in with ``login_as``."""
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def active_sa(self, record):
        return record.abs_sa_assignment_ids.filtered(lambda a: a.state == "active").account_id


@tagged("post_install", "-at_install")
class TestWarehouseUser(BackendUserCase):
    """Inventory / User only: validate an SA delivery with serials, with a backorder, and return it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse_user = cls.user("t.wh.user", "base.group_user,stock.group_stock_user")

    def test_validate_with_backorder_then_return(self):
        order = self.make_order(self.sa_togo, self.customer_tg, [(self.kit, 2)], self.agent_tg)
        delivery = order.picking_ids
        self.assertEqual(delivery.state, "assigned")
        self.login_as(self.warehouse_user)
        # Deliver one serial of two: the other goes to a backorder (the wizard the button opens).
        keep, leave = delivery.move_line_ids[0], delivery.move_line_ids[1]
        self.rpc("stock.move.line", "unlink", [leave.id])
        self.rpc("stock.move.line", "write", [keep.id], {"picked": True})
        action = self.rpc("stock.picking", "button_validate", [delivery.id])
        self.assertEqual(action["res_model"], "stock.backorder.confirmation")
        wizard_id = self.rpc(
            "stock.backorder.confirmation",
            "create",
            {
                "pick_ids": [Command.set(delivery.ids)],
                "backorder_confirmation_line_ids": [Command.create({"picking_id": delivery.id, "to_backorder": True})],
            },
            context=action["context"],
        )
        self.rpc("stock.backorder.confirmation", "process", [wizard_id], context=action["context"])
        self.env.invalidate_all()
        self.assertEqual(delivery.state, "done")
        backorder = order.picking_ids - delivery
        self.assertEqual(backorder.backorder_id, delivery)
        self.assertEqual((self.active_sa(delivery), self.active_sa(backorder)), (self.sa_togo, self.sa_togo))
        asset = self.env["ov.asset"].search([("lot_id", "=", keep.lot_id.id)])
        self.assertEqual((asset.x_sa_id, asset.state), (self.sa_togo, "active"), "the delivered serial is an asset")

        # Return the delivered serial.
        return_wizard = self.rpc(
            "stock.return.picking",
            "create",
            {"picking_id": delivery.id},
            context={"active_id": delivery.id, "active_ids": delivery.ids, "active_model": "stock.picking"},
        )
        wizard = self.env["stock.return.picking"].browse(return_wizard)
        self.rpc("stock.return.picking.line", "write", wizard.product_return_moves.ids, {"quantity": 1})
        result = self.rpc("stock.return.picking", "action_create_returns", [return_wizard])
        returned = self.env["stock.picking"].browse(result["res_id"])
        self.rpc("stock.move.line", "write", returned.move_line_ids.ids, {"lot_id": keep.lot_id.id, "picked": True})
        self.assertIs(self.rpc("stock.picking", "button_validate", returned.ids), True)
        self.env.invalidate_all()
        self.assertEqual(returned.state, "done")
        self.assertEqual(self.active_sa(returned), self.sa_togo, "a return is governed by the delivery's SA")
        self.assertEqual(asset.state, "inactive", "a serial back from the customer ends its asset")


@tagged("post_install", "-at_install")
class TestBillingUser(BackendUserCase):
    """Invoicing / Billing only: post, reset to draft, register a payment, credit and send an SA invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_user = cls.user("t.billing.user", "base.group_user,account.group_account_invoice")

    def test_post_reset_post_and_register_payment(self):
        invoice = self.invoice_of(self.confirmed())
        self.login_as(self.billing_user)
        self.rpc("account.move", "action_post", invoice.ids)
        self.rpc("account.move", "button_draft", invoice.ids)
        self.rpc("account.move", "action_post", invoice.ids)
        context = {"active_model": "account.move", "active_ids": invoice.ids}
        wizard_id = self.rpc(
            "account.payment.register", "create", {"journal_id": self.bank_journal.id}, context=context
        )
        self.rpc("account.payment.register", "action_create_payments", [wizard_id], context=context)
        self.env.invalidate_all()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.active_sa(invoice), self.sa_togo)
        payment = self.env["account.payment"].search([("invoice_ids", "in", invoice.ids)])
        self.assertEqual((payment.x_sa_id, self.active_sa(payment)), (self.sa_togo, self.sa_togo))

    def test_credit_note_through_the_reversal_wizard(self):
        invoice = self.invoice_of(self.confirmed())
        invoice.action_post()
        self.login_as(self.billing_user)
        context = {"active_model": "account.move", "active_ids": invoice.ids}
        wizard_id = self.rpc(
            "account.move.reversal",
            "create",
            {"reason": "returned", "journal_id": invoice.journal_id.id, "date": fields.Date.to_string(invoice.date)},
            context=context,
        )
        self.rpc("account.move.reversal", "refund_moves", [wizard_id], context=context)
        credit_note = invoice.reversal_move_ids
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(self.active_sa(credit_note), self.sa_togo, "a credit note stays in the invoice's SA")

    def test_send_an_sa_invoice(self):
        invoice = self.invoice_of(self.confirmed())
        invoice.action_post()
        self.login_as(self.billing_user)
        action = self.rpc("account.move", "action_invoice_sent", invoice.ids)
        wizard_id = self.rpc(action["res_model"], "create", {}, context=action["context"])
        self.rpc(action["res_model"], "action_send_and_print", [wizard_id], context=action["context"])
        self.env.invalidate_all()
        self.assertTrue(invoice.is_move_sent)

    def test_a_draft_invoice_made_by_hand_gets_the_customers_only_sa(self):
        self.login_as(self.billing_user)
        invoice_id = self.rpc(
            "account.move",
            "create",
            {
                "move_type": "out_invoice",
                "partner_id": self.customer_tg.id,
                "invoice_line_ids": [Command.create({"product_id": self.install.id, "quantity": 1, "price_unit": 5})],
            },
        )
        invoice = self.env["account.move"].browse(invoice_id)
        self.assertEqual((invoice.x_sa_id, self.active_sa(invoice)), (self.sa_togo, self.sa_togo))
        # The billing user moves the draft to the other SA: its governance follows.
        self.rpc("account.move", "write", [invoice_id], {"x_sa_id": self.sa_kenya.id})
        self.env.invalidate_all()
        self.assertEqual(self.active_sa(invoice), self.sa_kenya)


@tagged("post_install", "-at_install")
class TestAccountant(BackendUserCase):
    """Accounting / Accountant: a customer payment entered by hand, reconciled later with an SA invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.user("t.accountant", "base.group_user,account.group_account_user")

    def manual_payment(self, amount):
        payment_id = self.rpc(
            "account.payment",
            "create",
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer_tg.id,
                "amount": amount,
                "journal_id": self.bank_journal.id,
            },
        )
        self.rpc("account.payment", "action_post", [payment_id])
        return self.env["account.payment"].browse(payment_id)

    def outstanding_line(self, payment):
        return payment.move_id.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")

    def test_payment_reconciled_later_takes_the_invoices_sa(self):
        _order, invoice = self.posted_invoice()
        self.login_as(self.accountant)
        payment = self.manual_payment(invoice.amount_total)
        self.assertFalse(payment.x_sa_id, "entered by hand, it pays no invoice yet")
        self.rpc("account.move", "js_assign_outstanding_line", invoice.ids, self.outstanding_line(payment).id)
        self.env.invalidate_all()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual((payment.x_sa_id, self.active_sa(payment)), (self.sa_togo, self.sa_togo))

        # It is one of SA Togo's payments for the API and the Collections report, and none of SA Kenya's.
        ids = lambda payload: {p["id"] for p in payload["payments"]}  # noqa: E731
        togo = self.ok(self.api("GET", "/api/payments?limit=100", token=self.tok_manager_tg))
        self.assertIn(payment.id, ids(togo))
        kenya_staff = self.token_for(self._staff_of(self.sa_kenya))
        kenya = self.ok(self.api("GET", "/api/payments?limit=100", token=kenya_staff))
        self.assertNotIn(payment.id, ids(kenya))
        collections = self.env.ref("abs_connector.abs_sa_collections_action")
        domain = [("id", "=", payment.id)] + eval(collections.domain)  # noqa: S307 (our own action's domain)
        groups = self.env["account.payment"].read_group(domain, ["amount_company_currency_signed"], ["x_sa_id"])
        self.assertEqual(
            [(g["x_sa_id"][0], g["amount_company_currency_signed"]) for g in groups],
            [(self.sa_togo.id, invoice.amount_total)],
        )

    def test_a_payment_of_two_sas_invoices_belongs_to_the_one_it_pays_most(self):
        _o1, togo_invoice = self.posted_invoice([(self.install, 1)])
        _o2, kenya_invoice = self.posted_invoice(
            [(self.install, 3)], account=self.sa_kenya, partner=self.customer_tg, agent=self.agent_ke
        )
        self.login_as(self.accountant)
        payment = self.manual_payment(togo_invoice.amount_total + kenya_invoice.amount_total)
        line = self.outstanding_line(payment)
        self.rpc("account.move", "js_assign_outstanding_line", togo_invoice.ids, line.id)
        self.rpc("account.move", "js_assign_outstanding_line", kenya_invoice.ids, line.id)
        self.env.invalidate_all()
        self.assertEqual(payment.x_sa_id, self.sa_togo, "governed once, at its first reconciliation")
        self.assertEqual(self.active_sa(payment), self.sa_togo)


@tagged("post_install", "-at_install")
class TestSalesUser(BackendUserCase):
    """Sales / User: create, duplicate and confirm an SA order in the backend."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = cls.user("t.salesman", "base.group_user,sales_team.group_sale_salesman_all_leads")

    def test_create_duplicate_confirm(self):
        self.login_as(self.salesman)
        order_id = self.rpc(
            "sale.order",
            "create",
            {
                "partner_id": self.customer_tg.id,
                "x_sa_id": self.sa_togo.id,
                "order_line": [
                    Command.create({"product_id": self.install.id, "product_uom_qty": 1}),
                    Command.create({"product_id": self.warranty.id, "product_uom_qty": 1}),
                ],
            },
        )
        copy_id = self.rpc("sale.order", "copy", [order_id])[0]
        copy = self.env["sale.order"].browse(copy_id)
        self.assertEqual((copy.x_sa_id, self.active_sa(copy)), (self.sa_togo, self.sa_togo), "a copy keeps its SA")
        self.rpc("sale.order", "action_confirm", [copy_id])
        self.env.invalidate_all()
        self.assertEqual(copy.state, "sale")
        # The same side effects as a confirmation through the API: the draft invoice of the ordered
        # lines and the subscription of the recurring line, all in the order's SA.
        invoice = copy.invoice_ids
        self.assertEqual((invoice.state, self.active_sa(invoice)), ("draft", self.sa_togo))
        subscription = self.env["abs.subscription"].search([("sale_order_id", "=", copy_id)])
        self.assertEqual((len(subscription), self.active_sa(subscription)), (1, self.sa_togo))


@tagged("post_install", "-at_install")
class TestRestrictedUser(BackendUserCase):
    """An SA Officer of SA Togo holding Sales "All Documents" and Billing sees SA Togo's records only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = cls.user(
            "t.tg.officer",
            "base.group_user,sales_team.group_sale_salesman_all_leads,account.group_account_invoice,"
            "stock.group_stock_user,abs_connector.group_abs_user",
        )
        cls.officer.abs_sa_ids = cls.sa_togo
        cls.togo_order = cls.make_order(cls.sa_togo, cls.customer_tg, [(cls.kit, 1), (cls.install, 1)], cls.agent_tg)
        cls.kenya_order = cls.make_order(cls.sa_kenya, cls.customer_ke, [(cls.kit, 1), (cls.install, 1)], cls.agent_ke)

    def ids(self, model, domain):
        return {row["id"] for row in self.rpc(model, "search_read", domain, fields=["id"])}

    def test_sees_only_its_sas_orders_invoices_deliveries_customers(self):
        self.login_as(self.officer)
        orders = self.togo_order | self.kenya_order
        self.assertEqual(self.ids("sale.order", [("id", "in", orders.ids)]), set(self.togo_order.ids))
        invoices = orders.invoice_ids
        self.assertEqual(self.ids("account.move", [("id", "in", invoices.ids)]), set(self.togo_order.invoice_ids.ids))
        pickings = orders.picking_ids
        self.assertEqual(self.ids("stock.picking", [("id", "in", pickings.ids)]), set(self.togo_order.picking_ids.ids))
        customers = self.customer_tg | self.customer_ke
        self.assertEqual(self.ids("res.partner", [("id", "in", customers.ids)]), set(self.customer_tg.ids))

    def test_another_sas_order_cannot_be_read_nor_confirmed(self):
        self.login_as(self.officer)
        quotation = self.make_order(self.sa_kenya, self.customer_ke, [(self.install, 1)], self.agent_ke, confirm=False)
        with self.assertRaises(JsonRpcException) as read:
            self.rpc("sale.order", "read", quotation.ids, ["name"])
        self.assertEqual(read.exception.args[0], "odoo.exceptions.AccessError")
        with self.assertRaises(JsonRpcException):
            self.rpc("sale.order", "action_confirm", quotation.ids)
        self.assertEqual(quotation.state, "draft")

    def test_an_order_made_by_the_officer_belongs_to_its_sa(self):
        self.login_as(self.officer)
        order_id = self.rpc(
            "sale.order",
            "create",
            {"partner_id": self.customer_tg.id, "order_line": [Command.create({"product_id": self.install.id})]},
        )
        order = self.env["sale.order"].browse(order_id)
        self.assertEqual((order.x_sa_id, self.active_sa(order)), (self.sa_togo, self.sa_togo))
