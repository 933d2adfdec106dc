from odoo import fields, models


class OvSaDeliveryAssignment(models.Model):
    """V3 governance of deliveries: the SA a stock.picking (delivery, backorder, return) belongs to."""

    _name = "ov.sa_delivery_assignment"
    _inherit = "ov.sa_assignment.mixin"
    _description = "Service Account Delivery Assignment"
    _governed_field = "picking_id"

    picking_id = fields.Many2one("stock.picking", string="Transfer", required=True, ondelete="cascade", index=True)
