import math
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..exceptions import AbsConflict, AbsInvalid, AbsNotFound
from ..refusals import catalogue as catalogue_rules  # noqa: F401 (the codes raised below, in the API's ErrorCode enum)

MAX_DB_INT = 2**31 - 1


class OvBopSheet(models.Model):
    """Bill of Products (seed 1e): a named package that expands into quotation lines.

    Lines without an option value always apply; a line with an option value (e.g. the black panel
    for "Panel Colour: Black") applies only when that value is chosen. Like products, a sheet is
    shared when it has no service account and seen by its SA only when it has one (V2 stamp).
    """

    _name = "ov.bop.sheet"
    _description = "Bill of Products"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    code = fields.Char(
        index="btree_not_null",
        help="Reference of the package, by which the mobile app finds it; unique per company.",
    )
    product_tmpl_id = fields.Many2one(
        "product.template",
        string="Package Product",
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
        help="The product agents pick for the package; its id or internal reference also names this sheet.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    x_sa_id = fields.Many2one(
        "ov.serviced_account",
        string="Service Account",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        help="Empty: every service account may use the package. Set: only that SA sees it.",
    )
    line_ids = fields.One2many("ov.bop.line", "sheet_id", string="Lines", copy=True)
    property_ids = fields.One2many("ov.bop.property", "sheet_id", string="Options", copy=True)
    line_count = fields.Integer(compute="_compute_line_count")

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "Another Bill of Products of this company has this code."),
    ]

    def _compute_line_count(self):
        counts = dict(self.env["ov.bop.line"]._read_group([("sheet_id", "in", self.ids)], ["sheet_id"], ["__count"]))
        for sheet in self:
            sheet.line_count = counts.get(sheet._origin, 0)

    # ------------------------------------------------------------------ business methods

    @api.model
    def _abs_catalog_domain(self, account_ids):
        """Sheets of the companies in the environment that the callers of ``account_ids`` may see:
        the products' rule (shared, own SA's, or whose package is in an unscoped category)."""
        return [
            ("company_id", "in", self.env.companies.ids),
            *self.env["product.template"]._abs_catalog_domain(account_ids, category_path="product_tmpl_id.categ_id"),
        ]

    @api.model
    def _abs_resolve_ref(self, ref, account_ids):
        """``(sheet, package product)`` named by ``ref`` for the callers of ``account_ids``; either may be empty.

        ``ref`` is the package product's id (digits), or else the sheet's code, or else the package
        product's internal reference (default_code). When a product has several visible sheets, one
        stamped with an SA of the caller wins over a shared one, then the oldest.
        """
        Product = self.env["product.product"]
        visible = self._abs_catalog_domain(account_ids)
        product_domain = Product._abs_catalog_domain(account_ids)
        product, sheets = Product.browse(), self.browse()
        if ref.isascii() and ref.isdigit():
            if len(ref) <= 10 and 0 < int(ref) <= MAX_DB_INT:
                product = Product.search([("id", "=", int(ref)), *product_domain])
        else:
            sheets = self.search([("code", "=", ref), *visible])
            if not sheets:
                product = Product.search([("default_code", "=", ref), *product_domain], limit=1, order="id")
        if product:
            sheets = self.search([("product_tmpl_id", "=", product.product_tmpl_id.id), *visible])
        sheet = sheets.sorted(lambda s: (not s.x_sa_id, s.id))[:1]
        if sheet and not product:
            product = sheet.product_tmpl_id.product_variant_id
        return sheet, product

    @api.model
    def _abs_get_by_ref(self, ref, account_ids):
        """The sheet named by ``ref`` (see ``_abs_resolve_ref``); not found otherwise."""
        sheet, _product = self._abs_resolve_ref(ref, account_ids)
        if not sheet:
            raise AbsNotFound(self.env._("Bill of Products %(ref)s not found.", ref=ref), "not_found")
        return sheet

    @api.model
    def _abs_get_or_create_by_ref(self, ref, account_ids, account=None):
        """The sheet named by ``ref``; when ``ref`` names a visible product that has none yet, a new
        sheet for that product, stamped with ``account`` (shared without one)."""
        sheet, product = self._abs_resolve_ref(ref, account_ids)
        if sheet:
            return sheet
        if not product:
            raise AbsNotFound(self.env._("Bill of Products %(ref)s not found.", ref=ref), "not_found")
        company = account.company_id if account else (product.company_id or self.env.company)
        return self.create(
            {
                "name": product.name,
                "product_tmpl_id": product.product_tmpl_id.id,
                "company_id": company.id,
                "x_sa_id": account.id if account else False,
            }
        )

    def _abs_add_line(self, values, account_ids):
        """Add a line from API values (``product_id``, ``quantity``, ``sequence``, ``property_value_id``)."""
        self.ensure_one()
        return self.env["ov.bop.line"].create(
            {"sheet_id": self.id, **self.env["ov.bop.line"]._abs_prepare_line_vals(values, self, account_ids)}
        )

    def _abs_line(self, line_id):
        """The line ``line_id`` of this sheet; not found otherwise (also for another sheet's line)."""
        self.ensure_one()
        line = self.line_ids.filtered(lambda candidate: candidate.id == line_id)
        if not line:
            raise AbsNotFound(
                self.env._("Line %(line)s of %(sheet)s not found.", line=line_id, sheet=self.display_name),
                "not_found",
            )
        return line

    def _abs_expand(self, value_ids, multiplier=1.0):
        """The products and quantities this package stands for, with the chosen option values.

        ``value_ids``: ids (or records) of ``ov.bop.property.value`` of this sheet, at most one per
        option; every option that some line depends on needs exactly one. ``multiplier``: how many
        packages (> 0). Returns ``[(product.product, quantity)]`` in line order: the lines without an
        option value plus those of the chosen values, quantities times ``multiplier``, the lines of one
        product merged into one. Refusals: an unknown value or one of another sheet, two values of
        one option, a missing choice, a bad multiplier (invalid); a line whose product is archived
        (conflict: the package cannot be sold as it is).
        """
        self.ensure_one()
        if isinstance(multiplier, bool) or not isinstance(multiplier, int | float) or not math.isfinite(multiplier):
            raise AbsInvalid(self.env._("The number of packages must be a positive number."), "invalid_quantity")
        if multiplier <= 0:
            raise AbsInvalid(self.env._("The number of packages must be a positive number."), "invalid_quantity")
        Value = self.env["ov.bop.property.value"]
        ids = list(dict.fromkeys(value_ids.ids if isinstance(value_ids, models.BaseModel) else value_ids or []))
        values = Value.search([("id", "in", ids)]) if ids else Value
        foreign = sorted(set(ids) - set(values.filtered(lambda v: v.property_id.sheet_id == self).ids))
        if foreign:
            raise AbsInvalid(
                self.env._(
                    "%(sheet)s has no option value %(ids)s.", sheet=self.display_name, ids=", ".join(map(str, foreign))
                ),
                "invalid_bop_option",
                details={"value_ids": foreign},
            )
        by_property = defaultdict(lambda: Value)
        for value in values:
            by_property[value.property_id] |= value
        doubled = [prop for prop, chosen in by_property.items() if len(chosen) > 1]
        if doubled:
            raise AbsInvalid(
                self.env._(
                    "Choose one value of %(options)s, not several.",
                    options=", ".join(prop.name for prop in doubled),
                ),
                "bop_option_conflict",
                details={"property_ids": [prop.id for prop in doubled]},
            )
        lines = self.line_ids.sorted(lambda line: (line.sequence, line.id))
        missing = lines.property_value_id.property_id - values.property_id
        if missing:
            raise AbsInvalid(
                self.env._(
                    "%(sheet)s needs a choice for %(options)s.",
                    sheet=self.display_name,
                    options=", ".join(missing.mapped("name")),
                ),
                "bop_option_required",
                details={
                    "properties": [
                        {"id": prop.id, "name": prop.name, "value_ids": prop.value_ids.ids} for prop in missing
                    ]
                },
            )
        chosen = lines.filtered(lambda line: not line.property_value_id or line.property_value_id in values)
        archived = chosen.product_id.filtered(lambda product: not product.active)
        if archived:
            raise AbsConflict(
                self.env._(
                    "%(sheet)s contains archived products (%(products)s): it cannot be sold as it is.",
                    sheet=self.display_name,
                    products=", ".join(archived.mapped("display_name")),
                ),
                "bop_product_archived",
                details={"product_ids": archived.ids},
            )
        quantities = {}
        for line in chosen:
            quantities[line.product_id] = quantities.get(line.product_id, 0.0) + line.quantity * multiplier
        return list(quantities.items())

    # ------------------------------------------------------------------ constraints

    @api.constrains("x_sa_id", "company_id")
    def _check_sa_company(self):
        for sheet in self:
            if sheet.x_sa_id and sheet.x_sa_id.company_id != sheet.company_id:
                raise ValidationError(
                    self.env._("%(sheet)s: its service account belongs to another company.", sheet=sheet.display_name)
                )

    @api.constrains("x_sa_id")
    def _check_lines_visible(self):
        # Moving a sheet to another SA must not carry products that SA cannot see.
        self.line_ids._check_product_visible()
