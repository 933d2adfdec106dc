from odoo import api, fields, models
from odoo.exceptions import ValidationError

ROLE_CODES = [("staff", "Staff (manager)"), ("agent", "Agent")]


class OvMembership(models.Model):
    """An employee's authority inside one service account."""

    _name = "ov.membership"
    _description = "Service Account Membership"
    _order = "account_id, employee_id, id"

    employee_id = fields.Many2one("abs.employee", required=True, ondelete="cascade", index=True)
    account_id = fields.Many2one(
        "ov.serviced_account", string="Service Account", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    role_code = fields.Selection(ROLE_CODES, required=True, default="agent")
    active = fields.Boolean(default=True)
    date_from = fields.Date(default=fields.Date.context_today)
    date_to = fields.Date(help="Last day of the membership; empty means open-ended.")

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for membership in self:
            if membership.date_from and membership.date_to and membership.date_to < membership.date_from:
                raise ValidationError(self.env._("A membership cannot end before it starts."))

    @api.constrains("employee_id", "account_id", "active")
    def _check_single_active(self):
        for membership in self.filtered("active"):
            duplicates = self.search_count(
                [
                    ("id", "!=", membership.id),
                    ("employee_id", "=", membership.employee_id.id),
                    ("account_id", "=", membership.account_id.id),
                    ("active", "=", True),
                ]
            )
            if duplicates:
                raise ValidationError(
                    self.env._(
                        "%(employee)s already has an active membership in %(sa)s.",
                        employee=membership.employee_id.name,
                        sa=membership.account_id.name,
                    )
                )

    @api.model
    def _in_force_domain(self):
        today = fields.Date.context_today(self)
        return [
            ("active", "=", True),
            ("account_id.active", "=", True),
            "|",
            ("date_from", "=", False),
            ("date_from", "<=", today),
            "|",
            ("date_to", "=", False),
            ("date_to", ">=", today),
        ]

    def action_end_membership(self):
        """End the membership today: the employee loses this SA on the next API request."""
        self.write({"date_to": fields.Date.context_today(self), "active": False})
