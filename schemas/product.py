"""Catalogue schemas (seed workflow 1 and "Products (product_management.py)")."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from ..models.product_template import CONTRACT_TYPES, PU_CATEGORIES, PU_METRICS, SERVICE_TYPES
from .common import (
    MAX_QUANTITY,
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
from .payg import PaygPlanOut


def _keys(selection):
    return tuple(key for key, _label in selection)


PuCategory = named_enum("PuCategory", _keys(PU_CATEGORIES))
ServiceType = named_enum("ServiceType", _keys(SERVICE_TYPES))
ContractType = named_enum("ContractType", _keys(CONTRACT_TYPES))
PuMetric = named_enum("PuMetric", _keys(PU_METRICS))
# The seed's words (API-CONTRACT.md): storable = Odoo 18's consu + is_storable. Odoo's combo
# products are listed as they are but not created through the API.
ProductTypeIn = named_enum("ProductTypeIn", ("storable", "consu", "service"))
ProductType = named_enum("ProductType", ("storable", "consu", "service", "combo"))
Tracking = named_enum("Tracking", ("serial", "lot", "none"))
InvoicePolicy = named_enum("InvoicePolicy", ("order", "delivery"))
Price = Annotated[float, Field(ge=0, le=MAX_QUANTITY, allow_inf_nan=False)]
Sequence = Annotated[int, Field(ge=0, le=1_000_000)]


def _no_default(schema):
    schema.pop("default", None)


def optional(**kwargs):
    """An optional field that may not be null: absent leaves the value unchanged."""
    return Field(None, json_schema_extra=_no_default, **kwargs)


# --------------------------------------------------------------------------- products: bodies


class ProductWrite(RequestBody):
    default_code: str | None = Field(None, max_length=64, description="Internal reference (SKU)")
    barcode: str | None = Field(None, max_length=64)
    description: str | None = Field(None, max_length=4000, description="Sales description")
    product_type: ProductTypeIn = optional(
        description="storable (stock kept), consu (consumable) or service; default: what the PU category implies"
    )
    pu_category: PuCategory = optional(
        description="PU category; a new product without one is physical (or service for product_type service)"
    )
    service_type: ServiceType | None = Field(None, description="Only for PU category service")
    contract_type: ContractType | None = Field(None, description="Only for PU category contract")
    pu_metric: PuMetric | None = Field(None, description="How the product is measured")
    recurring_invoice: bool = optional(description="Billed by a subscription; only for contract and digital")
    tracking: Tracking = optional(description="serial or lot needs a storable product")
    invoice_policy: InvoicePolicy = optional(
        description="Default: delivery for storable goods, order for everything else"
    )
    list_price: Price = optional(description="Sales price")
    standard_price: Price = optional(description="Cost")
    category_id: PositiveId = optional(description="Product category")
    sale_ok: bool = optional(description="Can be sold")


class ProductCreate(ProductWrite):
    name: str = Field(min_length=1, max_length=240)
    shared: bool = Field(
        False,
        description="true: in the shared catalogue of every SA (API key only). false: stamped with the "
        "acting SA (X-SA-ID; an API key without X-SA-ID creates shared products).",
    )


class ProductUpdate(ProductWrite):
    name: str = optional(min_length=1, max_length=240)
    active: bool = optional(description="false archives (as DELETE does), true restores")


# --------------------------------------------------------------------------- products: queries


class ProductListQuery(PageQuery):
    pu_category: Annotated[PuCategory | None, Filter("x_pu_category")] = None
    x_pu_category: Annotated[PuCategory | None, Filter("x_pu_category")] = Field(
        None, description="The seed's name for pu_category"
    )
    product_type: Annotated[ProductType | None, Filter("abs_product_type")] = None
    recurring_invoice: Annotated[bool | None, Filter("recurring_invoice")] = None
    category_id: Annotated[QueryId | None, Filter("categ_id", "child_of")] = Field(
        None, description="Products of this category and its sub-categories"
    )
    q: str | None = Field(None, min_length=1, max_length=100, description="Search in name, reference and barcode")


class CategoryQuery(PageQuery):
    view: Literal["tree", "products"] = Field(
        "tree", description="tree: every category as a tree; products: the products of category_id (paged)"
    )
    category_id: QueryId | None = Field(None, description="With view=products: the category (sub-categories included)")


# --------------------------------------------------------------------------- products: answers


class StockFigures(BaseModel):
    qty_on_hand: float
    qty_reserved: float
    qty_available: float = Field(description="On hand less reserved: what can still be sold")
    qty_forecasted: float = Field(description="On hand + incoming − outgoing")


class CategoryRef(BaseModel):
    id: int
    name: str = Field(description="Full path, e.g. 'Off-Grid / Batteries'")


class ProductTaxOut(BaseModel):
    id: int
    name: str
    amount_type: str = Field(description="Odoo's: `percent`, `fixed`, `division`, `group`")
    amount: float
    price_include: bool = Field(description="The price already includes this tax")


class ProductPriceOut(BaseModel):
    """What a quotation line of the caller's acting SA gets for one unit (X-SA-ID, or the caller's only SA)."""

    pricelist: IdName | None = Field(
        description="The acting SA's pricelist; null: no SA picked or the SA has none (the sales price shows, "
        "and a quotation then uses the customer's pricelist)"
    )
    currency: str
    price_unit: float = Field(description="Unit price a quotation line gets (before discount)")
    taxes: list[ProductTaxOut] = Field(description="The product's customer taxes in the SA's company")
    price_tax_excluded: float
    price_tax_included: float


class ProductOut(BaseModel):
    id: int = Field(description="Product (variant) id, as order lines and stock use it")
    template_id: int
    name: str
    display_name: str
    default_code: str | None
    barcode: str | None
    description: str | None
    product_type: ProductType
    pu_category: PuCategory | None
    service_type: ServiceType | None
    contract_type: ContractType | None
    pu_metric: PuMetric | None
    recurring_invoice: bool
    tracking: Tracking
    invoice_policy: InvoicePolicy | None
    list_price: float
    uom: IdName
    category: CategoryRef | None
    service_account: IdName | None = Field(description="null: shared by every SA")
    sale_ok: bool
    active: bool
    has_bop: bool = Field(description="A Bill of Products exists for this product (/api/products/<id>/bop)")
    stock: StockFigures | None = Field(description="Live stock of a storable product; null for the others")
    price: ProductPriceOut
    payg_plan: PaygPlanOut | None = Field(None, description="The pay-as-you-go plan it is sold on; null: none")


class ProductResponse(BaseModel):
    success: bool = True
    product: ProductOut


class ProductListResponse(PageResponse):
    products: list[ProductOut]


class CategoryNode(BaseModel):
    id: int
    name: str
    complete_name: str
    parent_id: int | None
    unscoped: bool = Field(description="Its products are seen by every SA, whatever their service account")
    product_count: int = Field(description="Products you can see directly in this category")
    children: list["CategoryNode"]


class CategoriesResponse(BaseModel):
    success: bool = True
    categories: list[CategoryNode] | None = Field(None, description="view=tree: the root categories")
    category: CategoryRef | None = Field(None, description="view=products: the category")
    total: int | None = Field(None, description="view=products")
    page: int | None = Field(None, description="view=products")
    limit: int | None = Field(None, description="view=products")
    products: list[ProductOut] | None = Field(None, description="view=products")


# --------------------------------------------------------------------------- bills of products


class BopLineCreate(RequestBody):
    product_id: PositiveId
    quantity: Quantity = 1.0
    sequence: Sequence = optional(description="Order of the lines (default 10)")
    property_value_id: PositiveId | None = Field(
        None, description="The line applies only when this option value is chosen"
    )


class BopLineUpdate(RequestBody):
    product_id: PositiveId = optional()
    quantity: Quantity = optional()
    sequence: Sequence = optional()
    property_value_id: PositiveId | None = Field(None, description="null: the line always applies")


class BopValueOut(BaseModel):
    id: int
    name: str


class BopPropertyOut(BaseModel):
    id: int
    name: str
    values: list[BopValueOut]


class BopLineValueOut(BaseModel):
    id: int
    name: str
    property_id: int


class BopLineOut(BaseModel):
    id: int
    sequence: int
    product: ProductOut
    quantity: float
    uom: IdName
    property_value: BopLineValueOut | None = Field(description="null: the line always applies")


class BopOut(BaseModel):
    id: int
    name: str
    code: str | None
    product: IdName | None = Field(description="The package product")
    service_account: IdName | None = Field(description="null: shared by every SA")
    company: IdName
    lines: list[BopLineOut]
    properties: list[BopPropertyOut] = Field(description="Options to choose, one value each")


class BopResponse(BaseModel):
    success: bool = True
    bop: BopOut


class BopLineResponse(BopResponse):
    line: BopLineOut
