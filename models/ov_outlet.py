from odoo import fields, models


class OvOutlet(models.Model):
    """A sales outlet (shop, kiosk, field team) of a service account."""

    _name = "ov.outlet"
    _description = "Sales Outlet"
    _order = "account_id, name, id"

    name = fields.Char(required=True)
    code = fields.Char()
    account_id = fields.Many2one(
        "ov.serviced_account", string="Service Account", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    active = fields.Boolean(default=True)
    street = fields.Char()
    city = fields.Char()
    country_id = fields.Many2one("res.country")
    phone = fields.Char()

    _sql_constraints = [
        ("code_account_uniq", "unique(code, account_id)", "The outlet code must be unique within its SA."),
    ]
