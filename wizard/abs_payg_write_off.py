from odoo import fields, models


class AbsPaygWriteOff(models.TransientModel):
    """The backend's Write Off dialog: the reason, a confirmation, then the account's own ``_abs_write_off``."""

    _name = "abs.payg.write.off"
    _description = "Write Off a PAYG Account"

    account_id = fields.Many2one("abs.payg.account", string="PAYG Account", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="account_id.currency_id")
    amount_remaining = fields.Monetary(related="account_id.amount_remaining", string="Balance to write off")
    reason = fields.Char(required=True)

    def action_write_off(self):
        self.ensure_one()
        self.account_id._abs_write_off(self.reason)
        return {"type": "ir.actions.act_window_close"}
