from collections import defaultdict

from odoo import api, models


class OvSaGovernedMixin(models.AbstractModel):
    """The governed side of V3 governance: a record that a service account owns.

    A governed model inherits this mixin, names its assignment model in ``_sa_assignment_model``
    and declares the fixed one2many ``abs_sa_assignment_ids`` to it (a field's comodel cannot be
    chosen by an abstract model). It then gets the batched dual-write, the SA-scope domains the
    API and the record rules use, and says where a record's SA comes from (``_abs_sa_origin``).
    """

    _name = "ov.sa_governed.mixin"
    _description = "Record governed by a service account (abstract)"
    # e.g. "ov.sa_delivery_assignment"; its _governed_field points back to this model
    _sa_assignment_model = None
    # One governing SA at a time: assigning another SA ends the previous assignment. A customer
    # is the exception (it may be served by several SAs), see res.partner.
    _sa_exclusive = True

    # ------------------------------------------------------------------ scope domains

    @api.model
    def _abs_sa_domain(self, account_ids):
        """Records governed (active assignment) by one of ``account_ids``; None means any SA."""
        scope = [] if account_ids is None else [("account_id", "in", list(account_ids))]
        return [("abs_sa_assignment_ids", "any", scope + [("state", "=", "active")])]

    @api.model
    def _abs_sa_visible_domain(self, account_ids):
        """Records governed by one of ``account_ids`` or by no SA at all (company-level records)."""
        if account_ids is None:
            return []
        return ["|", ("abs_sa_assignment_ids", "not any", [("state", "=", "active")])] + self._abs_sa_domain(
            account_ids
        )

    # ------------------------------------------------------------------ dual-write

    def _abs_sa_origin(self):
        """The SA this record should be governed by (one record); override per model."""
        self.ensure_one()
        return self["x_sa_id"] if "x_sa_id" in self._fields else self.env["ov.serviced_account"]

    def _abs_sa_actor(self):
        """The agent credited with the assignment (one record); override per model."""
        self.ensure_one()
        return self["x_actor_id"] if "x_actor_id" in self._fields else self.env["abs.employee"]

    def _abs_sync_sa_assignment(self, actor=None):
        """V3 dual-write: each record is governed by its origin SA (idempotent, batched).

        One assignment search and one create per (SA, actor) group, whatever the batch size.
        """
        Assignment = self.env[self._sa_assignment_model]
        groups = defaultdict(lambda: self.browse())
        for record in self:
            account = record._abs_sa_origin()
            if account:
                groups[(account, actor or record._abs_sa_actor())] |= record
        for (account, agent), records in groups.items():
            Assignment._assign(records, account, agent, exclusive=self._sa_exclusive)
