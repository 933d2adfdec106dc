"""Invoices and credit notes (seed workflows 6-7, "Invoicing (order_controller.py + invoice_api.py)")."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field

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

InvoiceState = named_enum("InvoiceState", ("draft", "posted", "cancel"))
# Odoo's payment_state as the API shows it: "in_payment" (paid, bank not reconciled yet) is "paid" (seed workflow 7).
PaymentState = named_enum("InvoicePaymentState", ("not_paid", "partial", "paid", "reversed"))
MoveType = named_enum("MoveType", ("out_invoice", "out_refund"))


def _payment_states(value):
    return ["paid", "in_payment"] if value == "paid" else [value]


# --------------------------------------------------------------------------- requests


class InvoiceLineIn(RequestBody):
    order_line_id: PositiveId = Field(description="A line of the order")
    quantity: Quantity = Field(description="How much of it to invoice now (at most what it has left to invoice)")


class InvoiceCreate(RequestBody):
    lines: list[InvoiceLineIn] | None = Field(
        None,
        min_length=1,
        max_length=500,
        description="A partial invoice of these quantities (the order stays open for the rest); "
        "omitted: everything invoiceable now, or the order's existing draft",
    )


class CreditLineIn(RequestBody):
    invoice_line_id: PositiveId = Field(description="A product line of the invoice")
    quantity: Quantity = Field(description="How much of it to credit (at most what was invoiced)")


class CreditNoteCreate(RequestBody):
    invoice_id: PositiveId = Field(description="A posted invoice of the order")
    reason: str = Field(min_length=1, max_length=500, description="Why the invoice is reversed")
    date: ApiDate | None = Field(None, description="Date of the credit note (today if omitted; not in the future)")
    lines: list[CreditLineIn] | None = Field(
        None, min_length=1, max_length=500, description="A partial credit note of these quantities; omitted: in full"
    )


class EmptyRequest(RequestBody):
    pass


class InvoiceListQuery(PageQuery):
    state: Annotated[InvoiceState | None, Filter("state")] = None
    payment_state: Annotated[PaymentState | None, Filter("payment_state", "in", _payment_states)] = Field(
        None, description="`paid` includes Odoo's `in_payment`"
    )
    partner_id: Annotated[QueryId | None, Filter("partner_id")] = Field(None, description="Only this customer's")
    date_from: Annotated[ApiDate | None, Filter("invoice_date", ">=")] = Field(
        None, description="Invoice date from this day"
    )
    date_to: Annotated[ApiDate | None, Filter("invoice_date", "<=")] = Field(
        None, description="Invoice date up to this day (included)"
    )


class CustomerInvoiceQuery(PageQuery):
    state: Annotated[InvoiceState | None, Filter("state")] = None
    payment_state: Annotated[PaymentState | None, Filter("payment_state", "in", _payment_states)] = None


# --------------------------------------------------------------------------- answers


class InvoiceLineOut(BaseModel):
    id: int
    product: IdName | None
    description: str
    quantity: float
    price_unit: float
    discount: float
    taxes: list[IdName]
    subtotal: float
    total: float
    order_line_ids: list[int]


class TaxOut(BaseModel):
    tax: IdName | None
    name: str
    amount: float


class InvoiceSummaryOut(BaseModel):
    id: int
    name: str
    move_type: MoveType
    state: InvoiceState
    payment_state: PaymentState = Field(description="`in_payment` is shown as `paid`")
    partner: IdName | None
    service_account: IdName | None
    invoice_origin: str | None
    invoice_date: DateOut | None
    invoice_date_due: DateOut | None
    amount_untaxed: float
    amount_tax: float
    amount_total: float
    amount_residual: float
    currency: str | None
    reversed_entry: IdName | None


class InvoiceOut(InvoiceSummaryOut):
    payment_term: IdName | None
    reference: str | None
    lines: list[InvoiceLineOut]
    taxes: list[TaxOut]
    orders: list[IdName]


class InvoiceResponse(BaseModel):
    success: bool = True
    invoice: InvoiceOut


class InvoiceCreatedResponse(InvoiceResponse):
    created: bool = Field(description="False: the order's existing draft invoice was returned")


class InvoiceListResponse(PageResponse):
    invoices: list[InvoiceSummaryOut]


class OrderInvoicesResponse(BaseModel):
    success: bool = True
    invoices: list[InvoiceSummaryOut]


class CreditNoteResponse(BaseModel):
    success: bool = True
    credit_note: InvoiceOut
    invoice: InvoiceSummaryOut


class InvoiceSentResponse(InvoiceResponse):
    message: str
    mail_ids: list[int]


class InvoicePdfResponse(BaseModel):
    success: bool = True
    filename: str
    mimetype: Literal["application/pdf"]
    content_base64: str


class NextPaymentOut(BaseModel):
    due_date: DateOut | None
    amount: float
    currency: str | None
    invoice: IdName


class NextPaymentResponse(BaseModel):
    success: bool = True
    next_payment: NextPaymentOut | None = Field(description="null: nothing is due")
