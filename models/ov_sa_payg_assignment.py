from odoo import fields, models


class OvSaPaygAssignment(models.Model):
    """V3 governance of PAYG accounts: the SA an ``abs.payg.account`` belongs to (dual-written with ``x_sa_id``)."""

    _name = "ov.sa_payg_assignment"
    _inherit = "ov.sa_assignment.mixin"
    _description = "Service Account PAYG Account Assignment"
    _governed_field = "payg_account_id"

    payg_account_id = fields.Many2one(
        "abs.payg.account", string="PAYG Account", required=True, ondelete="cascade", index=True
    )
