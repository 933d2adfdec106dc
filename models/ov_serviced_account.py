from odoo import api, fields, models

from . import cash_rules


class OvServicedAccount(models.Model):
    """A service account (SA): the governance unit that owns commercial activity."""

    _name = "ov.serviced_account"
    _description = "Service Account"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    code = fields.Char(required=True, help="Short code of the SA, unique within its company (e.g. TG).")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    approval_threshold = fields.Monetary(
        currency_field="currency_id",
        help="Quotations whose total exceeds this amount need a staff member's approval. "
        "Zero means every quotation can be confirmed without approval.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Pricelist",
        check_company=True,
        help="Prices of this SA's quotations; empty: the customer's own pricelist. "
        "A line sold below this price is a discount, which needs a staff member's approval.",
    )
    membership_ids = fields.One2many("ov.membership", "account_id", string="Memberships")
    outlet_ids = fields.One2many("ov.outlet", "account_id", string="Outlets")
    membership_count = fields.Integer(compute="_compute_counts")
    # Agents' cash (seed workflow 9): made on the SA's first agent cash payment, see _abs_cash_setup.
    abs_cash_journal_id = fields.Many2one(
        "account.journal",
        string="Cash Journal",
        copy=False,
        check_company=True,
        help="The SA's cash box: the cash agents hand over to the SA's cashier is booked here.",
    )
    abs_cash_in_hand_account_id = fields.Many2one(
        "account.account",
        string="Agents' Cash in Hand Account",
        copy=False,
        help="Outstanding receipts of the cash the SA's agents collected and still hold; the agent is the "
        "partner of each line, so an agent's balance on this account is its cash in hand.",
    )
    customer_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "The SA code must be unique per company."),
        ("approval_threshold_positive", "CHECK(approval_threshold >= 0)", "The approval threshold cannot be negative."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        # Each SA has its cash journal and agents' cash-in-hand account from the start (its company has a chart).
        accounts.filtered("company_id.chart_template")._abs_cash_setup()
        return accounts

    def write(self, vals):
        if {"active", "company_id"} & set(vals):
            self.env.registry.clear_cache()  # the API's cached memberships in force (ov.membership)
        return super().write(vals)

    def _compute_counts(self):
        memberships = dict(
            self.env["ov.membership"]._read_group([("account_id", "in", self.ids)], ["account_id"], ["__count"])
        )
        customers = dict(
            self.env["ov.sa_customer_assignment"]._read_group(
                [("account_id", "in", self.ids), ("state", "=", "active")], ["account_id"], ["__count"]
            )
        )
        for account in self:
            account.membership_count = memberships.get(account, 0)
            account.customer_count = customers.get(account, 0)

    @api.depends("code")
    def _compute_display_name(self):
        for account in self:
            account.display_name = f"[{account.code}] {account.name}" if account.code else account.name

    def action_view_customers(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customers of %(sa)s", sa=self.name),
            "res_model": "ov.sa_customer_assignment",
            "view_mode": "list,form",
            "domain": [("account_id", "=", self.id)],
            "context": {"default_account_id": self.id},
        }

    def action_view_memberships(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Members of %(sa)s", sa=self.name),
            "res_model": "ov.membership",
            "view_mode": "list,form",
            "domain": [("account_id", "=", self.id)],
            "context": {"default_account_id": self.id, "active_test": False},
        }

    # ------------------------------------------------------------------ agents' cash (workflow 9)

    @api.model
    def _abs_cash_setup_all(self):
        """Install and update: the SAs that exist already (of companies with a chart) get their cash books."""
        self.with_context(active_test=False).search([]).filtered("company_id.chart_template")._abs_cash_setup()
        return True

    def _abs_cash_setup(self):
        """Give each SA its cash journal and its agents' cash-in-hand account where missing (idempotent).

        Refused (``cash_not_configured``) for an SA whose company has no chart of accounts.
        """
        for account in self.filtered(lambda a: not (a.abs_cash_journal_id and a.abs_cash_in_hand_account_id)):
            company = account.company_id
            if not company.chart_template:
                raise cash_rules.CASH_NOT_CONFIGURED(
                    self.env._("%(company)s has no chart of accounts.", company=company.name),
                    details={"service_account_id": account.id},
                )
            # sudo: an SA's books are set up once, by whichever user's payment or handover needs them first
            # (an agent's cash payment through the API, a cashier); the accounts are the company's.
            sudo_account = account.sudo()
            tag = _base36(account.id)
            vals = {}
            if not account.abs_cash_in_hand_account_id:
                vals["abs_cash_in_hand_account_id"] = (
                    self.env["account.account"]
                    .sudo()
                    .with_company(company)
                    .create(
                        {
                            "name": self.env._("Agents' Cash in Hand %(sa)s", sa=account.code),
                            "code": f"1018.{account.id}",
                            "account_type": "asset_current",
                            "reconcile": True,
                            "company_ids": [fields.Command.set(company.ids)],
                        }
                    )
                    .id
                )
            if not account.abs_cash_journal_id:
                vals["abs_cash_journal_id"] = (
                    self.env["account.journal"]
                    .sudo()
                    .create(
                        {
                            "name": self.env._("Cash %(sa)s", sa=account.name),
                            "code": f"K{tag}",
                            "type": "cash",
                            "company_id": company.id,
                        }
                    )
                    .id
                )
            sudo_account.write(vals)
        return True


def _base36(number):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text
