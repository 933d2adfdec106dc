from odoo import fields, models


class AbsSubscriptionCancelWizard(models.TransientModel):
    """The backend's cancel dialog: a reason of the configured list, a note, then the subscription's own method."""

    _name = "abs.subscription.cancel.wizard"
    _description = "Cancel Subscriptions"

    subscription_ids = fields.Many2many("abs.subscription", required=True)
    reason_id = fields.Many2one("abs.subscription.close.reason", string="Reason", required=True)
    note = fields.Text()

    def action_cancel(self):
        self.ensure_one()
        self.subscription_ids._abs_cancel(self.reason_id.code, self.note)
        return {"type": "ir.actions.act_window_close"}
