from odoo import models


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _load(self, template_code, company, install_demo, force_create=True):
        """A company that gets its chart of accounts gets the Cash, Bank and Mobile Money journals of the
        payment workflow too, and each of its SAs its cash books (a chart installed after this module, e.g. on
        a database without demo data where core installs it at the end, or for a new company)."""
        result = super()._load(template_code, company, install_demo, force_create)
        self.env["account.journal"]._abs_ensure_payment_journals(self.env["res.company"].browse(company.id))
        # And its SAs their cash journal and agents' cash-in-hand account.
        self.env["ov.serviced_account"].with_context(active_test=False).search(
            [("company_id", "=", company.id)]
        )._abs_cash_setup()
        return result
