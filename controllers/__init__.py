from . import api_kit, auth, customers, openapi
