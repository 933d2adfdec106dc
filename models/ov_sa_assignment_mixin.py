from odoo import api, fields, models
from odoo.exceptions import ValidationError


class OvSaAssignmentMixin(models.AbstractModel):
    """V3 governance: which service account governs a record, since when, and who put it there.

    A concrete assignment model adds the Many2one to the governed record and names it in
    ``_governed_field``. Rows are never deleted: ending an assignment keeps the history.
    """

    _name = "ov.sa_assignment.mixin"
    _description = "Service Account Assignment (abstract)"
    _order = "date_from desc, id desc"
    _governed_field = None

    account_id = fields.Many2one(
        "ov.serviced_account", string="Service Account", required=True, ondelete="restrict", index=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    actor_id = fields.Many2one("abs.employee", ondelete="set null", index=True)
    state = fields.Selection([("active", "Active"), ("ended", "Ended")], required=True, default="active", index=True)
    date_from = fields.Date(required=True, default=fields.Date.context_today)
    date_to = fields.Date()

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for assignment in self:
            if assignment.date_to and assignment.date_to < assignment.date_from:
                raise ValidationError(self.env._("An assignment cannot end before it starts."))

    @api.model
    def _assign(self, records, account, actor=None):
        """Dual-write: make ``account`` the active governor of ``records`` (idempotent)."""
        field = self._governed_field
        existing = self.search([(field, "in", records.ids), ("account_id", "=", account.id), ("state", "=", "active")])
        already = set(existing.mapped(f"{field}.id"))
        return existing | self.create(
            [
                {field: record.id, "account_id": account.id, "actor_id": actor.id if actor else False}
                for record in records
                if record.id not in already
            ]
        )

    @api.model
    def _governed_ids_domain(self, account_ids):
        """Domain on the governed model: records with an active assignment in ``account_ids``.

        ``account_ids=None`` means any SA: governed records only, whichever their SA.
        """
        reverse = self._fields[self._governed_field]
        comodel = self.env[reverse.comodel_name]
        one2many = next(
            name
            for name, field in comodel._fields.items()
            if field.type == "one2many" and field.comodel_name == self._name
        )
        scope = [] if account_ids is None else [("account_id", "in", list(account_ids))]
        return [(one2many, "any", scope + [("state", "=", "active")])]

    def action_end(self):
        self.filtered(lambda a: a.state == "active").write(
            {"state": "ended", "date_to": fields.Date.context_today(self)}
        )
