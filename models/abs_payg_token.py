from odoo import fields, models

TOKEN_TYPES = [
    ("add_time", "Add time"),
    ("set_time", "Set time"),
    ("disable_payg", "Unlock for good"),
    ("counter_sync", "Counter sync"),
]


class AbsPaygToken(models.Model):
    """One OpenPAYGO token issued for a PAYG account's device: its count, type, value (token units) and code.

    At most one per payment and account (a unique constraint, the last guard against a second token for a
    retried payment) and one per count of an account (never the same count twice).
    """

    _name = "abs.payg.token"
    _description = "Pay-as-you-go Token"
    _order = "count desc, id desc"

    account_id = fields.Many2one("abs.payg.account", required=True, ondelete="cascade", index=True)
    payment_id = fields.Many2one("account.payment", ondelete="restrict", index="btree_not_null", readonly=True)
    count = fields.Integer(required=True, readonly=True)
    token_type = fields.Selection(TOKEN_TYPES, required=True, readonly=True)
    value = fields.Integer(
        readonly=True, help="Token units (days / the plan's days per unit); none for unlock and sync."
    )
    days = fields.Integer(readonly=True, help="Days of use the token adds (add time) or sets (set time).")
    amount = fields.Float(readonly=True, help="The part of the payment credited to the account.")
    code = fields.Char(required=True, readonly=True)
    reason = fields.Char(readonly=True)
    actor_id = fields.Many2one("abs.employee", string="Issued by (agent)", readonly=True)

    _sql_constraints = [
        ("one_per_count", "UNIQUE(account_id, count)", "A token count is used once per account."),
        ("one_per_payment", "UNIQUE(payment_id, account_id)", "A payment gives one token per account."),
    ]
