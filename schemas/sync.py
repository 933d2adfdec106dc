"""Offline sync (WatermelonDB's protocol): the pull's query and answer, the push's body, the served schema."""

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..helpers.sync_tables import SCHEMA_VERSION
from .common import ApiDate, QueryParams, RequestBody

MAX_CURSOR = 2**53  # WatermelonDB keeps the cursor as a JavaScript number
MAX_PUSHED_ROWS = 1000  # per table and kind: a push is one transaction

# The app's id of a row (WatermelonDB: 16 random letters and digits) or a server id (digits).
RowId = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
Text = Field(None, max_length=500)


class SyncMigration(BaseModel):
    """WatermelonDB's ``migration`` argument: the tables and columns the app added since ``from``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_version: int = Field(alias="from", ge=1, le=SCHEMA_VERSION)
    tables: list[str] = Field(default_factory=list, max_length=100)
    columns: list[dict[str, Any]] = Field(default_factory=list, max_length=100)


class SyncPullQuery(QueryParams):
    last_pulled_at: int | None = Field(
        None, ge=1, le=MAX_CURSOR, description="The `timestamp` of the last pull; empty (or `null`) on a first sync"
    )
    schema_version: int = Field(SCHEMA_VERSION, ge=1, le=1000, description="The app's local schema version")
    migration: str | None = Field(
        None, max_length=4000, description="WatermelonDB's `migration` as JSON (`{from, tables, columns}`), if any"
    )
    page: str | None = Field(None, max_length=200, description="The `next` token of the previous page")
    limit: int = Field(1000, ge=1, le=5000, description="Rows per page, at most 5,000")

    @field_validator("last_pulled_at", mode="before")
    @classmethod
    def _null_is_first_sync(cls, value):
        return None if value in ("", "null", "undefined", "0") else value

    @field_validator("migration", mode="before")
    @classmethod
    def _null_is_none(cls, value):
        return None if value in ("", "null", "undefined") else value

    def migration_values(self):
        """The parsed ``migration`` (validated), or None."""
        if not self.migration:
            return None
        migration = SyncMigration.model_validate(json.loads(self.migration))
        return {
            "from": migration.from_version,
            "tables": migration.tables,
            "columns": [item for item in migration.columns if isinstance(item, dict)],
        }


class TableChangesOut(BaseModel):
    created: list[dict[str, Any]] = Field(description="Raw rows: `id` a string, snake_case columns")
    updated: list[dict[str, Any]]
    deleted: list[str] = Field(description="Ids of rows to remove from the phone")


class SyncPullResponse(BaseModel):
    success: bool = True
    changes: dict[str, TableChangesOut]
    timestamp: int = Field(description="The cursor: pass it as `last_pulled_at` on the next pull")
    next: str | None = Field(
        description="More rows: call again with `page=<next>` (same `last_pulled_at`); null on the last page"
    )


# ------------------------------------------------------------------ push rows


class PushedRow(BaseModel):
    """A raw row from the phone: the columns the server takes are checked, the others (and WatermelonDB's
    own `_status`, `_changed`) are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, allow_inf_nan=False)

    id: str = RowId
    sa_id: str | None = Field(None, max_length=20, description="The SA it belongs to (default: the acting SA)")


class PushedCustomer(PushedRow):
    name: str | None = Field(None, min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=64)
    email: str | None = Field(None, max_length=200)
    street: str | None = Text
    city: str | None = Field(None, max_length=200)
    ref: str | None = Field(None, max_length=64)


class PushedOrder(PushedRow):
    partner_id: str = RowId
    state: Literal["draft", "sale"] | None = Field(None, description="`sale`: confirmed offline (confirmed on push)")
    client_order_ref: str | None = Field(None, max_length=120)


class PushedOrderLine(PushedRow):
    order_id: str = RowId
    product_id: str = Field(pattern=r"^[0-9]{1,9}$")
    quantity: float = Field(gt=0, le=1e9)
    price_unit: float | None = Field(None, ge=0, le=1e12)
    discount: float | None = Field(None, ge=0, le=100)


class PushedPayment(PushedRow):
    invoice_id: str = RowId
    amount: float = Field(gt=0, le=1e12)
    date: ApiDate | None = None
    memo: str | None = Field(None, max_length=200)


class PushedTicket(PushedRow):
    name: str = Field(min_length=1, max_length=200, description="The subject")
    description: str | None = Field(None, max_length=5000)
    partner_id: str | None = Field(None, min_length=1, max_length=64)
    asset_id: str | None = Field(None, pattern=r"^[0-9]{1,9}$")
    priority: Literal["low", "normal", "high", "urgent"] | None = None


def _changes(row_model, name):
    return type(
        name,
        (BaseModel,),
        {
            "__annotations__": {
                "created": list[row_model],
                "updated": list[row_model],
                "deleted": list[str],
            },
            "model_config": ConfigDict(extra="forbid"),
            "created": Field(default_factory=list, max_length=MAX_PUSHED_ROWS),
            "updated": Field(default_factory=list, max_length=MAX_PUSHED_ROWS),
            "deleted": Field(default_factory=list, max_length=MAX_PUSHED_ROWS),
        },
    )


OtherRowChanges = _changes(PushedRow, "PushedOtherRows")


class PushedChanges(BaseModel):
    """Every table of the served schema may appear (WatermelonDB sends them all, mostly empty); only
    created customers, orders with their lines, cash payments and tickets, and updated customers, are taken."""

    model_config = ConfigDict(extra="forbid")

    customers: _changes(PushedCustomer, "PushedCustomers") | None = None
    orders: _changes(PushedOrder, "PushedOrders") | None = None
    order_lines: _changes(PushedOrderLine, "PushedOrderLines") | None = None
    payments: _changes(PushedPayment, "PushedPayments") | None = None
    tickets: _changes(PushedTicket, "PushedTickets") | None = None
    categories: OtherRowChanges | None = None
    products: OtherRowChanges | None = None
    bops: OtherRowChanges | None = None
    bop_lines: OtherRowChanges | None = None
    invoices: OtherRowChanges | None = None
    assets: OtherRowChanges | None = None
    subscriptions: OtherRowChanges | None = None
    cash_handovers: OtherRowChanges | None = None
    payg_accounts: OtherRowChanges | None = None
    payg_tokens: OtherRowChanges | None = None


class SyncPushRequest(RequestBody):
    changes: PushedChanges
    last_pulled_at: int | None = Field(
        None, ge=1, le=MAX_CURSOR, description="WatermelonDB's `lastPulledAt` (or the query parameter)"
    )


class SyncPushQuery(QueryParams):
    last_pulled_at: int | None = Field(None, ge=1, le=MAX_CURSOR, description="The `timestamp` of the app's last pull")

    @field_validator("last_pulled_at", mode="before")
    @classmethod
    def _null(cls, value):
        return None if value in ("", "null", "undefined") else value


class PushedCounts(BaseModel):
    created: int
    updated: int


class SyncPushResponse(BaseModel):
    success: bool = True
    applied: dict[str, PushedCounts] = Field(description="Rows created and updated per table (a retried row: 0)")


# ------------------------------------------------------------------ served schema


class SyncSchemaQuery(QueryParams):
    schema_version: int = Field(SCHEMA_VERSION, ge=1, le=1000, description="The version to describe")


class SyncColumn(BaseModel):
    name: str
    type: Literal["string", "number", "boolean"]
    isOptional: bool = True  # noqa: N815 (WatermelonDB's own key)
    isIndexed: bool = False  # noqa: N815


class SyncTableSchema(BaseModel):
    name: str
    columns: list[SyncColumn]


class SyncMigrationStep(BaseModel):
    type: Literal["create_table", "add_columns"]
    table: str | None = None
    schema_: SyncTableSchema | None = Field(None, alias="schema")
    columns: list[SyncColumn] | None = None


class SyncSchemaMigration(BaseModel):
    toVersion: int  # noqa: N815
    steps: list[SyncMigrationStep]


class SyncSchemaResponse(BaseModel):
    success: bool = True
    version: int
    tables: list[SyncTableSchema] = Field(description="`appSchema({version, tables: tables.map(tableSchema)})`")
    migrations: list[SyncSchemaMigration] = Field(description="`schemaMigrations({migrations})` steps from version 1")
