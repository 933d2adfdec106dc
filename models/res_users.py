from odoo import api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    abs_sa_ids = fields.Many2many(
        "ov.serviced_account",
        "abs_sa_user_rel",
        "user_id",
        "account_id",
        string="Service Accounts",
        help="The service accounts an SA Officer works for: an officer sees only their records, "
        "whatever other groups the user has. SA Administrators and head-office users see every SA.",
    )
    abs_sa_restricted = fields.Boolean(
        string="Restricted to Service Accounts",
        compute="_compute_abs_sa_restricted",
        help="An SA Officer who is not an SA Administrator: sees only the records of the service accounts listed.",
    )

    @api.depends("groups_id")
    def _compute_abs_sa_restricted(self):
        for user in self:
            user.abs_sa_restricted = user._abs_is_sa_restricted()

    @api.model
    def _get_invalidation_fields(self):
        # The record rules read a user's SAs (``_abs_sa_rule_domain``): Odoo caches rule domains per user.
        return super()._get_invalidation_fields() | {"abs_sa_ids"}

    # ------------------------------------------------------------------ SA scope in the backend

    def _abs_is_sa_restricted(self):
        """Officers are restricted to their SAs; administrators (and everyone else: head office) are not."""
        self.ensure_one()
        return self.has_group("abs_connector.group_abs_user") and not self.has_group("abs_connector.group_abs_manager")

    def _abs_sa_rule_domain(self, model_name, include_ungoverned=False):
        """The record-rule domain of a governed model for this user (``ir.rule`` evaluates it).

        Derived from the very domain the API scopes by (``ov.sa_governed.mixin._abs_sa_domain``), so both
        sides share one definition of "belongs to an SA". Head office: no restriction. A restricted user:
        the records governed by its SAs, plus, with ``include_ungoverned``, the records no SA governs
        (company-level partners: the company itself, vendors, users).
        """
        self.ensure_one()
        if not self._abs_is_sa_restricted():
            return [(1, "=", 1)]
        Model = self.env[model_name]
        account_ids = self.sudo().abs_sa_ids.ids  # sudo: a user's own SA list, whatever its read rights
        if include_ungoverned:
            return Model._abs_sa_visible_domain(account_ids)
        return Model._abs_sa_domain(account_ids)

    def _abs_default_sa(self):
        """The SA a record made by this backend user belongs to by default: its only SA, if it is restricted."""
        self.ensure_one()
        if not self._abs_is_sa_restricted():
            return self.env["ov.serviced_account"]
        accounts = self.sudo().abs_sa_ids  # sudo: see _abs_sa_rule_domain
        return accounts if len(accounts) == 1 else self.env["ov.serviced_account"]
