from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

MAX_PAGE_SIZE = 200
MAX_PAGE = 1_000_000  # keeps the offset a sane number whatever the page size
MAX_DB_INT = 2**31 - 1  # PostgreSQL integer: every id column
# Dates a person can mean, and that date arithmetic (end of day, +1 day) cannot overflow.
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2999, 12, 31)
# Quantities and amounts: finite, and far above any real order (1e300 units is a typo or an attack).
MAX_QUANTITY = 1e9

# JSON bodies: an id is a positive JSON integer ("5" is refused). Query strings arrive as text,
# so there an id is coerced from its digits (ASCII only: "٣" is not an id).
PositiveId = Annotated[int, Field(gt=0, le=MAX_DB_INT, strict=True)]
QueryId = Annotated[int, Field(gt=0, le=MAX_DB_INT)]
ApiDate = Annotated[date, Field(ge=MIN_DATE, le=MAX_DATE, description="ISO 8601 date, years 1900 to 2999")]
Quantity = Annotated[float, Field(gt=0, le=MAX_QUANTITY, allow_inf_nan=False)]


@dataclass(frozen=True)
class Filter:
    """Marks a list query parameter as a filter: ``Annotated[QueryId | None, Filter("partner_id")]``.

    The API kit turns every filter that has a value into the domain term ``(field, operator, value)``
    (``convert`` adapts the value first, e.g. a date to the end of that day); see ``api_kit.filters_domain``.
    """

    field: str
    operator: str = "="
    convert: Any = None

    def term(self, value):
        return (self.field, self.operator, self.convert(value) if self.convert else value)


def start_of_day(day):
    """``Filter(..., ">=", convert=start_of_day)``: a date filter on a datetime field, from that day on."""
    return datetime.combine(day, time.min)


def start_of_next_day(day):
    """``Filter(..., "<", convert=start_of_next_day)``: a date filter on a datetime field, that day included."""
    return datetime.combine(day + timedelta(days=1), time.min)


class RequestBody(BaseModel):
    """Base of every JSON body: an unknown field is an error, never silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class QueryParams(BaseModel):
    """Base of query-string schemas: values arrive as strings and are coerced."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, allow_inf_nan=False)


class PageQuery(QueryParams):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="1-based page number")
    limit: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description=f"Page size, at most {MAX_PAGE_SIZE}")


class IdName(BaseModel):
    id: int
    name: str


class ErrorResponse(BaseModel):
    success: bool = False
    error: str
    code: str
    details: dict | None = None


class PageResponse(BaseModel):
    success: bool = True
    total: int
    page: int
    limit: int
