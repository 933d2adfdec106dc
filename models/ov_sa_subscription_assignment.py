from odoo import fields, models


class OvSaSubscriptionAssignment(models.Model):
    """V3 governance of subscriptions: the SA an ``abs.subscription`` belongs to (dual-written with ``x_sa_id``)."""

    _name = "ov.sa_subscription_assignment"
    _inherit = "ov.sa_assignment.mixin"
    _description = "Service Account Subscription Assignment"
    _governed_field = "subscription_id"

    subscription_id = fields.Many2one(
        "abs.subscription", string="Subscription", required=True, ondelete="cascade", index=True
    )
