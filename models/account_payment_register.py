from odoo import models


class AccountPaymentRegister(models.TransientModel):
    """Core's Register Payment wizard stamps the payments it creates with the SA of the invoices paid
    (and the agent named in the context by the API), so the button and the API govern alike."""

    _inherit = "account.payment.register"

    def _create_payments(self):
        payments = super()._create_payments()
        # Every payment path (the API, mobile money, this wizard's button) credits PAYG accounts here, once.
        self.env["abs.payg.account"].sudo()._abs_credit_payments(payments)  # sudo: bookkeeping of any payer
        return payments

    def _create_payment_vals_from_wizard(self, batch_result):
        return {**super()._create_payment_vals_from_wizard(batch_result), **self._abs_stamp_vals(batch_result)}

    def _create_payment_vals_from_batch(self, batch_result):
        return {**super()._create_payment_vals_from_batch(batch_result), **self._abs_stamp_vals(batch_result)}

    def _abs_stamp_vals(self, batch_result):
        accounts = batch_result["lines"].move_id.x_sa_id
        vals = {"x_sa_id": accounts.id} if len(accounts) == 1 else {}
        if self.env.context.get("abs_actor_id"):
            vals["x_actor_id"] = self.env.context["abs_actor_id"]
        return vals
