from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # V2 stamp: the SA of the sale order an invoice comes from (sale.order._prepare_invoice). The
    # invoicing workflow makes invoices governed (V3) on top of it.
    x_sa_id = fields.Many2one(
        "ov.serviced_account", string="Service Account", index="btree_not_null", readonly=True, copy=True
    )

    # ------------------------------------------------------------------ payments (seed workflow 9)

    def _abs_register_payment(self, amount=None, journal=None, payment_date=None, memo=None, actor=None):
        """Register one customer payment of ``amount`` (default: the residual) on this posted invoice.

        The one way a payment is booked by the API, a mobile-money settlement and any other caller:
        the invoice row is locked and its residual re-read under the lock, so simultaneous calls pay
        it once (409 ``already_paid`` for the others) and more than the residual is refused (400
        ``amount_exceeds_residual``), never an overpayment. Core's Register Payment wizard books and
        reconciles the payment; less than the residual leaves the rest due. Returns the payment.
        """
        from . import payment_rules  # the payments section's own codes (models/payment_rules.py)

        self.ensure_one()
        # log_exceptions: a concurrent payment's commit makes this lock a serialization failure,
        # the expected race loser that Odoo retries, not a bad query.
        self.env.cr.execute(
            "SELECT id FROM account_move WHERE id = %s FOR NO KEY UPDATE", [self.id], log_exceptions=False
        )
        self.invalidate_recordset(["state", "payment_state", "amount_residual"])
        invoice = self.with_company(self.company_id)
        if invoice.move_type != "out_invoice" or invoice.state != "posted":
            raise payment_rules.INVOICE_NOT_POSTED(
                self.env._("%(invoice)s is not a posted customer invoice.", invoice=invoice.display_name),
                details={"invoice_id": invoice.id, "state": invoice.state},
            )
        currency = invoice.currency_id
        residual = invoice.amount_residual
        if currency.is_zero(residual):
            raise payment_rules.ALREADY_PAID(
                self.env._("%(invoice)s is already paid.", invoice=invoice.name),
                details={
                    "invoice_id": invoice.id,
                    "payment_state": payment_rules.payment_state_for_api(invoice.payment_state),
                },
            )
        amount = residual if amount is None else currency.round(amount)
        if currency.compare_amounts(amount, residual) > 0:
            raise payment_rules.AMOUNT_EXCEEDS_RESIDUAL(
                self.env._(
                    "%(amount)s is more than the %(residual)s still due on %(invoice)s.",
                    amount=amount,
                    residual=residual,
                    invoice=invoice.name,
                ),
                details={"invoice_id": invoice.id, "amount_residual": residual},
            )
        if currency.compare_amounts(amount, 0) <= 0:
            raise payment_rules.INVALID_AMOUNT(self.env._("A payment amount must be positive."))
        wizard_vals = {"amount": amount, "payment_difference_handling": "open"}
        if journal:
            wizard_vals["journal_id"] = journal.id
        if payment_date:
            wizard_vals["payment_date"] = payment_date
        if memo:
            wizard_vals["communication"] = memo
        # abs_actor_id: the agent the wizard stamps on the payment (account.payment.register)
        context = {
            "active_model": "account.move",
            "active_ids": invoice.ids,
            "abs_actor_id": actor.id if actor else False,
        }
        wizard = self.env["account.payment.register"].with_company(invoice.company_id).with_context(**context)
        return wizard.create(wizard_vals)._create_payments()
