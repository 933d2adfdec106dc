from odoo import api, models

from ..refusals import stock as rules


class StockScrap(models.Model):
    _inherit = "stock.scrap"

    def do_scrap(self):
        res = super().do_scrap()
        self.filtered(lambda scrap: scrap.lot_id and scrap.product_id.tracking == "serial")._abs_on_scrapped()
        return res

    # ------------------------------------------------------------------ business methods

    @api.model
    def _abs_scrap(self, line, location=None, reason=None):
        """Scrap units from one stock location through Odoo's own scrap, validated at once.

        ``line``: ``{"product_id", "quantity", "lot_id"}`` checked by the common line rules;
        ``location``: default the user's warehouse stock. Odoo scraps from the exact location (not its
        children) and the units must be free there (not reserved by another operation).
        """
        Quant = self.env["stock.quant"]
        location = location or Quant._abs_default_warehouse().lot_stock_id
        Quant._abs_check_internal(location)
        [line] = self.env["stock.lot"]._abs_check_lines([line], company=location.company_id)
        product, lot, qty = line["product"], line["lot"], line["quantity"]
        Quant._abs_allocate(location, {(product, lot): qty}, strict=True)
        scrap = self.create(
            {
                "product_id": product.id,
                "product_uom_id": product.uom_id.id,
                "lot_id": lot.id or False,
                "scrap_qty": qty,
                "location_id": location.id,
                "company_id": location.company_id.id,
                "origin": reason,
            }
        )
        scrap.action_validate()
        if scrap.state != "done":
            raise rules.INSUFFICIENT_STOCK(self.env._("Not enough stock to scrap."))
        return scrap

    # ------------------------------------------------------------------ asset workflow hooks

    def _abs_on_scrapped(self):
        """Hook run on validated scraps of serial-numbered units (backend or API).

        The assets of the serials (active or inactive) are decommissioned (seed 0g step 5).
        """
        # sudo: whoever scraps the unit decommissions its asset, asset rights or not
        self.env["ov.asset"].sudo()._abs_on_scrapped(self.lot_id)
        return True
