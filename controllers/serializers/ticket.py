"""Helpdesk tickets as the API shows them; a fixed number of queries whatever the number of tickets."""

from ..api_kit import id_name

TICKET_FIELDS = [
    "name",
    "description",
    "priority",
    "stage_id",
    "partner_id",
    "asset_id",
    "resolution_note",
    "x_sa_id",
    "x_actor_id",
    "create_date",
    "closed_date",
]


def serialize_tickets(tickets):
    return [
        {
            "id": ticket.id,
            "subject": ticket.name,
            "description": ticket.description or None,
            "priority": ticket.priority,
            "stage": {**id_name(ticket.stage_id), "is_closed": ticket.stage_id.is_closed},
            "customer": id_name(ticket.partner_id),
            "asset": id_name(ticket.asset_id),
            "resolution_note": ticket.resolution_note or None,
            "service_account": id_name(ticket.x_sa_id),
            "opened_by": id_name(ticket.x_actor_id),
            "create_date": ticket.create_date,
            "closed_date": ticket.closed_date or None,
        }
        for ticket in tickets
    ]
