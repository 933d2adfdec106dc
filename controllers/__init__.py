from . import api_kit
from . import auth
from . import customers
from . import openapi
from . import stock_deliveries
from . import stock_api
from . import products
from . import orders
