"""Warehouse & stock schemas (seed: "Warehouse & Stock (stock_api.py)" and workflow 0)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .common import (
    MAX_QUANTITY,
    ApiDate,
    ApiDateTime,
    DateTimeOut,
    Filter,
    IdName,
    PageQuery,
    PageResponse,
    PositiveId,
    Quantity,
    QueryId,
    QueryParams,
    RequestBody,
    named_enum,
    start_of_day,
    start_of_next_day,
)
from .product import Tracking

PICKING_STATES = ("draft", "waiting", "confirmed", "assigned", "done", "cancel")
PickingState = named_enum("PickingState", PICKING_STATES, "State of a receipt, delivery or transfer")
PickingStateFilter = named_enum("PickingStateFilter", (*PICKING_STATES, "active"), "A picking state, or active")
MoveState = named_enum(
    "MoveState", ("draft", "waiting", "confirmed", "partially_available", "assigned", "done", "cancel")
)
# What a stock movement was: a picking's operation type, else an inventory count or a scrap.
MovementType = named_enum("MovementType", ("incoming", "outgoing", "internal", "inventory", "scrap", "other"))
ScrapState = named_enum("ScrapState", ("draft", "done"))
# A counted quantity: zero is a count too (nothing left).
CountedQuantity = Annotated[float, Field(ge=0, le=MAX_QUANTITY, allow_inf_nan=False)]
LotName = Annotated[str, Field(min_length=1, max_length=128)]


# --------------------------------------------------------------------------- queries


def _with_shared(company_id):
    return [company_id, False]  # a record of no company (a shared lot) belongs to every company


class CompanyFilter(QueryParams):
    """``company_id`` on every stock read (seed 0b's ``?company_id=``): a filter, 404 for a company not the caller's."""

    company_id: Annotated[QueryId | None, Filter("company_id", "in", _with_shared)] = Field(
        None,
        description="Only this company's records and the shared ones (one of the caller's companies; another "
        "answers 404)",
    )


class WarehouseListQuery(PageQuery, CompanyFilter):
    pass


class StockLevelsQuery(PageQuery, CompanyFilter):
    limit: int = Field(50, ge=1, le=200, description="Page size, at most 200")
    product_id: QueryId | None = None
    warehouse_id: QueryId | None = None


class ProductLevelsQuery(CompanyFilter):
    warehouse_id: QueryId | None = None


class LotListQuery(PageQuery, CompanyFilter):
    product_id: Annotated[QueryId | None, Filter("product_id")] = None
    available: bool | None = Field(
        None,
        description="true: only lots with a quantity free to deliver (on hand, not reserved) in an internal "
        "location; false: only lots without",
    )
    serial: Annotated[str | None, Filter("name")] = Field(
        None, min_length=1, max_length=128, description="Exact serial/lot name"
    )
    q: Annotated[str | None, Filter("name", "ilike")] = Field(
        None, min_length=1, max_length=128, description="Part of the serial/lot name"
    )


class LotLookupQuery(QueryParams):
    product_id: QueryId | None = Field(None, description="Only needed when two products share the serial name")


class ReceiptListQuery(PageQuery, CompanyFilter):
    state: PickingStateFilter = Field("active", description="A picking state, or 'active' (neither done nor cancelled)")
    warehouse_id: Annotated[QueryId | None, Filter("picking_type_id.warehouse_id")] = None
    partner_id: Annotated[QueryId | None, Filter("partner_id")] = None


class MovementListQuery(PageQuery, CompanyFilter):
    product_id: Annotated[QueryId | None, Filter("product_id")] = None
    lot_id: Annotated[QueryId | None, Filter("move_line_ids.lot_id")] = None
    location_id: QueryId | None = Field(None, description="Source or destination")
    picking_type: Annotated[Literal["incoming", "outgoing", "internal"] | None, Filter("picking_type_id.code")] = None
    state: Literal["done", "not_done", "all"] = Field("all", description="done moves, pending ones, or both")
    date_from: Annotated[ApiDate | None, Filter("date", ">=", start_of_day)] = None
    date_to: Annotated[ApiDate | None, Filter("date", "<", start_of_next_day)] = None


# --------------------------------------------------------------------------- bodies


class ReceiveLine(RequestBody):
    """One product received; the seed spells the quantity ``qty`` or ``quantity`` and lots ``lot_name`` or ``lots``."""

    product_id: PositiveId
    qty: Quantity | None = None
    quantity: Quantity | None = None
    lot_name: LotName | None = None
    lots: list[str] | None = Field(None, min_length=1, max_length=10000)

    @field_validator("lots")
    @classmethod
    def _clean_lots(cls, lots):
        if lots is not None:
            lots = [name.strip() for name in lots]
            if any(not name or len(name) > 128 for name in lots):
                raise ValueError("lot names must be 1 to 128 characters")
        return lots

    @model_validator(mode="after")
    def _one_spelling(self):
        if self.qty is not None and self.quantity is not None:
            raise ValueError("give either qty or quantity, not both")
        if self.lot_name is not None and self.lots is not None:
            raise ValueError("give either lot_name or lots, not both")
        if self.qty is None and self.quantity is None and not self.lots:
            raise ValueError("quantity is required")
        return self

    @property
    def lot_names(self):
        return self.lots if self.lots is not None else ([self.lot_name] if self.lot_name else [])

    @property
    def received_qty(self):
        if self.qty is not None or self.quantity is not None:
            return self.qty if self.qty is not None else self.quantity
        return float(len(self.lots))


class ReceiveRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partner_id": 7,
                    "origin": "PO0042",
                    "lines": [{"product_id": 12, "quantity": 2, "lots": ["SK200-0001", "SK200-0002"]}],
                }
            ]
        }
    )
    warehouse_id: PositiveId | None = Field(None, description="Default: the company's first warehouse")
    partner_id: PositiveId | None = Field(None, description="Supplier (alias: supplier_id)")
    supplier_id: PositiveId | None = Field(None, description="Supplier (alias of partner_id)")
    scheduled_date: ApiDateTime | ApiDate | None = None
    origin: str | None = Field(None, max_length=128, description="Source document, e.g. a PO number")
    validate_: bool = Field(True, alias="validate", description="Validate at once (stock increases now)")
    lines: list[ReceiveLine] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_supplier(self):
        if self.partner_id and self.supplier_id and self.partner_id != self.supplier_id:
            raise ValueError("partner_id and supplier_id disagree")
        return self


class AdjustmentLine(RequestBody):
    product_id: PositiveId
    lot_id: PositiveId | None = None
    location_id: PositiveId | None = Field(None, description="Default: the warehouse's stock location")
    quantity_counted: CountedQuantity


class AdjustmentRequest(RequestBody):
    warehouse_id: PositiveId | None = Field(None, description="Default: the company's first warehouse")
    reason: str | None = Field(None, max_length=256)
    lines: list[AdjustmentLine] = Field(min_length=1, max_length=500)


class TransferLine(RequestBody):
    product_id: PositiveId
    qty: Quantity | None = None
    quantity: Quantity | None = None
    lot_id: PositiveId | None = None

    @model_validator(mode="after")
    def _one_spelling(self):
        if (self.qty is None) == (self.quantity is None):
            raise ValueError("give the quantity as qty (or quantity), once")
        return self

    @property
    def moved_qty(self):
        return self.qty if self.qty is not None else self.quantity


class TransferRequest(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"from_location_id": 8, "to_location_id": 20, "lines": [{"product_id": 12, "qty": 5}]}]
        }
    )
    from_location_id: PositiveId
    to_location_id: PositiveId
    validate_: bool = Field(True, alias="validate", description="Validate at once")
    lines: list[TransferLine] = Field(min_length=1, max_length=500)


class ScrapRequest(RequestBody):
    product_id: PositiveId
    lot_id: PositiveId | None = None
    quantity: Quantity
    location_id: PositiveId | None = Field(None, description="Default: the company's first warehouse stock")
    reason: str | None = Field(None, max_length=256)


# --------------------------------------------------------------------------- responses


class WarehouseLocations(BaseModel):
    input: IdName | None
    stock: IdName | None
    pack: IdName | None
    output: IdName | None


class WarehouseOut(BaseModel):
    id: int
    name: str
    short_name: str
    company: IdName
    locations: WarehouseLocations


class WarehouseListResponse(PageResponse):
    warehouses: list[WarehouseOut]


class Quantities(BaseModel):
    qty_on_hand: float
    qty_reserved: float
    qty_available: float


class LevelOut(Quantities):
    product: IdName
    location: IdName


class LevelListResponse(PageResponse):
    levels: list[LevelOut]


class ProductBrief(BaseModel):
    id: int
    name: str
    default_code: str | None
    tracking: Tracking


class LocationLevel(Quantities):
    location: IdName


class Totals(Quantities):
    qty_forecasted: float


class ProductLevelsResponse(BaseModel):
    success: bool = True
    product: ProductBrief
    by_location: list[LocationLevel]
    totals: Totals


class LotOut(BaseModel):
    id: int
    serial: str
    ref: str | None
    product: IdName
    qty_on_hand: float = Field(description="In internal locations")
    qty_reserved: float = Field(description="Of that, reserved by deliveries (a serial another delivery holds)")
    qty_available: float = Field(description="Free to deliver: on hand less reserved")
    available: bool = Field(description="Something is free to deliver (`qty_available` > 0)")


class LotListResponse(PageResponse):
    lots: list[LotOut]


class LotHolder(BaseModel):
    asset_id: int
    service_account: IdName | None
    customer: IdName


class LotResponse(BaseModel):
    success: bool = True
    lot: LotOut
    locations: list[LocationLevel]
    holder: LotHolder | None = Field(
        description="The serial's active asset: its customer and SA; null when none, or of an SA the caller cannot see"
    )


class PickingSummaryOut(BaseModel):
    id: int
    name: str
    state: PickingState
    scheduled_date: DateTimeOut | None
    date_done: DateTimeOut | None
    origin: str | None
    location_from: IdName | None
    location_to: IdName | None
    move_count: int


class ReceiptOut(PickingSummaryOut):
    supplier: IdName | None


class ReceiptListResponse(PageResponse):
    receipts: list[ReceiptOut]


class MoveOut(BaseModel):
    id: int
    product: IdName
    qty_ordered: float
    qty_done: float
    uom: IdName
    state: MoveState
    lot_ids: list[int]


class ReceiptDetail(ReceiptOut):
    lines: list[MoveOut]


class ReceiptResponse(BaseModel):
    success: bool = True
    receipt: ReceiptDetail


class MovementOut(BaseModel):
    id: int
    date: DateTimeOut | None
    reference: str | None
    type: MovementType
    state: MoveState
    product: IdName
    qty_ordered: float
    qty_done: float
    uom: IdName
    from_location: IdName
    to_location: IdName
    picking: IdName | None
    lot_ids: list[int]


class MovementListResponse(PageResponse):
    movements: list[MovementOut]


class PickingBrief(BaseModel):
    id: int
    name: str
    state: PickingState


class PickingCreatedResponse(BaseModel):
    success: bool = True
    message: str
    picking: PickingBrief


class AdjustedOut(LevelOut):
    lot: IdName | None


class AdjustmentResponse(BaseModel):
    success: bool = True
    message: str
    adjusted: list[AdjustedOut]


class ScrapOut(BaseModel):
    id: int
    name: str
    state: ScrapState
    product: IdName
    lot: IdName | None
    quantity: float
    location: IdName


class ScrapResponse(BaseModel):
    success: bool = True
    message: str
    scrap: ScrapOut
