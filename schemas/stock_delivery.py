from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from .common import (
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
)
from .product import Tracking
from .stock import CompanyFilter, LotName, MoveOut, PickingSummaryOut

DeliveryState = named_enum("DeliveryState", ("draft", "waiting", "confirmed", "assigned", "done", "cancel"))


class DeliveryListQuery(PageQuery, CompanyFilter):
    state: DeliveryState | Literal["ready"] | None = Field(
        None,
        description="Only this state; `ready` (the seed's word) is `assigned`: reserved, ready to validate. "
        "Default: every state but done and cancel",
    )
    warehouse_id: Annotated[QueryId | None, Filter("picking_type_id.warehouse_id")] = Field(
        None, description="Only deliveries of this warehouse"
    )
    sale_order_id: Annotated[QueryId | None, Filter("sale_id")] = Field(
        None, description="Only deliveries of this sale order"
    )


class DeliveryLineIn(RequestBody):
    move_id: PositiveId | None = Field(
        None, description="The delivery line (stock.move id, `lines[].id` of the detail); or `move_line_id`"
    )
    move_line_id: PositiveId | None = Field(
        None,
        description="A reserved line of the delivery (`lines[].move_lines[].id` of the detail, the seed's body): "
        "its move; without lot_id/lot_name, the serial reserved on it",
    )
    qty_done: Quantity = Field(description="Quantity delivered on this line (1 per serial)")
    lot_id: PositiveId | None = Field(None, description="Serial/lot to deliver (id)")
    lot_name: LotName | None = Field(None, description="Serial/lot to deliver (name)")

    @model_validator(mode="after")
    def _one_lot_reference(self):
        if self.lot_id and self.lot_name:
            raise ValueError("give lot_id or lot_name, not both")
        if not self.move_id and not self.move_line_id:
            raise ValueError("give move_id or move_line_id")
        return self


class DeliveryValidate(RequestBody):
    force_backorder: bool = Field(
        False,
        description="Allow a partial delivery: what is given (or, without lines, what is reserved) goes now, "
        "the rest goes to a backorder",
    )
    lines: list[DeliveryLineIn] | None = Field(
        None,
        min_length=1,
        max_length=500,
        description="What is delivered; omitted: every line at its ordered quantity with the reserved serials",
    )


class ReturnLineIn(RequestBody):
    product_id: PositiveId
    quantity: Quantity
    lot_id: PositiveId | None = Field(None, description="Serial/lot returned")


class DeliveryReturn(RequestBody):
    lines: list[ReturnLineIn] | None = Field(
        None, min_length=1, max_length=500, description="What comes back; omitted: everything still at the customer"
    )
    reason: str | None = Field(None, max_length=500)


class DeliveryOut(PickingSummaryOut):
    partner: IdName | None
    sale_order: IdName | None


class DeliveryListResponse(PageResponse):
    deliveries: list[DeliveryOut]


class DeliveryMoveLineOut(BaseModel):
    id: int
    lot_id: int | None
    lot_name: str | None
    quantity: float
    location_from: IdName | None
    picked: bool


class DeliveryLineOut(MoveOut):
    tracking: Tracking
    move_lines: list[DeliveryMoveLineOut]


class DeliveryDetailOut(DeliveryOut):
    note: str | None
    service_account: IdName | None
    backorder_of: IdName | None
    lines: list[DeliveryLineOut]


class DeliveryDetailResponse(BaseModel):
    success: bool = True
    delivery: DeliveryDetailOut


class DeliveryDone(BaseModel):
    id: int
    name: str
    state: DeliveryState
    date_done: DateTimeOut | None


class DeliveryValidateResponse(BaseModel):
    success: bool = True
    message: str
    delivery: DeliveryDone
    backorder: IdName | None


class DeliveryReturnResponse(BaseModel):
    success: bool = True
    message: str
    delivery: DeliveryDone
    return_picking: DeliveryDone
