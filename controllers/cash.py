"""Agents' cash (seed workflow 9): the cash an agent holds, and its handover to the SA's cashier.

An agent's cash payments are booked on its SA's agents' cash-in-hand account (the agent as partner) until
a cashier confirms a handover (``abs.cash.handover``). An agent reads its own cash and handovers; staff
those of their SAs' agents; another SA's agent or handover answers 404.
"""

from odoo import http

from ..schemas.cash import (
    CashResponse,
    HandoverConfirmRequest,
    HandoverDeclareRequest,
    HandoverDisputeRequest,
    HandoverListQuery,
    HandoverListResponse,
    HandoverResponse,
)
from .api_kit import API_KEY, EMPLOYEE, Link, api_route, forbidden, governed_page, not_found
from .payments import own_or_staff_domain
from .serializers.payment import serialize_payments

TAGS = ("Cash",)
HANDOVER_FIELDS = ["name", "state", "x_sa_id", "x_actor_id", "declared_amount", "expected_amount", "counted_amount"]
STAFF_AUTH = (EMPLOYEE, API_KEY)
HANDOVER_LINKS = {
    "GetHandover": Link("GET", "/api/cash-handovers/{handover_id}", {"handover_id": "$response.body#/handover/id"}),
}


def serialize_cash(agent, position):
    return {
        "agent": {"id": agent.id, "name": agent.name},
        "currency": agent.company_id.currency_id.name,
        "balance": position["balance"],
        "flagged": agent.abs_cash_flagged,
        "service_accounts": position["service_accounts"],
        "payments": serialize_payments(position["payments"]),
    }


def serialize_handovers(handovers):
    return [
        {
            "id": handover.id,
            "name": handover.name,
            "state": handover.state,
            "service_account": {"id": handover.x_sa_id.id, "name": handover.x_sa_id.name},
            "agent": {"id": handover.x_actor_id.id, "name": handover.x_actor_id.name},
            "currency": handover.currency_id.name,
            "declared_amount": handover.declared_amount,
            "expected_amount": handover.expected_amount,
            "counted_amount": handover.counted_amount if handover.state == "confirmed" else None,
            "difference": handover.difference if handover.state == "confirmed" else None,
            "declared_at": handover.declared_at,
            "confirmed_at": handover.confirmed_at or None,
            "payment_ids": handover.payment_ids.ids,
            "move_id": handover.move_id.id or None,
            "note": handover.note or None,
        }
        for handover in handovers
    ]


def handover_of(ctx, handover_id):
    return ctx.get_governed(
        "abs.cash.handover", handover_id, domain=own_or_staff_domain(ctx, "abs.cash.handover"), what="Cash handover"
    )


def counted_by_staff(ctx, handover_id):
    """A handover the caller may count: staff of its SA (an API key: any it reads). Another SA's: 404."""
    handover = handover_of(ctx, handover_id)
    if ctx.kind == EMPLOYEE and handover.x_sa_id.id not in ctx.staff_sa_ids():
        raise forbidden("Only the staff of the handover's service account count it.", code="role_forbidden")
    return handover


class AbsCashController(http.Controller):
    @api_route("/api/agents/me/cash", "GET", auth=(EMPLOYEE,), response=CashResponse, tags=TAGS)
    def my_cash(self, ctx, body, query):
        """The calling agent's cash in hand, per SA (its ledger balance on the SA's agents' cash-in-hand
        account), and its cash payments not handed over yet. `X-SA-ID` narrows it to one SA."""
        accounts = ctx.env["ov.serviced_account"].browse(ctx.readable_sa_ids)
        return {"cash": serialize_cash(ctx.employee, ctx.employee._abs_cash_position(accounts))}

    @api_route("/api/agents/{agent_id}/cash", "GET", auth=STAFF_AUTH, response=CashResponse, role="staff", tags=TAGS)
    def agent_cash(self, ctx, body, query, agent_id):
        """An agent's cash in hand in the SAs the caller is staff of (an API key: the SAs it reads).
        An agent of no such SA answers 404."""
        if ctx.kind == EMPLOYEE:
            scope = ctx.staff_sa_ids()
        elif ctx.readable_sa_ids is not None:
            scope = ctx.readable_sa_ids
        else:
            scope = None
        memberships = ctx.env["ov.membership"].search(
            [("employee_id", "=", agent_id), *([("account_id", "in", scope)] if scope is not None else [])]
        )
        if not memberships:
            raise not_found("Agent")
        agent = memberships.employee_id
        return {"cash": serialize_cash(agent, agent._abs_cash_position(memberships.account_id))}

    @api_route(
        "/api/cash-handovers",
        "POST",
        auth=(EMPLOYEE,),
        body=HandoverDeclareRequest,
        response=HandoverResponse,
        status=201,
        tags=TAGS,
        links=HANDOVER_LINKS,
    )
    def declare_handover(self, ctx, body, query):
        """The agent declares the cash it hands over to its SA's cashier: an amount and the cash payments
        it covers (its own, not handed over: `GET /api/agents/me/cash`). 404 `not_found` for a payment that
        is not its own in the SA, 400 `not_cash_in_hand` for one that is not cash it holds, 409
        `already_handed_over` for one another handover covers (of two simultaneous handovers of one payment,
        exactly one stands). Send an `Idempotency-Key` to make a retry safe."""
        handover = ctx.env["abs.cash.handover"]._abs_declare(
            ctx.employee, ctx.require_sa(), body.payment_ids, body.amount, body.note
        )
        return {"handover": serialize_handovers(handover)[0]}

    @api_route(
        "/api/cash-handovers", "GET", auth=STAFF_AUTH, query=HandoverListQuery, response=HandoverListResponse, tags=TAGS
    )
    def list_handovers(self, ctx, body, query):
        """Cash handovers, newest first: staff see their SAs', an agent its own."""
        return governed_page(
            ctx,
            "abs.cash.handover",
            query,
            HANDOVER_FIELDS,
            "handovers",
            serialize_handovers,
            domain=own_or_staff_domain(ctx, "abs.cash.handover"),
        )

    @api_route("/api/cash-handovers/{handover_id}", "GET", auth=STAFF_AUTH, response=HandoverResponse, tags=TAGS)
    def get_handover(self, ctx, body, query, handover_id):
        """One cash handover (staff: of their SAs; an agent: its own)."""
        return {"handover": serialize_handovers(handover_of(ctx, handover_id))[0]}

    @api_route(
        "/api/cash-handovers/{handover_id}/confirm",
        "POST",
        auth=STAFF_AUTH,
        body=HandoverConfirmRequest,
        response=HandoverResponse,
        role="staff",
        tags=TAGS,
    )
    def confirm_handover(self, ctx, body, query, handover_id):
        """The SA's cashier confirms the counted amount: the payments move from the agents' cash-in-hand
        account to the SA's cash journal, a difference is booked on the journal's cash difference account
        (and a shortage flagged on the agent). 400 `invalid_state` when it is confirmed or disputed already."""
        handover = counted_by_staff(ctx, handover_id)
        handover._abs_confirm(body.counted_amount, cashier=ctx.employee, note=body.note)
        return {"handover": serialize_handovers(handover)[0]}

    @api_route(
        "/api/cash-handovers/{handover_id}/dispute",
        "POST",
        auth=STAFF_AUTH,
        body=HandoverDisputeRequest,
        response=HandoverResponse,
        role="staff",
        tags=TAGS,
    )
    def dispute_handover(self, ctx, body, query, handover_id):
        """The SA's cashier disputes the declaration: nothing is booked, its payments are the agent's to
        declare again. 400 `invalid_state` when it is confirmed or disputed already."""
        handover = counted_by_staff(ctx, handover_id)
        handover._abs_dispute(body.reason, cashier=ctx.employee)
        return {"handover": serialize_handovers(handover)[0]}
