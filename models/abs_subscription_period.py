from odoo import fields, models


class AbsSubscriptionPeriod(models.Model):
    """One billed period of a subscription, written in the transaction of its invoice.

    The unique (subscription, period start) is the guard of recurring billing: whatever runs it —
    the cron twice, two crons at once, a run killed and restarted, a backend button — a period is
    billed once, because a second invoice of it could only be committed with a second row.
    """

    _name = "abs.subscription.period"
    _description = "Subscription Billed Period"
    _order = "period_start desc, id desc"
    _rec_name = "period_start"

    subscription_id = fields.Many2one("abs.subscription", required=True, ondelete="cascade", index=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    invoice_id = fields.Many2one("account.move", string="Invoice", index="btree_not_null", ondelete="restrict")
    amount_total = fields.Monetary(related="invoice_id.amount_total", string="Amount")
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    payment_state = fields.Selection(related="invoice_id.payment_state")

    _sql_constraints = [
        ("period_once", "unique (subscription_id, period_start)", "This period of the subscription is already billed."),
    ]
