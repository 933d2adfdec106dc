import logging

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..refusals import subscription as rules

_logger = logging.getLogger(__name__)

CADENCES = [("weekly", "Weekly"), ("monthly", "Monthly"), ("quarterly", "Quarterly"), ("yearly", "Yearly")]
CADENCE_STEP = {
    "weekly": relativedelta(weeks=1),
    "monthly": relativedelta(months=1),
    "quarterly": relativedelta(months=3),
    "yearly": relativedelta(years=1),
}
STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("paused", "Paused"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
]
# Subscriptions billed per committed batch of the cron (ir.config_parameter overrides it).
BATCH_SIZE_PARAM = "abs_connector.subscription_billing_batch_size"
DEFAULT_BATCH_SIZE = 100


class AbsSubscription(models.Model):
    """A customer's recurring service (seed workflow 10): a recurring product billed every period.

    Periods are counted from an anchor: period k starts at ``billing_anchor_date`` + (k − anchor index)
    × cadence (never chained from the previous date, so the 31st of a month does not drift to the 28th).
    ``next_invoice_date`` is the start of the first period not billed yet; billing is in advance, at
    the start of each period. A pause stops billing; resuming re-anchors at the next period start
    moved by the days paused, so the paused days are never billed. Each billed period is an
    ``abs.subscription.period`` row, unique per (subscription, period start), written in the
    transaction of its invoice.
    """

    _name = "abs.subscription"
    _inherit = ["mail.thread", "ov.sa_governed.mixin"]
    _description = "Subscription"
    _order = "id desc"
    _rec_name = "code"
    _sa_assignment_model = "ov.sa_subscription_assignment"

    code = fields.Char(required=True, readonly=True, copy=False, index=True, default=lambda self: self.env._("New"))
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="restrict", tracking=True
    )
    product_id = fields.Many2one(
        "product.product",
        string="Product",
        required=True,
        ondelete="restrict",
        domain="[('recurring_invoice', '=', True)]",
    )
    quantity = fields.Float(required=True, default=1.0, digits="Product Unit of Measure")
    price_unit = fields.Float(string="Price per Period", required=True, digits="Product Price", tracking=True)
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id, ondelete="restrict"
    )
    recurring_total = fields.Monetary(compute="_compute_recurring_total", string="Amount per Period")
    cadence = fields.Selection(CADENCES, required=True, default="monthly", tracking=True)
    start_date = fields.Date(required=True, default=fields.Date.context_today)
    end_date = fields.Date(tracking=True, help="Last day of service; empty: until cancelled.")
    billing_anchor_date = fields.Date(
        readonly=True, copy=False, help="Start of period number `billing_anchor_index`; periods are counted from it."
    )
    billing_anchor_index = fields.Integer(
        readonly=True, copy=False, help="0 from the start; a resume re-anchors at the next period, moved by the pause."
    )
    billed_period_count = fields.Integer(readonly=True, copy=False)
    # Not tracked: it moves at every billing, whose record is the billed period (no chatter line a month).
    # Computed from the schedule, never set on its own: the constraint refuses a date that disagrees.
    next_invoice_date = fields.Date(
        compute="_compute_next_invoice_date",
        store=True,
        copy=False,
        index=True,
        help="Start of the next period to bill: the anchor moved by the periods billed since it.",
    )
    state = fields.Selection(STATES, required=True, default="draft", index=True, tracking=True, copy=False)
    paused_on = fields.Date(readonly=True, copy=False)
    paused_days = fields.Integer(readonly=True, copy=False, help="Days paused in all, never billed.")
    close_reason_id = fields.Many2one("abs.subscription.close.reason", readonly=True, copy=False, ondelete="restrict")
    close_note = fields.Text(readonly=True, copy=False)
    close_date = fields.Date(readonly=True, copy=False)
    sale_order_id = fields.Many2one("sale.order", string="Origin Order", index="btree_not_null", copy=False)
    sale_line_id = fields.Many2one("sale.order.line", string="Origin Order Line", copy=False)
    period_ids = fields.One2many("abs.subscription.period", "subscription_id", string="Billed Periods")
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    billing_error = fields.Text(readonly=True, copy=False, help="Why the last billing of this subscription failed.")
    billing_error_date = fields.Datetime(readonly=True, copy=False)
    x_sa_id = fields.Many2one("ov.serviced_account", string="Service Account", index=True, copy=False, tracking=True)
    x_actor_id = fields.Many2one("abs.employee", string="Sold by (agent)", copy=False)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    abs_sa_assignment_ids = fields.One2many(
        "ov.sa_subscription_assignment", "subscription_id", string="Service Account Assignments"
    )

    _sql_constraints = [
        ("code_unique", "unique (code)", "A subscription code is unique."),
        (
            "dates_in_order",
            "CHECK (end_date IS NULL OR end_date >= start_date)",
            "A subscription ends after it starts.",
        ),
        ("quantity_positive", "CHECK (quantity > 0)", "A subscription's quantity is positive."),
        ("price_not_negative", "CHECK (price_unit >= 0)", "A subscription's price is not negative."),
    ]

    @api.depends("price_unit", "quantity")
    def _compute_recurring_total(self):
        for subscription in self:
            subscription.recurring_total = subscription.currency_id.round(
                subscription.price_unit * subscription.quantity
            )

    @api.depends("billing_anchor_date", "billing_anchor_index", "billed_period_count", "cadence")
    def _compute_next_invoice_date(self):
        for subscription in self:
            subscription.next_invoice_date = subscription._abs_scheduled_date()

    def _compute_invoice_count(self):
        counts = dict(
            self.env["abs.subscription.period"]._read_group(
                [("subscription_id", "in", self.ids), ("invoice_id", "!=", False)], ["subscription_id"], ["__count"]
            )
        )
        for subscription in self:
            subscription.invoice_count = counts.get(subscription, 0)

    @api.constrains("next_invoice_date", "billing_anchor_date", "billing_anchor_index", "billed_period_count")
    def _check_next_invoice_date(self):
        for subscription in self:
            scheduled = subscription._abs_scheduled_date()
            if subscription.next_invoice_date != scheduled:
                raise ValidationError(
                    self.env._(
                        "The next invoice date of %(code)s (%(stored)s) must be the start of its next period"
                        " (%(scheduled)s): it follows the anchor and the periods billed.",
                        code=subscription.code,
                        stored=subscription.next_invoice_date or "-",
                        scheduled=scheduled or "-",
                    )
                )

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        Sequence = self.env["ir.sequence"]
        for vals in vals_list:
            if vals.get("code", self.env._("New")) == self.env._("New"):
                vals["code"] = Sequence.next_by_code("abs.subscription") or self.env._("New")
            start = fields.Date.to_date(vals.get("start_date")) or fields.Date.context_today(self)
            vals.setdefault("billing_anchor_date", start)
        subscriptions = super().create(vals_list)
        return subscriptions

    def write(self, vals):
        result = super().write(vals)
        if {"start_date", "cadence"} & vals.keys():
            # Only a subscription that never billed may change where its periods start.
            for subscription in self.filtered(lambda s: not s.billed_period_count):
                subscription.billing_anchor_date = subscription.start_date
        return result

    # ------------------------------------------------------------------ actions (backend buttons)

    def action_abs_start(self):
        self._abs_start()

    def action_abs_pause(self):
        self._abs_pause()

    def action_abs_resume(self):
        self._abs_resume()

    def action_abs_open_cancel_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel Subscription"),
            "res_model": "abs.subscription.cancel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_subscription_ids": self.ids},
        }

    def action_abs_invoice_now(self):
        """Bill the due periods of these subscriptions now, as the cron would."""
        self._abs_lock()
        self._abs_bill_due_periods(fields.Date.context_today(self))

    def action_abs_view_invoices(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("id", "in", self.period_ids.invoice_id.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------ periods

    def _abs_period_start(self, index):
        """Start of the ``index``-th period (0 is the first) counted from the anchor."""
        self.ensure_one()
        return self.billing_anchor_date + CADENCE_STEP[self.cadence] * (index - self.billing_anchor_index)

    def _abs_scheduled_date(self):
        """The start of the first period not billed yet, by the schedule (one record; False without anchor)."""
        self.ensure_one()
        if not self.billing_anchor_date or not self.cadence:
            return False
        return self._abs_period_start(self.billed_period_count)

    def _abs_due_periods(self, today):
        """``[(index, start, end)]`` of the periods to bill by ``today``, oldest first (one record).

        A subscription that missed N periods (server down, a failed run, a late start date) has N
        due: each gets its own invoice, in the same run. A period starting after the end date is not due.
        """
        self.ensure_one()
        if self.state != "active":
            return []  # only an active subscription is billed: not a draft, a paused or a closed one
        periods, index = [], self.billed_period_count
        start = self._abs_period_start(index)
        while start <= today and (not self.end_date or start <= self.end_date):
            following = self._abs_period_start(index + 1)
            end = following - relativedelta(days=1)
            periods.append((index, start, min(end, self.end_date) if self.end_date else end))
            index, start = index + 1, following
        return periods

    # ------------------------------------------------------------------ business methods

    @api.model
    def _abs_purchase(self, values, account, actor=None):
        """Sell a subscription: active at once; returns it.

        ``values``: ``partner_id`` (a customer of ``account``), ``product_id`` (a recurring product of
        its catalogue), optional ``quantity``, ``price_unit`` (default: the SA's pricelist price),
        ``cadence`` (default: the product's), ``start_date`` (default today) and ``end_date``.
        Periods already started are billed in this transaction, as the cron would bill them.
        """
        Partner, Product = self.env["res.partner"], self.env["product.product"]
        partner = Partner.search([("id", "=", values["partner_id"]), *Partner._abs_sa_domain([account.id])])
        if not partner:
            raise rules.NOT_FOUND(self.env._("Customer not found."), details={"partner_id": values["partner_id"]})
        product = Product.search([("id", "=", values["product_id"]), *Product._abs_catalog_domain([account.id])])
        if not product:
            raise rules.NOT_FOUND(self.env._("Product not found."), details={"product_id": values["product_id"]})
        if not product.recurring_invoice:
            raise rules.NOT_RECURRING(
                self.env._("%(product)s is not a recurring product.", product=product.display_name),
                details={"product_id": product.id},
            )
        quantity = values.get("quantity") or 1.0
        start = values.get("start_date") or fields.Date.context_today(self)
        if values.get("end_date") and values["end_date"] < start:
            raise rules.INVALID_DATES(
                self.env._("The end date is before the start date."),
                details={"fields": {"end_date": "before start_date"}},
            )
        pricelist = account.pricelist_id or partner.property_product_pricelist
        price = values.get("price_unit")
        if price is None:
            price = pricelist._get_product_price(product, quantity) if pricelist else product.lst_price
        subscription = self.create(
            {
                "partner_id": partner.id,
                "product_id": product.id,
                "quantity": quantity,
                "price_unit": price,
                "currency_id": (pricelist.currency_id or account.company_id.currency_id).id,
                "cadence": values.get("cadence") or product.x_subscription_cadence,
                "start_date": start,
                "end_date": values.get("end_date") or False,
                "company_id": account.company_id.id,
                "x_sa_id": account.id,
                "x_actor_id": actor.id if actor else False,
            }
        )
        subscription._abs_start()
        subscription._abs_bill_due_periods(fields.Date.context_today(self))
        return subscription

    @api.model
    def _abs_create_from_order_lines(self, lines):
        """Subscriptions of the recurring lines of orders being confirmed (seed 1d, line 3): one per line.

        The order's first invoice, made at confirmation, bills the line's first period: it is recorded
        as the subscription's first billed period, so the cron bills from the second one on.
        """
        vals_list = []
        for line in lines:
            order = line.order_id
            vals_list.append(
                {
                    "partner_id": order.partner_id.id,
                    "product_id": line.product_id.id,
                    "quantity": line.product_uom_qty,
                    "price_unit": line.price_unit,
                    "currency_id": order.currency_id.id,
                    "cadence": line.product_id.x_subscription_cadence,
                    "start_date": fields.Date.context_today(self, order.date_order),
                    "company_id": order.company_id.id,
                    "sale_order_id": order.id,
                    "sale_line_id": line.id,
                    "x_sa_id": order.x_sa_id.id or False,
                    "x_actor_id": order.x_actor_id.id or False,
                    "state": "active",
                }
            )
        subscriptions = self.create(vals_list)
        first_periods = []
        for subscription in subscriptions:
            invoice = subscription.sale_line_id.invoice_lines.move_id.filtered(lambda m: m.move_type == "out_invoice")[
                :1
            ]
            if invoice:
                _index, start, end = subscription._abs_due_periods(subscription.start_date)[0]
                first_periods.append(
                    {
                        "subscription_id": subscription.id,
                        "period_start": start,
                        "period_end": end,
                        "invoice_id": invoice.id,
                    }
                )
                subscription.billed_period_count = 1
        self.env["abs.subscription.period"].create(first_periods)
        return subscriptions

    def _abs_status(self):
        """What is owed: ``{open_invoices, amount_due}`` of the posted invoices not paid yet (one record)."""
        self.ensure_one()
        invoices = self.period_ids.invoice_id._abs_payable()
        return {
            "open_invoices": len(invoices),
            "amount_due": self.currency_id.round(sum(invoices.mapped("amount_residual"))),
        }

    def _abs_check_state(self, states, message):
        labels = dict(STATES)
        for subscription in self:
            if subscription.state not in states:
                raise rules.SUBSCRIPTION_STATE(
                    self.env._(
                        "%(message)s (%(code)s is %(state)s.)",
                        message=message,
                        code=subscription.code,
                        state=labels[subscription.state],
                    ),
                    details={"state": subscription.state},
                )

    def _abs_start(self):
        """draft → active: billing starts from the start date."""
        self._abs_check_state(("draft",), self.env._("Only a draft subscription starts."))
        self.write({"state": "active"})
        return self

    def _abs_pause(self):
        """active → paused: nothing is billed until resumed."""
        self._abs_check_state(("active",), self.env._("Only an active subscription can be paused."))
        self.write({"state": "paused", "paused_on": fields.Date.context_today(self)})
        return self

    def _abs_resume(self):
        """paused → active; the periods to come move by the days paused, which are never billed."""
        self._abs_check_state(("paused",), self.env._("Only a paused subscription can be resumed."))
        today = fields.Date.context_today(self)
        for subscription in self:
            days = (today - subscription.paused_on).days
            subscription.write(
                {
                    "state": "active",
                    "paused_on": False,
                    "paused_days": subscription.paused_days + days,
                    "billing_anchor_date": subscription.next_invoice_date + relativedelta(days=days),
                    "billing_anchor_index": subscription.billed_period_count,
                }
            )
            if days:
                subscription.message_post(
                    body=self.env._(
                        "Resumed after %(days)s days paused: the next invoice moves to %(date)s.",
                        days=days,
                        date=format_date(self.env, subscription.next_invoice_date),
                    )
                )
        return self

    def _abs_cancel(self, reason_code, note=None):
        """draft, active or paused → cancelled, for one of the configured reasons (``reason_code``)."""
        reason = self.env["abs.subscription.close.reason"].search([("code", "=", reason_code)], limit=1)
        if not reason:
            codes = self.env["abs.subscription.close.reason"].search([]).mapped("code")
            raise rules.INVALID_REASON(
                self.env._("Unknown cancellation reason %(reason)s.", reason=reason_code),
                details={"fields": {"reason": f"one of: {', '.join(codes)}"}},
            )
        self._abs_check_state(
            ("draft", "active", "paused"), self.env._("A cancelled or expired subscription cannot be cancelled.")
        )
        self.write(
            {
                "state": "cancelled",
                "close_reason_id": reason.id,
                "close_note": note or False,
                "close_date": fields.Date.context_today(self),
                "paused_on": False,
            }
        )
        return self

    @api.model
    def _abs_expire_ended(self, today):
        """Active and paused subscriptions whose every period up to the end date is billed are expired."""
        ended = self.search([("state", "in", ("active", "paused")), ("end_date", "<", today)]).filtered(
            lambda s: s.next_invoice_date > s.end_date
        )
        ended.write({"state": "expired", "close_date": today, "paused_on": False})
        return ended

    # ------------------------------------------------------------------ recurring billing

    def _abs_lock(self):
        """Take these subscriptions' rows (a concurrent billing of them waits, then is retried)."""
        self.env.cr.execute("SELECT id FROM abs_subscription WHERE id IN %s FOR UPDATE", [tuple(self.ids)])

    @api.model
    def _abs_due_domain(self, today):
        return [("state", "=", "active"), ("next_invoice_date", "<=", today)]

    @api.model
    def _abs_take_due_batch(self, today, limit, skip_ids):
        """Lock and return up to ``limit`` due subscriptions no other run holds (``SKIP LOCKED``).

        The first statement of its transaction (the caller has just committed): its snapshot sees every
        period committed by a concurrent run, and the rows that run is billing are skipped, not waited for.
        """
        for _attempt in range(5):
            try:
                self.env.cr.execute(
                    """
                    SELECT id FROM abs_subscription
                     WHERE state = 'active' AND next_invoice_date <= %s
                       AND (end_date IS NULL OR next_invoice_date <= end_date)
                       AND NOT (id = ANY(%s))
                     ORDER BY next_invoice_date, id
                     LIMIT %s
                       FOR UPDATE SKIP LOCKED
                    """,
                    [today, list(skip_ids), limit],
                    log_exceptions=False,
                )
                ids = [row[0] for row in self.env.cr.fetchall()]
                self.env.invalidate_all()  # what this process read before may be older than the rows locked
                return self.browse(ids)
            except psycopg2.errors.SerializationFailure:
                # A concurrent run committed one of these rows after this snapshot began: look again.
                self.env.cr.rollback()
        return self.browse()

    def _abs_bill_due_periods(self, today):
        """Invoice every due period of these (locked) subscriptions; returns the posted invoices.

        One invoice and one ``abs.subscription.period`` row per period, all in the caller's transaction:
        the invoices, the rows and the new ``next_invoice_date`` commit together or not at all. The
        invoices are governed by the subscription's SA; their notification mails are queued.
        """
        plan = [(subscription, *period) for subscription in self for period in subscription._abs_due_periods(today)]
        Move = self.env["account.move"]
        if not plan:
            return Move
        invoices, period_vals = Move.browse(), []
        for company in {subscription.company_id for subscription, *_period in plan}:
            company_plan = [row for row in plan if row[0].company_id == company]
            moves = Move.with_company(company).create(
                [subscription._abs_prepare_invoice_vals(start, end) for subscription, _i, start, end in company_plan]
            )
            invoices |= moves
            period_vals += [
                {"subscription_id": subscription.id, "period_start": start, "period_end": end, "invoice_id": move.id}
                for (subscription, _i, start, end), move in zip(company_plan, moves, strict=True)
            ]
        self.env["abs.subscription.period"].create(period_vals)
        billed = {}
        for subscription, index, _start, _end in plan:
            billed[subscription] = index + 1
        for subscription, count in billed.items():
            subscription.write(
                {"billed_period_count": count, "billing_error": False, "billing_error_date": False}
                if subscription.billing_error
                else {"billed_period_count": count}
            )
        invoices.action_post()
        invoices._abs_queue_subscription_mails()
        return invoices

    def _abs_prepare_invoice_vals(self, start, end):
        self.ensure_one()
        period = self.env._(
            "%(product)s, %(start)s to %(end)s",
            product=self.product_id.display_name,
            start=format_date(self.env, start),
            end=format_date(self.env, end),
        )
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": start,
            "invoice_origin": self.code,
            "x_sa_id": self.x_sa_id.id or False,
            "abs_subscription_id": self.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": self.product_id.id,
                        "name": period,
                        "quantity": self.quantity,
                        "price_unit": self.price_unit,
                    }
                )
            ],
        }

    def _abs_bill_isolated(self, today):
        """Bill a batch: all at once (fewest queries); if that fails, each subscription in a savepoint
        of its own, so one that cannot be billed is rolled back, its error logged on it, and the rest
        of the batch is billed all the same. Returns ``(invoices, failed subscriptions)``."""
        try:
            with self.env.cr.savepoint():
                return self._abs_bill_due_periods(today), self.browse()
        except Exception:  # noqa: BLE001 - any failure: find out which subscription it was, below
            self.env.invalidate_all()
        invoices, failed = self.env["account.move"], self.browse()
        for subscription in self:
            try:
                with self.env.cr.savepoint():
                    invoices |= subscription._abs_bill_due_periods(today)
            except Exception as error:  # noqa: BLE001 - logged on the subscription, the batch goes on
                self.env.invalidate_all()
                failed |= subscription
                subscription._abs_log_billing_error(error)
        return invoices, failed

    def _abs_log_billing_error(self, error):
        self.ensure_one()
        _logger.warning("Subscription %s (id %s) could not be billed: %s", self.code, self.id, error, exc_info=True)
        message = str(error) or error.__class__.__name__
        self.write({"billing_error": message, "billing_error_date": fields.Datetime.now()})
        self.message_post(body=self.env._("Recurring billing failed: %(error)s", error=message))

    def _abs_flag_off_schedule(self):
        """Log on these subscriptions that they were taken as due but their schedule has nothing due."""
        for subscription in self:
            message = self.env._(
                "Nothing to bill: the stored next invoice date (%(stored)s) disagrees with the schedule,"
                " whose next period starts %(scheduled)s. Check the subscription's billing dates.",
                stored=subscription.next_invoice_date or "-",
                scheduled=subscription._abs_scheduled_date() or "-",
            )
            _logger.warning("Subscription %s (id %s) not billed: %s", subscription.code, subscription.id, message)
            subscription.write({"billing_error": message, "billing_error_date": fields.Datetime.now()})
            subscription.message_post(body=message)

    @api.model
    def _cron_invoice_due(self, batch_size=None, today=None):
        """Scheduled job ``abs_connector.ir_cron_subscription_invoicing``: bill every due period.

        By batches of ``batch_size`` subscriptions, each committed with its progress reported
        (``ir.cron._notify_progress``): a run killed after a batch keeps what it committed, and the
        next run goes on from there. Concurrent runs take disjoint batches (``SKIP LOCKED``); the
        unique billed period is the last guard. A subscription that fails, or that was taken as due and
        billed nothing, is skipped for the rest of this run (its error is on it) and tried again by the
        next run: every batch either bills or shrinks what is left, so the run always ends.
        """
        today = today or fields.Date.context_today(self)
        # sudo: a deployment setting, read by the job whoever its user is
        batch_size = batch_size or int(
            self.env["ir.config_parameter"].sudo().get_param(BATCH_SIZE_PARAM, DEFAULT_BATCH_SIZE)
        )
        done, failed_ids = 0, set()
        self.env.cr.commit()  # the batch query must open a fresh snapshot (see _abs_take_due_batch)
        while batch := self._abs_take_due_batch(today, batch_size, failed_ids):
            invoices, failed = batch._abs_bill_isolated(today)
            # No loop without progress: a subscription taken as due that billed nothing (its stored
            # date disagrees with its schedule: a direct SQL write, an import) would be taken again
            # and again. It is flagged and left out for the rest of this run, like a failed one.
            stalled = batch - failed - invoices.abs_subscription_id
            stalled._abs_flag_off_schedule()
            failed_ids.update(failed.ids + stalled.ids)
            done += len(batch)
            remaining = self.search_count(self._abs_due_domain(today) + [("id", "not in", list(failed_ids))])
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            self.env.cr.commit()
        self._abs_expire_ended(today)
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        self.env.cr.commit()
        return done
