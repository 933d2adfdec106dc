from odoo import api, fields, models

UNSCOPED_PARAM = "abs_connector.unscoped_catalog_category_ids"


class ProductCategory(models.Model):
    _inherit = "product.category"

    abs_unscoped = fields.Boolean(
        string="Seen by every Service Account",
        compute="_compute_abs_unscoped",
        inverse="_inverse_abs_unscoped",
        help="Products of this category (and of its sub-categories) are in every service account's "
        "catalogue, whatever their service account. Stored in the system parameter "
        f"{UNSCOPED_PARAM} (comma-separated category ids).",
    )

    # Quotations (seed workflow 3): a product of such a category makes an SA quotation need approval.
    abs_requires_approval = fields.Boolean(
        string="Requires Approval",
        help="A service account's quotation with a product of this category needs a staff member's "
        "approval before it can be confirmed.",
    )

    def _compute_abs_unscoped(self):
        unscoped = set(self._abs_unscoped_category_ids())
        for category in self:
            category.abs_unscoped = category._origin.id in unscoped

    def _inverse_abs_unscoped(self):
        ids = dict.fromkeys(self._abs_unscoped_category_ids())
        for category in self:
            if category.abs_unscoped:
                ids[category.id] = None
            else:
                ids.pop(category.id, None)
        # sudo: a system parameter; whoever may edit categories decides which ones every SA sees
        self.env["ir.config_parameter"].sudo().set_param(UNSCOPED_PARAM, ",".join(map(str, ids)))

    @api.model
    def _abs_unscoped_category_ids(self):
        """Ids of the root categories every SA sees (``abs_connector.unscoped_catalog_category_ids``).

        The parameter is cached by Odoo (no query once warm); ids that are not numbers are ignored.
        """
        # sudo: system parameters are not readable by the API's technical user
        raw = self.env["ir.config_parameter"].sudo().get_param(UNSCOPED_PARAM, "")
        return [int(part) for part in (raw or "").replace(" ", "").split(",") if part.isdigit() and int(part)]
