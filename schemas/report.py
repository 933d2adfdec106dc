"""Reports (API contract, "Reports")."""

from pydantic import BaseModel, Field, model_validator

from .common import ApiDate, QueryParams


class SaSummaryQuery(QueryParams):
    date_from: ApiDate | None = Field(None, description="Invoices dated and deliveries done from this day")
    date_to: ApiDate | None = Field(None, description="Up to this day (included)")

    @model_validator(mode="after")
    def _ordered(self):
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValueError("date_to is before date_from")
        return self


class SaSummaryOut(BaseModel):
    id: int
    name: str
    revenue: float = Field(description="Untaxed amount of the posted invoices, less credit notes")
    receivables: float = Field(description="What is still due on them")
    collected: float = Field(description="What is paid of them, whatever registered the payments")
    deliveries: int = Field(description="Deliveries done")


class SaSummaryResponse(BaseModel):
    success: bool = True
    service_accounts: list[SaSummaryOut]
