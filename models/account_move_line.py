from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def reconcile(self):
        """A customer payment entered by hand (no SA yet) and reconciled later with an SA's invoice, from
        the invoice's outstanding credits or a reconciliation, takes that invoice's SA (see
        ``account.payment._abs_sa_origin`` for a payment of several SAs' invoices)."""
        result = super().reconcile()
        payments = self.move_id.origin_payment_id.filtered(lambda p: not p.x_sa_id and p.partner_type == "customer")
        if payments:
            payments._abs_govern()
        return result
