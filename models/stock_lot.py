from odoo import api, fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

    abs_sa_id = fields.Many2one(
        "ov.serviced_account",
        string="Deployed by (SA)",
        compute="_compute_abs_sa_id",
        search="_search_abs_sa_id",
        help="Service account of the delivery that last took this serial/lot to a customer.",
    )

    def _compute_abs_sa_id(self):
        # _origin: a lot being edited in a form is a new record whose history is its origin's.
        last = self._origin._abs_last_customer_pickings()
        for lot in self:
            lot.abs_sa_id = last.get(lot._origin.id, self.env["stock.picking"]).abs_sa_id

    def _abs_last_customer_pickings(self):
        """{lot id: the picking of the last done move line that took the lot to a customer} (one query)."""
        move_lines = self.env["stock.move.line"].search_fetch(
            [("lot_id", "in", self.ids), ("state", "=", "done"), ("location_dest_id.usage", "=", "customer")],
            ["lot_id", "picking_id"],
            order="date desc, id desc",
        )
        last = {}
        for move_line in move_lines:
            last.setdefault(move_line.lot_id.id, move_line.picking_id)
        return last

    @api.model
    def _search_abs_sa_id(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            return NotImplemented
        values = value if isinstance(value, (list, tuple)) else [value]
        wanted = {v for v in values if v}
        with_none = len(wanted) < len(values)
        # Candidates: lots delivered to a customer by a picking of a wanted SA (of any SA when
        # "no SA" is asked); a lot matches when its *last* such delivery is of a wanted SA.
        domain = [("state", "=", "done"), ("location_dest_id.usage", "=", "customer"), ("lot_id", "!=", False)]
        domain.append(
            ("picking_id.abs_sa_id", "in", list(wanted)) if not with_none else ("picking_id.abs_sa_id", "!=", False)
        )
        candidates = self.env["stock.move.line"].search_fetch(domain, ["lot_id"]).lot_id
        last = candidates._abs_last_customer_pickings()
        matching = [lot.id for lot in candidates if last[lot.id].abs_sa_id.id in wanted]
        result = [("id", "in", matching)]
        if with_none:
            with_sa = [lot.id for lot in candidates if last[lot.id].abs_sa_id]
            result = ["|", ("id", "in", matching), ("id", "not in", with_sa)]
        return result if operator in ("=", "in") else ["!", *result]
