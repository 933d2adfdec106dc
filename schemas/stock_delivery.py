from typing import Annotated

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
from .stock import LotName, MoveOut, PickingSummaryOut

DeliveryState = named_enum("DeliveryState", ("draft", "waiting", "confirmed", "assigned", "done", "cancel"))


class DeliveryListQuery(PageQuery):
    state: DeliveryState | None = Field(None, description="Only this state; default: every state but done and cancel")
    warehouse_id: Annotated[QueryId | None, Filter("picking_type_id.warehouse_id")] = Field(
        None, description="Only deliveries of this warehouse"
    )
    sale_order_id: Annotated[QueryId | None, Filter("sale_id")] = Field(
        None, description="Only deliveries of this sale order"
    )


class DeliveryLineIn(RequestBody):
    move_id: PositiveId = Field(description="The delivery line (stock.move id, `lines[].id` of the detail)")
    qty_done: Quantity = Field(description="Quantity delivered on this line (1 per serial)")
    lot_id: PositiveId | None = Field(None, description="Serial/lot to deliver (id)")
    lot_name: LotName | None = Field(None, description="Serial/lot to deliver (name)")

    @model_validator(mode="after")
    def _one_lot_reference(self):
        if self.lot_id and self.lot_name:
            raise ValueError("give lot_id or lot_name, not both")
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
