from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # V2 stamp: the SA of the sale order an invoice comes from (sale.order._prepare_invoice). The
    # invoicing workflow makes invoices governed (V3) on top of it.
    x_sa_id = fields.Many2one(
        "ov.serviced_account", string="Service Account", index="btree_not_null", readonly=True, copy=True
    )
