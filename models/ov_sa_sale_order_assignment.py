from odoo import fields, models


class OvSaSaleOrderAssignment(models.Model):
    """V3 governance of sale orders: the SA a quotation or order belongs to (dual-written with ``x_sa_id``)."""

    _name = "ov.sa_sale_order_assignment"
    _inherit = "ov.sa_assignment.mixin"
    _description = "Service Account Sale Order Assignment"
    _governed_field = "order_id"

    order_id = fields.Many2one("sale.order", string="Sale Order", required=True, ondelete="cascade", index=True)
