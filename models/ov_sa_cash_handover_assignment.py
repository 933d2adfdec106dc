from odoo import fields, models


class OvSaCashHandoverAssignment(models.Model):
    """V3 governance of cash handovers: the SA whose cashier an agent's cash is handed over to."""

    _name = "ov.sa_cash_handover_assignment"
    _inherit = "ov.sa_assignment.mixin"
    _description = "Service Account Cash Handover Assignment"
    _governed_field = "handover_id"

    handover_id = fields.Many2one(
        "abs.cash.handover", string="Cash Handover", required=True, ondelete="cascade", index=True
    )
