from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

MAX_PAGE_SIZE = 200

# JSON bodies: an id is a positive JSON integer ("5" is refused). Query strings arrive as text,
# so there an id is coerced from its digits.
PositiveId = Annotated[int, Field(gt=0, strict=True)]
QueryId = Annotated[int, Field(gt=0)]


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


class RequestBody(BaseModel):
    """Base of every JSON body: an unknown field is an error, never silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class QueryParams(BaseModel):
    """Base of query-string schemas: values arrive as strings and are coerced."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class PageQuery(QueryParams):
    page: int = Field(1, ge=1, description="1-based page number")
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
