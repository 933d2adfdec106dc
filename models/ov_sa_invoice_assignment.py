from odoo import fields, models


class OvSaInvoiceAssignment(models.Model):
    """V3 governance of invoices (seed Gap 1): the SA an invoice or credit note belongs to."""

    _name = "ov.sa_invoice_assignment"
    _inherit = "ov.sa_assignment.mixin"
    _description = "Service Account Invoice Assignment"
    _governed_field = "move_id"

    move_id = fields.Many2one("account.move", string="Invoice", required=True, ondelete="cascade", index=True)
