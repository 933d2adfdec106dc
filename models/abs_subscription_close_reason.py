from odoo import fields, models


class AbsSubscriptionCloseReason(models.Model):
    """A reason a subscription may be cancelled for: the configured list customers and staff choose from."""

    _name = "abs.subscription.close.reason"
    _description = "Subscription Close Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="What the API sends (`reason`).")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "unique (code)", "A close reason's code is unique.")]
