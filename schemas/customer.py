from pydantic import BaseModel, Field, field_validator

from .common import IdName, PageQuery, PageResponse, PositiveId, RequestBody


class CustomerWrite(RequestBody):
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=240, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    street: str | None = Field(None, max_length=240)
    city: str | None = Field(None, max_length=120)
    zip: str | None = Field(None, max_length=24)
    country_code: str | None = Field(None, min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    ref: str | None = Field(None, max_length=64, description="Your own reference for the customer")
    outlet_id: PositiveId | None = Field(None, description="Outlet of the acting SA where the customer was met")
    pin: str | None = Field(
        None, description="Portal PIN, 4 to 8 digits, for the customer login (stored hashed, never returned)"
    )

    @field_validator("pin")
    @classmethod
    def _pin_digits(cls, pin):
        if pin is not None and not (pin.isdigit() and 4 <= len(pin) <= 8):
            raise ValueError("must be 4 to 8 digits")
        return pin

    @field_validator("country_code")
    @classmethod
    def _upper(cls, code):
        return code.upper() if code else code


class CustomerCreate(CustomerWrite):
    name: str = Field(min_length=1, max_length=240)


class CustomerUpdate(CustomerWrite):
    name: str | None = Field(None, min_length=1, max_length=240)

    @field_validator("name")
    @classmethod
    def _name_not_null(cls, name):
        if name is None:
            raise ValueError("cannot be null")
        return name


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
    create_date: str


class CustomerResponse(BaseModel):
    success: bool = True
    customer: CustomerOut


class CustomerListResponse(PageResponse):
    customers: list[CustomerOut]
