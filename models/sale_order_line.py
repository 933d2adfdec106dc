from odoo import api, fields, models
from odoo.tools import float_is_zero, float_round

from ..refusals import sale as rules

# What an approval looked at: changing any of it on an approved quotation withdraws the approval.
APPROVED_LINE_FIELDS = {"product_id", "product_uom_qty", "product_uom", "price_unit", "discount", "tax_id"}


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["abs.sync.pushable", "sale.order.line"]

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._abs_withdraw_approval()
        return lines

    def write(self, vals):
        orders = self.order_id if APPROVED_LINE_FIELDS & set(vals) else self.order_id.browse()
        result = super().write(vals)
        orders._abs_withdraw_approval()
        return result

    def unlink(self):
        orders = self.order_id
        result = super().unlink()
        orders.exists()._abs_withdraw_approval()
        return result

    # ------------------------------------------------------------------ business methods

    def _abs_below_pricelist(self):
        """The lines (of one order) whose net unit price is below their pricelist price: a discount.

        The pricelist price is core's for the line (``_get_pricelist_price``, tax handling of
        ``_reset_price_unit``), with the pricelist rules fetched once for all the lines: core's
        ``pricelist_item_id`` searches the rules again for every line.
        """
        lines = self.filtered(lambda line: line.product_id and not line.display_type and not line.is_downpayment)
        if not lines:
            return lines
        order = lines.order_id.ensure_one()
        date = order.date_order or fields.Datetime.now()
        rules = order.pricelist_id._get_applicable_rules(lines.product_id, date)
        below = self.browse()
        for line in lines:
            product, uom = line.product_id, line.product_uom
            quantity = line.product_uom_qty or 1.0
            in_product_uom = (
                uom._compute_quantity(quantity, product.uom_id, raise_if_failure=False)
                if uom != product.uom_id
                else quantity
            )
            rule = next((r for r in rules if r._is_applicable_for(product, in_product_uom)), rules.browse())
            price = rule._compute_price(
                product.with_context(**line._get_product_price_context()),
                quantity,
                uom,
                date=date,
                currency=line.currency_id,
            )
            taxes = product.taxes_id._filter_taxes_by_company(line.company_id)
            expected = product._get_tax_included_unit_price_from_price(
                price, product_taxes=taxes, fiscal_position=order.fiscal_position_id
            )
            net = line.price_unit * (1.0 - (line.discount or 0.0) / 100.0)
            if line.currency_id.compare_amounts(net, expected) < 0:
                below |= line
        return below

    @api.model
    def _abs_quantity_problem(self, product, uom, quantity):
        """Why ``quantity`` of ``product`` in ``uom`` cannot be ordered, or None.

        The unit's rounding is the finest quantity it holds: a finer one would be stored rounded
        (1e-9 of a unit rounded 0.01 is 0, and the order would confirm at 0). A serial-tracked product
        is counted in whole units of its own unit (one serial each).
        """
        rounding = uom.rounding
        rounded = float_round(quantity, precision_rounding=rounding)
        if float_is_zero(rounded, precision_rounding=rounding) or rounded < 0:
            return self.env._(
                "%(qty)s %(uom)s is not a positive quantity of %(product)s (its unit counts by %(rounding)s)",
                qty=quantity,
                uom=uom.name,
                product=product.display_name,
                rounding=rounding,
            )
        if abs(rounded - quantity) > rounding / 1000:
            return self.env._(
                "%(qty)s %(uom)s is finer than %(product)s's unit counts (by %(rounding)s)",
                qty=quantity,
                uom=uom.name,
                product=product.display_name,
                rounding=rounding,
            )
        if product.tracking == "serial":
            in_units = uom._compute_quantity(quantity, product.uom_id, rounding_method="HALF-UP")
            if abs(in_units - round(in_units)) > product.uom_id.rounding / 1000:
                return self.env._(
                    "%(product)s is tracked by serial number: order whole units, not %(qty)s",
                    product=product.display_name,
                    qty=in_units,
                )
        return None

    def _abs_check_quantities(self, where="order_line"):
        """Raise INVALID_QUANTITY naming every product line whose quantity cannot be ordered."""
        errors = {}
        for index, line in enumerate(self):
            if not line.product_id or line.display_type or line.is_downpayment:
                continue
            problem = self._abs_quantity_problem(line.product_id, line.product_uom, line.product_uom_qty)
            if problem:
                errors[f"{where}.{index}.quantity"] = problem
        if errors:
            raise rules.INVALID_QUANTITY(
                self.env._("Quantities that cannot be ordered: %(list)s.", list="; ".join(errors.values())),
                details={"fields": errors},
            )

    def _abs_is_recurring(self):
        """A line of a recurring product (``recurring_invoice``, from the product catalogue)."""
        self.ensure_one()
        return self.product_id.product_tmpl_id.recurring_invoice
