from odoo import api, fields, models
from odoo.tools import float_round


class ProductProduct(models.Model):
    _inherit = "product.product"

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        # Before core adds the default type: a PU category given alone brings its type (product.template).
        Template = self.env["product.template"]
        return super().create([Template._abs_complete_pu_vals(vals) for vals in vals_list])

    # ------------------------------------------------------------------ business methods

    @api.model
    def _abs_catalog_domain(self, account_ids):
        """Variants of the catalogue the callers of ``account_ids`` may see (see product.template)."""
        return self.env["product.template"]._abs_catalog_domain(account_ids)

    @api.model
    def _abs_catalogue_create(self, values, account=None, writable_sa_ids=None):
        """Create a catalogue product from API values; stamped with ``account``, shared without one.

        ``writable_sa_ids``: the SAs whose catalogue the caller may change (None: the whole
        catalogue); a caller limited to some SAs may not add to the shared catalogue, nor to another
        SA's. A stamped product belongs to its SA's company. Returns the product (its only variant).
        """
        Template = self.env["product.template"]
        Template._abs_check_catalogue_account(account, values.get("name"), writable_sa_ids)
        vals = Template._abs_prepare_catalogue_vals(values)
        if account:
            vals.update(x_sa_id=account.id, company_id=account.company_id.id)
        return self.create(vals)

    def _abs_catalogue_update(self, values):
        """Update these products from API values (absent fields unchanged); returns them."""
        for product in self:
            vals = self.env["product.template"]._abs_prepare_catalogue_vals(values, record=product)
            active = vals.pop("active", None)
            if vals:
                product.write(vals)
            if active is False:
                product._abs_catalogue_archive()
            elif active:
                product._abs_catalogue_restore()
        return self

    def _abs_catalogue_archive(self):
        """Archive these products: the whole product when no other variant of it stays active."""
        Template = self.env["product.template"]
        whole = Template.browse(
            template.id for template in self.product_tmpl_id if not (template.product_variant_ids - self)
        )
        (self - whole.product_variant_ids).action_archive()
        whole.filtered("active").action_archive()
        return self

    def _abs_catalogue_restore(self):
        """Restore archived products, and their product when it was archived with them."""
        self.product_tmpl_id.filtered(lambda template: not template.active).action_unarchive()
        self.filtered(lambda product: not product.active).action_unarchive()
        return self

    def _abs_stock_figures(self):
        """{product id: {qty_on_hand, qty_reserved, qty_available, qty_forecasted}} of the storable
        products among these, None for the others (seed gap 0e).

        Odoo's own figures for the warehouses of the companies in the environment: ``qty_available``
        (on hand), ``free_qty`` (on hand less reserved) and ``virtual_available`` (forecast: on hand +
        incoming − outgoing). Core computes the three for the whole recordset at once (a warehouse
        search and three grouped reads), so the cost does not grow with the number of products.
        """
        storable = self.filtered("is_storable")
        figures = dict.fromkeys(self.ids)
        if not storable:
            return figures
        quantities = {
            row["id"]: row for row in storable.read(["qty_available", "free_qty", "virtual_available"], load=None)
        }
        for product in storable:
            row = quantities[product.id]
            figures[product.id] = {
                "qty_on_hand": row["qty_available"],
                "qty_reserved": float_round(
                    row["qty_available"] - row["free_qty"], precision_rounding=product.uom_id.rounding
                ),
                "qty_available": row["free_qty"],
                "qty_forecasted": row["virtual_available"],
            }
        return figures

    def _abs_sale_prices(self, account=None):
        """{product id: the price a quotation of ``account`` would give one unit, with its taxes}.

        The SA's pricelist (``ov.serviced_account.pricelist_id``, what ``sale.order._abs_create_quotation``
        uses) through core's ``_get_products_price`` for all the products at once; without an SA or a
        pricelist, the product's sales price (the customer's pricelist then applies on the quotation).
        The unit price is core's for a sale line (price-included taxes adjusted, no fiscal position);
        taxes are the product's customer taxes of the SA's company, computed by core's ``compute_all``.
        """
        company = account.company_id if account else self.env.company
        pricelist = account.pricelist_id if account else self.env["product.pricelist"]
        currency = pricelist.currency_id or company.currency_id
        if pricelist:
            prices = pricelist._get_products_price(self, 1.0, currency=currency, date=fields.Datetime.now())
        else:
            prices = {product.id: product.lst_price for product in self}
        answers = {}
        for product in self:
            taxes = product.taxes_id._filter_taxes_by_company(company)
            unit = product._get_tax_included_unit_price_from_price(prices[product.id], product_taxes=taxes)
            totals = taxes.compute_all(unit, currency=currency, quantity=1.0, product=product)
            answers[product.id] = {
                "pricelist": pricelist,
                "currency": currency,
                "price_unit": unit,
                "taxes": taxes,
                "price_tax_excluded": totals["total_excluded"],
                "price_tax_included": totals["total_included"],
            }
        return answers
