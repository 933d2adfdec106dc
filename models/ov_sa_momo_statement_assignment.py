from odoo import fields, models


class OvSaMomoStatementAssignment(models.Model):
    """V3 governance of mobile-money statements: the SA whose provider statement was reconciled."""

    _name = "ov.sa_momo_statement_assignment"
    _inherit = "ov.sa_assignment.mixin"
    _description = "Service Account Mobile Money Statement Assignment"
    _governed_field = "statement_id"

    statement_id = fields.Many2one(
        "abs.momo.statement", string="Statement", required=True, ondelete="cascade", index=True
    )
