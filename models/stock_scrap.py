from odoo import models


class StockScrap(models.Model):
    _inherit = "stock.scrap"

    def do_scrap(self):
        res = super().do_scrap()
        self.filtered(lambda scrap: scrap.lot_id and scrap.product_id.tracking == "serial")._abs_on_scrapped()
        return res

    def _abs_on_scrapped(self):
        """Hook run on validated scraps of serial-numbered units (backend or API).

        Nothing yet: the asset issue extends it to decommission the ``ov.asset`` of the serial.
        """
        return True
