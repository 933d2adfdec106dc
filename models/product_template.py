from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

from ..exceptions import AbsForbidden, AbsNotFound

# Seed workflow 1a: the Product-Unit (PU) taxonomy layered on Odoo's own product type.
PU_CATEGORIES = [
    ("physical", "Physical"),
    ("service", "Service"),
    ("contract", "Contract"),
    ("digital", "Digital"),
]
SERVICE_TYPES = [("access", "Access (time-bounded)"), ("gage", "Gage (usage-based, per event)")]
CONTRACT_TYPES = [
    ("privilege", "Privilege"),
    ("warranty", "Warranty"),
    ("rental", "Rental"),
    ("maintenance", "Maintenance"),
    ("asset_assignment", "Asset assignment (PAYG / lease-to-own)"),
]
PU_METRICS = [
    ("piece", "Piece"),
    ("duration", "Duration"),
    ("count", "Count (events)"),
    ("energy", "Energy (kWh)"),
    ("distance", "Distance (km)"),
]
# The seed's words for Odoo 18's product type (API-CONTRACT.md): storable is consu + is_storable.
PRODUCT_TYPES = [("storable", "Storable"), ("consu", "Consumable"), ("service", "Service"), ("combo", "Combo")]
PRODUCT_TYPE_VALS = {
    "storable": {"type": "consu", "is_storable": True},
    "consu": {"type": "consu", "is_storable": False},
    "service": {"type": "service", "is_storable": False},
}
# PU categories that are not goods: Odoo type service, nothing delivered (matrix 1c).
INTANGIBLE_PU = ("service", "contract", "digital")
# PU categories that may bill recurringly (rule of 1c).
RECURRING_PU = ("contract", "digital")

CATALOGUE_FORBIDDEN = "catalogue_forbidden"


class ProductTemplate(models.Model):
    """The PU taxonomy (seed workflow 1) on the product master, and the SA scope of the catalogue.

    Products are governed by the V2 stamp ``x_sa_id`` only: the seed (1h) names a V3
    ``ov.sa_product_assignment`` a future consideration, so there is no assignment table here.
    An unstamped product is shared by every SA; a stamped one is seen by its SA only, unless its
    category is one of the unscoped catalogue categories (``product.category``).
    """

    _inherit = "product.template"

    x_pu_category = fields.Selection(
        PU_CATEGORIES,
        string="PU Category",
        compute="_compute_x_pu_category",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        help="Commercial meaning of the product. Follows the product type when that changes: a service "
        "product is at least a service, goods are physical.",
    )
    x_service_type = fields.Selection(
        SERVICE_TYPES,
        string="Service Type",
        compute="_compute_x_service_type",
        store=True,
        readonly=False,
        help="Only for PU category Service.",
    )
    x_contract_type = fields.Selection(
        CONTRACT_TYPES,
        string="Contract Type",
        compute="_compute_x_contract_type",
        store=True,
        readonly=False,
        help="Only for PU category Contract.",
    )
    x_pu_metric = fields.Selection(PU_METRICS, string="PU Metric", help="How the product is measured.")
    abs_payg_plan_id = fields.Many2one(
        "abs.payg.plan",
        string="PAYG Plan",
        index="btree_not_null",
        help="Sold pay-as-you-go: each delivered serial opens a PAYG account on this plan.",
    )
    # Odoo Enterprise's sale_subscription names its flag the same; Community has none (API-CONTRACT.md).
    recurring_invoice = fields.Boolean(
        string="Recurring Invoice",
        compute="_compute_recurring_invoice",
        store=True,
        readonly=False,
        help="Billed periodically by a subscription. Only for PU categories Contract and Digital.",
    )
    x_subscription_cadence = fields.Selection(
        [("weekly", "Weekly"), ("monthly", "Monthly"), ("quarterly", "Quarterly"), ("yearly", "Yearly")],
        string="Billing Cadence",
        default="monthly",
        help="How often a subscription of this recurring product is billed (seed workflow 10).",
    )
    x_sa_id = fields.Many2one(
        "ov.serviced_account",
        string="Service Account",
        index="btree_not_null",
        # Deleting an SA must not silently turn its products into shared ones.
        ondelete="restrict",
        help="Empty: shared by every service account. Set: only that SA sees the product (unless its "
        "category is one that every SA sees).",
    )
    abs_product_type = fields.Selection(
        PRODUCT_TYPES,
        string="Product Type (API)",
        compute="_compute_abs_product_type",
        search="_search_abs_product_type",
        help="Odoo's type in the API's words: storable, consu (consumable), service.",
    )

    # ------------------------------------------------------------------ compute / search

    @api.depends("type")
    def _compute_x_pu_category(self):
        # Keep what was chosen when it still fits the type; otherwise the nearest category.
        for template in self:
            if template.type == "service":
                if template.x_pu_category not in INTANGIBLE_PU:
                    template.x_pu_category = "service"
            elif template.x_pu_category != "physical":
                template.x_pu_category = "physical"

    @api.depends("x_pu_category")
    def _compute_x_service_type(self):
        self.filtered(lambda t: t.x_pu_category != "service").x_service_type = False

    @api.depends("x_pu_category")
    def _compute_x_contract_type(self):
        self.filtered(lambda t: t.x_pu_category != "contract").x_contract_type = False

    @api.depends("x_pu_category")
    def _compute_recurring_invoice(self):
        self.filtered(lambda t: t.x_pu_category not in RECURRING_PU).recurring_invoice = False

    @api.depends("type", "is_storable")
    def _compute_abs_product_type(self):
        for template in self:
            template.abs_product_type = (
                "storable" if template.type == "consu" and template.is_storable else template.type
            )

    @api.model
    def _search_abs_product_type(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            return NotImplemented
        values = [value] if isinstance(value, str) else list(value)
        terms = {
            "storable": [("type", "=", "consu"), ("is_storable", "=", True)],
            "consu": [("type", "=", "consu"), ("is_storable", "=", False)],
            "service": [("type", "=", "service")],
            "combo": [("type", "=", "combo")],
        }
        domain = expression.OR([terms[v] for v in values if v in terms] or [expression.FALSE_DOMAIN])
        return domain if operator in ("=", "in") else ["!", *domain]

    # ------------------------------------------------------------------ constraints / onchange

    @api.constrains("x_pu_category", "type", "x_service_type", "x_contract_type", "recurring_invoice")
    def _check_pu_taxonomy(self):
        """The rules of seed 1c. Defaults come from ``_abs_pu_defaults``; these refuse contradictions."""
        labels = dict(self._fields["x_pu_category"]._description_selection(self.env))
        for template in self:
            pu = template.x_pu_category
            if template.x_service_type and pu != "service":
                raise ValidationError(
                    self.env._(
                        "%(product)s: a service type can only be set on a product of PU category Service.",
                        product=template.display_name,
                    )
                )
            if template.x_contract_type and pu != "contract":
                raise ValidationError(
                    self.env._(
                        "%(product)s: a contract type can only be set on a product of PU category Contract.",
                        product=template.display_name,
                    )
                )
            if template.recurring_invoice and pu not in RECURRING_PU:
                raise ValidationError(
                    self.env._(
                        "%(product)s: recurring invoicing only applies to PU categories Contract and Digital.",
                        product=template.display_name,
                    )
                )
            if pu in INTANGIBLE_PU and template.type != "service":
                raise ValidationError(
                    self.env._(
                        "%(product)s: a product of PU category %(pu)s must be of product type Service.",
                        product=template.display_name,
                        pu=labels.get(pu, pu),
                    )
                )
            if pu == "physical" and template.type == "service":
                raise ValidationError(
                    self.env._(
                        "%(product)s: a service cannot be of PU category Physical.", product=template.display_name
                    )
                )

    @api.constrains("tracking", "is_storable")
    def _check_tracking_needs_storable(self):
        for template in self:
            if template.tracking not in (False, "none") and not template.is_storable:
                raise ValidationError(
                    self.env._(
                        "%(product)s: only a storable product can be tracked by serial or lot number.",
                        product=template.display_name,
                    )
                )

    @api.constrains("x_sa_id", "company_id")
    def _check_sa_company(self):
        for template in self:
            if template.x_sa_id and template.company_id and template.x_sa_id.company_id != template.company_id:
                raise ValidationError(
                    self.env._(
                        "%(product)s belongs to %(company)s but its service account %(sa)s to another company.",
                        product=template.display_name,
                        company=template.company_id.name,
                        sa=template.x_sa_id.display_name,
                    )
                )

    @api.onchange("x_pu_category")
    def _onchange_x_pu_category(self):
        """In the form, choosing a PU category fills the type, tracking and invoicing it implies."""
        for template in self:
            if template.x_pu_category:
                template.update(template._abs_pu_defaults(template.x_pu_category, storable=template.is_storable))

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        # A PU category given without a product type brings the type it implies (1c), so that
        # code, imports and data files get what the form's onchange gives.
        vals_list = [self._abs_complete_pu_vals(vals) for vals in vals_list]
        return super().create(vals_list)

    # ------------------------------------------------------------------ business methods

    @api.model
    def _abs_pu_defaults(self, pu_category, storable=None):
        """What a PU category implies (seed matrix 1c), as product.template values.

        Physical goods are storable unless told otherwise, invoiced on delivery when storable and on
        order otherwise; services, contracts and digital products are services invoiced on order.
        The invoice policy is a default, not a rule: other modules sell services on delivered quantities.
        """
        if pu_category == "physical":
            storable = True if storable is None else storable
            return {
                "type": "consu",
                "is_storable": storable,
                "invoice_policy": "delivery" if storable else "order",
                "x_pu_metric": "piece",
            }
        defaults = {"type": "service", "is_storable": False, "tracking": "none", "invoice_policy": "order"}
        if pu_category == "contract":
            defaults["x_pu_metric"] = "duration"
        return defaults

    @api.model
    def _abs_complete_pu_vals(self, vals):
        """``vals`` with the type-related values its PU category implies, where ``vals`` does not say."""
        if not vals.get("x_pu_category") or "type" in vals:
            return vals
        defaults = self._abs_pu_defaults(vals["x_pu_category"], storable=vals.get("is_storable"))
        return {**{key: value for key, value in defaults.items() if key not in vals}, **vals}

    @api.model
    def _abs_catalog_domain(self, account_ids, category_path="categ_id", stamp_path="x_sa_id"):
        """Catalogue records the callers of ``account_ids`` may see (None: every SA, no restriction).

        Shared (no stamp), stamped with one of ``account_ids``, or in an unscoped catalogue category
        (``abs_connector.unscoped_catalog_category_ids``, sub-categories included). The paths let the
        Bills of Products apply the same rule through their package product.
        """
        if account_ids is None:
            return []
        domain = ["|", (stamp_path, "=", False), (stamp_path, "in", list(account_ids))]
        unscoped = self.env["product.category"]._abs_unscoped_category_ids()
        if unscoped:
            domain = expression.OR([domain, [(category_path, "child_of", unscoped)]])
        return domain

    @api.model
    def _abs_check_catalogue_write(self, records, writable_sa_ids):
        """Refuse (forbidden) changing ``records`` (stamped with ``x_sa_id``) for a caller who may
        write the catalogue of ``writable_sa_ids`` only (None: the whole catalogue, e.g. an API key).

        The shared catalogue and other SAs' products are read-only to an SA's staff.
        """
        for record in records:
            self._abs_check_catalogue_account(record.x_sa_id, record.display_name, writable_sa_ids)

    @api.model
    def _abs_check_catalogue_account(self, account, name, writable_sa_ids):
        """The rule of ``_abs_check_catalogue_write`` for one catalogue entry of ``account`` (none: shared)."""
        if writable_sa_ids is None:
            return
        if not account:
            raise AbsForbidden(
                self.env._(
                    "%(record)s belongs to the shared catalogue: only an internal service (API key) or "
                    "an administrator may change it.",
                    record=name,
                ),
                CATALOGUE_FORBIDDEN,
            )
        if account.id not in writable_sa_ids:
            raise AbsForbidden(
                self.env._("%(record)s belongs to another service account's catalogue.", record=name),
                CATALOGUE_FORBIDDEN,
            )

    @api.model
    def _abs_prepare_catalogue_vals(self, values, record=None):
        """Translate API product fields (the seed's words) into product values, defaults included.

        ``record``: the product being updated (None on create): a new PU category then brings the type
        it implies only where the product's current type does not fit it.
        """
        values = dict(values)
        vals = {
            field: values.pop(key)
            for key, field in (
                ("name", "name"),
                ("default_code", "default_code"),
                ("barcode", "barcode"),
                ("description", "description_sale"),
                ("list_price", "list_price"),
                ("standard_price", "standard_price"),
                ("sale_ok", "sale_ok"),
                ("active", "active"),
                ("pu_category", "x_pu_category"),
                ("service_type", "x_service_type"),
                ("contract_type", "x_contract_type"),
                ("pu_metric", "x_pu_metric"),
                ("recurring_invoice", "recurring_invoice"),
                ("tracking", "tracking"),
                ("invoice_policy", "invoice_policy"),
            )
            if key in values
        }
        for key in ("default_code", "barcode", "description_sale", "x_service_type", "x_contract_type", "x_pu_metric"):
            if key in vals and vals[key] is None:
                vals[key] = False
        if values.get("product_type"):
            vals.update(PRODUCT_TYPE_VALS[values["product_type"]])
        if "category_id" in values:
            category = self.env["product.category"].search([("id", "=", values["category_id"])])
            if not category:
                raise AbsNotFound(
                    self.env._("Product category %(id)s not found.", id=values["category_id"]),
                    "not_found",
                    details={"category_id": values["category_id"]},
                )
            vals["categ_id"] = category.id
        pu = vals.get("x_pu_category")
        if record is None:
            # A new product: its PU category (or, without one, the one its type implies) fills the rest.
            pu = pu or ("service" if vals.get("type") == "service" else "physical")
            defaults = self._abs_pu_defaults(pu, storable=vals.get("is_storable"))
            vals = {"x_pu_category": pu, **{k: v for k, v in defaults.items() if k not in vals}, **vals}
        elif pu and "type" not in vals and (record.type == "service") != (pu in INTANGIBLE_PU):
            # A new PU category the current type does not fit: the type it implies comes with it.
            defaults = self._abs_pu_defaults(pu, storable=vals.get("is_storable"))
            vals = {**{k: v for k, v in defaults.items() if k not in vals and k != "x_pu_metric"}, **vals}
        return vals
