from odoo import fields, models


class OvSaPaymentAssignment(models.Model):
    """V3 governance of payments (seed Gap 3): the SA an account.payment was collected for."""

    _name = "ov.sa_payment_assignment"
    _inherit = "ov.sa_assignment.mixin"
    _description = "Service Account Payment Assignment"
    _governed_field = "payment_id"

    payment_id = fields.Many2one("account.payment", string="Payment", required=True, ondelete="cascade", index=True)
