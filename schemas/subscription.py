"""Subscriptions (seed workflow 10, "Subscriptions (subscription_api.py)")."""

from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from .common import (
    ApiDate,
    DateOut,
    Filter,
    IdName,
    PageQuery,
    PageResponse,
    PositiveId,
    Quantity,
    QueryId,
    RequestBody,
    named_enum,
)
from .invoice import PaymentState as InvoicePaymentState

SubscriptionState = named_enum("SubscriptionState", ("draft", "active", "paused", "cancelled", "expired"))
Cadence = named_enum("Cadence", ("weekly", "monthly", "quarterly", "yearly"))
MAX_PRICE = 1e12


class SubscriptionPurchase(RequestBody):
    partner_id: PositiveId = Field(description="The customer (a customer of the acting SA)")
    product_id: PositiveId = Field(description="A recurring product (`recurring_invoice`) of the SA's catalogue")
    quantity: Quantity = Field(1.0)
    price_unit: float | None = Field(
        None, ge=0, le=MAX_PRICE, allow_inf_nan=False, description="Per period; default: the SA's pricelist price"
    )
    cadence: Cadence | None = Field(None, description="Default: the product's billing cadence")
    start_date: ApiDate | None = Field(None, description="Default: today. Periods already started are billed at once")
    end_date: ApiDate | None = Field(None, description="Last day of service; default: until cancelled")

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class SubscriptionCancel(RequestBody):
    reason: str = Field(
        min_length=1, max_length=64, description="Code of a configured reason (`GET /api/subscription/close-reasons`)"
    )
    note: str | None = Field(None, max_length=2_000)


class SubscriptionListQuery(PageQuery):
    partner_id: Annotated[QueryId | None, Filter("partner_id")] = Field(None, description="Only this customer's")
    state: Annotated[SubscriptionState | None, Filter("state")] = None
    product_id: Annotated[QueryId | None, Filter("product_id")] = Field(None, description="Only of this product")
    sa_id: Annotated[QueryId | None, Filter("x_sa_id")] = Field(None, description="Only this service account's")


class CustomerSubscriptionListQuery(PageQuery):
    state: Annotated[SubscriptionState | None, Filter("state")] = None


class CloseReasonOut(BaseModel):
    code: str
    name: str


class BilledPeriodOut(BaseModel):
    period_start: DateOut
    period_end: DateOut
    invoice: IdName | None
    amount_total: float | None
    payment_state: InvoicePaymentState | None


class SubscriptionOut(BaseModel):
    id: int
    code: str
    state: SubscriptionState
    customer: IdName
    product: IdName
    quantity: float
    price_unit: float
    amount_per_period: float
    currency: str
    cadence: Cadence
    start_date: DateOut
    end_date: DateOut | None
    next_invoice_date: DateOut | None
    paused_on: DateOut | None
    paused_days: int
    close_reason: CloseReasonOut | None
    close_date: DateOut | None
    origin_order: IdName | None
    service_account: IdName | None
    sold_by: IdName | None


class SubscriptionDetailOut(SubscriptionOut):
    billed_periods: list[BilledPeriodOut] = Field(description="Newest first")


class SubscriptionResponse(BaseModel):
    success: bool = True
    subscription: SubscriptionDetailOut


class SubscriptionListResponse(PageResponse):
    subscriptions: list[SubscriptionOut]


class SubscriptionStatusOut(BaseModel):
    code: str
    state: SubscriptionState
    next_invoice_date: DateOut | None
    end_date: DateOut | None
    open_invoices: int = Field(description="Posted invoices of the subscription not paid yet")
    amount_due: float = Field(description="What those invoices still owe")
    currency: str


class SubscriptionStatusResponse(BaseModel):
    success: bool = True
    subscription: SubscriptionStatusOut


class CloseReasonListResponse(BaseModel):
    success: bool = True
    reasons: list[CloseReasonOut]
