"""Reports (API contract, "Reports"): per-SA figures for the caller's SAs only."""

from odoo import http

from ..schemas.report import SaSummaryQuery, SaSummaryResponse
from .api_kit import API_KEY, EMPLOYEE, api_route


class AbsReportController(http.Controller):
    @api_route(
        "/api/reports/sa-summary",
        "GET",
        auth=(EMPLOYEE, API_KEY),
        query=SaSummaryQuery,
        response=SaSummaryResponse,
        role="staff",
        tags=("Reports",),
        operation_id="getSaSummary",
    )
    def sa_summary(self, ctx, body, query):
        """Revenue, receivables, collected and deliveries per SA, for the SAs the caller is staff of
        (an API key: every SA, or the one of ``X-SA-ID``). Amounts in the company currency.

        Revenue: untaxed amount of the posted invoices dated in the period, less credit notes;
        receivables: what is still due on them; collected: what is paid of them (Odoo's ``in_payment``
        counts as paid); deliveries: the SA's deliveries done in the period.
        The seed's questions: `received` (money received, by payment date, per source: cash, bank, mobile
        money), `cash_in_hand` (the agents' cash not handed over: a ledger balance), `kits_delivered` (units of
        serial-tracked products delivered); `by=agent` adds per agent its sales, collected, cash in hand,
        handed over and shortages, which add up to the SA's.
        """
        Account = ctx.env["ov.serviced_account"]
        if ctx.kind == EMPLOYEE:
            accounts = Account.browse(ctx.staff_sa_ids())
        elif ctx.readable_sa_ids is not None:
            accounts = Account.browse(ctx.readable_sa_ids)
        else:
            accounts = Account.search([])
        summary = ctx.env["account.move"]._abs_sa_summary(accounts, query.date_from, query.date_to)
        collections = accounts._abs_collections_summary(query.date_from, query.date_to, by_agent=query.by == "agent")
        for item in summary:
            figures = collections[item["id"]]
            if query.by != "agent":
                del figures["agents"]
            item.update(figures)
        return {"service_accounts": summary}
