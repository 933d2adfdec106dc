from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..exceptions import AbsInvalid, AbsNotFound


class OvBopLine(models.Model):
    """One product of a Bill of Products; with an option value, only when that value is chosen."""

    _name = "ov.bop.line"
    _description = "Bill of Products line"
    _order = "sheet_id, sequence, id"
    _check_company_auto = True

    sheet_id = fields.Many2one("ov.bop.sheet", string="Bill of Products", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product", string="Product", required=True, index=True, check_company=True, ondelete="restrict"
    )
    quantity = fields.Float(default=1.0, required=True, digits="Product Unit of Measure")
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    property_value_id = fields.Many2one(
        "ov.bop.property.value",
        string="Only with option",
        index="btree_not_null",
        ondelete="restrict",
        domain="[('sheet_id', '=', sheet_id)]",
        help="The line applies only when this option value is chosen (e.g. the black panel for Black).",
    )
    company_id = fields.Many2one(related="sheet_id.company_id", store=True, index=True)

    # ------------------------------------------------------------------ constraints

    @api.constrains("quantity")
    def _check_quantity(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    self.env._(
                        "%(sheet)s: the quantity of %(product)s must be positive.",
                        sheet=line.sheet_id.display_name,
                        product=line.product_id.display_name,
                    )
                )

    @api.constrains("property_value_id", "sheet_id")
    def _check_property_value(self):
        for line in self:
            if line.property_value_id and line.property_value_id.property_id.sheet_id != line.sheet_id:
                raise ValidationError(
                    self.env._(
                        "%(value)s is an option of another Bill of Products than %(sheet)s.",
                        value=line.property_value_id.display_name,
                        sheet=line.sheet_id.display_name,
                    )
                )

    @api.constrains("product_id", "sheet_id")
    def _check_product(self):
        for line in self:
            if line.sheet_id.product_tmpl_id and line.product_id.product_tmpl_id == line.sheet_id.product_tmpl_id:
                raise ValidationError(
                    self.env._("%(sheet)s cannot contain its own package product.", sheet=line.sheet_id.display_name)
                )
        self._check_product_visible()

    def _check_product_visible(self):
        """A sheet only holds products every SA that sees the sheet also sees."""
        for sheet, lines in self.grouped("sheet_id").items():
            account_ids = sheet.x_sa_id.ids  # a shared sheet: products every SA sees
            Product = self.env["product.product"].with_context(active_test=False)
            visible = Product.search([("id", "in", lines.product_id.ids), *Product._abs_catalog_domain(account_ids)])
            hidden = lines.product_id - visible
            if hidden:
                raise ValidationError(
                    self.env._(
                        "%(sheet)s cannot contain %(products)s: another service account's products.",
                        sheet=sheet.display_name,
                        products=", ".join(hidden.mapped("display_name")),
                    )
                )

    # ------------------------------------------------------------------ business methods

    @api.model
    def _abs_prepare_line_vals(self, values, sheet, account_ids):
        """Line values from API values for ``sheet``; the product must be one the caller sees."""
        vals = {key: values[key] for key in ("quantity", "sequence") if key in values}
        if "product_id" in values:
            Product = self.env["product.product"]
            product = Product.search([("id", "=", values["product_id"]), *Product._abs_catalog_domain(account_ids)])
            if not product:
                raise AbsNotFound(
                    self.env._("Product %(id)s not found.", id=values["product_id"]),
                    "not_found",
                    details={"product_id": values["product_id"]},
                )
            vals["product_id"] = product.id
        if "property_value_id" in values:
            value_id = values["property_value_id"]
            value = sheet.property_ids.value_ids.filtered(lambda v: v.id == value_id) if value_id else False
            if value_id and not value:
                raise AbsInvalid(
                    self.env._("%(sheet)s has no option value %(id)s.", sheet=sheet.display_name, id=value_id),
                    "invalid_bop_option",
                    details={"value_ids": [value_id]},
                )
            vals["property_value_id"] = value.id if value else False
        return vals

    def _abs_update_line(self, values, account_ids):
        self.ensure_one()
        vals = self._abs_prepare_line_vals(values, self.sheet_id, account_ids)
        if vals:
            self.write(vals)
        return self
