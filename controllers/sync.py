"""Offline sync for the field app (issue 19): WatermelonDB's ``synchronize()`` pulls and pushes here.

Thin: the caller's scope, then ``abs.sync`` (models/abs_sync.py) does the pull, the push and the schema.
"""

from pydantic import ValidationError as PydanticValidationError

from odoo import http

from ..helpers.sync_tables import SyncScope
from ..schemas.sync import (
    SyncPullQuery,
    SyncPullResponse,
    SyncPushQuery,
    SyncPushRequest,
    SyncPushResponse,
    SyncSchemaQuery,
    SyncSchemaResponse,
)
from .api_kit import CUSTOMER, EMPLOYEE, api_route, bad_request, forbidden

TAGS = ("Offline sync",)


def sync_scope(ctx):
    """The pull's or push's scope: the SAs the caller reads (X-SA-ID picks one), its staff SAs, the acting SA."""
    if ctx.kind == CUSTOMER:
        return SyncScope(kind=CUSTOMER, customer=ctx.customer)
    return SyncScope(
        kind=EMPLOYEE,
        account_ids=ctx.readable_sa_ids,
        staff_account_ids=ctx.staff_sa_ids(),
        employee=ctx.employee,
        account=ctx.sa,
    )


class AbsSyncController(http.Controller):
    @api_route(
        "/api/sync",
        "GET",
        auth=(EMPLOYEE, CUSTOMER),
        query=SyncPullQuery,
        response=SyncPullResponse,
        tags=TAGS,
        # the cursor is the primary's snapshot: a replica's lags behind it
        readonly=False,
        operation_id="pullChanges",
    )
    def pull(self, ctx, body, query):
        """WatermelonDB's ``pullChanges``: what changed in the caller's scope since ``last_pulled_at``.

        ``{changes: {table: {created, updated, deleted}}, timestamp, next}``: raw rows (``id`` a string,
        snake_case columns, ids of related rows as strings); ``timestamp`` is the next ``last_pulled_at``.
        Empty ``last_pulled_at``: everything in scope. A page holds at most ``limit`` rows; ``next`` not null:
        call again with ``page=<next>`` and merge (the ``timestamp`` is the same on every page). An employee
        gets its SAs' tables (``X-SA-ID`` narrows them to one, whose pricelist prices the products); a customer
        JWT its own orders, invoices, payments, assets, subscriptions, tickets and PAYG accounts. A row that
        left the caller's scope (another SA, archived, deleted, membership ended) is in ``deleted``.
        """
        try:
            migration = query.migration_values()
        except (ValueError, PydanticValidationError):
            raise bad_request(
                "migration must be WatermelonDB's {from, tables, columns} as JSON.", code="invalid_query"
            ) from None
        return ctx.env["abs.sync"]._abs_pull(
            sync_scope(ctx),
            last_pulled_at=query.last_pulled_at,
            schema_version=query.schema_version,
            migration=migration,
            page=query.page,
            limit=query.limit,
        )

    @api_route(
        "/api/sync",
        "POST",
        auth=(EMPLOYEE, CUSTOMER),
        body=SyncPushRequest,
        query=SyncPushQuery,
        response=SyncPushResponse,
        tags=TAGS,
        operation_id="pushChanges",
    )
    def push(self, ctx, body, query):
        """WatermelonDB's ``pushChanges``: the app's offline rows, applied all or nothing.

        Taken: created customers, quotations (``orders`` with their ``order_lines``; ``state: "sale"``
        confirms), cash payments of an invoice, tickets; updated customers. The app's ids are kept (the next
        pull updates the rows it made) and are the idempotency keys: a push retried after a lost answer
        creates nothing twice. A row changed on the server since ``last_pulled_at`` → 409 ``sync_conflict``
        with its id (pull, then push again); a row the rules refuse → 400 ``sync_record_refused`` naming it.
        """
        if ctx.kind == CUSTOMER:
            raise forbidden("Customers do not push offline changes.", code="role_forbidden")
        changes = body.changes.model_dump(exclude_none=True)
        last_pulled_at = query.last_pulled_at or body.last_pulled_at
        applied = ctx.env["abs.sync"]._abs_push(sync_scope(ctx), changes, last_pulled_at)
        return {"applied": applied}

    @api_route(
        "/api/sync/schema",
        "GET",
        auth=(EMPLOYEE, CUSTOMER),
        query=SyncSchemaQuery,
        response=SyncSchemaResponse,
        tags=TAGS,
        operation_id="getSyncSchema",
    )
    def schema(self, ctx, body, query):
        """The served schema in WatermelonDB's ``appSchema`` form, and its migrations from version 1.

        ``appSchema({version, tables: tables.map(tableSchema)})`` builds the app's database from it.
        """
        return ctx.env["abs.sync"]._abs_schema(query.schema_version)
