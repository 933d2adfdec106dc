from odoo import api, fields, models


class OvServicedAccount(models.Model):
    """A service account (SA): the governance unit that owns commercial activity."""

    _name = "ov.serviced_account"
    _description = "Service Account"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    code = fields.Char(required=True, help="Short code of the SA, unique within its company (e.g. TG).")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    approval_threshold = fields.Monetary(
        currency_field="currency_id",
        help="Quotations whose total exceeds this amount need a staff member's approval. "
        "Zero means every quotation can be confirmed without approval.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Pricelist",
        check_company=True,
        help="Prices of this SA's quotations; empty: the customer's own pricelist. "
        "A line sold below this price is a discount, which needs a staff member's approval.",
    )
    membership_ids = fields.One2many("ov.membership", "account_id", string="Memberships")
    outlet_ids = fields.One2many("ov.outlet", "account_id", string="Outlets")
    membership_count = fields.Integer(compute="_compute_counts")
    customer_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "The SA code must be unique per company."),
        ("approval_threshold_positive", "CHECK(approval_threshold >= 0)", "The approval threshold cannot be negative."),
    ]

    def write(self, vals):
        if {"active", "company_id"} & set(vals):
            self.env.registry.clear_cache()  # the API's cached memberships in force (ov.membership)
        return super().write(vals)

    def _compute_counts(self):
        memberships = dict(
            self.env["ov.membership"]._read_group([("account_id", "in", self.ids)], ["account_id"], ["__count"])
        )
        customers = dict(
            self.env["ov.sa_customer_assignment"]._read_group(
                [("account_id", "in", self.ids), ("state", "=", "active")], ["account_id"], ["__count"]
            )
        )
        for account in self:
            account.membership_count = memberships.get(account, 0)
            account.customer_count = customers.get(account, 0)

    @api.depends("code")
    def _compute_display_name(self):
        for account in self:
            account.display_name = f"[{account.code}] {account.name}" if account.code else account.name

    def action_view_customers(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customers of %(sa)s", sa=self.name),
            "res_model": "ov.sa_customer_assignment",
            "view_mode": "list,form",
            "domain": [("account_id", "=", self.id)],
            "context": {"default_account_id": self.id},
        }

    def action_view_memberships(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Members of %(sa)s", sa=self.name),
            "res_model": "ov.membership",
            "view_mode": "list,form",
            "domain": [("account_id", "=", self.id)],
            "context": {"default_account_id": self.id, "active_test": False},
        }
