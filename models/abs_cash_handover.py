from odoo import api, fields, models
from odoo.tools import float_compare

from ..refusals import cash as cash_rules

STATES = [("declared", "Declared"), ("confirmed", "Confirmed"), ("disputed", "Disputed")]


class AbsCashHandover(models.Model):
    """An agent hands the cash it collected over to its SA's cashier (seed workflow 9, "cash in hand").

    The agent declares an amount and the cash payments it covers (``_abs_declare``); the SA's cashier counts
    it and confirms (``_abs_confirm``: one entry in the SA's cash journal moves the payments from the agents'
    cash-in-hand account to the cash box, a difference goes to the journal's cash difference account and is
    flagged on the agent) or disputes it (``_abs_dispute``: nothing is booked, the payments may be declared
    again). A payment is covered by one live handover at a time: its ``abs_handover_id`` is written under a
    lock on the payment's row, so parallel declarations of one payment leave exactly one standing.
    The API and the backend's buttons call the same methods.
    """

    _name = "abs.cash.handover"
    _inherit = ["ov.sa_governed.mixin"]
    _description = "Agent Cash Handover"
    _order = "id desc"
    _sa_assignment_model = "ov.sa_cash_handover_assignment"
    _check_company_auto = True

    name = fields.Char(readonly=True, copy=False, default="/")
    x_sa_id = fields.Many2one("ov.serviced_account", string="Service Account", required=True, readonly=True, index=True)
    x_actor_id = fields.Many2one("abs.employee", string="Agent", required=True, readonly=True, index=True)
    company_id = fields.Many2one(related="x_sa_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(STATES, required=True, default="declared", readonly=True, index=True)
    payment_ids = fields.Many2many(
        "account.payment",
        "abs_cash_handover_payment_rel",
        "handover_id",
        "payment_id",
        string="Payments",
        readonly=True,
        help="The cash payments the agent declared (kept on a disputed handover, as its history).",
    )
    payment_count = fields.Integer(compute="_compute_payment_count")
    declared_amount = fields.Monetary(readonly=True, help="What the agent says it hands over.")
    expected_amount = fields.Monetary(readonly=True, help="The total of the payments covered: what the agent holds.")
    counted_amount = fields.Monetary(help="What the cashier counted.")
    difference = fields.Monetary(
        readonly=True, help="Counted less expected, once confirmed: negative is a shortage, positive an overage."
    )
    declared_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    confirmed_at = fields.Datetime(readonly=True)
    cashier_id = fields.Many2one("abs.employee", string="Cashier (API)", readonly=True)
    cashier_user_id = fields.Many2one("res.users", string="Cashier", readonly=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", readonly=True, copy=False)
    note = fields.Text()
    abs_sa_assignment_ids = fields.One2many(
        "ov.sa_cash_handover_assignment", "handover_id", string="Service Account Assignments"
    )

    _sql_constraints = [
        (
            "counted_positive",
            "CHECK(counted_amount IS NULL OR counted_amount >= 0)",
            "A counted amount is not negative.",
        )
    ]

    def _compute_payment_count(self):
        for handover in self:
            handover.payment_count = len(handover.payment_ids)

    @api.model_create_multi
    def create(self, vals_list):
        handovers = super().create(vals_list)
        for handover in handovers:
            handover.name = f"HO-{handover.id:05d}"
        return handovers

    # ------------------------------------------------------------------ actions (backend buttons)

    def action_confirm(self):
        """The cashier's Confirm button: the amount typed in *Counted Amount*."""
        for handover in self:
            handover._abs_confirm(handover.counted_amount or 0.0, note=handover.note)
        return True

    def action_dispute(self):
        for handover in self:
            handover._abs_dispute(handover.note)
        return True

    # ------------------------------------------------------------------ business methods

    @api.model
    def _abs_declare(self, agent, account, payment_ids, amount, note=None):
        """The agent ``agent`` declares handing ``amount`` over to ``account``'s cashier, covering the cash
        payments ``payment_ids`` (its own, in that SA, still in its hands). Returns the handover.

        The payments' rows are locked first: a parallel declaration of one of them waits, then (Odoo's retry)
        sees it covered and is refused ``already_handed_over``.
        """
        payment_ids = list(dict.fromkeys(payment_ids))
        if not payment_ids:
            raise cash_rules.NOT_FOUND(
                self.env._("A handover covers at least one payment."), details={"payment_ids": []}
            )
        # log_exceptions: a concurrent declaration's commit makes this lock a serialization failure, the
        # expected race loser that Odoo retries, not a bad query.
        self.env.cr.execute(
            "SELECT id FROM account_payment WHERE id IN %s ORDER BY id FOR NO KEY UPDATE",
            [tuple(payment_ids)],
            log_exceptions=False,
        )
        Payment = self.env["account.payment"]
        Payment.invalidate_model(["abs_handover_id"])
        payments = Payment.search(
            [
                ("id", "in", payment_ids),
                ("x_actor_id", "=", agent.id),
                *Payment._abs_sa_domain(account.ids),
                *Payment._abs_received_domain(),
            ]
        )
        missing = sorted(set(payment_ids) - set(payments.ids))
        if missing:
            raise cash_rules.NOT_FOUND(
                self.env._("Payments %(ids)s are not cash you took in this service account.", ids=missing),
                details={"payment_ids": missing},
            )
        held = payments._abs_in_hand()
        not_cash = sorted(set(payments.ids) - set(held.ids))
        if not_cash:
            raise cash_rules.NOT_CASH_IN_HAND(
                self.env._("Payments %(ids)s are not cash in your hands.", ids=not_cash),
                details={"payment_ids": not_cash},
            )
        covered = payments.filtered("abs_handover_id")
        if covered:
            raise cash_rules.ALREADY_HANDED_OVER(
                self.env._(
                    "Payments %(ids)s are already covered by handover %(handovers)s.",
                    ids=covered.ids,
                    handovers=", ".join(covered.abs_handover_id.mapped("name")),
                ),
                details={"payment_ids": covered.ids, "handover_ids": covered.abs_handover_id.ids},
            )
        handover = self.create(
            {
                "x_sa_id": account.id,
                "x_actor_id": agent.id,
                "payment_ids": [fields.Command.set(payments.ids)],
                "declared_amount": amount,
                "expected_amount": account.currency_id.round(sum(payments.mapped("amount"))),
                "note": note,
            }
        )
        payments.abs_handover_id = handover
        return handover

    def _abs_lock_declared(self):
        self.ensure_one()
        self.env.cr.execute(
            "SELECT id FROM abs_cash_handover WHERE id = %s FOR NO KEY UPDATE", [self.id], log_exceptions=False
        )
        self.invalidate_recordset(["state"])
        if self.state != "declared":
            raise cash_rules.HANDOVER_NOT_DECLARED(
                self.env._("Handover %(name)s is %(state)s already.", name=self.name, state=self.state),
                details={"state": self.state},
            )

    def _abs_confirm(self, counted_amount, cashier=None, note=None):
        """The cashier counted ``counted_amount``: one posted entry in the SA's cash journal — the cash box
        debited with what was counted, the agents' cash-in-hand account credited (the agent as partner) with
        the payments' total and reconciled with them, the difference on the journal's cash difference loss
        (shortage) or profit (overage) account — and a shortage flagged on the agent."""
        self._abs_lock_declared()
        self.check_access("write")  # the cashier may count this handover: checked before anything is booked
        account = self.x_sa_id
        account._abs_cash_setup()
        journal = account.abs_cash_journal_id
        currency = account.currency_id
        counted = currency.round(counted_amount)
        expected = self.expected_amount
        difference = currency.round(counted - expected)
        partner = self.x_actor_id._abs_cash_partner()
        label = self.env._("Cash handover %(name)s by %(agent)s", name=self.name, agent=self.x_actor_id.name)
        in_hand = account.abs_cash_in_hand_account_id
        lines = [{"name": label, "account_id": in_hand.id, "partner_id": partner.id, "balance": -expected}]
        if counted:
            lines.append({"name": label, "account_id": journal.default_account_id.id, "balance": counted})
        if difference:
            difference_account = journal.loss_account_id if difference < 0 else journal.profit_account_id
            if not difference_account:
                raise cash_rules.CASH_NOT_CONFIGURED(
                    self.env._("The journal %(journal)s has no cash difference account.", journal=journal.name),
                    details={"journal_id": journal.id},
                )
            lines.append(
                {
                    "name": self.env._("Cash difference of %(name)s", name=self.name),
                    "account_id": difference_account.id,
                    "partner_id": partner.id,
                    "balance": -difference,
                }
            )
        # sudo: the handover's own entry, booked by whoever may confirm it (checked above). An SA Officer's
        # rule on journal entries reads their SA assignment, which core's create writes through before the
        # governed mixin makes it: the officer would be refused its own SA's entry.
        Move = self.env["account.move"].sudo()
        move = Move.create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                # The SA's entry: governed like its other accounting, so its officers read it.
                "x_sa_id": account.id,
                "date": fields.Date.context_today(self),
                "ref": label,
                "line_ids": [fields.Command.create(vals) for vals in lines],
            }
        )
        move.action_post()
        # sudo (as the entry's): the reconciliation writes the payments' entries too.
        held_lines = self.sudo().payment_ids.move_id.line_ids.filtered(lambda line: line.account_id == in_hand)
        (move.line_ids.filtered(lambda line: line.account_id == in_hand) | held_lines).reconcile()
        self.write(
            {
                "state": "confirmed",
                "counted_amount": counted,
                "difference": difference,
                "move_id": move.id,
                "confirmed_at": fields.Datetime.now(),
                "cashier_id": cashier.id if cashier else False,
                "cashier_user_id": self.env.user.id,
                "note": note or self.note,
            }
        )
        if float_compare(difference, 0.0, precision_rounding=currency.rounding) < 0:
            agent = self.x_actor_id
            # sudo: the flag is the cashier's finding about the agent; cashiers do not edit employees.
            agent.sudo().write({"abs_cash_flagged": True, "abs_cash_shortage": agent.abs_cash_shortage - difference})
        return self

    def _abs_dispute(self, note=None, cashier=None):
        """The cashier refuses the declaration as it stands: nothing is booked, its payments are in the agent's
        hands again (and may be declared in a new handover)."""
        self._abs_lock_declared()
        self.write(
            {
                "state": "disputed",
                "cashier_id": cashier.id if cashier else False,
                "cashier_user_id": self.env.user.id,
                "note": note or self.note,
            }
        )
        self.payment_ids.filtered(lambda p: p.abs_handover_id == self).abs_handover_id = False
        return self
