from odoo import api, fields, models

from ..refusals import cash as cash_rules


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

    def _abs_collections_summary(self, date_from=None, date_to=None, by_agent=False):
        """The seed's reporting questions for these SAs, in a fixed number of queries (``_read_group``):

        - ``received``: money received (``account.payment._abs_received_domain``) with a payment date in the
          period, per payment source (the journal's: cash, bank, mobile_money; other) and in total;
        - ``cash_in_hand``: the balance of the SA's agents' cash-in-hand account (at the period's end);
        - ``kits_delivered``: units of serial-tracked products in the SA's deliveries done in the period;
        - with ``by_agent``, ``agents``: per agent (``None``: taken by no agent) its sales (untaxed amount of
          the orders confirmed in the period), what it collected, its cash in hand, what it handed over and
          its shortages (handovers confirmed in the period); the rows add up to the SA's figures.

        Returns ``{sa_id: {...}}``; amounts in the company currency.
        """
        Payment = self.env["account.payment"]
        period = _period_domain("date", date_from, date_to)
        received_groups = Payment._read_group(
            [
                ("x_sa_id", "in", self.ids),
                *Payment._abs_sa_domain(self.ids),
                *Payment._abs_received_domain(),
                *period,
            ],
            ["x_sa_id", "journal_id", "x_actor_id"],
            ["amount_company_currency_signed:sum"],
        )
        in_hand_accounts = {account.abs_cash_in_hand_account_id: account for account in self}
        in_hand_groups = self.env["account.move.line"]._read_group(
            [
                ("account_id", "in", self.abs_cash_in_hand_account_id.ids),
                ("parent_state", "=", "posted"),
                *_period_domain("date", None, date_to),
            ],
            ["account_id", "partner_id"],
            ["balance:sum"],
        )
        agents_by_partner = {}
        if by_agent:
            partners = self.env["res.partner"].browse({partner.id for _a, partner, _b in in_hand_groups})
            agents_by_partner = {
                agent.partner_id: agent
                for agent in self.env["abs.employee"]
                .with_context(active_test=False)
                .search([("partner_id", "in", partners.ids)])
            }
        kits_groups = self.env["stock.move.line"]._read_group(
            [
                ("picking_id.abs_sa_assignment_ids", "any", [("account_id", "in", self.ids), ("state", "=", "active")]),
                ("state", "=", "done"),
                ("picking_code", "=", "outgoing"),
                ("product_id.tracking", "=", "serial"),
                *_period_datetime_domain("date", date_from, date_to),
            ],
            ["picking_id"],
            ["quantity:sum"],
        )
        picking_account = {
            assignment.picking_id: assignment.account_id
            for assignment in self.env["ov.sa_delivery_assignment"].search(
                [("picking_id", "in", [picking.id for picking, _q in kits_groups]), ("state", "=", "active")]
            )
        }
        summary = {
            account.id: {
                "received": dict.fromkeys(("total", "cash", "bank", "mobile_money", "other"), 0.0),
                "cash_in_hand": 0.0,
                "kits_delivered": 0,
                "agents": {},
            }
            for account in self
        }

        def agent_row(account, agent):
            rows = summary[account.id]["agents"]
            return rows.setdefault(
                agent,
                dict.fromkeys(("sales", "collected", "cash_in_hand", "handed_over", "shortages"), 0.0),
            )

        for account, journal, agent, amount in received_groups:
            received = summary[account.id]["received"]
            received[journal.abs_payment_source or "other"] += amount
            received["total"] += amount
            if by_agent:
                agent_row(account, agent)["collected"] += amount
        for in_hand, partner, balance in in_hand_groups:
            account = in_hand_accounts[in_hand]
            summary[account.id]["cash_in_hand"] += balance
            if by_agent:
                agent_row(account, agents_by_partner.get(partner, self.env["abs.employee"]))["cash_in_hand"] += balance
        for picking, quantity in kits_groups:
            if picking in picking_account:
                summary[picking_account[picking].id]["kits_delivered"] += int(quantity)
        if by_agent:
            sales = self.env["sale.order"]._read_group(
                [
                    ("x_sa_id", "in", self.ids),
                    ("state", "=", "sale"),
                    *_period_datetime_domain("date_order", date_from, date_to),
                ],
                ["x_sa_id", "x_actor_id"],
                ["amount_untaxed:sum"],
            )
            for account, agent, amount in sales:
                agent_row(account, agent)["sales"] += amount
            handovers = self.env["abs.cash.handover"]._read_group(
                [
                    ("x_sa_id", "in", self.ids),
                    ("state", "=", "confirmed"),
                    *_period_datetime_domain("confirmed_at", date_from, date_to),
                ],
                ["x_sa_id", "x_actor_id"],
                ["expected_amount:sum", "difference:sum"],
            )
            shortages = self.env["abs.cash.handover"]._read_group(
                [
                    ("x_sa_id", "in", self.ids),
                    ("state", "=", "confirmed"),
                    ("difference", "<", 0),
                    *_period_datetime_domain("confirmed_at", date_from, date_to),
                ],
                ["x_sa_id", "x_actor_id"],
                ["difference:sum"],
            )
            for account, agent, expected, _difference in handovers:
                agent_row(account, agent)["handed_over"] += expected
            for account, agent, difference in shortages:
                agent_row(account, agent)["shortages"] -= difference
        for account in self:
            figures = summary[account.id]
            currency = account.currency_id
            figures["received"] = {key: currency.round(value) for key, value in figures["received"].items()}
            figures["cash_in_hand"] = currency.round(figures["cash_in_hand"])
            figures["agents"] = [
                {
                    "agent": {"id": agent.id, "name": agent.name} if agent else None,
                    **{key: currency.round(value) for key, value in row.items()},
                }
                for agent, row in sorted(figures["agents"].items(), key=lambda item: (item[0].name or "", item[0].id))
            ]
        return summary

    @api.model
    def _abs_action_cash_in_hand(self):
        """The backend's *Agents' Cash in Hand*: the posted lines of the SAs' agents' cash-in-hand accounts,
        as a pivot per SA account and agent (the ledger partner), and a graph."""
        in_hand = self.search([]).abs_cash_in_hand_account_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Agents' Cash in Hand"),
            "res_model": "account.move.line",
            "view_mode": "pivot,graph,list",
            "views": [(False, "pivot"), (False, "graph"), (False, "list")],
            "domain": [("account_id", "in", in_hand.ids), ("parent_state", "=", "posted")],
            "context": {
                "pivot_row_groupby": ["account_id", "partner_id"],
                "pivot_measures": ["balance"],
                "graph_groupbys": ["partner_id"],
                "graph_measure": "balance",
            },
        }

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


def _period_domain(field, date_from, date_to):
    """Terms of a date field within the period (both ends included; None: open)."""
    return [*([(field, ">=", date_from)] if date_from else []), *([(field, "<=", date_to)] if date_to else [])]


def _period_datetime_domain(field, date_from, date_to):
    """Terms of a datetime field on the period's days (both ends included; None: open)."""
    terms = []
    if date_from:
        terms.append((field, ">=", fields.Datetime.to_datetime(date_from)))
    if date_to:
        terms.append((field, "<", fields.Datetime.to_datetime(fields.Date.add(date_to, days=1))))
    return terms


def _base36(number):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text
