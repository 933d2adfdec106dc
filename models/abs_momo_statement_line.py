from odoo import fields, models

STATUSES = [
    ("matched", "Matched"),
    ("missing_ours", "Missing on Our Side"),
    ("missing_provider", "Missing on the Provider's Side"),
]
MATCH_RULES = [("reference", "Transaction Reference"), ("amount_phone_date", "Amount, Phone and Date")]


class AbsMomoStatementLine(models.Model):
    """One line of a reconciled mobile-money statement: a provider transaction (``matched`` to our payment, or
    ``missing_ours``), or a payment of ours the provider does not list (``missing_provider``, no reference).

    A provider transaction is reconciled once per company and provider: its reference is unique, the last
    guard against a statement imported twice at the same time (``abs.momo.statement._abs_import``).
    """

    _name = "abs.momo.statement.line"
    _description = "Mobile Money Statement Line"
    _order = "statement_id desc, date, id"
    _rec_name = "reference"

    statement_id = fields.Many2one(
        "abs.momo.statement", string="Statement", required=True, ondelete="cascade", index=True, readonly=True
    )
    x_sa_id = fields.Many2one(related="statement_id.x_sa_id", store=True, index=True, string="Service Account")
    company_id = fields.Many2one(related="statement_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="statement_id.currency_id")
    provider = fields.Selection(related="statement_id.provider", store=True)
    reference = fields.Char(
        "Provider Reference", readonly=True, index=True, help="Empty on a payment of ours the provider does not list."
    )
    date = fields.Date(required=True, readonly=True)
    amount = fields.Monetary(required=True, readonly=True)
    phone = fields.Char(readonly=True)
    status = fields.Selection(STATUSES, required=True, readonly=True, index=True)
    match_rule = fields.Selection(MATCH_RULES, readonly=True)
    payment_id = fields.Many2one(
        "account.payment", string="Our Payment", readonly=True, ondelete="restrict", index=True
    )
    attempt_id = fields.Many2one("abs.payment.attempt", string="Our Attempt", readonly=True, ondelete="set null")
    note = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "reference_uniq",
            "unique(company_id, provider, reference)",
            "A provider transaction is reconciled in one statement only.",
        ),
        ("payment_uniq", "unique(statement_id, payment_id)", "A payment is on one line of a statement."),
    ]
