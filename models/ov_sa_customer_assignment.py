from odoo import fields, models


class OvSaCustomerAssignment(models.Model):
    """V3 governance of customers: the SA(s) a res.partner belongs to."""

    _name = "ov.sa_customer_assignment"
    _inherit = "ov.sa_assignment.mixin"
    _description = "Service Account Customer Assignment"
    _governed_field = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade", index=True)
