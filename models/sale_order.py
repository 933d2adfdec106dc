from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # V2 stamps: the SA an order was taken for, the agent and the outlet. The order's deliveries
    # inherit the SA through ov.sa_delivery_assignment (see stock.picking).
    x_sa_id = fields.Many2one("ov.serviced_account", string="Service Account", index=True, copy=False, tracking=True)
    x_actor_id = fields.Many2one("abs.employee", string="Agent", copy=False)
    x_outlet_id = fields.Many2one("ov.outlet", string="Outlet", copy=False)

    def write(self, vals):
        result = super().write(vals)
        if "x_sa_id" in vals:
            # The deliveries follow the order to its new SA; the old assignment is ended, not left beside it.
            self.picking_ids._abs_sync_sa_assignment()
        return result
