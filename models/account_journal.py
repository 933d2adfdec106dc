from odoo import api, fields, models

from ..refusals import payment as payment_rules

PAYMENT_SOURCES = [("cash", "Cash"), ("bank", "Bank"), ("mobile_money", "Mobile Money")]
# The journals the payment workflow creates for a company (data/abs_connector_payment_data.xml):
# source -> (journal type, code, name).
PAYMENT_JOURNALS = {
    "cash": ("cash", "ABCSH", "Cash"),
    "bank": ("bank", "ABBNK", "Bank"),
    "mobile_money": ("bank", "MOMO", "Mobile Money"),
}


class AccountJournal(models.Model):
    _inherit = "account.journal"

    abs_payment_source = fields.Selection(
        PAYMENT_SOURCES,
        string="API Payment Source",
        copy=False,
        index="btree_not_null",
        help="The journal the API books a payment in when the client names this payment source and no journal.",
    )

    _sql_constraints = [
        (
            "abs_payment_source_company_uniq",
            "unique(company_id, abs_payment_source)",
            "A company has one journal per API payment source.",
        )
    ]

    @api.model
    def _abs_ensure_payment_journals(self, companies=None):
        """Create the Cash, Bank and Mobile Money journals of the payment workflow where missing.

        Only companies with a chart of accounts get them (a journal needs its accounts). Idempotent.
        """
        companies = companies or self.env.ref("base.main_company")
        for company in companies.filtered("chart_template"):
            existing = set(
                self.search([("company_id", "=", company.id), ("abs_payment_source", "!=", False)]).mapped(
                    "abs_payment_source"
                )
            )
            codes = set(self.search([("company_id", "=", company.id)]).mapped("code"))
            vals_list = [
                {
                    "name": name,
                    "type": journal_type,
                    "code": code if code not in codes else code[:4] + "X",
                    "company_id": company.id,
                    "abs_payment_source": source,
                }
                for source, (journal_type, code, name) in PAYMENT_JOURNALS.items()
                if source not in existing
            ]
            if vals_list:
                self.create(vals_list)
        return True

    @api.model
    def _abs_payment_journal(self, company, source):
        """The journal of ``company`` for the API payment source ``source`` (empty when there is none)."""
        return self.search(
            [("company_id", "=", company.id), ("abs_payment_source", "=", source), ("active", "=", True)], limit=1
        )

    @api.model
    def _abs_journal_for_payment(self, company, journal_id=None, source="cash"):
        """The journal a payment of ``company`` is booked in: ``journal_id`` (a cash or bank journal of
        the company), else the journal of the payment ``source``; refused (``invalid_journal``) otherwise."""
        if journal_id:
            journal = self.search(
                [("id", "=", journal_id), ("company_id", "=", company.id), ("type", "in", ("bank", "cash"))], limit=1
            )
            if not journal:
                raise payment_rules.INVALID_JOURNAL(
                    self.env._(
                        "Journal %(id)s is not a cash or bank journal of %(company)s.",
                        id=journal_id,
                        company=company.name,
                    ),
                    details={"journal_id": journal_id},
                )
            return journal
        journal = self._abs_payment_journal(company, source)
        if not journal:
            raise payment_rules.INVALID_JOURNAL(
                self.env._("%(company)s has no journal for %(kind)s payments.", company=company.name, kind=source),
                details={"payment_source": source},
            )
        return journal
