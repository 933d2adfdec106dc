from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AbsPaygPlan(models.Model):
    """A pay-as-you-go / lease-to-own plan a product is sold on.

    The customer pays a deposit, then buys days of use (``price_per_day``) until ``price_to_own`` is
    reached; ``free_days`` come with the deposit. Days are sold in whole token units of
    ``token_unit_days`` days; a token carries at most 995 units (999,999 with ``extended_tokens``).
    ``restricted_digit_set`` makes codes of the digits 1-4 only, for four-key keypads.
    """

    _name = "abs.payg.plan"
    _description = "Pay-as-you-go Plan"
    _order = "name"

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    deposit = fields.Monetary(required=True, default=0.0, help="Paid first; activates the device with the free days.")
    price_per_day = fields.Monetary(required=True, help="What one day of use costs after the deposit.")
    price_to_own = fields.Monetary(
        required=True, help="Total (deposit included) after which the device is unlocked for good."
    )
    instalment_days = fields.Integer(
        default=7, required=True, help="Days an instalment buys: the next instalment's amount is this × price per day."
    )
    free_days = fields.Integer(default=0, help="Days of use given with the deposit.")
    token_unit_days = fields.Integer(default=1, required=True, help="Days of use per token unit.")
    extended_tokens = fields.Boolean(
        help="12-digit tokens carrying up to 999,999 units (the device must support them)."
    )
    restricted_digit_set = fields.Boolean(help="Codes of the digits 1 to 4 only (four-key keypads).")
    product_tmpl_ids = fields.One2many("product.template", "abs_payg_plan_id", string="Products")

    @api.constrains("deposit", "price_per_day", "price_to_own", "free_days", "token_unit_days", "instalment_days")
    def _check_amounts(self):
        for plan in self:
            if plan.price_per_day <= 0 or plan.price_to_own <= 0:
                raise ValidationError(self.env._("A plan's price per day and price to own must be positive."))
            if plan.deposit < 0 or plan.deposit > plan.price_to_own:
                raise ValidationError(self.env._("A plan's deposit must be between 0 and its price to own."))
            if plan.free_days < 0 or plan.token_unit_days < 1 or plan.instalment_days < 1:
                raise ValidationError(
                    self.env._("Free days must not be negative; token unit and instalment days at least 1.")
                )

    def _abs_days_for(self, amount_paid):
        """Days of use bought by ``amount_paid`` in all (deposit included): none before the deposit is paid,
        then the free days plus whole token units of what was paid beyond the deposit."""
        self.ensure_one()
        currency = self.currency_id
        if currency.compare_amounts(amount_paid, self.deposit) < 0:
            return 0
        beyond = currency.round(amount_paid - self.deposit)
        # A rounding margin so that 7 × 0.1 buys 7 days, not 6.
        units = int((beyond + currency.rounding / 2) // (self.price_per_day * self.token_unit_days))
        return self.free_days + units * self.token_unit_days
