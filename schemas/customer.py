from pydantic import BaseModel, Field, field_validator

from .common import DateTimeOut, IdName, PageQuery, PageResponse, PositiveId, RequestBody


class CustomerWrite(RequestBody):
    phone: str | None = Field(None, max_length=32, examples=["+228 90 11 22 33"])
    email: str | None = Field(
        None, max_length=240, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", examples=["marie.dupont@example.com"]
    )
    street: str | None = Field(None, max_length=240)
    city: str | None = Field(None, max_length=120)
    zip: str | None = Field(None, max_length=24)
    country_code: str | None = Field(
        None, min_length=2, max_length=2, description="ISO 3166-1 alpha-2", examples=["TG"]
    )
    ref: str | None = Field(None, max_length=64, description="Your own reference for the customer")
    outlet_id: PositiveId | None = Field(None, description="Outlet of the acting SA where the customer was met")
    pin: str | None = Field(
        None,
        pattern=r"^[0-9]{4,8}$",
        examples=["1234"],
        description="Portal PIN, 4 to 8 digits, for the customer login (stored hashed, never returned)",
    )

    @field_validator("country_code")
    @classmethod
    def _upper(cls, code):
        return code.upper() if code else code


class CustomerCreate(CustomerWrite):
    name: str = Field(min_length=1, max_length=240)


class CustomerUpdate(CustomerWrite):
    # Optional, but never null: typed str with no default in the document, so it says so too.
    name: str = Field(None, min_length=1, max_length=240, json_schema_extra=lambda schema: schema.pop("default"))


class CustomerListQuery(PageQuery):
    q: str | None = Field(None, max_length=100, description="Search in name, phone, email and reference")


class CustomerOut(BaseModel):
    id: int
    name: str
    phone: str | None
    email: str | None
    street: str | None
    city: str | None
    zip: str | None
    country_code: str | None
    ref: str | None
    has_portal_pin: bool
    service_accounts: list[IdName]
    outlet: IdName | None
    created_by: IdName | None
    create_date: DateTimeOut


class CustomerResponse(BaseModel):
    success: bool = True
    customer: CustomerOut


class CustomerListResponse(PageResponse):
    customers: list[CustomerOut]
