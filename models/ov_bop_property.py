from odoo import fields, models


class OvBopProperty(models.Model):
    """An option of a Bill of Products (e.g. "Panel Colour"), with the values to choose from."""

    _name = "ov.bop.property"
    _description = "Bill of Products option"
    _order = "sheet_id, sequence, id"

    sheet_id = fields.Many2one("ov.bop.sheet", string="Bill of Products", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    value_ids = fields.One2many("ov.bop.property.value", "property_id", string="Values", copy=True)

    _sql_constraints = [
        ("name_sheet_uniq", "unique(name, sheet_id)", "This Bill of Products already has an option of this name."),
    ]
