from odoo import http

from ..schemas.customer import CustomerCreate, CustomerListQuery, CustomerListResponse, CustomerResponse, CustomerUpdate
from .api_kit import API_KEY, EMPLOYEE, Link, api_route, page_payload, search_page
from .serializers.customer import CUSTOMER_FIELDS, serialize_customers

# OpenAPI links of a customer answer: read it back, change it, see its account.
THE_CUSTOMER = {"customer_id": "$response.body#/customer/id"}
CUSTOMER_LINKS = {
    "GetCustomer": Link("GET", "/api/customers/{customer_id}", THE_CUSTOMER),
    "UpdateCustomer": Link("PUT", "/api/customers/{customer_id}", THE_CUSTOMER),
    "CustomerDashboard": Link("GET", "/api/customers/{customer_id}/dashboard", THE_CUSTOMER),
}


def get_customer(ctx, customer_id):
    """The customer if the caller may see it; 404 otherwise, also for another SA's customer."""
    return ctx.get_governed("res.partner", customer_id, what="Customer")


class AbsCustomerController(http.Controller):
    @api_route(
        "/api/customers",
        "POST",
        auth=(EMPLOYEE, API_KEY),
        body=CustomerCreate,
        response=CustomerResponse,
        status=201,
        tags=("Customers",),
        links=CUSTOMER_LINKS,
    )
    def create_customer(self, ctx, body, query):
        """Create a customer in the acting SA (stamped and assigned); optional portal PIN."""
        account = ctx.require_sa()
        partner = ctx.env["res.partner"]._abs_create_customer(
            body.model_dump(exclude_unset=True), account, ctx.employee
        )
        return {"customer": serialize_customers(partner)[0]}

    @api_route(
        "/api/customers",
        "GET",
        auth=(EMPLOYEE, API_KEY),
        query=CustomerListQuery,
        response=CustomerListResponse,
        tags=("Customers",),
    )
    def list_customers(self, ctx, body, query):
        """Customers of the caller's SAs, newest first; ``q`` searches name, phone, email, reference."""
        domain = ctx.governed_domain("res.partner")
        if query.q:
            domain += [
                "|",
                "|",
                "|",
                ("name", "ilike", query.q),
                ("phone", "ilike", query.q),
                ("email", "ilike", query.q),
                ("ref", "ilike", query.q),
            ]
        partners, total = search_page(ctx.env["res.partner"], domain, CUSTOMER_FIELDS, query, order="id desc")
        return page_payload(query, total, "customers", serialize_customers(partners))

    @api_route(
        "/api/customers/{customer_id}", "GET", auth=(EMPLOYEE, API_KEY), response=CustomerResponse, tags=("Customers",)
    )
    def get_customer(self, ctx, body, query, customer_id):
        """One customer of the caller's SAs."""
        return {"customer": serialize_customers(get_customer(ctx, customer_id))[0]}

    @api_route(
        "/api/customers/{customer_id}",
        "PUT",
        auth=(EMPLOYEE, API_KEY),
        body=CustomerUpdate,
        response=CustomerResponse,
        tags=("Customers",),
        links={"GetCustomer": CUSTOMER_LINKS["GetCustomer"]},
    )
    def update_customer(self, ctx, body, query, customer_id):
        """Update a customer's details or portal PIN; absent fields are left unchanged."""
        partner = get_customer(ctx, customer_id)
        partner._abs_update_customer(body.model_dump(exclude_unset=True), ctx.sa)
        return {"customer": serialize_customers(partner)[0]}
