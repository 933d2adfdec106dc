"""Subscriptions (seed workflow 10): agents sell and follow them; customers pause, resume and cancel theirs.

Subscriptions are governed (V3, ``ov.sa_subscription_assignment``): another SA's subscription answers
404 on every staff route; on the customer routes, another customer's answers 404. Every state change
goes through the model method the backend buttons call (``abs.subscription._abs_pause`` ...).
"""

from odoo import http

from ..schemas.subscription import (
    CloseReasonListResponse,
    CustomerSubscriptionListQuery,
    SubscriptionCancel,
    SubscriptionListQuery,
    SubscriptionListResponse,
    SubscriptionPurchase,
    SubscriptionResponse,
    SubscriptionStatusResponse,
)
from .api_kit import (
    API_KEY,
    CUSTOMER,
    EMPLOYEE,
    Link,
    api_route,
    get_own,
    governed_page,
    not_found,
    own_page,
)
from .serializers.subscription import SUBSCRIPTION_FIELDS, serialize_subscription_detail, serialize_subscriptions

AUTH = (EMPLOYEE, API_KEY)
TAGS = ("Subscriptions",)
PORTAL_TAGS = ("Customer portal",)
# What a client may do next with a subscription it has just sold (create -> read -> act).
THE_SUBSCRIPTION = {"subscription_id": "$response.body#/subscription/id"}
SUBSCRIPTION_LINKS = {
    "GetSubscription": Link("GET", "/api/subscriptions/{subscription_id}", THE_SUBSCRIPTION),
    "PauseSubscription": Link("POST", "/api/subscriptions/{subscription_id}/pause", THE_SUBSCRIPTION),
    "ResumeSubscription": Link("POST", "/api/subscriptions/{subscription_id}/resume", THE_SUBSCRIPTION),
    "CancelSubscription": Link("POST", "/api/subscriptions/{subscription_id}/cancel", THE_SUBSCRIPTION),
}


def get_subscription(ctx, subscription_id):
    return ctx.get_governed("abs.subscription", subscription_id, what="Subscription")


def get_own_subscription(ctx, subscription_id):
    """One of the calling customer's own subscriptions (another customer's: 404)."""
    return get_own(ctx, "abs.subscription", subscription_id, what="Subscription")


def subscription_answer(subscription):
    return {"subscription": serialize_subscription_detail(subscription)}


def status_answer(subscription):
    return {
        "subscription": {
            "code": subscription.code,
            "state": subscription.state,
            "next_invoice_date": subscription.next_invoice_date or None,
            "end_date": subscription.end_date or None,
            **subscription._abs_status(),
            "currency": subscription.currency_id.name,
        }
    }


class AbsSubscriptionController(http.Controller):
    # ----------------------------------------------------------------------- staff

    @api_route(
        "/api/subscription/purchase",
        "POST",
        auth=AUTH,
        body=SubscriptionPurchase,
        response=SubscriptionResponse,
        status=201,
        tags=TAGS,
        links=SUBSCRIPTION_LINKS,
    )
    def purchase_subscription(self, ctx, body, query):
        """Sell a subscription of a recurring product to a customer of the acting SA; active at once.

        Periods already started (from `start_date`) are invoiced in the same transaction: the answer
        lists them under `billed_periods`. Send an `Idempotency-Key`: a retried purchase is not a second one."""
        subscription = ctx.env["abs.subscription"]._abs_purchase(
            body.model_dump(exclude_unset=True), ctx.require_sa(), ctx.employee
        )
        return subscription_answer(subscription)

    @api_route(
        "/api/subscriptions",
        "GET",
        auth=AUTH,
        query=SubscriptionListQuery,
        response=SubscriptionListResponse,
        tags=TAGS,
    )
    def list_subscriptions(self, ctx, body, query):
        """Subscriptions of the caller's SAs, newest first."""
        return governed_page(
            ctx, "abs.subscription", query, SUBSCRIPTION_FIELDS, "subscriptions", serialize_subscriptions
        )

    @api_route("/api/subscriptions/{subscription_id}", "GET", auth=AUTH, response=SubscriptionResponse, tags=TAGS)
    def get_subscription(self, ctx, body, query, subscription_id):
        """One subscription of the caller's SAs, with its billed periods."""
        return subscription_answer(get_subscription(ctx, subscription_id))

    @api_route("/api/subscription/status/{code:str}", "GET", auth=AUTH, response=SubscriptionStatusResponse, tags=TAGS)
    def subscription_status(self, ctx, body, query, code):
        """State, next invoice date and what is owed, by subscription code (e.g. `SUB-00042`)."""
        Subscription = ctx.env["abs.subscription"]
        subscription = Subscription.search([("code", "=", code), *ctx.governed_domain("abs.subscription")], limit=1)
        if not subscription:
            raise not_found("Subscription")
        return status_answer(subscription)

    @api_route(
        "/api/subscriptions/{subscription_id}/pause", "POST", auth=AUTH, response=SubscriptionResponse, tags=TAGS
    )
    def pause_subscription(self, ctx, body, query, subscription_id):
        """Pause billing (active only; 400 `invalid_state` otherwise)."""
        return subscription_answer(get_subscription(ctx, subscription_id)._abs_pause())

    @api_route(
        "/api/subscriptions/{subscription_id}/resume", "POST", auth=AUTH, response=SubscriptionResponse, tags=TAGS
    )
    def resume_subscription(self, ctx, body, query, subscription_id):
        """Resume billing; the next invoice date moves by the days paused, which are not billed."""
        return subscription_answer(get_subscription(ctx, subscription_id)._abs_resume())

    @api_route(
        "/api/subscriptions/{subscription_id}/cancel",
        "POST",
        auth=AUTH,
        body=SubscriptionCancel,
        response=SubscriptionResponse,
        tags=TAGS,
    )
    def cancel_subscription(self, ctx, body, query, subscription_id):
        """Cancel for a configured reason (400 `invalid_reason` for another); nothing more is billed."""
        return subscription_answer(get_subscription(ctx, subscription_id)._abs_cancel(body.reason, body.note))

    @api_route(
        "/api/subscription/close-reasons",
        "GET",
        auth=(EMPLOYEE, API_KEY, CUSTOMER),
        response=CloseReasonListResponse,
        tags=TAGS,
    )
    def close_reasons(self, ctx, body, query):
        """The configured reasons a subscription may be cancelled for."""
        reasons = ctx.env["abs.subscription.close.reason"].search_fetch([], ["code", "name"])
        return {"reasons": [{"code": reason.code, "name": reason.name} for reason in reasons]}

    # ----------------------------------------------------------------------- customer portal

    @api_route(
        "/api/customer/subscriptions",
        "GET",
        auth=(CUSTOMER,),
        query=CustomerSubscriptionListQuery,
        response=SubscriptionListResponse,
        tags=PORTAL_TAGS,
    )
    def customer_list_subscriptions(self, ctx, body, query):
        """The calling customer's own subscriptions, newest first."""
        return own_page(ctx, "abs.subscription", query, SUBSCRIPTION_FIELDS, "subscriptions", serialize_subscriptions)

    @api_route(
        "/api/customer/subscriptions/{subscription_id}",
        "GET",
        auth=(CUSTOMER,),
        response=SubscriptionResponse,
        tags=PORTAL_TAGS,
    )
    def customer_get_subscription(self, ctx, body, query, subscription_id):
        """One of the calling customer's own subscriptions, with its billed periods."""
        return subscription_answer(get_own_subscription(ctx, subscription_id))

    @api_route(
        "/api/customer/subscriptions/{subscription_id}/pause",
        "POST",
        auth=(CUSTOMER,),
        response=SubscriptionResponse,
        tags=PORTAL_TAGS,
    )
    def customer_pause_subscription(self, ctx, body, query, subscription_id):
        """Pause billing of one's own subscription (active only; 400 `invalid_state` otherwise)."""
        return subscription_answer(get_own_subscription(ctx, subscription_id)._abs_pause())

    @api_route(
        "/api/customer/subscriptions/{subscription_id}/resume",
        "POST",
        auth=(CUSTOMER,),
        response=SubscriptionResponse,
        tags=PORTAL_TAGS,
    )
    def customer_resume_subscription(self, ctx, body, query, subscription_id):
        """Resume billing; the next invoice date moves by the days paused, which are not billed."""
        return subscription_answer(get_own_subscription(ctx, subscription_id)._abs_resume())

    @api_route(
        "/api/customer/subscriptions/{subscription_id}/cancel",
        "POST",
        auth=(CUSTOMER,),
        body=SubscriptionCancel,
        response=SubscriptionResponse,
        tags=PORTAL_TAGS,
    )
    def customer_cancel_subscription(self, ctx, body, query, subscription_id):
        """Cancel one's own subscription for a configured reason (`GET /api/subscription/close-reasons`)."""
        return subscription_answer(get_own_subscription(ctx, subscription_id)._abs_cancel(body.reason, body.note))
