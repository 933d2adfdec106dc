"""Mobile-money reconciliation per SA (seed workflow 9 gap): a provider's statement imported for an SA and a
period, each line matched with the SA's mobile-money payments (``abs.momo.statement._abs_import``, the
method the backend's wizard calls too), and the sandbox provider's own statement.

Staff only (an agent: 403); another SA's statement answers 404.
"""

from odoo import fields, http

from ..schemas.reconciliation import (
    ProviderStatementQuery,
    ProviderStatementResponse,
    StatementImportRequest,
    StatementListQuery,
    StatementListResponse,
    StatementResponse,
)
from .api_kit import API_KEY, EMPLOYEE, Link, api_route, governed_page

TAGS = ("Mobile money reconciliation",)
AUTH = (EMPLOYEE, API_KEY)
STATEMENT_FIELDS = [
    "name",
    "x_sa_id",
    "provider",
    "origin",
    "date_from",
    "date_to",
    "matched_count",
    "missing_ours_count",
    "missing_provider_count",
    "duplicate_count",
    "statement_amount",
    "matched_amount",
    "missing_ours_amount",
    "missing_provider_amount",
    "create_date",
]
LINE_FIELDS = ["status", "match_rule", "reference", "date", "amount", "phone", "payment_id", "attempt_id", "note"]
STATEMENT_LINKS = {
    "GetStatement": Link(
        "GET", "/api/mobile-money/statements/{statement_id}", {"statement_id": "$response.body#/statement/id"}
    ),
}


def staff_domain(ctx):
    """Statements are finance's: an employee reads those of the SAs it is staff of, not of those it is an
    agent in (an API key: the SAs it reads)."""
    if ctx.kind != EMPLOYEE:
        return []
    return ctx.env["abs.momo.statement"]._abs_sa_domain(ctx.staff_sa_ids())


def serialize_statements(statements):
    return [
        {
            "id": statement.id,
            "name": statement.name,
            "service_account": {"id": statement.x_sa_id.id, "name": statement.x_sa_id.name},
            "provider": statement.provider,
            "origin": statement.origin,
            "date_from": statement.date_from,
            "date_to": statement.date_to,
            "currency": statement.currency_id.name,
            "counts": {
                "matched": statement.matched_count,
                "missing_ours": statement.missing_ours_count,
                "missing_provider": statement.missing_provider_count,
                "already_reconciled": statement.duplicate_count,
            },
            "amounts": {
                "statement": statement.statement_amount,
                "matched": statement.matched_amount,
                "missing_ours": statement.missing_ours_amount,
                "missing_provider": statement.missing_provider_amount,
            },
            "imported_at": statement.create_date,
        }
        for statement in statements
    ]


def serialize_statement_detail(statement):
    lines = statement.line_ids.sorted(lambda line: (line.date, line.id))
    lines.fetch(LINE_FIELDS)
    return {
        **serialize_statements(statement)[0],
        "lines": [
            {
                "id": line.id,
                "status": line.status,
                "match_rule": line.match_rule or None,
                "reference": line.reference or None,
                "date": line.date,
                "amount": line.amount,
                "phone": line.phone or None,
                "payment_id": line.payment_id.id or None,
                "attempt_id": line.attempt_id.id or None,
                "note": line.note or None,
            }
            for line in lines
        ],
    }


class AbsReconciliationController(http.Controller):
    @api_route(
        "/api/mobile-money/statements",
        "POST",
        auth=AUTH,
        body=StatementImportRequest,
        response=StatementResponse,
        status=201,
        role="staff",
        tags=TAGS,
        links=STATEMENT_LINKS,
    )
    def import_statement(self, ctx, body, query):
        """Import a mobile-money provider's statement of the acting SA (`X-SA-ID`) for a period, and reconcile
        it with the SA's mobile-money payments: its transactions as `lines`, as the provider's `csv` export, or
        `fetch_from_provider: true`. Each line comes back `matched`, `missing_ours` (the provider has it, we
        have no payment) or `missing_provider` (our payment is not on the statement). A transaction reconciled
        in an earlier statement is skipped (`counts.already_reconciled`); 409 `statement_already_imported` when
        that is every one. 400 `invalid_statement` names a wrong line (`details.line`)."""
        Statement = ctx.env["abs.momo.statement"]
        account = ctx.require_sa()
        if body.fetch_from_provider:
            statement = Statement._abs_fetch(account, body.provider, body.date_from, body.date_to, actor=ctx.employee)
        else:
            origin = "csv" if body.csv is not None else "lines"
            lines = (
                Statement._abs_parse_csv(body.csv)
                if body.csv is not None
                else [line.model_dump() for line in body.lines]
            )
            statement = Statement._abs_import(
                account, body.provider, body.date_from, body.date_to, lines, origin=origin, actor=ctx.employee
            )
        return {"statement": serialize_statement_detail(statement)}

    @api_route(
        "/api/mobile-money/statements",
        "GET",
        auth=AUTH,
        query=StatementListQuery,
        response=StatementListResponse,
        role="staff",
        tags=TAGS,
    )
    def list_statements(self, ctx, body, query):
        """The mobile-money statements of the caller's SAs, the latest period first, with their counts."""
        return governed_page(
            ctx,
            "abs.momo.statement",
            query,
            STATEMENT_FIELDS,
            "statements",
            serialize_statements,
            order="date_to desc, id desc",
            domain=staff_domain(ctx),
        )

    @api_route(
        "/api/mobile-money/statements/{statement_id}",
        "GET",
        auth=AUTH,
        response=StatementResponse,
        role="staff",
        tags=TAGS,
    )
    def get_statement(self, ctx, body, query, statement_id):
        """One statement of the caller's SAs with every line and its match status."""
        statement = ctx.get_governed("abs.momo.statement", statement_id, domain=staff_domain(ctx), what="Statement")
        return {"statement": serialize_statement_detail(statement)}

    @api_route(
        "/api/mobile-money/sandbox/statement",
        "GET",
        auth=AUTH,
        query=ProviderStatementQuery,
        response=ProviderStatementResponse,
        role="staff",
        tags=TAGS,
    )
    def sandbox_statement(self, ctx, body, query):
        """The sandbox provider's statement for a period (default: today): what the sandbox collected (its own
        record of transactions), as JSON `transactions` and as the provider's `csv` export, the file the
        backend's import wizard reads. It covers the acting SA (`X-SA-ID`), else every SA the caller is staff
        of (an API key: every SA it reads)."""
        Account = ctx.env["ov.serviced_account"]
        if ctx.sa:
            accounts = ctx.sa
        elif ctx.kind == EMPLOYEE:
            accounts = Account.browse(ctx.staff_sa_ids())
        else:
            accounts = Account.browse(ctx.readable_sa_ids) if ctx.readable_sa_ids is not None else Account.search([])
        today = fields.Date.context_today(Account)
        date_from, date_to = query.date_from or query.date_to or today, query.date_to or query.date_from or today
        transactions = ctx.env[f"abs.payment.provider.{query.provider}"]._abs_statement(accounts, date_from, date_to)
        return {
            "provider": query.provider,
            "service_accounts": [{"id": account.id, "name": account.name} for account in accounts],
            "date_from": date_from,
            "date_to": date_to,
            "transactions": transactions,
            "csv": ctx.env["abs.momo.statement"]._abs_csv(transactions),
        }
