import logging
import secrets
from collections import defaultdict
from datetime import timedelta

from openpaygo import OpenPAYGOTokenEncoder, TokenType
from openpaygo.token_shared import OpenPAYGOTokenShared
from openpaygo.token_shared_extended import OpenPAYGOTokenSharedExtended

from odoo import Command, api, fields, models

from ..refusals import payg as rules

_logger = logging.getLogger(__name__)

ACCOUNT_STATES = [
    ("active", "Active"),
    ("disabled", "Disabled (credit ran out)"),
    ("paid_off", "Paid off"),
    ("written_off", "Written off"),
    ("returned", "Returned"),
]
# States in which the device still locks itself and payments buy days.
OPEN_STATES = ("active", "disabled")
OPENPAYGO_TYPES = {
    "add_time": TokenType.ADD_TIME,
    "set_time": TokenType.SET_TIME,
    "disable_payg": TokenType.DISABLE_PAYG,
    "counter_sync": TokenType.COUNTER_SYNC,
}
BATCH_SIZE_PARAM = "abs_connector.payg_batch_size"
REMINDER_DAYS_PARAM = "abs_connector.payg_reminder_days"
WRITE_OFF_ACCOUNT_PARAM = "abs_connector.payg_write_off_account_code"
# The device and the server both start at this count (OpenPAYGO: the first add-time token is count 2).
FIRST_COUNT = 1


class AbsPaygAccount(models.Model):
    """A pay-as-you-go account: one delivered serial of a product sold on a plan, until it is owned.

    Opened at delivery (``stock.picking._abs_on_serials_delivered``), governed by the delivery's SA
    (``ov.sa_payg_assignment``). Every payment on its invoice (the API, a mobile-money settlement, the
    backend's Register Payment: all through ``account.payment.register._create_payments``) credits days
    and issues one OpenPAYGO token (``_abs_credit_payments``); once the price to own is paid, one
    ``disable_payg`` token unlocks the device for good (``paid_off``). The device secret stays on the
    serial (``stock.lot.abs_payg_secret``), never on this record.
    """

    _name = "abs.payg.account"
    _inherit = ["mail.thread", "ov.sa_governed.mixin"]
    _description = "Pay-as-you-go Account"
    _order = "id desc"
    _sa_assignment_model = "ov.sa_payg_assignment"

    name = fields.Char(required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="restrict")
    lot_id = fields.Many2one("stock.lot", string="Serial Number", required=True, index=True, ondelete="restrict")
    product_id = fields.Many2one("product.product", string="Product", required=True, ondelete="restrict")
    asset_id = fields.Many2one("ov.asset", string="Asset", index="btree_not_null", ondelete="set null")
    plan_id = fields.Many2one("abs.payg.plan", string="Plan", required=True, ondelete="restrict")
    sale_line_id = fields.Many2one("sale.order.line", string="Order Line", index="btree_not_null", ondelete="set null")
    order_id = fields.Many2one(related="sale_line_id.order_id", string="Order")
    picking_id = fields.Many2one("stock.picking", string="Delivery", ondelete="set null")
    x_sa_id = fields.Many2one("ov.serviced_account", string="Service Account", index=True, copy=False)
    x_actor_id = fields.Many2one("abs.employee", string="Agent", copy=False)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    deposit = fields.Monetary(readonly=True)
    price_per_day = fields.Monetary(readonly=True)
    price_to_own = fields.Monetary(readonly=True)
    amount_paid = fields.Monetary(readonly=True, tracking=True)
    amount_remaining = fields.Monetary(compute="_compute_amount_remaining", store=True)
    amount_written_off = fields.Monetary(readonly=True, help="The outstanding balance written off (bad debt).")
    written_off_date = fields.Date(readonly=True)
    write_off_reason = fields.Char(readonly=True)
    write_off_move_id = fields.Many2one(
        "account.move", string="Write-off Entry", readonly=True, index="btree_not_null", ondelete="restrict"
    )
    days_credited = fields.Integer(readonly=True, help="Days of use bought by the payments so far, in all.")
    activation_date = fields.Date(readonly=True)
    credit_expiry = fields.Date(readonly=True, index=True, help="The day the device locks itself.")
    days_left = fields.Integer(compute="_compute_days_left")
    disabled_since = fields.Date(
        readonly=True, help="The day the credit ran out (the portfolio at risk counts from it)."
    )
    state = fields.Selection(ACCOUNT_STATES, required=True, default="active", index=True, tracking=True)
    reminder_sent_for = fields.Date(readonly=True, help="The credit expiry the last reminder mail was queued for.")
    token_count = fields.Integer(default=FIRST_COUNT, readonly=True, help="The count of the last token issued.")
    token_ids = fields.One2many("abs.payg.token", "account_id", string="Tokens", readonly=True)
    abs_sa_assignment_ids = fields.One2many(
        "ov.sa_payg_assignment", "payg_account_id", string="Service Account Assignments"
    )

    def init(self):
        # One open account per serial: a partial unique index.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS abs_payg_account_one_open_per_lot"
            " ON abs_payg_account (lot_id) WHERE state IN ('active', 'disabled', 'paid_off')"
        )

    @api.depends("price_to_own", "amount_paid", "amount_written_off")
    def _compute_amount_remaining(self):
        for account in self:
            account.amount_remaining = max(account.price_to_own - account.amount_paid - account.amount_written_off, 0.0)

    @api.depends("credit_expiry", "state")
    def _compute_days_left(self):
        today = fields.Date.context_today(self)
        for account in self:
            open_credit = account.state in OPEN_STATES and account.credit_expiry
            account.days_left = max((account.credit_expiry - today).days, 0) if open_credit else 0

    # ------------------------------------------------------------------ actions (backend buttons)

    def action_abs_counter_sync(self):
        self._abs_staff_token("counter_sync")

    def action_abs_write_off_wizard(self):
        """The Write Off button: the wizard asking the reason (it calls ``_abs_write_off``)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Write Off %(account)s", account=self.name),
            "res_model": "abs.payg.write.off",
            "view_mode": "form",
            "target": "new",
            "context": {"default_account_id": self.id},
        }

    # ------------------------------------------------------------------ opening at delivery

    @api.model
    def _abs_open_from_delivery(self, move_lines, actor=None):
        """One account per serial these done move lines delivered of a product sold on a plan.

        Customer: the order's; SA: the delivery's; agent: who validated, else the order's. A serial that
        already has an open account keeps it. A serial without a device secret gets a generated one.
        """
        move_lines = move_lines.filtered(
            lambda ml: ml.lot_id and ml.product_id.product_tmpl_id.abs_payg_plan_id and ml.move_id.sale_line_id
        )
        if not move_lines:
            return self.browse()
        taken = set(
            self.search(
                [("lot_id", "in", move_lines.lot_id.ids), ("state", "in", (*OPEN_STATES, "paid_off"))]
            ).lot_id.ids
        )
        # A serial sold again keeps its device's count: the device refuses a count it has passed.
        last_counts = dict(self._read_group([("lot_id", "in", move_lines.lot_id.ids)], ["lot_id"], ["token_count:max"]))
        today = fields.Date.context_today(self)
        vals_list = []
        for line in move_lines:
            if line.lot_id.id in taken:
                continue
            picking, sale_line = line.picking_id, line.move_id.sale_line_id
            plan = line.product_id.product_tmpl_id.abs_payg_plan_id
            account = picking.abs_sa_id or picking.sale_id.x_sa_id
            # What the customer owes for one unit: the order line's price (taxes included), else the plan's.
            unit_price = sale_line.price_total / sale_line.product_uom_qty if sale_line.product_uom_qty else 0.0
            vals_list.append(
                {
                    "name": line.lot_id.name,
                    "partner_id": sale_line.order_id.partner_id.id,
                    "lot_id": line.lot_id.id,
                    "product_id": line.product_id.id,
                    "plan_id": plan.id,
                    "sale_line_id": sale_line.id,
                    "picking_id": picking.id,
                    "x_sa_id": account.id or False,
                    "x_actor_id": (actor or sale_line.order_id.x_actor_id).id or False,
                    "company_id": (account.company_id or picking.company_id).id,
                    "deposit": plan.deposit,
                    "price_per_day": plan.price_per_day,
                    "price_to_own": unit_price or plan.price_to_own,
                    "activation_date": today,
                    "credit_expiry": today,
                    "token_count": last_counts.get(line.lot_id, FIRST_COUNT),
                }
            )
            taken.add(line.lot_id.id)
        accounts = self.create(vals_list)
        assets = self.env["ov.asset"].search([("lot_id", "in", accounts.lot_id.ids), ("state", "=", "active")])
        by_lot = {asset.lot_id.id: asset for asset in assets}
        for account in accounts:
            account.asset_id = by_lot.get(account.lot_id.id)
        accounts.lot_id._abs_payg_ensure_secret()
        return accounts

    @api.model
    def _abs_on_returned(self, lots):
        """The serials came back from the customer: their open PAYG accounts end as ``returned``."""
        accounts = self.search([("lot_id", "in", lots.ids), ("state", "in", OPEN_STATES)])
        accounts.write({"state": "returned", "credit_expiry": False})
        return accounts

    # ------------------------------------------------------------------ payments: days and tokens

    @api.model
    def _abs_credit_payments(self, payments):
        """Credit each payment to the PAYG accounts of the invoices it pays and issue its token; return the tokens.

        The one method of every payment path. The accounts' rows are locked, so parallel payments take
        turns and get consecutive counts; a payment that already has its token (a retried call, a replayed
        callback) gets no second one. Refused (``payg_paid_off``) when every account it pays is paid off.
        """
        tokens = self.env["abs.payg.token"]
        payments = payments.filtered(lambda p: p.payment_type == "inbound" and p.partner_type == "customer")
        if not payments:
            return tokens
        invoices = payments.invoice_ids.filtered(lambda m: m.is_sale_document(include_receipts=True))
        sale_lines = invoices.invoice_line_ids.sale_line_ids
        if not sale_lines:
            return tokens
        accounts = self.search(
            [("sale_line_id", "in", sale_lines.ids), ("state", "not in", ("written_off", "returned"))], order="id"
        )
        if not accounts:
            return tokens
        accounts._abs_lock()
        done = {
            (token.payment_id.id, token.account_id.id): token
            for token in tokens.search([("payment_id", "in", payments.ids), ("account_id", "in", accounts.ids)])
        }
        for payment in payments:
            paid_lines = payment.invoice_ids.invoice_line_ids.sale_line_ids
            mine = accounts.filtered(lambda a, lines=paid_lines: a.sale_line_id in lines)
            if not mine:
                continue
            issued = [done[(payment.id, a.id)] for a in mine if (payment.id, a.id) in done]
            if issued:
                tokens |= tokens.concat(*issued)
                continue
            left = payment.amount
            payable = mine.filtered(lambda a: a.state in OPEN_STATES)
            if not payable:
                mine._abs_check_payable()
                raise rules.PAID_OFF(
                    self.env._(
                        "%(accounts)s is paid off: the device is unlocked for good.",
                        accounts=", ".join(mine.mapped("name")),
                    ),
                    details={"payg_account_ids": mine.ids},
                )
            for account in payable:
                take = min(left, account.amount_remaining) if account != payable[-1] else left
                if account.currency_id.compare_amounts(take, 0) <= 0:
                    continue
                tokens |= account._abs_credit(take, payment)
                left -= take
        return tokens

    def _abs_credit(self, amount, payment):
        """Credit ``amount`` of ``payment`` to this (locked) account: days, expiry, state and one token."""
        self.ensure_one()
        currency = self.currency_id
        amount_paid = currency.round(self.amount_paid + amount)
        today = fields.Date.context_today(self)
        vals = {"amount_paid": amount_paid}
        if currency.compare_amounts(amount_paid, self.price_to_own) >= 0:
            vals.update(state="paid_off", credit_expiry=False, disabled_since=False)
            token = self._abs_issue_token("disable_payg", payment=payment, amount=amount, extra_vals=vals)
        else:
            days_total = self.plan_id._abs_days_for(amount_paid)
            days = days_total - self.days_credited
            base = max(self.credit_expiry or today, today)
            expiry = base + timedelta(days=days)
            vals.update(days_credited=days_total, credit_expiry=expiry)
            if expiry > today:
                vals.update(state="active", disabled_since=False)
            token = self._abs_issue_token("add_time", days=days, payment=payment, amount=amount, extra_vals=vals)
        return token

    @api.model
    def _abs_check_invoice_payable(self, invoice):
        """Refuse a payment of ``invoice`` when every PAYG account it bills is written off (``payg_written_off``).

        Called by every payment's checks (``account.move._abs_payable_amount``) before the residual's: the
        write-off entry settled the invoice, and "already paid" would not say why."""
        # sudo: the PAYG accounts of an invoice the caller may pay, whatever their rights on PAYG accounts
        accounts = self.sudo().search([("sale_line_id", "in", invoice.invoice_line_ids.sale_line_ids.ids)])
        if accounts and not accounts.filtered(lambda a: a.state in OPEN_STATES):
            accounts._abs_check_payable()

    def _abs_check_payable(self):
        written_off = self.filtered(lambda a: a.state == "written_off")
        if written_off:
            raise rules.WRITTEN_OFF(
                self.env._(
                    "%(accounts)s is written off: its balance is no longer collected.",
                    accounts=", ".join(written_off.mapped("name")),
                ),
                details={"payg_account_ids": written_off.ids},
            )

    # ------------------------------------------------------------------ write-off (bad debt)

    def _abs_write_off(self, reason, actor=None):
        """Write off this open account's outstanding balance as a bad debt; ``written_off`` for good.

        The API and the backend's Write Off button (its wizard) call this. The balance still due on the
        account's invoices (at most its remaining amount) is moved off the customer's receivable by one
        journal entry (debit: the write-off expense account, ``abs_connector.payg_write_off_account_code``
        or the company's first expense account; credit: the receivable) reconciled with the invoices, as
        Odoo's own write-off in the reconciliation does; the revenue stays as invoiced. No more tokens,
        payments on it refused (``payg_written_off``). Returns the entry (empty when nothing was due)."""
        self.ensure_one()
        if not reason or len(reason.strip()) < 3:
            raise rules.REASON_REQUIRED(self.env._("A write-off says why (a reason of 3 characters or more)."))
        self._abs_lock()
        if self.state not in OPEN_STATES:
            raise rules.WRITE_OFF_STATE(
                self.env._(
                    "%(account)s is %(state)s: only an open account is written off.",
                    account=self.name,
                    state=self.state,
                ),
                details={"state": self.state},
            )
        move = self._abs_book_write_off(reason)
        amount = -sum(
            move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable").mapped("balance")
        )
        self.write(
            {
                "state": "written_off",
                "amount_written_off": self.amount_remaining,
                "written_off_date": fields.Date.context_today(self),
                "write_off_reason": reason.strip(),
                "write_off_move_id": move.id,
                "credit_expiry": False,
                "disabled_since": False,
            }
        )
        self.message_post(
            body=self.env._(
                "Written off by %(who)s: %(amount)s of receivable (%(reason)s).",
                who=actor.display_name if actor else self.env.user.name,
                amount=amount,
                reason=reason.strip(),
            )
        )
        return move

    def _abs_book_write_off(self, reason):
        """The write-off entry of this locked account's open invoices, reconciled with them (empty if none due)."""
        # sudo: the entry books a write-off an SA or PAYG manager decided; they hold no accounting rights
        self_sudo = self.sudo()
        company = self_sudo.company_id
        invoices = self_sudo.sale_line_id.invoice_lines.move_id.filtered(
            lambda m: (
                m.move_type == "out_invoice" and m.state == "posted" and not m.currency_id.is_zero(m.amount_residual)
            )
        ).sorted("id")
        receivables = invoices.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        left = self.amount_remaining
        to_write_off = []
        for line in receivables:
            take = min(left, line.amount_residual)
            if self.currency_id.compare_amounts(take, 0) <= 0:
                break
            to_write_off.append((line, take))
            left -= take
        if not to_write_off:
            return self.env["account.move"]
        Journal, Account = self_sudo.env["account.journal"], self_sudo.env["account.account"]
        journal = Journal.search([*Journal._check_company_domain(company), ("type", "=", "general")], limit=1)
        # sudo: a deployment setting
        code = self.env["ir.config_parameter"].sudo().get_param(WRITE_OFF_ACCOUNT_PARAM)
        expense_domain = [*Account._check_company_domain(company), ("deprecated", "=", False)]
        expense = Account.search(
            [*expense_domain, ("code", "=", code)] if code else [*expense_domain, ("account_type", "=", "expense")],
            order="code",
            limit=1,
        )
        if not journal or not expense:
            raise rules.WRITE_OFF_NOT_CONFIGURED(
                self.env._(
                    "%(company)s has no general journal or write-off expense account to book the write-off in.",
                    company=company.name,
                )
            )
        label = self.env._("Write-off %(account)s: %(reason)s", account=self.name, reason=reason.strip())
        line_vals = [
            Command.create(
                {
                    "name": label,
                    "account_id": line.account_id.id,
                    "partner_id": line.partner_id.id,
                    "credit": take,
                }
            )
            for line, take in to_write_off
        ]
        line_vals.append(
            Command.create(
                {
                    "name": label,
                    "account_id": expense.id,
                    "partner_id": self_sudo.partner_id.id,
                    "debit": sum(take for _line, take in to_write_off),
                }
            )
        )
        move = (
            self_sudo.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": fields.Date.context_today(self),
                    "ref": label,
                    "line_ids": line_vals,
                }
            )
        )
        move.action_post()
        written = move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        for receivable in written.account_id:
            lines = [line for line, _take in to_write_off if line.account_id == receivable]
            (
                written.filtered(lambda line, r=receivable: line.account_id == r)
                | self_sudo.env["account.move.line"].concat(*lines)
            ).reconcile()
        return move

    # ------------------------------------------------------------------ staff tokens

    def _abs_staff_token(self, kind, days=None, reason=None, actor=None):
        """A staff token: ``resend`` (the last token again, no new count), ``set_time`` (the device's credit
        set to ``days`` from today, with a ``reason``, logged) or ``counter_sync``. Returns the token."""
        self.ensure_one()
        self._abs_lock()
        if kind == "resend":
            last = self.token_ids[:1]
            if not last:
                raise rules.NO_TOKEN(self.env._("%(account)s has no token yet.", account=self.name))
            self.message_post(
                body=self.env._("Token %(code)s resent (count %(count)s).", code=last.code, count=last.count)
            )
            return last
        if self.state not in OPEN_STATES:
            raise rules.ACCOUNT_CLOSED(
                self.env._("%(account)s no longer locks (%(state)s).", account=self.name, state=self.state),
                details={"state": self.state},
            )
        if kind == "set_time":
            today = fields.Date.context_today(self)
            vals = {"credit_expiry": today + timedelta(days=days)}
            vals.update({"state": "active", "disabled_since": False} if days > 0 else {})
            _logger.info(
                "PAYG account %s: SET_TIME %s days by %s (%s)",
                self.id,
                days,
                actor.display_name if actor else self.env.user.login,
                reason,
            )
            return self._abs_issue_token("set_time", days=days, reason=reason, actor=actor, extra_vals=vals)
        return self._abs_issue_token("counter_sync", reason=reason, actor=actor)

    # ------------------------------------------------------------------ token issuing

    def _abs_lock(self):
        # log_exceptions: a concurrent payment's commit makes this lock a serialization failure,
        # the expected race loser that Odoo retries.
        self.env.cr.execute(
            "SELECT id FROM abs_payg_account WHERE id IN %s ORDER BY id FOR NO KEY UPDATE",
            [tuple(self.ids)],
            log_exceptions=False,
        )
        self.invalidate_recordset()

    def _abs_issue_token(self, kind, days=0, payment=None, amount=0.0, reason=None, actor=None, extra_vals=None):
        """Compute the next OpenPAYGO token of this locked account and store it with the account's new state."""
        self.ensure_one()
        plan = self.plan_id
        value = None
        if kind in ("add_time", "set_time"):
            value = days // plan.token_unit_days
            limit = (
                OpenPAYGOTokenSharedExtended.MAX_ACTIVATION_VALUE
                if plan.extended_tokens
                else OpenPAYGOTokenShared.MAX_ACTIVATION_VALUE
            )
            if value > limit:
                raise rules.TOKEN_VALUE_TOO_HIGH(
                    self.env._(
                        "%(days)s days do not fit in one token of this plan (at most %(limit)s units).",
                        days=days,
                        limit=limit,
                    ),
                    details={"days": days, "max_units": limit},
                )
        # sudo: the device secret is readable by PAYG managers only; issuing a token needs it, never shows it
        lot = self.lot_id.sudo()
        if not lot.abs_payg_secret:
            raise rules.NO_DEVICE_SECRET(self.env._("Serial %(serial)s has no device secret.", serial=lot.name))
        count, code = OpenPAYGOTokenEncoder.generate_token(
            secret_key=lot.abs_payg_secret,
            count=self.token_count,
            value=value,
            token_type=OPENPAYGO_TYPES[kind],
            starting_code=lot.abs_payg_starting_code,
            restricted_digit_set=plan.restricted_digit_set,
            extended_token=plan.extended_tokens,
        )
        token = self.env["abs.payg.token"].create(
            {
                "account_id": self.id,
                "payment_id": payment.id if payment else False,
                "count": count,
                "token_type": kind,
                "value": value or 0,
                "days": days if kind in ("add_time", "set_time") else 0,
                "code": code,
                "amount": amount,
                "reason": reason,
                "actor_id": actor.id if actor else (payment.x_actor_id.id if payment else False),
            }
        )
        self.write({**(extra_vals or {}), "token_count": count})
        self.message_post(body=self._abs_token_message(token, payment))
        return token

    def _abs_token_message(self, token, payment):
        labels = dict(token._fields["token_type"].selection)
        if payment:
            return self.env._(
                "Token %(code)s (%(type)s, %(days)s days, count %(count)s) for payment %(payment)s.",
                code=token.code,
                type=labels[token.token_type],
                days=token.days,
                count=token.count,
                payment=payment.name or payment.id,
            )
        return self.env._(
            "Token %(code)s (%(type)s, %(days)s days, count %(count)s). Reason: %(reason)s",
            code=token.code,
            type=labels[token.token_type],
            days=token.days,
            count=token.count,
            reason=token.reason or "-",
        )

    # ------------------------------------------------------------------ the daily job

    @api.model
    def _cron_refresh_states(self, batch_size=None, today=None):
        """Scheduled job ``abs_connector.ir_cron_payg_states``: credit states and reminders, by batches.

        ``active`` accounts whose credit ran out become ``disabled`` (since their expiry), ``disabled`` ones
        with credit again (a set-time token) ``active``; a reminder mail is queued (never sent here) for
        accounts whose credit ends within ``abs_connector.payg_reminder_days`` (default 2), once per expiry.
        Batches of ``abs_connector.payg_batch_size`` (default 500) rows locked ``SKIP LOCKED``, each
        committed with its progress reported; a row is taken once per run, so a run always ends.
        """
        today = today or fields.Date.context_today(self)
        # sudo: deployment settings, read by the job whoever its user is
        params = self.env["ir.config_parameter"].sudo()
        batch_size = batch_size or int(params.get_param(BATCH_SIZE_PARAM, 500))
        remind_until = today + timedelta(days=int(params.get_param(REMINDER_DAYS_PARAM, 2)))
        done, seen = 0, []
        self.env.cr.commit()  # the batch query must open a fresh snapshot
        while ids := self._abs_take_state_batch(today, remind_until, batch_size, seen):
            seen.extend(ids)  # liveness: taken once per run; a batch that changes nothing is not taken again
            self.browse(ids)._abs_refresh_state(today, remind_until)
            done += len(ids)
            self.env["ir.cron"]._notify_progress(done=done, remaining=0)
            self.env.cr.commit()
        return done

    @api.model
    def _abs_take_state_batch(self, today, remind_until, limit, skip_ids):
        self.env.cr.execute(
            """
            SELECT id FROM abs_payg_account
             WHERE ((state = 'active' AND credit_expiry <= %(today)s)
                 OR (state = 'disabled' AND credit_expiry > %(today)s)
                 OR (state = 'active' AND credit_expiry <= %(until)s
                     AND reminder_sent_for IS DISTINCT FROM credit_expiry))
               AND NOT (id = ANY(%(skip)s))
             ORDER BY id
             LIMIT %(limit)s
               FOR UPDATE SKIP LOCKED
            """,
            {"today": today, "until": remind_until, "skip": list(skip_ids), "limit": limit},
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.env.invalidate_all()
        return ids

    def _abs_refresh_state(self, today, remind_until):
        """Move these (locked) accounts between active and disabled, and queue their reminders, in a few writes."""
        ran_out = self.filtered(lambda a: a.state == "active" and a.credit_expiry and a.credit_expiry <= today)
        for expiry, accounts in ran_out.grouped("credit_expiry").items():
            accounts.write({"state": "disabled", "disabled_since": expiry})
        self.filtered(lambda a: a.state == "disabled" and a.credit_expiry and a.credit_expiry > today).write(
            {"state": "active", "disabled_since": False}
        )
        to_remind = self.filtered(
            lambda a: (
                a.state == "active"
                and a.credit_expiry
                and a.credit_expiry <= remind_until
                and a.reminder_sent_for != a.credit_expiry
            )
        )
        with_email = to_remind.filtered(lambda a: a.partner_id.email)
        if with_email:
            template = self.env.ref("abs_connector.mail_template_payg_reminder")
            # sudo: queuing mail is the system's job (mail.mail, sent later by the mail queue)
            template.sudo().send_mail_batch(with_email.ids, force_send=False)
        for expiry, accounts in to_remind.grouped("credit_expiry").items():
            accounts.write({"reminder_sent_for": expiry})

    # ------------------------------------------------------------------ the portfolio at risk

    @api.model
    def _abs_portfolio(self, domain, day, period_days=30):
        """Per SA of the accounts of ``domain``, at ``day``: accounts by state, outstanding, written off, collection
        rate (paid ÷ expected over the ``period_days`` before ``day``) and PAR 30/60/90 (the share of the outstanding
        on accounts disabled for more than 30/60/90 days). A few grouped queries whatever the portfolio's size."""
        result = defaultdict(
            lambda: {
                "accounts_by_state": {},
                "outstanding": 0.0,
                "written_off": 0.0,
                "paid": 0.0,
                "expected": 0.0,
                "at_risk": [0.0] * 3,
            }
        )
        groups = self._read_group(domain, ["x_sa_id", "state"], ["__count", "amount_written_off:sum"])
        for account, state, count, written_off in groups:
            result[account]["accounts_by_state"][state] = count
            result[account]["written_off"] += written_off
        open_domain = [*domain, ("state", "in", OPEN_STATES)]
        for account, remaining in self._read_group(open_domain, ["x_sa_id"], ["amount_remaining:sum"]):
            result[account]["outstanding"] = remaining
        for index, days in enumerate((30, 60, 90)):
            late = [*open_domain, ("state", "=", "disabled"), ("disabled_since", "<", day - timedelta(days=days))]
            for account, remaining in self._read_group(late, ["x_sa_id"], ["amount_remaining:sum"]):
                result[account]["at_risk"][index] = remaining
        start = day - timedelta(days=period_days)
        Token = self.env["abs.payg.token"]
        paid_domain = [
            ("account_id", "any", domain),
            ("payment_id", "!=", False),
            ("create_date", ">=", fields.Datetime.to_datetime(start)),
            ("create_date", "<", fields.Datetime.to_datetime(day + timedelta(days=1))),
        ]
        for payg, amount in Token._read_group(paid_domain, ["account_id"], ["amount:sum"]):
            result[payg.x_sa_id]["paid"] += amount
        # Expected: a day's price for every day of the period an account was open, and deposits of the period.
        running = self.search_fetch(
            [*domain, ("activation_date", "<=", day), ("state", "in", (*OPEN_STATES, "paid_off"))],
            ["x_sa_id", "activation_date", "price_per_day", "deposit"],
        )
        for account in running:
            days_open = min(period_days, (day - account.activation_date).days)
            deposit = account.deposit if account.activation_date > start else 0.0
            result[account.x_sa_id]["expected"] += days_open * account.price_per_day + deposit
        return result

    # ------------------------------------------------------------------ demo data

    @api.model
    def _abs_demo_sell(self, order_id, serial):
        """Demo data: deliver the confirmed order ``order_id`` (one serial-tracked kit: ``serial``), post its
        invoice, pay the deposit and one instalment of its PAYG account (two tokens), as the API does."""
        order = self.env["sale.order"].browse(order_id)
        delivery = order.picking_ids
        lines = [{"move_id": move.id, "quantity": 1, "lot_name": serial} for move in delivery.move_ids]
        delivery._abs_validate_delivery(lines, False, actor=order.x_actor_id)
        invoice, _created = order._abs_invoice()
        invoice._abs_post()
        account = self.search([("sale_line_id", "in", order.order_line.ids)], limit=1)
        invoice._abs_register_payment(account.deposit, actor=order.x_actor_id)
        invoice._abs_register_payment(account.plan_id._abs_instalment()[0], actor=order.x_actor_id)
        return account.id

    # ------------------------------------------------------------------ what the customer owes next

    @api.model
    def _abs_next_instalment_of(self, invoice):
        """The next instalment of the open PAYG account an invoice bills, or None (not a PAYG invoice)."""
        # sudo: the instalment of an invoice the caller may read, whatever its rights on PAYG accounts
        account = self.sudo().search(
            [("sale_line_id", "in", invoice.invoice_line_ids.sale_line_ids.ids), ("state", "in", OPEN_STATES)],
            order="id",
            limit=1,
        )
        return account._abs_next_instalment() if account else None

    def _abs_next_instalment(self):
        """``{"due_date", "amount"}`` of the next instalment, or None when nothing more is owed."""
        self.ensure_one()
        if self.state not in OPEN_STATES or self.currency_id.is_zero(self.amount_remaining):
            return None
        today = fields.Date.context_today(self)
        if self.currency_id.compare_amounts(self.amount_paid, self.deposit) < 0:
            return {"due_date": today, "amount": self.currency_id.round(self.deposit - self.amount_paid)}
        amount, _days = self.plan_id._abs_instalment()
        return {
            "due_date": max(self.credit_expiry or today, today),
            "amount": self.currency_id.round(min(amount, self.amount_remaining)),
        }


def new_device_secret():
    """16 random bytes, hex: an OpenPAYGO device key, and a random 9-digit starting code."""
    return secrets.token_hex(16), secrets.randbelow(10**9)
