from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

MAX_PAGE_SIZE = 200

# JSON bodies: an id is a positive JSON integer ("5" is refused). Query strings arrive as text,
# so there an id is coerced from its digits.
PositiveId = Annotated[int, Field(gt=0, strict=True)]
QueryId = Annotated[int, Field(gt=0)]


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
