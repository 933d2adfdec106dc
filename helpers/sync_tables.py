"""What offline sync serves: the tables of the field app's local database (WatermelonDB), declared once.

Each table names its Odoo model, the caller's scope (the same domains as the online list routes), its
columns (snake_case, ids of related rows as strings) with the schema version that added each, and the
database tables whose changes feed it (``Watcher``: the triggers of ``abs.sync.log``). The schema the app
is generated from (``GET /api/sync/schema``), the pull and the push all read this list.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

EMPLOYEE = "employee"
CUSTOMER = "customer"

# The served schema's version; a column or table added later says since which version.
SCHEMA_VERSION = 2

# Models whose records an app may create offline: the server record keeps the app's id (x_sync_client_id).
PUSHABLE_MODELS = ("res.partner", "sale.order", "sale.order.line", "account.payment", "abs.ticket")


@dataclass
class SyncScope:
    """Who pulls or pushes, and in which SAs (from the API's caller context)."""

    kind: str
    account_ids: list | None = None  # SAs the caller reads (None: every SA)
    staff_account_ids: list = field(default_factory=list)
    employee: object = None
    customer: object = None
    account: object = None  # the acting SA: its pricelist prices the products


@dataclass
class Watcher:
    """A database table whose changed rows change rows of a sync table.

    ``select``: SQL naming the ids of the sync table a changed row (``{row}``: NEW or OLD) feeds.
    ``kind``: ``row`` (that select), ``assignment`` (an SA assignment table: ``column`` is the governed
    record; ending it logs the record's exit from the SA) or ``membership`` (see ``abs.sync.log``).
    ``owns_rows``: the watched table is the sync table's own (an insert there is a created row).
    """

    table: str
    column: str = "id"
    kind: str = "row"
    select: str = ""
    owns_rows: bool = False

    def __post_init__(self):
        if not self.select:
            self.select = f"SELECT {{row}}.{self.column}"


@dataclass
class Column:
    """One column: read from ``source`` (a field name) or computed by ``compute(records, scope) -> {id: value}``."""

    name: str
    type: str = ""  # string | number | boolean; default: from the field
    source: str = ""  # the field read (default: ``name``)
    compute: object = None
    since: int = 1
    # Written by a push (created records of the table); default: not pushable.
    pushable: bool = False


@dataclass
class SyncTable:
    name: str
    model: str
    columns: list
    domain: object  # (env, scope) -> the rows the caller has
    watchers: list
    audiences: tuple = (EMPLOYEE,)
    since: int = 1
    # a child table (order lines): its rows leave with their parent's (name of the parent table, field)
    parent: tuple = ()
    # records governed by an SA: a row that leaves one of the caller's SAs is sent as deleted
    governed: bool = False

    def columns_for(self, version):
        return [column for column in self.columns if column.since <= version]


# --------------------------------------------------------------------------- values


def epoch_ms(value):
    """A datetime as WatermelonDB stores one: milliseconds since the epoch (UTC)."""
    if not value:
        return None
    return int(value.replace(tzinfo=UTC).timestamp() * 1000)


def raw_value(value, field_type):
    """A field's value as a raw column: ids as strings, dates ISO, datetimes in ms, falsy → null."""
    if field_type == "boolean":
        return bool(value)
    if value is False or value is None:
        return None
    if isinstance(value, datetime):
        return epoch_ms(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def sync_id(record_id, client_id=None):
    """The id a row has on the phone: the app's own for a record it created offline, else the server id."""
    return client_id or str(record_id)


# --------------------------------------------------------------------------- computed columns


def _product_prices(products, scope):
    prices = products._abs_sale_prices(scope.account)
    return {pid: figures["price_unit"] for pid, figures in prices.items()}


def _product_currency(products, scope):
    prices = products._abs_sale_prices(scope.account)
    return {pid: figures["currency"].name for pid, figures in prices.items()}


def _product_stock(products, scope):
    stock = products._abs_stock_figures()
    return {pid: (figures or {}).get("qty_available") for pid, figures in stock.items()}


def _package_product(sheets, scope):
    return {sheet.id: str(sheet.product_tmpl_id.product_variant_id.id or "") or None for sheet in sheets}


def _stage_name(tickets, scope):
    return {ticket.id: ticket.stage_id.name for ticket in tickets}


def _lot_name(records, scope):
    return {record.id: record.lot_id.name or None for record in records}


def _uom_name(products, scope):
    return {product.id: product.uom_id.name for product in products}


def _paid_invoice(payments, scope):
    """The invoice a payment paid (its first, the app shows one)."""
    return {payment.id: (payment.reconciled_invoice_ids[:1].id or None) for payment in payments}


# --------------------------------------------------------------------------- scope domains


def _governed(model):
    def domain(env, scope):
        if scope.kind == CUSTOMER:
            return scope.customer._abs_documents_domain()
        return env[model]._abs_sa_domain(scope.account_ids)

    return domain


def _catalogue(env, scope):
    return [("sale_ok", "=", True), *env["product.product"]._abs_catalog_domain(scope.account_ids)]


def _bops(env, scope):
    return env["ov.bop.sheet"]._abs_catalog_domain(scope.account_ids)


def _invoices(env, scope):
    documents = [("move_type", "in", ("out_invoice", "out_refund"))]
    if scope.kind == CUSTOMER:
        return [*documents, ("state", "=", "posted"), *scope.customer._abs_documents_domain()]
    return [*documents, *env["account.move"]._abs_sa_domain(scope.account_ids)]


def _payments(env, scope):
    Payment = env["account.payment"]
    received = Payment._abs_received_domain()
    if scope.kind == CUSTOMER:
        return [*received, *scope.customer._abs_documents_domain()]
    # an agent has the payments it took, staff every payment of their SAs (as GET /api/payments)
    return [*received, *Payment._abs_own_or_staff_domain(scope.account_ids, scope.staff_account_ids, scope.employee)]


def _handovers(env, scope):
    # an agent has its own handovers, staff every handover of their SAs (as GET /api/cash-handovers)
    return env["abs.cash.handover"]._abs_own_or_staff_domain(scope.account_ids, scope.staff_account_ids, scope.employee)


def _child_of(parent_domain, parent_field):
    def domain(env, scope):
        return [(parent_field, "any", parent_domain(env, scope))]

    return domain


_orders = _governed("sale.order")
_payg_accounts = _governed("abs.payg.account")

BOTH = (EMPLOYEE, CUSTOMER)

SYNC_TABLES = [
    SyncTable(
        "customers",
        "res.partner",
        governed=True,
        domain=_governed("res.partner"),
        watchers=[
            Watcher("res_partner", owns_rows=True),
            Watcher("ov_sa_customer_assignment", "partner_id", kind="assignment"),
        ],
        columns=[
            Column("name", pushable=True),
            Column("phone", pushable=True),
            Column("email", pushable=True),
            Column("street", pushable=True),
            Column("city", pushable=True),
            Column("ref", pushable=True),
            Column("sa_id", source="x_sa_id"),
        ],
    ),
    SyncTable(
        "categories",
        "product.category",
        domain=lambda env, scope: [],
        watchers=[Watcher("product_category", owns_rows=True)],
        columns=[Column("name"), Column("complete_name"), Column("parent_id")],
    ),
    SyncTable(
        "products",
        "product.product",
        domain=_catalogue,
        watchers=[
            Watcher("product_product", owns_rows=True),
            Watcher("product_template", select="SELECT id FROM product_product WHERE product_tmpl_id = {row}.id"),
            Watcher("stock_quant", "product_id"),
            # a pricelist rule reprices its product, its template's variants, or (category or global rule) all
            Watcher(
                "product_pricelist_item",
                select="""SELECT id FROM product_product
                           WHERE {row}.product_id = id OR {row}.product_tmpl_id = product_tmpl_id
                              OR ({row}.product_id IS NULL AND {row}.product_tmpl_id IS NULL)""",
            ),
        ],
        columns=[
            Column("name"),
            Column("default_code"),
            Column("barcode"),
            Column("category_id", source="categ_id"),
            Column("type"),
            Column("is_storable"),
            Column("tracking"),
            Column("uom", "string", compute=_uom_name),
            Column("price", "number", compute=_product_prices),
            Column("currency", "string", compute=_product_currency),
            Column("qty_available", "number", compute=_product_stock),
            Column("payg_plan_id", source="abs_payg_plan_id", since=2),
        ],
    ),
    SyncTable(
        "bops",
        "ov.bop.sheet",
        domain=_bops,
        watchers=[Watcher("ov_bop_sheet", owns_rows=True)],
        columns=[
            Column("name"),
            Column("code"),
            Column("product_id", "string", compute=_package_product),
        ],
    ),
    SyncTable(
        "bop_lines",
        "ov.bop.line",
        domain=_child_of(_bops, "sheet_id"),
        parent=("bops", "sheet_id"),
        watchers=[Watcher("ov_bop_line", owns_rows=True)],
        columns=[Column("bop_id", source="sheet_id"), Column("product_id"), Column("quantity"), Column("sequence")],
    ),
    SyncTable(
        "orders",
        "sale.order",
        audiences=BOTH,
        governed=True,
        domain=_orders,
        watchers=[
            Watcher("sale_order", owns_rows=True),
            Watcher("ov_sa_sale_order_assignment", "order_id", kind="assignment"),
        ],
        columns=[
            Column("name"),
            Column("partner_id", pushable=True),
            Column("state", pushable=True),
            Column("date_order"),
            Column("client_order_ref", pushable=True),
            Column("amount_untaxed"),
            Column("amount_total"),
            Column("approval_state", source="abs_approval_state"),
            Column("invoice_status"),
            Column("sa_id", source="x_sa_id"),
            Column("agent_id", source="x_actor_id"),
        ],
    ),
    SyncTable(
        "order_lines",
        "sale.order.line",
        audiences=BOTH,
        domain=_child_of(_orders, "order_id"),
        parent=("orders", "order_id"),
        watchers=[Watcher("sale_order_line", owns_rows=True)],
        columns=[
            Column("order_id", pushable=True),
            Column("product_id", pushable=True),
            Column("name"),
            Column("quantity", source="product_uom_qty", pushable=True),
            Column("price_unit", pushable=True),
            Column("discount", pushable=True),
            Column("price_subtotal"),
            Column("qty_delivered"),
            Column("qty_invoiced"),
        ],
    ),
    SyncTable(
        "invoices",
        "account.move",
        audiences=BOTH,
        governed=True,
        domain=_invoices,
        watchers=[
            Watcher("account_move", owns_rows=True),
            Watcher("ov_sa_invoice_assignment", "move_id", kind="assignment"),
        ],
        columns=[
            Column("name"),
            Column("partner_id"),
            Column("move_type"),
            Column("state"),
            Column("payment_state"),
            Column("invoice_date"),
            Column("invoice_date_due"),
            Column("invoice_origin"),
            Column("amount_total"),
            Column("amount_residual"),
            Column("sa_id", source="x_sa_id"),
        ],
    ),
    SyncTable(
        "payments",
        "account.payment",
        audiences=BOTH,
        governed=True,
        domain=_payments,
        watchers=[
            Watcher("account_payment", owns_rows=True),
            Watcher("ov_sa_payment_assignment", "payment_id", kind="assignment"),
        ],
        columns=[
            Column("partner_id"),
            Column("invoice_id", "string", compute=_paid_invoice, pushable=True),
            Column("amount", pushable=True),
            Column("date", pushable=True),
            Column("memo", pushable=True),
            Column("state"),
            Column("source", source="abs_payment_source"),
            Column("agent_id", source="x_actor_id"),
            Column("sa_id", source="x_sa_id"),
        ],
    ),
    SyncTable(
        "assets",
        "ov.asset",
        audiences=BOTH,
        governed=True,
        domain=_governed("ov.asset"),
        watchers=[
            Watcher("ov_asset", owns_rows=True),
            Watcher("ov_sa_asset_assignment", "asset_id", kind="assignment"),
        ],
        columns=[
            Column("name"),
            Column("asset_code"),
            Column("product_id"),
            Column("partner_id"),
            Column("serial", "string", compute=_lot_name),
            Column("installation_date"),
            Column("state"),
            Column("sa_id", source="x_sa_id"),
        ],
    ),
    SyncTable(
        "subscriptions",
        "abs.subscription",
        audiences=BOTH,
        governed=True,
        domain=_governed("abs.subscription"),
        watchers=[
            Watcher("abs_subscription", owns_rows=True),
            Watcher("ov_sa_subscription_assignment", "subscription_id", kind="assignment"),
        ],
        columns=[
            Column("code"),
            Column("partner_id"),
            Column("product_id"),
            Column("quantity"),
            Column("price_unit"),
            Column("cadence"),
            Column("start_date"),
            Column("end_date"),
            Column("next_invoice_date"),
            Column("state"),
            Column("sa_id", source="x_sa_id"),
        ],
    ),
    SyncTable(
        "tickets",
        "abs.ticket",
        audiences=BOTH,
        governed=True,
        domain=_governed("abs.ticket"),
        watchers=[
            Watcher("abs_ticket", owns_rows=True),
            Watcher("ov_sa_ticket_assignment", "ticket_id", kind="assignment"),
        ],
        columns=[
            Column("name", pushable=True),
            Column("description", pushable=True),
            Column("partner_id", pushable=True),
            Column("asset_id", pushable=True),
            Column("priority", pushable=True),
            Column("stage", "string", compute=_stage_name),
            Column("is_closed"),
            Column("resolution_note", since=2),
            Column("sa_id", source="x_sa_id"),
        ],
    ),
    SyncTable(
        "cash_handovers",
        "abs.cash.handover",
        governed=True,
        since=2,
        domain=_handovers,
        watchers=[
            Watcher("abs_cash_handover", owns_rows=True),
            Watcher("ov_sa_cash_handover_assignment", "handover_id", kind="assignment"),
        ],
        columns=[
            Column("name", since=2),
            Column("state", since=2),
            Column("agent_id", source="x_actor_id", since=2),
            Column("declared_amount", since=2),
            Column("expected_amount", since=2),
            Column("counted_amount", since=2),
            Column("difference", since=2),
            Column("declared_at", since=2),
            Column("confirmed_at", since=2),
            Column("sa_id", source="x_sa_id", since=2),
        ],
    ),
    SyncTable(
        "payg_accounts",
        "abs.payg.account",
        audiences=BOTH,
        governed=True,
        since=2,
        domain=_payg_accounts,
        watchers=[
            Watcher("abs_payg_account", owns_rows=True),
            Watcher("ov_sa_payg_assignment", "payg_account_id", kind="assignment"),
        ],
        columns=[
            Column("name", since=2),
            Column("partner_id", since=2),
            Column("asset_id", since=2),
            Column("product_id", since=2),
            Column("serial", "string", compute=_lot_name, since=2),
            Column("state", since=2),
            Column("deposit", since=2),
            Column("price_to_own", since=2),
            Column("amount_paid", since=2),
            Column("amount_remaining", since=2),
            Column("days_credited", since=2),
            Column("credit_expiry", since=2),
            Column("sa_id", source="x_sa_id", since=2),
        ],
    ),
    SyncTable(
        "payg_tokens",
        "abs.payg.token",
        audiences=BOTH,
        since=2,
        domain=_child_of(_payg_accounts, "account_id"),
        parent=("payg_accounts", "account_id"),
        watchers=[Watcher("abs_payg_token", owns_rows=True)],
        columns=[
            Column("account_id", since=2),
            Column("count", since=2),
            Column("token_type", since=2),
            Column("days", since=2),
            Column("amount", since=2),
            Column("code", since=2),
            Column("issued_at", source="create_date", since=2),
        ],
    ),
]

TABLES_BY_NAME = {table.name: table for table in SYNC_TABLES}


def tables_for(scope, version):
    """The tables a caller of ``scope`` syncs at schema ``version``, parents first."""
    return [table for table in SYNC_TABLES if scope.kind in table.audiences and table.since <= version]


def column_type(env, table, column):
    """The WatermelonDB type of a column: declared, else from its field."""
    if column.type:
        return column.type
    field_type = env[table.model]._fields[column.source or column.name].type
    if field_type in ("integer", "float", "monetary", "datetime"):
        return "number"
    if field_type == "boolean":
        return "boolean"
    return "string"
