from . import test_api_auth
