from odoo import fields, models


class AbsTicketStage(models.Model):
    """A stage of helpdesk tickets (Community has no ``helpdesk``): New, In progress, Resolved, Closed."""

    _name = "abs.ticket.stage"
    _description = "Helpdesk Ticket Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(help="Folded in the kanban view.")
    is_closed = fields.Boolean(
        string="Closing Stage", help="A ticket in this stage is closed: it gets its closing date and no longer counts."
    )
    active = fields.Boolean(default=True)
