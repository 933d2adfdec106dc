"""Request and response schemas (pydantic v2): they validate API input and generate /api/openapi.json."""

from . import common
from . import auth
from . import customer
from . import stock_delivery
from . import stock
