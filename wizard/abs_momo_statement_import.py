import base64
import binascii

from odoo import fields, models
from odoo.exceptions import UserError

from ..models.abs_payment_attempt import PROVIDERS


class AbsMomoStatementImport(models.TransientModel):
    """Finance imports a mobile-money provider's statement for an SA and a period: the provider's CSV export
    (columns ``reference``, ``date``, ``amount``, ``phone``), or the statement the provider serves. Both go
    through ``abs.momo.statement._abs_import``, the API's method, which reconciles it."""

    _name = "abs.momo.statement.import"
    _description = "Import a Mobile Money Statement"

    account_id = fields.Many2one("ov.serviced_account", string="Service Account", required=True)
    provider = fields.Selection(PROVIDERS, required=True, default="sandbox")
    date_from = fields.Date(required=True, default=lambda self: fields.Date.start_of(fields.Date.today(), "month"))
    date_to = fields.Date(required=True, default=fields.Date.today)
    mode = fields.Selection(
        [("csv", "Provider's CSV File"), ("provider", "Fetch from the Provider")], required=True, default="csv"
    )
    csv_file = fields.Binary("CSV File")
    csv_filename = fields.Char()

    def action_import(self):
        self.ensure_one()
        Statement = self.env["abs.momo.statement"]
        if self.mode == "provider":
            statement = Statement._abs_fetch(self.account_id, self.provider, self.date_from, self.date_to)
        else:
            if not self.csv_file:
                raise UserError(self.env._("Choose the provider's CSV file."))
            try:
                text = base64.b64decode(self.csv_file).decode("utf-8-sig")
            except (binascii.Error, UnicodeDecodeError) as error:
                raise UserError(self.env._("The file is not a UTF-8 CSV file.")) from error
            statement = Statement._abs_import(
                self.account_id, self.provider, self.date_from, self.date_to, Statement._abs_parse_csv(text), "csv"
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": statement._name,
            "res_id": statement.id,
            "view_mode": "form",
            "target": "current",
        }
