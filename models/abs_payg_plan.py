from odoo import api, fields, models
from odoo.exceptions import ValidationError

PRICING_MODES = [("per_day", "Price per day"), ("per_instalment", "Price per instalment")]
CADENCES = [("daily", "Daily"), ("weekly", "Weekly"), ("monthly", "Monthly")]
# Days of use one instalment of a cadence buys (a month is 30 days: the device counts days, not calendar months).
CADENCE_DAYS = {"daily": 1, "weekly": 7, "monthly": 30}


class AbsPaygPlan(models.Model):
    """A pay-as-you-go / lease-to-own plan a product is sold on.

    The customer pays a deposit, then buys days of use until ``price_to_own`` is reached; ``free_days`` come
    with the deposit. Priced ``per_day`` (``price_per_day``; an instalment is ``instalment_days`` of it) or
    ``per_instalment`` (``instalment_price`` every ``cadence``: a payment buys (amount ÷ instalment price) ×
    the cadence's days; with a ``term``, the price to own is deposit + term × instalment price).
    Days are sold in whole token units of ``token_unit_days`` days; a token carries at most 995 units
    (999,999 with ``extended_tokens``). ``restricted_digit_set`` makes codes of the digits 1-4 only, for
    four-key keypads.
    """

    _name = "abs.payg.plan"
    _description = "Pay-as-you-go Plan"
    _order = "name"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    pricing_mode = fields.Selection(
        PRICING_MODES,
        required=True,
        default="per_day",
        help="Per day: a price per day of use. Per instalment: a price per instalment paid on a cadence.",
    )
    deposit = fields.Monetary(required=True, default=0.0, help="Paid first; activates the device with the free days.")
    price_per_day = fields.Monetary(
        compute="_compute_price_per_day",
        store=True,
        readonly=False,
        help="What one day of use costs after the deposit (per instalment: the instalment price ÷ its days).",
    )
    instalment_price = fields.Monetary(help="Per instalment pricing: what one instalment costs.")
    cadence = fields.Selection(
        CADENCES, default="weekly", help="Per instalment pricing: how often an instalment is due (a month: 30 days)."
    )
    term = fields.Integer(
        help="Per instalment pricing: the number of instalments after the deposit (0: no term, the price to own "
        "is entered)."
    )
    price_to_own = fields.Monetary(
        compute="_compute_price_to_own",
        store=True,
        readonly=False,
        help="Total (deposit included) after which the device is unlocked for good (with a term: deposit + term "
        "× instalment price).",
    )
    instalment_days = fields.Integer(
        default=7,
        required=True,
        help="Per day pricing: days an instalment buys (the next instalment's amount is this × price per day).",
    )
    free_days = fields.Integer(default=0, help="Days of use given with the deposit.")
    token_unit_days = fields.Integer(default=1, required=True, help="Days of use per token unit.")
    extended_tokens = fields.Boolean(
        help="12-digit tokens carrying up to 999,999 units (the device must support them)."
    )
    restricted_digit_set = fields.Boolean(help="Codes of the digits 1 to 4 only (four-key keypads).")
    product_tmpl_ids = fields.One2many("product.template", "abs_payg_plan_id", string="Products")

    @api.depends("pricing_mode", "instalment_price", "cadence")
    def _compute_price_per_day(self):
        for plan in self:
            if plan.pricing_mode == "per_instalment" and plan.cadence:
                plan.price_per_day = plan.instalment_price / CADENCE_DAYS[plan.cadence]
            else:
                plan.price_per_day = plan.price_per_day  # per day: entered

    @api.depends("pricing_mode", "deposit", "instalment_price", "term")
    def _compute_price_to_own(self):
        for plan in self:
            if plan.pricing_mode == "per_instalment" and plan.term > 0:
                plan.price_to_own = plan.deposit + plan.term * plan.instalment_price
            else:
                plan.price_to_own = plan.price_to_own  # entered

    @api.constrains(
        "pricing_mode",
        "deposit",
        "price_per_day",
        "price_to_own",
        "instalment_price",
        "cadence",
        "term",
        "free_days",
        "token_unit_days",
        "instalment_days",
    )
    def _check_amounts(self):
        for plan in self:
            if plan.pricing_mode == "per_day" and plan.price_per_day <= 0:
                raise ValidationError(
                    self.env._("Plan %(plan)s is priced per day: its price per day must be positive.", plan=plan.name)
                )
            if plan.pricing_mode == "per_instalment":
                if plan.instalment_price <= 0 or not plan.cadence:
                    raise ValidationError(
                        self.env._(
                            "Plan %(plan)s is priced per instalment: it needs a positive instalment price and a "
                            "cadence.",
                            plan=plan.name,
                        )
                    )
                if plan.term < 0:
                    raise ValidationError(
                        self.env._("Plan %(plan)s: the term is a number of instalments, not negative.", plan=plan.name)
                    )
            if plan.price_to_own <= 0:
                raise ValidationError(
                    self.env._("Plan %(plan)s: the price to own (or the term) must be positive.", plan=plan.name)
                )
            if plan.deposit < 0 or plan.deposit > plan.price_to_own:
                raise ValidationError(
                    self.env._("Plan %(plan)s: the deposit must be between 0 and the price to own.", plan=plan.name)
                )
            if plan.free_days < 0 or plan.token_unit_days < 1 or plan.instalment_days < 1:
                raise ValidationError(
                    self.env._("Free days must not be negative; token unit and instalment days at least 1.")
                )

    def copy_data(self, default=None):
        # A copy recomputes what its instalment pricing derives (the computes do not run on copied values).
        default = default or {}
        vals_list = super().copy_data(default)
        for vals in vals_list:
            if vals.get("pricing_mode") == "per_instalment":
                if "price_per_day" not in default:
                    vals.pop("price_per_day", None)
                if vals.get("term", 0) > 0 and "price_to_own" not in default:
                    vals.pop("price_to_own", None)
        return vals_list

    def _abs_days_for(self, amount_paid):
        """Days of use bought by ``amount_paid`` in all (deposit included): none before the deposit is paid,
        then the free days plus whole token units of what was paid beyond the deposit (per instalment:
        (amount ÷ instalment price) × the cadence's days)."""
        self.ensure_one()
        currency = self.currency_id
        if currency.compare_amounts(amount_paid, self.deposit) < 0:
            return 0
        beyond = currency.round(amount_paid - self.deposit)
        price, days = self._abs_price_of_days()
        # A rounding margin so that 7 × 0.1 buys 7 days, not 6.
        units = int(((beyond + currency.rounding / 2) * days) // (price * self.token_unit_days))
        return self.free_days + units * self.token_unit_days

    def _abs_price_of_days(self):
        """``(price, days)``: what buys how many days of use (per day: the price of one day; per instalment:
        the instalment price and its cadence's days)."""
        self.ensure_one()
        if self.pricing_mode == "per_instalment":
            return self.instalment_price, CADENCE_DAYS[self.cadence]
        return self.price_per_day, 1

    def _abs_instalment(self):
        """``(amount, days)`` of one instalment after the deposit."""
        self.ensure_one()
        if self.pricing_mode == "per_instalment":
            return self.instalment_price, CADENCE_DAYS[self.cadence]
        return self.instalment_days * self.price_per_day, self.instalment_days
