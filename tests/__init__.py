from . import test_api_auth, test_api_customers, test_governance_models, test_openapi
