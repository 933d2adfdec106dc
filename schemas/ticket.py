"""Helpdesk tickets (seed "Helpdesk Tickets (tickets.py)"), for staff and for customers."""

from typing import Annotated

from pydantic import BaseModel, Field

from .common import DateTimeOut, Filter, IdName, PageQuery, PageResponse, PositiveId, QueryId, RequestBody, named_enum

Priority = named_enum("Priority", ("low", "normal", "high", "urgent"))


def _never_null(schema):
    schema.pop("default", None)


class CustomerTicketCreate(RequestBody):
    subject: str = Field(min_length=1, max_length=240)
    description: str | None = Field(None, max_length=10_000)
    priority: Priority = Field("normal")
    asset_id: PositiveId | None = Field(None, description="One of the customer's assets the ticket is about")


class TicketCreate(CustomerTicketCreate):
    partner_id: PositiveId | None = Field(
        None, description="The customer (of the acting SA); optional when `asset_id` is given"
    )


class TicketUpdate(RequestBody):
    subject: str = Field(None, min_length=1, max_length=240, json_schema_extra=_never_null)
    description: str | None = Field(None, max_length=10_000)
    priority: Priority = Field(None, json_schema_extra=_never_null)
    stage_id: PositiveId = Field(None, description="A stage of `GET` ticket answers", json_schema_extra=_never_null)
    asset_id: PositiveId | None = Field(None, description="An asset of the ticket's customer; null: none")
    resolution_note: str | None = Field(None, max_length=10_000)


class TicketClose(RequestBody):
    resolution_note: str | None = Field(None, max_length=10_000)


class TicketListQuery(PageQuery):
    partner_id: Annotated[QueryId | None, Filter("partner_id")] = Field(None, description="Only this customer's")
    stage_id: Annotated[QueryId | None, Filter("stage_id")] = None
    asset_id: Annotated[QueryId | None, Filter("asset_id")] = Field(None, description="Only about this asset")
    closed: Annotated[bool | None, Filter("is_closed")] = Field(None, description="Closed (true) or open (false)")


class CustomerTicketListQuery(PageQuery):
    closed: Annotated[bool | None, Filter("is_closed")] = Field(None, description="Closed (true) or open (false)")


class StageOut(IdName):
    is_closed: bool


class TicketOut(BaseModel):
    id: int
    subject: str
    description: str | None
    priority: Priority
    stage: StageOut
    customer: IdName
    asset: IdName | None
    resolution_note: str | None
    service_account: IdName | None
    opened_by: IdName | None
    create_date: DateTimeOut | None
    closed_date: DateTimeOut | None


class TicketResponse(BaseModel):
    success: bool = True
    ticket: TicketOut


class TicketListResponse(PageResponse):
    tickets: list[TicketOut]
