from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..helpers.replica import reads_a_replica

STAFF = "staff"
ROLE_CODES = [(STAFF, "Staff (manager)"), ("agent", "Agent")]


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

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # see _abs_roles_in_force
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    def _abs_roles_in_force(self, employee_id):
        """``((sa_id, role_code, company_id), ...)`` of an active employee's memberships in force.

        Read on every API request, so cached per worker. Whatever changes the answer clears
        the cache (memberships here, employees and SAs in their own write), and Odoo signals it
        to the other workers: an ended membership still takes effect on the very next request.
        The date is part of the key because a membership can end at midnight with no write.
        """
        today = fields.Date.context_today(self)
        if reads_a_replica(self.env.cr):
            return self._abs_roles_in_force_read(employee_id, today)  # never cache what a lagging replica says
        return self._abs_roles_in_force_on(employee_id, today)

    @api.model
    def _abs_staff_account_ids(self, employee_id):
        """The SAs where an employee is staff today: who approves orders, changes the catalogue, reads reports."""
        return {sa_id for sa_id, role, _company in self._abs_roles_in_force(employee_id) if role == STAFF}

    @api.model
    @tools.ormcache("employee_id", "today")
    def _abs_roles_in_force_on(self, employee_id, today):
        return self._abs_roles_in_force_read(employee_id, today)

    @api.model
    def _abs_roles_in_force_read(self, employee_id, today):
        memberships = self.sudo().search_fetch(
            [("employee_id", "=", employee_id), ("employee_id.active", "=", True)] + self._in_force_domain(),
            ["account_id", "role_code", "company_id"],
        )  # sudo: a cached answer must not depend on who asked first; callers are the API kit
        return tuple((m.account_id.id, m.role_code, m.company_id.id) for m in memberships)

    def action_end_membership(self):
        """End the membership today: the employee loses this SA on the next API request."""
        self.write({"date_to": fields.Date.context_today(self), "active": False})
