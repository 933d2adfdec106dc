"""Agents' cash in hand and its handover to the SA's cashier (seed workflow 9, reporting questions)."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from .common import Filter, IdName, PageQuery, PageResponse, PositiveId, QueryId, RequestBody, named_enum
from .payment import Amount, PaymentOut

HandoverState = named_enum("HandoverState", ("declared", "confirmed", "disputed"))
Counted = Annotated[float, Field(ge=0, le=10**9, allow_inf_nan=False)]


class HandoverDeclareRequest(RequestBody):
    amount: Amount = Field(description="What the agent says it hands over")
    payment_ids: list[PositiveId] = Field(
        min_length=1, max_length=500, description="The agent's cash payments it covers (GET /api/agents/me/cash)"
    )
    note: str | None = Field(None, max_length=500)


class HandoverConfirmRequest(RequestBody):
    counted_amount: Counted = Field(description="What the cashier counted")
    note: str | None = Field(None, max_length=500)


class HandoverDisputeRequest(RequestBody):
    reason: str = Field(min_length=1, max_length=500)


class HandoverListQuery(PageQuery):
    state: Annotated[HandoverState | None, Filter("state")] = None
    agent_id: Annotated[QueryId | None, Filter("x_actor_id")] = None


class HandoverOut(BaseModel):
    id: int
    name: str
    state: HandoverState
    service_account: IdName
    agent: IdName
    currency: str
    declared_amount: float
    expected_amount: float = Field(description="The total of the payments covered")
    counted_amount: float | None
    difference: float | None = Field(description="Counted less expected once confirmed: negative is a shortage")
    declared_at: datetime
    confirmed_at: datetime | None
    payment_ids: list[int]
    move_id: int | None = Field(description="The journal entry in the SA's cash journal")
    note: str | None


class HandoverResponse(BaseModel):
    success: bool = True
    handover: HandoverOut


class HandoverListResponse(PageResponse):
    handovers: list[HandoverOut]


class CashInSa(BaseModel):
    id: int
    name: str
    balance: float = Field(description="The agent's balance on the SA's agents' cash-in-hand account")


class CashOut(BaseModel):
    agent: IdName
    currency: str
    balance: float = Field(description="Cash in hand: the ledger balance, over the SAs listed")
    flagged: bool = Field(description="A handover of this agent was counted short")
    service_accounts: list[CashInSa]
    payments: list[PaymentOut] = Field(description="Cash payments not handed over yet")


class CashResponse(BaseModel):
    success: bool = True
    cash: CashOut
