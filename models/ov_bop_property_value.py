from odoo import api, fields, models


class OvBopPropertyValue(models.Model):
    """One value of a Bill of Products option (e.g. "Black" for "Panel Colour")."""

    _name = "ov.bop.property.value"
    _description = "Bill of Products option value"
    _order = "property_id, sequence, id"

    property_id = fields.Many2one("ov.bop.property", string="Option", required=True, index=True, ondelete="cascade")
    sheet_id = fields.Many2one(related="property_id.sheet_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)

    _sql_constraints = [
        ("name_property_uniq", "unique(name, property_id)", "This option already has a value of this name."),
    ]

    @api.depends("name", "property_id.name")
    def _compute_display_name(self):
        for value in self:
            value.display_name = f"{value.property_id.name}: {value.name}" if value.property_id else value.name
