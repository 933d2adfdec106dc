from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _assign_picking_post_process(self, new=False):
        # The moves now sit in their picking (new or reused), so its sale order is known: V3
        # dual-write of the delivery's SA, for API and backend confirmations alike.
        result = super()._assign_picking_post_process(new=new)
        self.picking_id._abs_sync_sa_assignment()
        return result
