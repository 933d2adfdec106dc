"""Pay-as-you-go accounts (issue 18): the staff's lists and token corrections, the customer portal's own accounts.

PAYG accounts are governed (V3, ``ov.sa_payg_assignment``) by the SA of the delivery that opened them:
another SA's account answers 404 on every route, another customer's on the portal routes. Tokens come
from payments (``register-payment``, mobile money, the backend's Register Payment: one model method);
the routes here read them and issue staff corrections. The device secret is never answered.
"""

from odoo import fields, http

from ..schemas.payg import (
    CustomerPaygListQuery,
    PaygAccountListQuery,
    PaygAccountListResponse,
    PaygAccountResponse,
    PaygTokenRequest,
    PaygTokenResponse,
    PaygWriteOffRequest,
    PortfolioQuery,
    PortfolioResponse,
)
from .api_kit import (
    API_KEY,
    CUSTOMER,
    EMPLOYEE,
    api_route,
    filters_domain,
    governed_page,
    not_found,
    page_payload,
    search_page,
)
from .serializers.payg import (
    PAYG_ACCOUNT_FIELDS,
    serialize_account_detail,
    serialize_accounts,
    serialize_portfolio,
    serialize_tokens,
)

AUTH = (EMPLOYEE, API_KEY)
TAGS = ("PAYG",)
PORTAL_TAGS = ("Customer portal",)


def account_answer(account):
    return {"account": serialize_account_detail(account)}


def arrears_domain(query):
    if query.arrears is None:
        return []
    return [("state", "=" if query.arrears else "!=", "disabled")]


class AbsPaygController(http.Controller):
    @api_route(
        "/api/payg/accounts", "GET", auth=AUTH, query=PaygAccountListQuery, response=PaygAccountListResponse, tags=TAGS
    )
    def list_accounts(self, ctx, body, query):
        """PAYG accounts of the caller's SAs, newest first (filters: state, customer, SA, arrears)."""
        return governed_page(
            ctx,
            "abs.payg.account",
            query,
            PAYG_ACCOUNT_FIELDS,
            "accounts",
            serialize_accounts,
            domain=arrears_domain(query),
        )

    @api_route("/api/payg/accounts/{payg_account_id}", "GET", auth=AUTH, response=PaygAccountResponse, tags=TAGS)
    def get_account(self, ctx, body, query, payg_account_id):
        """One PAYG account: plan, paid, remaining, days left, expiry, next instalment and its tokens."""
        return account_answer(ctx.get_governed("abs.payg.account", payg_account_id, what="PAYG account"))

    @api_route(
        "/api/payg/accounts/{payg_account_id}/tokens",
        "POST",
        auth=AUTH,
        role="staff",
        body=PaygTokenRequest,
        response=PaygTokenResponse,
        status=201,
        tags=TAGS,
    )
    def issue_token(self, ctx, body, query, payg_account_id):
        """Staff: resend the last token, a `set_time` token (days, with a reason, logged) or a `counter_sync` token.

        409 `payg_no_token` (resend with none yet), `payg_account_closed` (paid off, written off, returned)."""
        account = ctx.get_governed("abs.payg.account", payg_account_id, what="PAYG account")
        token = account._abs_staff_token(body.kind, days=body.days, reason=body.reason, actor=ctx.employee)
        return {"token": serialize_tokens(token)[0], "account": serialize_account_detail(account)}

    @api_route(
        "/api/payg/accounts/{payg_account_id}/write-off",
        "POST",
        auth=AUTH,
        role="staff",
        body=PaygWriteOffRequest,
        response=PaygAccountResponse,
        tags=TAGS,
    )
    def write_off(self, ctx, body, query, payg_account_id):
        """SA managers (and finance's API keys): write off the account's outstanding balance, with a reason.

        The balance still due on its invoices is moved off the customer's receivable by a journal entry to the
        write-off expense account; the account is `written_off`: no more tokens, payments on it refused (409
        `payg_written_off`). 400 `invalid_state` if it is not active or disabled."""
        account = ctx.get_governed("abs.payg.account", payg_account_id, what="PAYG account")
        account._abs_write_off(body.reason, actor=ctx.employee)
        return account_answer(account)

    @api_route(
        "/api/customer/payg",
        "GET",
        auth=(CUSTOMER,),
        query=CustomerPaygListQuery,
        response=PaygAccountListResponse,
        tags=PORTAL_TAGS,
    )
    def customer_list_accounts(self, ctx, body, query):
        """The calling customer's own PAYG accounts, newest first."""
        domain = [("partner_id", "=", ctx.customer.id), *filters_domain(query)]
        accounts, total = search_page(ctx.env["abs.payg.account"], domain, PAYG_ACCOUNT_FIELDS, query)
        return page_payload(query, total, "accounts", serialize_accounts(accounts))

    @api_route(
        "/api/customer/payg/{payg_account_id}", "GET", auth=(CUSTOMER,), response=PaygAccountResponse, tags=PORTAL_TAGS
    )
    def customer_get_account(self, ctx, body, query, payg_account_id):
        """One of the calling customer's own PAYG accounts, with its tokens (another customer's: 404)."""
        account = ctx.env["abs.payg.account"].search(
            [("id", "=", payg_account_id), ("partner_id", "=", ctx.customer.id)], limit=1
        )
        if not account:
            raise not_found("PAYG account")
        return account_answer(account)

    @api_route(
        "/api/reports/payg-portfolio",
        "GET",
        auth=AUTH,
        query=PortfolioQuery,
        response=PortfolioResponse,
        role="staff",
        tags=("Reports",),
    )
    def payg_portfolio(self, ctx, body, query):
        """The PAYG portfolio per SA at `date` (default today), for the SAs the caller is staff of (an API key:
        every SA, or the one of `X-SA-ID`): accounts by state, outstanding balance, collection rate (paid ÷
        expected over the 30 days before `date`) and PAR 30/60/90: the share of the outstanding balance on
        accounts disabled for more than 30/60/90 days."""
        day = query.date or fields.Date.context_today(ctx.env["abs.payg.account"])
        sa_ids = ctx.staff_sa_ids() if ctx.kind == EMPLOYEE else ctx.readable_sa_ids
        Account = ctx.env["abs.payg.account"]
        figures = Account._abs_portfolio(Account._abs_sa_domain(sa_ids), day)
        return {"date": day, "service_accounts": serialize_portfolio(figures)}
