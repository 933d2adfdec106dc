import re

from odoo import api, fields, models
from odoo.exceptions import AccessDenied, ValidationError

from ..helpers.phone import normalize_phone


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["ov.sa_governed.mixin", "res.partner", "abs.sync.pushable"]  # governed mixin first: see its docstring
    _sa_assignment_model = "ov.sa_customer_assignment"
    _sa_exclusive = False  # a customer may be served by several SAs

    # V2 stamps: who created the customer, for which SA. Governance reads use the V3 table.
    x_sa_id = fields.Many2one("ov.serviced_account", string="Service Account", index="btree_not_null", copy=False)
    x_actor_id = fields.Many2one("abs.employee", string="Created by (agent)", copy=False)
    x_outlet_id = fields.Many2one("ov.outlet", string="Outlet", copy=False)
    abs_sa_assignment_ids = fields.One2many(
        "ov.sa_customer_assignment", "partner_id", string="Service Account Assignments"
    )
    # Customer portal login: the normalised phone is unique among customers that have a PIN.
    abs_login_phone = fields.Char(string="Portal Login Phone", copy=False, index="btree_not_null", readonly=True)
    abs_pin_hash = fields.Char(copy=False, groups="base.group_system", prefetch=False)
    abs_has_pin = fields.Boolean(string="Has Portal PIN", compute="_compute_abs_has_pin")

    _sql_constraints = [
        ("abs_login_phone_uniq", "unique(abs_login_phone)", "Another customer already logs in with this phone."),
    ]

    def _compute_abs_has_pin(self):
        # sudo: only whether a PIN exists is shown, never its hash
        for partner in self:
            partner.abs_has_pin = bool(partner.sudo().abs_pin_hash)

    def write(self, vals):
        result = super().write(vals)
        if "phone" in vals:
            self._abs_sync_login_phone()
        return result

    def _abs_documents_domain(self, field="partner_id"):
        """A customer's documents (invoices, payments, orders): those of its commercial entity, so a
        company and each of its contact persons see the same ones."""
        self.ensure_one()
        return [(f"{field}.commercial_partner_id", "=", self.commercial_partner_id.id)]

    def _abs_dashboard(self, account_ids):
        """The customer's summary in ``account_ids`` (None: every SA): orders by state, invoices, payments,
        assets by state; outstanding, paid and overdue amounts in the company currency.

        A fixed number of grouped queries, whatever the customer's history.
        """
        self.ensure_one()
        env = self.env
        documents = self._abs_documents_domain()
        Order, Move, Payment = env["sale.order"], env["account.move"], env["account.payment"]
        orders = dict(Order._read_group(Order._abs_sa_domain(account_ids) + documents, ["state"], ["__count"]))
        invoices = Move._abs_sa_domain(account_ids) + documents + [("move_type", "=", "out_invoice")]
        posted = invoices + [("state", "=", "posted")]
        [[invoice_count, invoiced]] = Move._read_group(posted, [], ["__count", "amount_total_signed:sum"])
        payable = invoices + Move._abs_payable_domain()
        [[outstanding]] = Move._read_group(payable, [], ["amount_residual_signed:sum"])
        overdue_domain = payable + [("invoice_date_due", "<", fields.Date.context_today(self))]
        [[overdue_count, overdue]] = Move._read_group(overdue_domain, [], ["__count", "amount_residual_signed:sum"])
        paid_domain = Payment._abs_sa_domain(account_ids) + documents + Payment._abs_received_domain()
        [[payment_count, paid]] = Payment._read_group(
            paid_domain, [], ["__count", "amount_company_currency_signed:sum"]
        )
        Asset = env["ov.asset"]
        assets = dict(Asset._read_group(Asset._abs_sa_domain(account_ids) + documents, ["state"], ["__count"]))
        currency = env.company.currency_id
        return {
            "customer": {"id": self.id, "name": self.name},
            "currency": currency.name,
            "outstanding": currency.round(outstanding or 0.0),
            "paid": currency.round(paid or 0.0),
            "overdue": currency.round(overdue or 0.0),
            "overdue_invoices": overdue_count,
            "orders": {**orders, "total": sum(orders.values())},
            "invoices": {"count": invoice_count, "total": currency.round(invoiced or 0.0)},
            "payments": {"count": payment_count, "total": currency.round(paid or 0.0)},
            "assets": {**assets, "total": sum(assets.values())},
        }

    def _abs_single_sa(self):
        """The SA serving this customer (its commercial entity), when exactly one does; else none."""
        self.ensure_one()
        # sudo: derived bookkeeping (see ov.sa_governed.mixin._abs_bookkeeping)
        accounts = (
            self.commercial_partner_id.sudo().abs_sa_assignment_ids.filtered(lambda a: a.state == "active").account_id
        )
        return accounts if len(accounts) == 1 else self.env["ov.serviced_account"]

    def _abs_sync_login_phone(self):
        for partner in self.filtered("abs_has_pin"):
            partner.abs_login_phone = normalize_phone(partner.phone)

    def _abs_set_pin(self, pin):
        """Store the customer's portal PIN (hashed) and make its phone the login."""
        self.ensure_one()
        if not pin or not re.fullmatch(r"[0-9]{4,8}", pin):
            raise ValidationError(self.env._("The PIN must be 4 to 8 digits."))
        login_phone = normalize_phone(self.phone)
        if not login_phone:
            raise ValidationError(self.env._("A customer needs a phone number to get a portal PIN."))
        if self.search_count([("abs_login_phone", "=", login_phone), ("id", "!=", self.id)]):
            raise ValidationError(self.env._("Another customer already logs in with this phone."))
        crypt = self.env["res.users"]._crypt_context()
        # sudo: the hash field is restricted to system; this helper is its only writer
        self.sudo().write({"abs_pin_hash": crypt.hash(pin), "abs_login_phone": login_phone})

    @api.model
    def _abs_channel_partner_domain(self, account_ids):
        """Partners that may be a sale's channel partner for ``account_ids``: tagged *Channel Partner*
        (``abs_connector.partner_category_channel``), governed by one of those SAs or by none."""
        category = self.env.ref("abs_connector.partner_category_channel", raise_if_not_found=False)
        return [("category_id", "in", category.ids), *self._abs_sa_visible_domain(account_ids)]

    @api.model
    def _abs_authenticate_customer(self, phone, pin):
        """Return the customer with this phone and PIN, or raise AccessDenied.

        An unknown phone costs the same hash verification as a wrong PIN (see abs.employee).
        """
        login_phone = normalize_phone(phone)
        # sudo: credentials are checked before any identity exists; only the hash is read
        partner = self.sudo().search([("abs_login_phone", "=", login_phone)], limit=1) if login_phone else None
        if not self.env["abs.employee"]._abs_verify_secret(pin, partner.abs_pin_hash if partner else None):
            raise AccessDenied()
        return partner.sudo(False)

    # ------------------------------------------------------------------ API services

    @api.model
    def _abs_prepare_customer_vals(self, values, account):
        """Translate API customer fields into res.partner values (checks included)."""
        values = dict(values)
        values.pop("pin", None)
        vals = {
            key: values[key] or False
            for key in ("name", "phone", "email", "street", "city", "zip", "ref")
            if key in values
        }
        if "country_code" in values:
            code = values["country_code"]
            country = code and self.env["res.country"].search([("code", "=", code)], limit=1)
            if code and not country:
                raise ValidationError(self.env._("Unknown country code %(code)s.", code=code))
            vals["country_id"] = country.id if country else False
        if values.get("outlet_id"):
            outlet = self.env["ov.outlet"].browse(values["outlet_id"]).exists()
            if not outlet or outlet.account_id != account:
                raise ValidationError(
                    self.env._("Outlet %(id)s is not an outlet of this service account.", id=values["outlet_id"])
                )
            vals["x_outlet_id"] = outlet.id
        return vals

    @api.model
    def _abs_create_customer(self, values, account, actor):
        """Create a customer governed by ``account`` (stamps + V3 assignment), optionally with a portal PIN."""
        vals = self._abs_prepare_customer_vals(values, account)
        vals.update(
            customer_rank=1,
            company_id=account.company_id.id,
            x_sa_id=account.id,
            x_actor_id=actor.id if actor else False,
        )
        partner = self.create(vals)
        if values.get("pin"):
            partner._abs_set_pin(values["pin"])
        return partner

    def _abs_update_customer(self, values, account):
        self.ensure_one()
        vals = self._abs_prepare_customer_vals(values, account or self.x_sa_id)
        if vals:
            self.write(vals)
        if values.get("pin"):
            self._abs_set_pin(values["pin"])
        return self
