from . import test_api_auth
from . import test_api_customers
from . import test_governance_models
from . import test_openapi
from . import test_stock_deliveries
from . import test_stock_concurrency
from . import test_stock_api
from . import test_api_every_route
