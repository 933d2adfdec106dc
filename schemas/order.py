"""Quotations and orders (seed workflows 2–4, "Sales Orders (order_controller.py)")."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from .common import (
    MAX_QUANTITY,
    ApiDate,
    DateOut,
    DateTimeOut,
    Filter,
    IdName,
    PageQuery,
    PageResponse,
    PositiveId,
    Quantity,
    QueryId,
    RequestBody,
    named_enum,
    start_of_day,
    start_of_next_day,
)

OrderState = named_enum("OrderState", ("draft", "sent", "sale", "cancel"))
# Odoo's sale.order invoice_status and delivery_status.
OrderInvoiceStatus = named_enum("OrderInvoiceStatus", ("upselling", "invoiced", "to invoice", "no"))
OrderDeliveryStatus = named_enum("OrderDeliveryStatus", ("pending", "started", "partial", "full"))
ApprovalState = named_enum("ApprovalState", ("none", "waiting", "approved", "rejected"))
Price = Annotated[float, Field(ge=0, le=MAX_QUANTITY, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]

# --------------------------------------------------------------------------- requests


class OrderLineIn(RequestBody):
    product_id: PositiveId
    quantity: Quantity = Field(description="Ordered quantity, in the product's unit (> 0)")
    price_unit: Price | None = Field(
        None, description="Unit price (>= 0); omitted: the pricelist's. Below the pricelist, the order needs approval"
    )
    discount: Percent | None = Field(None, description="Discount in percent; the order then needs approval")


class OrderHeaderIn(RequestBody):
    outlet_id: PositiveId | None = Field(None, description="Outlet of the order's SA where the sale is made")
    channel_partner_id: PositiveId | None = Field(None, description="Reseller or distributor the sale came through")
    client_order_ref: str | None = Field(None, max_length=120, description="The customer's own reference")
    validity_date: ApiDate | None = Field(None, description="Last day the quotation is valid")
    payment_term_id: PositiveId | None = Field(None, description="Payment terms (account.payment.term)")


class OrderLinesIn(RequestBody):
    products: list[OrderLineIn] = Field(default_factory=list, max_length=500)
    bop_id: PositiveId | None = Field(None, description="A Bill of Products expanded into lines (besides `products`)")
    property_value_ids: list[PositiveId] = Field(
        default_factory=list, max_length=50, description="The Bill of Products' chosen option values, one per option"
    )
    bop_quantity: Quantity = Field(1.0, description="How many Bill of Products packages")

    @model_validator(mode="after")
    def _some_lines(self):
        if not self.products and not self.bop_id:
            raise ValueError("give products, a bop_id, or both")
        if self.property_value_ids and not self.bop_id:
            raise ValueError("property_value_ids go with a bop_id")
        return self

    def lines_values(self):
        """``(products, bop)`` as plain values for ``sale.order``."""
        products = [line.model_dump(exclude_none=True) for line in self.products]
        bop = (
            {"bop_id": self.bop_id, "property_value_ids": self.property_value_ids, "quantity": self.bop_quantity}
            if self.bop_id
            else None
        )
        return products, bop


class QuotationCreate(OrderHeaderIn, OrderLinesIn):
    customer_id: PositiveId = Field(description="A customer of the acting SA")
    company_id: PositiveId | None = Field(None, description="Optional; must be the acting SA's company")

    def header_values(self):
        return self.model_dump(exclude_unset=True, exclude=set(OrderLinesIn.model_fields))


class OrderUpdate(OrderHeaderIn):
    # Optional, but never null: typed with no default in the document, so it says so too.
    customer_id: PositiveId = Field(
        None, description="Another customer of the order's SA", json_schema_extra=lambda schema: schema.pop("default")
    )


class OrderAddLines(OrderLinesIn):
    pass


class OrderLineUpdate(RequestBody):
    quantity: Quantity | None = Field(None, description="New quantity; alone, the line is re-priced from the pricelist")
    price_unit: Price | None = Field(None, description="New unit price; below the pricelist, the order needs approval")
    discount: Percent | None = Field(None, description="New discount in percent")

    @model_validator(mode="after")
    def _something(self):
        if self.quantity is None and self.price_unit is None and self.discount is None:
            raise ValueError("give quantity, price_unit or discount")
        return self


class CancelRequest(RequestBody):
    reason: str | None = Field(None, max_length=2000, description="Why; kept in the order's chatter")


class ApproveRequest(RequestBody):
    note: str | None = Field(None, max_length=2000)


class RejectRequest(RequestBody):
    reason: str = Field(min_length=1, max_length=2000, description="Why: the agent sees it on the order")


class ConfirmRequest(RequestBody):
    reserve: bool = Field(
        True, description="Reserve the stock of the delivery now; false: an order without reservation"
    )


class EmptyRequest(RequestBody):
    pass


class OrderListQuery(PageQuery):
    state: Annotated[OrderState | None, Filter("state")] = None
    approval_state: Annotated[ApprovalState | None, Filter("abs_approval_state")] = None
    partner_id: Annotated[QueryId | None, Filter("partner_id")] = Field(None, description="Only this customer's")
    date_from: Annotated[ApiDate | None, Filter("date_order", ">=", start_of_day)] = Field(
        None, description="Order date from this day"
    )
    date_to: Annotated[ApiDate | None, Filter("date_order", "<", start_of_next_day)] = Field(
        None, description="Order date up to this day (included)"
    )


# --------------------------------------------------------------------------- answers


class ApprovalOut(BaseModel):
    state: ApprovalState
    needs_approval: bool | None = Field(description="Only on a single order; null in lists")
    reasons: list[Literal["threshold", "category", "discount"]] | None = Field(
        description="Why it needs approval; only on a single order"
    )
    note: str | None
    reject_reason: str | None
    decided_by: IdName | None
    decided_at: DateTimeOut | None


class OrderLineOut(BaseModel):
    id: int
    product: IdName | None
    description: str
    quantity: float
    uom: IdName | None
    price_unit: float
    discount: float
    subtotal: float
    tax: float
    total: float
    qty_delivered: float
    qty_invoiced: float


class DocumentRef(BaseModel):
    id: int
    name: str
    state: str


class OrderSummaryOut(BaseModel):
    id: int
    name: str
    state: OrderState
    locked: bool
    approval: ApprovalOut
    partner: IdName | None
    service_account: IdName | None
    agent: IdName | None
    outlet: IdName | None
    client_order_ref: str | None
    date_order: DateTimeOut | None
    validity_date: DateOut | None
    amount_untaxed: float
    amount_tax: float
    amount_total: float
    currency: str | None
    invoice_status: OrderInvoiceStatus | None = Field(
        description="Odoo's: `to invoice` (something invoiceable now), `invoiced` (all of it), `upselling`, "
        "`no` (nothing to invoice yet, e.g. goods not delivered); null for a cancelled order"
    )
    delivery_status: OrderDeliveryStatus | None = Field(
        description="Odoo's: `pending` (nothing delivered), `started`, `partial` (a backorder remains), `full`; "
        "null while the order has no delivery (a quotation, services only)"
    )


class OrderOut(OrderSummaryOut):
    channel_partner: IdName | None
    pricelist: IdName | None
    payment_term: IdName | None
    lines: list[OrderLineOut]
    deliveries: list[DocumentRef]
    invoices: list[DocumentRef]


class OrderResponse(BaseModel):
    success: bool = True
    order: OrderOut


class OrderListResponse(PageResponse):
    orders: list[OrderSummaryOut]


class OrderSentResponse(OrderResponse):
    message: str
    mail_ids: list[int]


class ProformaPdfResponse(BaseModel):
    success: bool = True
    filename: str
    mimetype: Literal["application/pdf"]
    content_base64: str
