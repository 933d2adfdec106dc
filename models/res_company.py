from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        api_user = self.env.ref("abs_connector.user_api", raise_if_not_found=False)
        if api_user:
            # sudo: the API's technical user must be able to act in every company an SA can belong to
            api_user.sudo().company_ids = [(4, company.id) for company in companies]
        return companies
