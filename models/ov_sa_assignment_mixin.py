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
    def _assign(self, records, account, actor=None, exclusive=False):
        """Dual-write: make ``account`` the active governor of ``records`` (idempotent).

        ``exclusive``: the records have one governor at a time, so an active assignment to
        another SA is ended (kept as history) rather than left beside the new one.
        """
        field = self._governed_field
        active = self.search([(field, "in", records.ids), ("state", "=", "active")])
        if exclusive:
            active.filtered(lambda a: a.account_id != account).action_end()
        already = {a[field].id for a in active if a.account_id == account}
        return active.filtered(lambda a: a.account_id == account) | self.create(
            [
                {field: record.id, "account_id": account.id, "actor_id": actor.id if actor else False}
                for record in records
                if record.id not in already
            ]
        )

    @api.model
    def _governed_ids_domain(self, account_ids):
        """Domain on the governed model (see ``ov.sa_governed.mixin._abs_sa_domain``)."""
        return self.env[self._fields[self._governed_field].comodel_name]._abs_sa_domain(account_ids)

    def action_end(self):
        self.filtered(lambda a: a.state == "active").write(
            {"state": "ended", "date_to": fields.Date.context_today(self)}
        )
