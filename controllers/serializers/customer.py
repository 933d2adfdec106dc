"""Customers (res.partner governed by SAs) as the API shows them."""

from ..api_kit import id_name

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
