from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema

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
# Answers: a datetime is RFC 3339 in UTC with its zone ("2026-12-05T21:27:52Z", see api_kit.dumps), a date YYYY-MM-DD.
DateTimeOut = Annotated[datetime, Field(description="RFC 3339 datetime in UTC, e.g. 2026-12-05T21:27:52Z")]
DateOut = Annotated[date, Field(description="Date, YYYY-MM-DD")]
# Requests: RFC 3339 says a datetime carries its zone; one without is refused, not guessed.
ApiDateTime = Annotated[AwareDatetime, Field(description="RFC 3339 datetime with its zone, e.g. 2026-12-05T21:27:52Z")]
Quantity = Annotated[float, Field(gt=0, le=MAX_QUANTITY, allow_inf_nan=False)]


# name -> JSON schema of every named enum: the OpenAPI document's components (controllers/openapi.py).
ENUMS = {}


def named_enum(name, values, description=None):
    """A ``Literal`` of ``values`` (what validates) that the OpenAPI document shows as the component ``name``.

    Requests, answers and list filters that take the same values use the same alias, so a generated
    client has one type for them (``DeliveryState``), not one per field.
    """
    values = tuple(values)
    schema = {"type": "string", "enum": list(values), **({"description": description} if description else {})}
    if ENUMS.setdefault(name, schema) != schema:
        raise TypeError(f"two different enums are named {name}")
    return Annotated[Literal[values], WithJsonSchema(enum_marker(name))]


def enum_marker(name):
    """Where the named enum ``name`` goes: controllers/openapi.py turns it into a ``$ref`` to its component.

    (A ``$ref`` written here would be looked up by pydantic among the models' own definitions.)
    """
    return {NAMED_ENUM_KEY: name}


NAMED_ENUM_KEY = "x-abs-named-enum"


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


class ErrorDetails(BaseModel):
    """What an error adds to its message: ``fields`` for invalid input, other keys by code."""

    model_config = ConfigDict(extra="allow")

    fields: dict[str, str] | None = Field(
        None,
        description="Invalid input: each wrong field (a dotted path into the body or query, `__root__` for the "
        "whole) and what is wrong with it",
        examples=[{"lines.0.quantity": "Input should be greater than 0"}],
    )


class ErrorResponse(BaseModel):
    success: bool = False
    error: str = Field(description="What went wrong, for a person")
    # The ErrorCode component lists every code with its status (controllers/api_kit.error_codes).
    code: Annotated[str, WithJsonSchema(enum_marker("ErrorCode"))]
    details: ErrorDetails | None = None


class PageResponse(BaseModel):
    success: bool = True
    total: int
    page: int
    limit: int
