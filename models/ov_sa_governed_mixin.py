from collections import defaultdict

from odoo import api, models
from odoo.osv import expression


class OvSaGovernedMixin(models.AbstractModel):
    """The governed side of V3 governance: a record that a service account owns.

    A governed model inherits this mixin, names its assignment model in ``_sa_assignment_model``
    and declares the fixed one2many ``abs_sa_assignment_ids`` to it (a field's comodel cannot be
    chosen by an abstract model). It then gets:

    - the whole dual-write: ``create`` and ``write`` keep the assignment (V3) in step with the
      stamp (V2, ``x_sa_id``) or whatever ``_abs_sa_origin`` reads, for any user allowed to change
      the record (the assignment tables are written in one elevated place, ``_abs_assignments``);
    - the SA-scope domains, used alike by the API and by the backend's record rules
      (``res.users._abs_sa_rule_domain``).

    A core model lists this mixin *first* in ``_inherit`` so that its ``create``/``write`` run
    around core's (the dual-write sees the record as core left it, lines and links included).
    """

    _name = "ov.sa_governed.mixin"
    _description = "Record governed by a service account (abstract)"
    # e.g. "ov.sa_delivery_assignment"; its _governed_field points back to this model
    _sa_assignment_model = None
    # One governing SA at a time: assigning another SA ends the previous assignment. A customer
    # is the exception (it may be served by several SAs), see res.partner.
    _sa_exclusive = True
    # Fields whose change may move the record to another SA: the dual-write runs again on them.
    _sa_origin_fields = ("x_sa_id",)
    # The V2 stamp, written from the origin when the record has none (None: the model has no stamp).
    _sa_stamp_field = "x_sa_id"

    # ------------------------------------------------------------------ scope domains

    @api.model
    def _abs_sa_domain(self, account_ids):
        """Records governed (active assignment) by one of ``account_ids``; None means any SA."""
        scope = [] if account_ids is None else [("account_id", "in", list(account_ids))]
        return [("abs_sa_assignment_ids", "any", scope + [("state", "=", "active")])]

    @api.model
    def _abs_own_or_staff_domain(self, account_ids, staff_account_ids=(), employee=None):
        """Records an employee reads where an agent sees only its own (payments it took, its handovers): those
        of ``account_ids`` (None: any SA) for a caller that is no employee; for an ``employee``, every record of
        the SAs it is staff of (``staff_account_ids``) and, in its other SAs, the records whose ``x_actor_id``
        it is."""
        domain = self._abs_sa_domain(account_ids)
        if employee is None:
            return domain
        own = expression.AND([[("x_actor_id", "=", employee.id)], domain])
        if not staff_account_ids:
            return own
        return expression.OR([self._abs_sa_domain(staff_account_ids), own])

    @api.model
    def _abs_sa_visible_domain(self, account_ids):
        """Records governed by one of ``account_ids`` or by no SA at all (company-level records)."""
        if account_ids is None:
            return []
        return ["|", ("abs_sa_assignment_ids", "not any", [("state", "=", "active")])] + self._abs_sa_domain(
            account_ids
        )

    # ------------------------------------------------------------------ CRUD: the dual-write

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._abs_govern()
        return records

    def write(self, vals):
        result = super().write(vals)
        if not self.env.context.get("abs_governing") and not vals.keys().isdisjoint(self._sa_origin_fields):
            self._abs_govern()
            if self._sa_exclusive:
                # A record taken out of every SA is governed by none (its history is kept).
                ungoverned = self._abs_bookkeeping().filtered(lambda record: not record._abs_sa_origin())
                ungoverned.abs_sa_assignment_ids.action_end()
        return result

    # ------------------------------------------------------------------ governance

    def _abs_sa_origin(self):
        """The SA this record should be governed by (one record); override per model."""
        self.ensure_one()
        stamp = self._sa_stamp_field
        return self[stamp] if stamp in self._fields else self.env["ov.serviced_account"]

    def _abs_sa_actor(self):
        """The agent credited with the assignment (one record); override per model."""
        self.ensure_one()
        return self["x_actor_id"] if "x_actor_id" in self._fields else self.env["abs.employee"]

    def _abs_govern(self):
        """Stamp the records that have no stamp yet from their origin, then dual-write their assignment.

        Batched (one stamp write per SA) and idempotent: create, write, posting or a reconciliation may
        all call it, whoever the user.
        """
        records = self._abs_bookkeeping()
        stamp = self._sa_stamp_field
        if stamp in self._fields:
            unstamped = defaultdict(lambda: records.browse())
            for record in records.filtered(lambda r: not r[stamp]):
                account = record._abs_sa_origin()
                if account:
                    unstamped[account] |= record
            for account, group in unstamped.items():
                group.with_context(abs_governing=True).write({stamp: account.id})
        records._abs_sync_sa_assignment()

    def _abs_sync_sa_assignment(self, actor=None):
        """V3 dual-write: each record is governed by its origin SA (idempotent, batched).

        One assignment search and one create per (SA, actor) group, whatever the batch size.
        """
        records = self._abs_bookkeeping()
        Assignment = records.env[self._sa_assignment_model]
        groups = defaultdict(lambda: records.browse())
        for record in records:
            account = record._abs_sa_origin()
            if account:
                groups[(account, actor or record._abs_sa_actor())] |= record
        for (account, agent), group in groups.items():
            Assignment._assign(group, account, agent, exclusive=self._sa_exclusive)

    def _abs_bookkeeping(self):
        """These records, elevated: the one place where SA bookkeeping (stamp and assignment) is written.

        sudo: whoever may create or change a governed record keeps its SA bookkeeping in step, also a
        user of core groups only (a warehouse user validating a delivery, a billing user posting an
        invoice) with no right on the assignment tables; the origin is derived, never chosen here, and
        what the user may do to the record itself was checked by the ORM already.
        """
        return self.sudo()
