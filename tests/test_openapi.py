from openapi_spec_validator import validate

from odoo.tests import tagged

from ..controllers.api_kit import ROUTES
from .common import AbsHttpCase


@tagged("post_install", "-at_install")
class TestOpenApi(AbsHttpCase):
    def test_document_is_valid_openapi_31_and_lists_every_route(self):
        status, document, _r = self.api("GET", "/api/openapi.json")
        self.assertEqual(status, 200)
        self.assertEqual(document["openapi"], "3.1.0")
        validate(document)  # raises on an invalid document
        declared = {(route.path, route.method.lower()) for route in ROUTES}
        documented = {(path, method) for path, item in document["paths"].items() for method in item}
        self.assertEqual(declared, documented)
        self.assertIn(("/api/customers/{customer_id}", "put"), documented)

    def test_request_schemas_are_the_validating_ones(self):
        _status, document, _r = self.api("GET", "/api/openapi.json")
        create = document["paths"]["/api/customers"]["post"]
        ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
        self.assertIs(schema["additionalProperties"], False)
        self.assertIn("name", schema["required"])
        self.assertEqual(create["security"], [{"employeeJWT": []}, {"apiKey": []}])

    def test_docs_page_renders_from_the_packaged_swagger_ui(self):
        response = self.opener.get(self.base_url() + "/api/docs")
        self.assertEqual(response.status_code, 200)
        self.assertIn("/api/openapi.json", response.text)
        asset = self.opener.get(self.base_url() + "/api/docs/assets/swagger-ui-bundle.js")
        self.assertEqual(asset.status_code, 200)
        self.assertGreater(len(asset.content), 100_000)
        self.assertEqual(self.opener.get(self.base_url() + "/api/docs/assets/..%2F__init__.py").status_code, 404)
