import base64
import csv
import io
import re

from odoo import fields, models
from odoo.exceptions import UserError

HEX_KEY = re.compile(r"^[0-9a-fA-F]{32}$")


class AbsPaygDeviceImport(models.TransientModel):
    """Import the PAYG devices' secrets from the manufacturer's CSV, or generate them for serials without one.

    CSV columns: ``serial``, ``secret_key`` (16 bytes, hex), optional ``starting_code``. Each row names a
    serial of the chosen product. The secrets are written on the serials (PAYG managers only) and never
    shown back: the result says how many serials were set.
    """

    _name = "abs.payg.device.import"
    _description = "Import PAYG Device Secrets"

    product_id = fields.Many2one("product.product", required=True, domain=[("tracking", "=", "serial")])
    mode = fields.Selection([("csv", "Manufacturer's CSV"), ("generate", "Generate")], required=True, default="csv")
    csv_file = fields.Binary("CSV File")
    overwrite = fields.Boolean(help="Replace secrets already set (a device re-flashed by the manufacturer).")
    result = fields.Text(readonly=True)

    def action_import(self):
        self.ensure_one()
        Lot = self.env["stock.lot"]
        if self.mode == "generate":
            lots = Lot.search([("product_id", "=", self.product_id.id)])
            before = len(lots.filtered("abs_payg_secret"))
            lots._abs_payg_ensure_secret()
            count = len(lots) - before
        else:
            count = self._abs_import_rows(self._abs_read_rows())
        self.result = self.env._("%(count)s serial(s) got a device secret.", count=count)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _abs_read_rows(self):
        if not self.csv_file:
            raise UserError(self.env._("Choose the manufacturer's CSV file."))
        text = base64.b64decode(self.csv_file).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        if not rows or not {"serial", "secret_key"} <= set(rows[0]):
            raise UserError(
                self.env._("The CSV needs the columns serial and secret_key (and optionally starting_code).")
            )
        return rows

    def _abs_import_rows(self, rows):
        names = [row["serial"].strip() for row in rows]
        lots = {
            lot.name: lot
            for lot in self.env["stock.lot"].search([("product_id", "=", self.product_id.id), ("name", "in", names)])
        }
        errors, count = [], 0
        for line_no, row in enumerate(rows, start=2):
            name, key = row["serial"].strip(), (row.get("secret_key") or "").strip()
            code = (row.get("starting_code") or "").strip()
            lot = lots.get(name)
            if not lot:
                errors.append(self.env._("line %(line)s: unknown serial %(serial)s", line=line_no, serial=name))
            elif not HEX_KEY.match(key) or (code and not code.isdigit()):
                # The key itself is never repeated in a message.
                errors.append(
                    self.env._("line %(line)s: not a 32-digit hex key or a numeric starting code", line=line_no)
                )
            elif lot.abs_payg_secret and not self.overwrite:
                continue
            else:
                lot.write({"abs_payg_secret": key.lower(), "abs_payg_starting_code": int(code) if code else 0})
                count += 1
        if errors:
            raise UserError("\n".join(errors))
        return count
