from odoo import api, fields, models


class AccountPayment(models.Model):
    """Payments governed by a service account (seed Gap 3, ``ov.sa_payment_assignment``).

    A payment is stamped with the SA it was collected for (``x_sa_id``: the SA of the invoices it
    pays, see ``account.payment.register``) and the agent (``x_actor_id``), and dual-written into
    its assignment on create, on a change of stamp and when posted, whichever path created it
    (the API, a mobile-money callback, the invoice's Register Payment button).
    """

    _name = "account.payment"
    _inherit = ["account.payment", "ov.sa_governed.mixin"]
    _sa_assignment_model = "ov.sa_payment_assignment"

    x_sa_id = fields.Many2one(
        "ov.serviced_account", string="Service Account", index="btree_not_null", copy=False, tracking=True
    )
    x_actor_id = fields.Many2one("abs.employee", string="Agent", copy=False)
    abs_sa_assignment_ids = fields.One2many(
        "ov.sa_payment_assignment", "payment_id", string="Service Account Assignments"
    )

    # ------------------------------------------------------------------ CRUD / core hooks

    @api.model_create_multi
    def create(self, vals_list):
        payments = super().create(vals_list)
        payments._abs_sync_sa_assignment()
        return payments

    def write(self, vals):
        result = super().write(vals)
        if "x_sa_id" in vals:
            self._abs_sync_sa_assignment()
            self.filtered(lambda p: not p.x_sa_id).abs_sa_assignment_ids.action_end()
        return result

    def action_post(self):
        result = super().action_post()
        # A payment created without a stamp (a backend user's) is governed once it knows its invoices.
        self._abs_sync_sa_assignment()
        return result

    # ------------------------------------------------------------------ governance

    def _abs_sa_origin(self):
        """The stamp, else the one SA of the invoices the payment pays."""
        self.ensure_one()
        if self.x_sa_id:
            return self.x_sa_id
        accounts = self.invoice_ids.x_sa_id
        return accounts if len(accounts) == 1 else self.env["ov.serviced_account"]
