from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    abs_sa_ids = fields.Many2many(
        "ov.serviced_account",
        "abs_sa_user_rel",
        "user_id",
        "account_id",
        string="Service Accounts",
        help="Service accounts whose records this backend user sees (SA Officer). "
        "SA Administrators see every SA of their companies.",
    )
