from odoo import fields, models


class AbsOrderApprovalWizard(models.TransientModel):
    """The backend's approve/reject dialog: the note or the reason, then the order's own method."""

    _name = "abs.order.approval.wizard"
    _description = "Approve or Reject a Sale Order"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    decision = fields.Selection([("approve", "Approve"), ("reject", "Reject")], required=True, default="approve")
    note = fields.Text(help="Approval: an optional note. Rejection: the reason the agent will see (required).")

    def action_confirm_decision(self):
        self.ensure_one()
        if self.decision == "approve":
            self.order_id.action_abs_approve(self.note)
        else:
            self.order_id.action_abs_reject(self.note)
        return {"type": "ir.actions.act_window_close"}
