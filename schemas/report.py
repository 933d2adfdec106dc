"""Reports (API contract, "Reports")."""

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from .common import ApiDate, IdName, QueryParams


class SaSummaryQuery(QueryParams):
    date_from: ApiDate | None = Field(None, description="Invoices dated and deliveries done from this day")
    date_to: ApiDate | None = Field(None, description="Up to this day (included)")
    by: Literal["agent"] | None = Field(None, description="`agent`: add each SA's rows per agent")

    @model_validator(mode="after")
    def _ordered(self):
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValueError("date_to is before date_from")
        return self


class ReceivedOut(BaseModel):
    total: float
    cash: float
    bank: float
    mobile_money: float
    other: float = Field(description="Journals that are no API payment source")


class AgentRowOut(BaseModel):
    agent: IdName | None = Field(description="null: taken by no agent (the backend, a service)")
    sales: float = Field(description="Untaxed amount of the orders it confirmed in the period")
    collected: float = Field(description="Money it received in the period")
    cash_in_hand: float = Field(description="Its balance on the SA's agents' cash-in-hand account")
    handed_over: float = Field(description="Payments of its handovers confirmed in the period")
    shortages: float = Field(description="What those handovers were counted short")


class SaSummaryOut(BaseModel):
    id: int
    name: str
    revenue: float = Field(description="Untaxed amount of the posted invoices, less credit notes")
    receivables: float = Field(description="What is still due on them")
    collected: float = Field(description="What is paid of them, whatever registered the payments")
    deliveries: int = Field(description="Deliveries done")
    received: ReceivedOut = Field(description="Money received, by payment date in the period, per source")
    cash_in_hand: float = Field(description="Cash the SA's agents hold, not handed over yet (its ledger balance)")
    kits_delivered: int = Field(description="Units of serial-tracked products delivered in the period")
    agents: list[AgentRowOut] | None = Field(None, description="With `by=agent`: per agent; they add up to the SA")


class SaSummaryResponse(BaseModel):
    success: bool = True
    service_accounts: list[SaSummaryOut]
