from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _assign_picking_post_process(self, new=False):
        # The moves now sit in their picking (new or reused), so its sale order is known: V3
        # dual-write of the delivery's SA, for API and backend confirmations alike.
        result = super()._assign_picking_post_process(new=new)
        self.picking_id._abs_sync_sa_assignment()
        return result

    def _should_assign_at_confirm(self):
        # An order confirmed without reservation (sale.order._abs_confirm(reserve=False)) leaves its
        # delivery unreserved: never reserved, not reserved then released (which wrote, and locked,
        # the quants of the oldest serials at every confirmation).
        if self.env.context.get("abs_no_reservation") and not self._should_bypass_reservation():
            return False
        return super()._should_assign_at_confirm()

    def _abs_move_line_vals(self, quantity, lot=None, quant=None):
        """Values of a move line of this move for ``quantity`` (in the product's UoM).

        Built by core's ``_prepare_move_line_vals``: from ``quant`` when the goods come from stock (its
        location, lot, package and owner), else from the move's source location with ``lot``.
        """
        vals = self._prepare_move_line_vals(quantity=quantity, reserved_quant=quant)
        if lot and not quant:
            vals["lot_id"] = lot.id
        return vals
