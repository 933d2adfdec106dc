"""Pay-as-you-go accounts, their OpenPAYGO tokens and the portfolio at risk (API-CONTRACT "Pay-as-you-go")."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from .common import (
    ApiDate,
    DateOut,
    DateTimeOut,
    Filter,
    IdName,
    PageQuery,
    PageResponse,
    QueryId,
    QueryParams,
    RequestBody,
    named_enum,
)

PaygState = named_enum("PaygState", ("active", "disabled", "paid_off", "written_off", "returned"))
PaygPricingMode = named_enum(
    "PaygPricingMode",
    ("per_day", "per_instalment"),
    "per_day: a price per day of use; per_instalment: a price per instalment on a cadence",
)
PaygCadence = named_enum(
    "PaygCadence", ("daily", "weekly", "monthly"), "How often an instalment is due (a month: 30 days)"
)
TokenType = Literal["add_time", "set_time", "disable_payg", "counter_sync"]


class PaygPlanOut(BaseModel):
    id: int
    name: str
    pricing_mode: PaygPricingMode
    deposit: float
    price_per_day: float = Field(description="What a day of use costs (per instalment: instalment price ÷ its days)")
    instalment_price: float | None = Field(description="per_instalment: what one instalment costs")
    cadence: PaygCadence | None = Field(description="per_instalment: how often an instalment is due")
    term: int | None = Field(description="per_instalment: the number of instalments after the deposit, if any")
    price_to_own: float = Field(description="Deposit included (with a term: deposit + term × instalment price)")
    instalment_days: int = Field(description="Days one instalment buys")
    free_days: int = Field(description="Days of use given with the deposit")
    token_unit_days: int = Field(description="Days of use per token unit")
    extended_tokens: bool
    restricted_digit_set: bool = Field(description="Codes of the digits 1-4 only (four-key keypads)")


class PaygTokenOut(BaseModel):
    code: str = Field(description="The digits the customer types on the device", examples=["123456789"])
    count: int
    type: TokenType
    value: int = Field(description="Token units (days / the plan's days per unit); 0 for unlock and sync")
    days: int = Field(description="Days added (add_time) or set (set_time)")
    issued_at: DateTimeOut


class NextInstalment(BaseModel):
    due_date: DateOut
    amount: float


class PaygAccountOut(BaseModel):
    id: int
    name: str = Field(description="The serial number")
    state: PaygState
    customer: IdName
    product: IdName
    serial: IdName
    asset: IdName | None
    plan: PaygPlanOut
    service_account: IdName | None
    actor: IdName | None
    currency: str
    deposit: float
    price_to_own: float
    amount_paid: float
    amount_remaining: float
    days_credited: int
    days_left: int
    credit_expiry: str | None
    disabled_since: str | None
    next_instalment: NextInstalment | None
    amount_written_off: float = Field(description="The balance written off (state written_off), else 0")
    written_off_date: DateOut | None
    write_off_reason: str | None


class PaygAccountDetail(PaygAccountOut):
    tokens: list[PaygTokenOut] = Field(description="Newest first")


class PaygAccountResponse(BaseModel):
    success: bool = True
    account: PaygAccountDetail


class PaygAccountListResponse(PageResponse):
    accounts: list[PaygAccountOut]


class PaygAccountListQuery(PageQuery):
    state: Annotated[PaygState | None, Filter("state")] = None
    partner_id: Annotated[QueryId | None, Filter("partner_id")] = Field(None, description="Only this customer's")
    sa_id: Annotated[QueryId | None, Filter("x_sa_id")] = Field(None, description="Only this service account's")
    arrears: bool | None = Field(None, description="true: credit ran out (disabled); false: not in arrears")


class CustomerPaygListQuery(PageQuery):
    state: Annotated[PaygState | None, Filter("state")] = None


class PaygTokenRequest(RequestBody):
    kind: Literal["resend", "set_time", "counter_sync"] = Field(
        description="resend: the last token again (no new count); set_time: the device's credit set to `days`; "
        "counter_sync: re-align the device's count"
    )
    days: int | None = Field(None, ge=0, le=995, description="set_time only: days of credit from today")
    reason: str | None = Field(None, min_length=3, max_length=500, description="Required for set_time (logged)")

    @model_validator(mode="after")
    def _set_time_needs_days_and_reason(self):
        if self.kind == "set_time" and (self.days is None or not self.reason):
            raise ValueError("set_time needs days and a reason")
        return self


class PaygTokenResponse(BaseModel):
    success: bool = True
    token: PaygTokenOut
    account: PaygAccountDetail


class PaygWriteOffRequest(RequestBody):
    reason: str = Field(min_length=3, max_length=500, description="Why the balance is written off (logged)")


class PortfolioQuery(QueryParams):
    date: ApiDate | None = Field(None, description="The day the portfolio is read at (default today)")


class PortfolioSa(BaseModel):
    service_account: IdName
    accounts_by_state: dict[str, int]
    outstanding: float = Field(description="What remains to be paid on active and disabled accounts")
    written_off: float = Field(description="The balances written off (accounts written_off), in all")
    collection_rate: float | None = Field(
        description="Paid ÷ expected over the last 30 days (expected: price per day × days, deposits due)"
    )
    par30: float = Field(description="Share of the outstanding on accounts disabled for more than 30 days")
    par60: float
    par90: float


class PortfolioResponse(BaseModel):
    success: bool = True
    date: DateOut
    service_accounts: list[PortfolioSa]
