from odoo import fields, models


class OvSaTicketAssignment(models.Model):
    """V3 governance of helpdesk tickets: the SA an ``abs.ticket`` belongs to (dual-written with ``x_sa_id``)."""

    _name = "ov.sa_ticket_assignment"
    _inherit = "ov.sa_assignment.mixin"
    _description = "Service Account Ticket Assignment"
    _governed_field = "ticket_id"

    ticket_id = fields.Many2one("abs.ticket", string="Ticket", required=True, ondelete="cascade", index=True)
