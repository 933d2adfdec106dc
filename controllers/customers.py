from odoo import http

from ..schemas.customer import CustomerCreate, CustomerListQuery, CustomerListResponse, CustomerResponse, CustomerUpdate
from .api_kit import API_KEY, EMPLOYEE, api_route, id_name, page_payload, search_page

CUSTOMER_FIELDS = [
    "name",
    "phone",
    "email",
    "street",
    "city",
    "zip",
    "country_id",
    "ref",
    "x_outlet_id",
    "x_actor_id",
    "create_date",
    "abs_login_phone",
]


def serialize_customers(partners):
    """API form of customers; a fixed number of queries whatever the number of partners."""
    Assignment = partners.env["ov.sa_customer_assignment"]
    by_partner = {}
    for assignment in Assignment.search_fetch(
        [("partner_id", "in", partners.ids), ("state", "=", "active")], ["partner_id", "account_id"], order="id"
    ):
        by_partner.setdefault(assignment.partner_id.id, []).append(id_name(assignment.account_id))
    return [
        {
            "id": partner.id,
            "name": partner.name,
            "phone": partner.phone or None,
            "email": partner.email or None,
            "street": partner.street or None,
            "city": partner.city or None,
            "zip": partner.zip or None,
            "country_code": partner.country_id.code or None,
            "ref": partner.ref or None,
            "has_portal_pin": bool(partner.abs_login_phone),
            "service_accounts": by_partner.get(partner.id, []),
            "outlet": id_name(partner.x_outlet_id),
            "created_by": id_name(partner.x_actor_id),
            "create_date": partner.create_date,
        }
        for partner in partners
    ]


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
    )
    def update_customer(self, ctx, body, query, customer_id):
        """Update a customer's details or portal PIN; absent fields are left unchanged."""
        partner = get_customer(ctx, customer_id)
        partner._abs_update_customer(body.model_dump(exclude_unset=True), ctx.sa)
        return {"customer": serialize_customers(partner)[0]}
