"""Payments and mobile money (seed workflow 9, "Payments (payments.py)")."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from .common import (
    MAX_QUANTITY,
    ApiDate,
    Filter,
    IdName,
    PageQuery,
    PageResponse,
    PositiveId,
    QueryId,
    RequestBody,
    named_enum,
)
from .invoice import PaymentState as InvoicePaymentState
from .payg import PaygTokenOut

PaymentSource = named_enum("PaymentSource", ("cash", "bank", "mobile_money"))
PaymentState = named_enum("PaymentState", ("draft", "in_process", "paid", "canceled", "rejected"))
AttemptState = named_enum("AttemptState", ("draft", "pending", "done", "error", "cancel"))
Amount = Annotated[float, Field(gt=0, le=MAX_QUANTITY, allow_inf_nan=False)]
Phone = Annotated[str, Field(min_length=6, max_length=32, pattern=r"^\+?[0-9 ()-]+$", examples=["+228 90 11 22 33"])]

# --------------------------------------------------------------------------- requests


class RegisterPaymentRequest(RequestBody):
    amount: Amount | None = Field(
        None, description="Amount paid (> 0, at most the invoice's residual); omitted: the whole residual"
    )
    journal_id: PositiveId | None = Field(None, description="Cash or bank journal; omitted: the payment_source's")
    payment_source: PaymentSource = Field(
        "cash", description="Picks the Cash, Bank or Mobile Money journal when journal_id is absent"
    )
    payment_date: ApiDate | None = Field(None, description="Defaults to today")
    memo: str | None = Field(None, max_length=200)
    invoice_id: PositiveId | None = Field(None, description="Which of the order's invoices, when it has several open")


class MobileMoneyStartRequest(RequestBody):
    invoice_id: PositiveId
    phone: Phone = Field(description="The customer's mobile-money number")
    amount: Amount | None = Field(None, description="Omitted: the invoice's residual")
    provider: Literal["sandbox"] = "sandbox"


class MobileMoneyCallback(RequestBody):
    """What the provider posts (signed: ``X-Signature: sha256=<hex HMAC-SHA256 of the raw body>``)."""

    reference: str = Field(min_length=1, max_length=64)
    status: Literal["success", "failed", "cancelled", "pending"]
    provider: Literal["sandbox"] = "sandbox"
    provider_transaction_id: str | None = Field(None, max_length=128)


class PaymentListQuery(PageQuery):
    partner_id: Annotated[QueryId | None, Filter("partner_id")] = Field(None, description="Only this customer's")
    journal_id: Annotated[QueryId | None, Filter("journal_id")] = None
    agent_id: Annotated[QueryId | None, Filter("x_actor_id")] = Field(None, description="Only those this agent took")
    source: Annotated[PaymentSource | None, Filter("journal_id.abs_payment_source")] = Field(
        None, description="Only cash, bank or mobile-money payments (the journal's API payment source)"
    )
    state: Annotated[PaymentState | None, Filter("state")] = None
    date_from: Annotated[ApiDate | None, Filter("date", ">=")] = Field(None, description="Paid on or after")
    date_to: Annotated[ApiDate | None, Filter("date", "<=")] = Field(None, description="Paid on or before")


class CustomerPaymentListQuery(PageQuery):
    date_from: Annotated[ApiDate | None, Filter("date", ">=")] = None
    date_to: Annotated[ApiDate | None, Filter("date", "<=")] = None


# --------------------------------------------------------------------------- answers


class InvoiceRef(BaseModel):
    id: int
    name: str
    payment_state: InvoicePaymentState
    amount_total: float
    amount_residual: float


class PaymentOut(BaseModel):
    id: int
    name: str
    date: date
    amount: float
    currency: str
    state: PaymentState
    memo: str | None
    partner: IdName | None
    journal: IdName
    payment_source: PaymentSource | None
    service_account: IdName | None
    agent: IdName | None = Field(description="The agent who took it (API)")
    collected_by_user: IdName | None = Field(description="The backend user who took it, when no agent did")
    handover_id: int | None = Field(description="The cash handover covering it (declared or confirmed)")
    invoices: list[IdName]


class PaymentResponse(BaseModel):
    success: bool = True
    payment: PaymentOut


class RegisterPaymentResponse(PaymentResponse):
    invoice: InvoiceRef
    backorders: list[IdName] = Field(
        description="Deliveries of the order still open after a partial delivery: the payment went to the "
        "invoice of what was delivered; the backorder's goods are invoiced once delivered"
    )
    message: str = Field(description="What was paid, and what is left when a backorder is open")
    payg_tokens: list[PaygTokenOut] = Field(
        [], description="The pay-as-you-go tokens this payment gave (one per PAYG account it paid)"
    )


class PaymentListResponse(PageResponse):
    payments: list[PaymentOut]


class AttemptOut(BaseModel):
    id: int
    reference: str
    provider: str
    state: AttemptState
    amount: float
    currency: str
    phone: str
    invoice: IdName
    payment_id: int | None
    message: str | None


class AttemptResponse(BaseModel):
    success: bool = True
    attempt: AttemptOut


class CallbackResponse(BaseModel):
    success: bool = True
    reference: str
    state: AttemptState
    payment_id: int | None
    invoice_id: int


class MoneySummary(BaseModel):
    count: int
    total: float


class DashboardOut(BaseModel):
    customer: IdName
    currency: str | None
    outstanding: float = Field(description="Still due on the posted invoices")
    paid: float = Field(description="Total of the posted payments")
    overdue: float = Field(description="Still due on invoices past their due date")
    overdue_invoices: int
    orders: dict[str, int] = Field(description="Orders per state, and `total`")
    invoices: MoneySummary
    payments: MoneySummary
    assets: dict[str, int] | None = Field(description="Assets per state, and `total`")


class DashboardResponse(BaseModel):
    success: bool = True
    dashboard: DashboardOut
