from odoo import fields, models


class OvSaAssetAssignment(models.Model):
    """V3 governance of assets: the SA an ``ov.asset`` belongs to (dual-written with ``x_sa_id``)."""

    _name = "ov.sa_asset_assignment"
    _inherit = "ov.sa_assignment.mixin"
    _description = "Service Account Asset Assignment"
    _governed_field = "asset_id"

    asset_id = fields.Many2one("ov.asset", string="Asset", required=True, ondelete="cascade", index=True)
