"""Mobile-money reconciliation (seed workflow 9 gap): a provider's statement per SA matched with its payments."""

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .common import ApiDate, DateOut, DateTimeOut, IdName, PageQuery, PageResponse, QueryParams, RequestBody, named_enum
from .payment import Amount, Phone

MomoProvider = named_enum("MomoProvider", ("sandbox",), "A mobile-money provider")
StatementLineStatus = named_enum(
    "StatementLineStatus",
    ("matched", "missing_ours", "missing_provider"),
    "matched: the provider's transaction is one of our payments; missing_ours: the provider has it, we have no "
    "payment; missing_provider: our payment is not on the provider's statement",
)
StatementMatchRule = named_enum("StatementMatchRule", ("reference", "amount_phone_date"))
StatementOrigin = named_enum("StatementOrigin", ("csv", "lines", "provider"))
MAX_STATEMENT_LINES = 20000


class ProviderTransactionIn(RequestBody):
    reference: str = Field(min_length=1, max_length=64, description="The provider's transaction reference")
    date: ApiDate
    amount: Amount
    phone: Phone


class StatementImportRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "provider": "sandbox",
                    "date_from": "2026-12-01",
                    "date_to": "2026-12-05",
                    "lines": [
                        {"reference": "MM-4F1C2A", "date": "2026-12-02", "amount": 60.0, "phone": "+228 90 11 22 33"}
                    ],
                }
            ]
        }
    )

    provider: MomoProvider = "sandbox"
    date_from: ApiDate
    date_to: ApiDate
    lines: list[ProviderTransactionIn] | None = Field(
        None, max_length=MAX_STATEMENT_LINES, description="The provider's transactions"
    )
    csv: str | None = Field(
        None,
        max_length=5_000_000,
        description="Or the provider's CSV export: a header with reference, date, amount, phone",
    )
    fetch_from_provider: bool = Field(False, description="Or ask the provider for its statement of the SA and period")

    @model_validator(mode="after")
    def _one_source(self):
        if self.date_to < self.date_from:
            raise ValueError("date_to is before date_from")
        sources = [self.lines is not None, self.csv is not None, self.fetch_from_provider]
        if sum(sources) != 1:
            raise ValueError("give exactly one of lines, csv or fetch_from_provider")
        return self


class StatementListQuery(PageQuery):
    pass


class StatementLineOut(BaseModel):
    id: int
    status: StatementLineStatus
    match_rule: StatementMatchRule | None
    reference: str | None = Field(description="The provider's reference; null on a payment the provider does not list")
    date: DateOut
    amount: float
    phone: str | None
    payment_id: int | None
    attempt_id: int | None
    note: str | None


class StatementCounts(BaseModel):
    matched: int
    missing_ours: int
    missing_provider: int
    already_reconciled: int = Field(description="The provider's transactions skipped: an earlier statement has them")


class StatementAmounts(BaseModel):
    statement: float = Field(description="The provider's total")
    matched: float
    missing_ours: float
    missing_provider: float


class StatementOut(BaseModel):
    id: int
    name: str
    service_account: IdName
    provider: MomoProvider
    origin: StatementOrigin
    date_from: DateOut
    date_to: DateOut
    currency: str
    counts: StatementCounts
    amounts: StatementAmounts
    imported_at: DateTimeOut


class StatementDetailOut(StatementOut):
    lines: list[StatementLineOut]


class StatementResponse(BaseModel):
    success: bool = True
    statement: StatementDetailOut


class StatementListResponse(PageResponse):
    statements: list[StatementOut]


class ProviderStatementQuery(QueryParams):
    date_from: ApiDate | None = Field(None, description="Transactions from this day; default: today")
    date_to: ApiDate | None = Field(None, description="Up to this day (included); default: today")
    provider: MomoProvider = "sandbox"

    @model_validator(mode="after")
    def _ordered(self):
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValueError("date_to is before date_from")
        return self


class ProviderTransactionOut(BaseModel):
    reference: str
    date: DateOut
    amount: float
    phone: str
    service_account_id: int


class ProviderStatementResponse(BaseModel):
    success: bool = True
    provider: MomoProvider
    service_accounts: list[IdName] = Field(description="The SAs the statement covers: the acting SA (`X-SA-ID`)")
    date_from: DateOut
    date_to: DateOut
    transactions: list[ProviderTransactionOut]
    csv: str = Field(description="The same transactions as the provider's CSV export (what the backend imports)")
