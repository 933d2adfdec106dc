"""Assets (seed workflow 8, "Assets (asset_api.py)")."""

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
    PositiveId,
    QueryId,
    RequestBody,
    named_enum,
)

AssetState = named_enum("AssetState", ("active", "transferred", "inactive", "decommissioned"))


def _never_null(schema):
    schema.pop("default", None)


class AssetCreate(RequestBody):
    partner_id: PositiveId = Field(description="The customer holding the asset (a customer of the acting SA)")
    product_id: PositiveId | None = Field(None, description="The product; optional when `lot_id` is given")
    lot_id: PositiveId | None = Field(None, description="The serial number (stock.lot) of the unit")
    name: str | None = Field(None, min_length=1, max_length=240, description="Default: the product's name")
    asset_code: str | None = Field(None, max_length=120, description="Default: the serial number")
    installation_date: ApiDate | None = Field(None, description="Default: today")
    notes: str | None = Field(None, max_length=10_000)

    @model_validator(mode="after")
    def _unit_named(self):
        if not self.product_id and not self.lot_id:
            raise ValueError("give a product_id, a lot_id, or both")
        return self


class AssetUpdate(RequestBody):
    name: str = Field(None, min_length=1, max_length=240, json_schema_extra=_never_null)
    asset_code: str | None = Field(None, max_length=120)
    installation_date: ApiDate | None = None
    lot_id: PositiveId = Field(
        None, description="Swap: the serial that replaces the unit (same product)", json_schema_extra=_never_null
    )
    notes: str | None = Field(None, max_length=10_000, description="Replaces the notes")
    repair_note: str = Field(
        None,
        min_length=1,
        max_length=2_000,
        description="Appended to the notes with today's date",
        json_schema_extra=_never_null,
    )
    state: Literal["active", "inactive", "decommissioned"] = Field(
        None, description="Decommissioned is final", json_schema_extra=_never_null
    )


class AssetListQuery(PageQuery):
    partner_id: Annotated[QueryId | None, Filter("partner_id")] = Field(None, description="Only this customer's")
    sa_id: Annotated[QueryId | None, Filter("x_sa_id")] = Field(None, description="Only this service account's")
    state: Annotated[AssetState | None, Filter("state")] = None
    lot_id: Annotated[QueryId | None, Filter("lot_id")] = Field(None, description="Only this serial's")


class CustomerAssetListQuery(PageQuery):
    state: Annotated[AssetState | None, Filter("state")] = Field(
        None, description="Only this state (`active`: the units the customer holds now)"
    )


class LotBrief(BaseModel):
    id: int
    serial: str


class AssetOut(BaseModel):
    id: int
    name: str
    asset_code: str | None
    state: AssetState
    product: IdName
    customer: IdName
    lot: LotBrief | None
    installation_date: DateOut | None
    service_account: IdName | None
    actor: IdName | None
    delivery: IdName | None
    notes: str | None
    create_date: DateTimeOut | None


class AssetResponse(BaseModel):
    success: bool = True
    asset: AssetOut


class AssetListResponse(PageResponse):
    assets: list[AssetOut]


class CustomerAssetOut(BaseModel):
    """An asset as its customer sees it (the portal): no agent, delivery or internal notes."""

    id: int
    name: str
    asset_code: str | None
    state: AssetState
    product: IdName
    lot: LotBrief | None
    installation_date: DateOut | None
    service_account: IdName | None


class CustomerAssetResponse(BaseModel):
    success: bool = True
    asset: CustomerAssetOut


class CustomerAssetListResponse(PageResponse):
    assets: list[CustomerAssetOut]
