"""Helpdesk tickets: staff open, follow and close them; customers open and read their own.

Tickets are governed (V3, ``ov.sa_ticket_assignment``): another SA's ticket answers 404 on every
staff route; on the customer routes, another customer's ticket (or asset) answers 404.
"""

from odoo import http

from ..schemas.ticket import (
    CustomerTicketCreate,
    CustomerTicketListQuery,
    TicketClose,
    TicketCreate,
    TicketListQuery,
    TicketListResponse,
    TicketResponse,
    TicketUpdate,
)
from .api_kit import (
    API_KEY,
    CUSTOMER,
    EMPLOYEE,
    Link,
    api_route,
    get_own,
    governed_page,
    own_page,
)
from .serializers.ticket import TICKET_FIELDS, serialize_tickets

AUTH = (EMPLOYEE, API_KEY)
TAGS = ("Helpdesk Tickets",)
PORTAL_TAGS = ("Customer portal",)
# What a client may do next with a ticket it has just opened (create -> read -> update -> close).
THE_TICKET = {"ticket_id": "$response.body#/ticket/id"}
TICKET_LINKS = {
    "GetTicket": Link("GET", "/api/tickets/{ticket_id}", THE_TICKET),
    "UpdateTicket": Link("PUT", "/api/tickets/{ticket_id}", THE_TICKET),
    "CloseTicket": Link("POST", "/api/tickets/{ticket_id}/close", THE_TICKET),
}


def get_ticket(ctx, ticket_id):
    return ctx.get_governed("abs.ticket", ticket_id, what="Ticket")


def ticket_answer(ticket):
    return {"ticket": serialize_tickets(ticket)[0]}


class AbsTicketController(http.Controller):
    # ----------------------------------------------------------------------- staff

    @api_route(
        "/api/tickets",
        "POST",
        auth=AUTH,
        body=TicketCreate,
        response=TicketResponse,
        status=201,
        tags=TAGS,
        links=TICKET_LINKS,
    )
    def create_ticket(self, ctx, body, query):
        """Open a ticket in the acting SA for one of its customers, about one of its assets or not."""
        ticket = ctx.env["abs.ticket"]._abs_open(
            body.model_dump(exclude_unset=True), account=ctx.require_sa(), actor=ctx.employee
        )
        return ticket_answer(ticket)

    @api_route("/api/tickets", "GET", auth=AUTH, query=TicketListQuery, response=TicketListResponse, tags=TAGS)
    def list_tickets(self, ctx, body, query):
        """Tickets of the caller's SAs, newest first."""
        return governed_page(ctx, "abs.ticket", query, TICKET_FIELDS, "tickets", serialize_tickets)

    @api_route("/api/tickets/{ticket_id}", "GET", auth=AUTH, response=TicketResponse, tags=TAGS)
    def get_ticket(self, ctx, body, query, ticket_id):
        """One ticket of the caller's SAs."""
        return ticket_answer(get_ticket(ctx, ticket_id))

    @api_route("/api/tickets/{ticket_id}", "PUT", auth=AUTH, body=TicketUpdate, response=TicketResponse, tags=TAGS)
    def update_ticket(self, ctx, body, query, ticket_id):
        """Change a ticket's subject, description, priority, stage, asset or resolution note."""
        return ticket_answer(get_ticket(ctx, ticket_id)._abs_update(body.model_dump(exclude_unset=True)))

    @api_route(
        "/api/tickets/{ticket_id}/close", "POST", auth=AUTH, body=TicketClose, response=TicketResponse, tags=TAGS
    )
    def close_ticket(self, ctx, body, query, ticket_id):
        """Close a ticket with an optional resolution note; 409 ``ticket_closed`` if it already is."""
        return ticket_answer(get_ticket(ctx, ticket_id)._abs_close(body.resolution_note))

    # ----------------------------------------------------------------------- customer portal

    @api_route(
        "/api/customer/tickets",
        "POST",
        auth=(CUSTOMER,),
        body=CustomerTicketCreate,
        response=TicketResponse,
        status=201,
        tags=PORTAL_TAGS,
    )
    def customer_create_ticket(self, ctx, body, query):
        """Open a ticket as the calling customer, about one of its own assets or not."""
        ticket = ctx.env["abs.ticket"]._abs_open(body.model_dump(exclude_unset=True), customer=ctx.customer)
        return ticket_answer(ticket)

    @api_route(
        "/api/customer/tickets",
        "GET",
        auth=(CUSTOMER,),
        query=CustomerTicketListQuery,
        response=TicketListResponse,
        tags=PORTAL_TAGS,
    )
    def customer_list_tickets(self, ctx, body, query):
        """The calling customer's own tickets, newest first."""
        return own_page(ctx, "abs.ticket", query, TICKET_FIELDS, "tickets", serialize_tickets)

    @api_route("/api/customer/tickets/{ticket_id}", "GET", auth=(CUSTOMER,), response=TicketResponse, tags=PORTAL_TAGS)
    def customer_get_ticket(self, ctx, body, query, ticket_id):
        """One of the calling customer's own tickets (another customer's: 404)."""
        return ticket_answer(get_own(ctx, "abs.ticket", ticket_id, TICKET_FIELDS, what="Ticket"))
