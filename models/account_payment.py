from collections import defaultdict

from odoo import api, fields, models


class AccountPayment(models.Model):
    """Payments governed by a service account (seed Gap 3, ``ov.sa_payment_assignment``).

    A payment is stamped with the SA it was collected for (``x_sa_id``: the SA of the invoices it
    pays, see ``account.payment.register``) and the agent (``x_actor_id``), and dual-written into
    its assignment on create, on a change of stamp and when posted, whichever path created it
    (the API, a mobile-money callback, the invoice's Register Payment button).
    """

    _name = "account.payment"
    _inherit = [
        "ov.sa_governed.mixin",
        "account.payment",
        "abs.sync.pushable",
    ]  # governed mixin first: see its docstring
    _sa_assignment_model = "ov.sa_payment_assignment"

    x_sa_id = fields.Many2one(
        "ov.serviced_account", string="Service Account", index="btree_not_null", copy=False, tracking=True
    )
    x_actor_id = fields.Many2one("abs.employee", string="Agent", copy=False)
    abs_sa_assignment_ids = fields.One2many(
        "ov.sa_payment_assignment", "payment_id", string="Service Account Assignments"
    )
    # The handover (declared or confirmed) that covers this cash; a disputed one lets it go again.
    abs_handover_id = fields.Many2one(
        "abs.cash.handover", string="Cash Handover", copy=False, readonly=True, index="btree_not_null"
    )
    abs_payment_source = fields.Selection(related="journal_id.abs_payment_source", string="Payment Source")

    # ------------------------------------------------------------------ compute

    @api.depends("payment_method_line_id", "x_actor_id")
    def _compute_outstanding_account_id(self):
        """An agent's cash is money the agent holds, not yet the SA's: booked on the SA's agents' cash-in-hand
        account (an outstanding receipts account, the agent as partner) until the cashier counts it in."""
        super()._compute_outstanding_account_id()
        for payment in self._abs_agent_cash():
            payment.outstanding_account_id = payment.x_sa_id.abs_cash_in_hand_account_id

    # ------------------------------------------------------------------ CRUD / core hooks

    def action_post(self):
        result = super().action_post()
        # A payment created without a stamp (a backend user's) is governed once it knows its invoices.
        self._abs_govern()
        return result

    def _prepare_move_line_default_vals(self, write_off_line_vals=None, force_balance=None):
        """The cash-in-hand line of an agent's cash names the agent (its ledger partner), not the customer:
        the agent is who holds the money (the receivable line keeps the customer)."""
        line_vals_list = super()._prepare_move_line_default_vals(write_off_line_vals, force_balance)
        if self._abs_agent_cash():
            line_vals_list[0]["partner_id"] = self.x_actor_id._abs_cash_partner().id
        return line_vals_list

    # ------------------------------------------------------------------ domains

    @api.model
    def _abs_received_domain(self):
        """Money received from customers: inbound payments booked (in process or paid, not draft or cancelled)."""
        return [("payment_type", "=", "inbound"), ("state", "in", ("in_process", "paid"))]

    def _abs_agent_cash(self):
        """The payments that are cash an agent collected: customer receipts in the API's Cash journal, with an
        agent, in an SA whose agents' cash-in-hand account exists."""
        return self.filtered(
            lambda p: (
                p.payment_type == "inbound"
                and p.partner_type == "customer"
                and p.x_actor_id
                and p.journal_id.abs_payment_source == "cash"
                and p.x_sa_id.abs_cash_in_hand_account_id
            )
        )

    @api.model
    def _abs_in_hand_domain(self, accounts):
        """Agents' cash of ``accounts`` not handed over yet: its line on the SA's cash-in-hand account is open."""
        in_hand_ids = accounts.abs_cash_in_hand_account_id.ids
        return [
            ("outstanding_account_id", "in", in_hand_ids),
            ("move_id.line_ids", "any", [("account_id", "in", in_hand_ids), ("reconciled", "=", False)]),
        ]

    def _abs_in_hand(self):
        """Those of these payments that are agents' cash not handed over yet (see ``_abs_in_hand_domain``)."""
        return self._abs_agent_cash().filtered(
            lambda p: (
                p.outstanding_account_id == p.x_sa_id.abs_cash_in_hand_account_id
                and any(
                    line.account_id == p.outstanding_account_id and not line.reconciled for line in p.move_id.line_ids
                )
            )
        )

    # ------------------------------------------------------------------ governance

    def _abs_sa_origin(self):
        """The stamp; else the SA of the customer invoices the payment pays, when it is reconciled.

        A payment that pays invoices of several SAs belongs to the SA it pays the most money to
        (ties: the SA of the first invoice made): a payment has one governor, and the share it settles is
        what finance asks about. It is decided once, when the payment is first governed.
        """
        self.ensure_one()
        if self.x_sa_id:
            return self.x_sa_id
        paid = defaultdict(float)
        for partial in self.move_id.line_ids.matched_debit_ids | self.move_id.line_ids.matched_credit_ids:
            for line in partial.debit_move_id | partial.credit_move_id:
                invoice = line.move_id
                if invoice != self.move_id and invoice.x_sa_id and invoice.is_sale_document(include_receipts=True):
                    paid[(invoice.x_sa_id, invoice)] += partial.amount
        if not paid:
            accounts = self.invoice_ids.x_sa_id
            return accounts if len(accounts) == 1 else self.env["ov.serviced_account"]
        by_account = defaultdict(float)
        oldest_invoice = {}
        for (account, invoice), amount in paid.items():
            by_account[account] += amount
            oldest_invoice[account] = min(oldest_invoice.get(account, invoice.id), invoice.id)
        return min(by_account, key=lambda account: (-by_account[account], oldest_invoice[account]))
