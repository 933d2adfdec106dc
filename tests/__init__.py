from . import test_api_auth
from . import test_stock_api
