import logging
import secrets

from odoo import api, fields, models
from odoo.exceptions import AccessDenied, ValidationError

_logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
# The stand-in hash of _abs_dummy_hash, per password context settings (scheme, rounds), for this process.
_DUMMY_HASHES = {}


class AbsEmployee(models.Model):
    """A field agent or SA staff member: an API identity that is not an Odoo user (no seat)."""

    _name = "abs.employee"
    _description = "ABS Employee (API identity)"
    _order = "name, id"

    name = fields.Char(required=True)
    login = fields.Char(required=True, index=True)
    # The hash is never exposed: only the superuser-level credential check reads it.
    password_hash = fields.Char(copy=False, groups="base.group_system", prefetch=False)
    password = fields.Char(
        compute="_compute_password",
        inverse="_inverse_password",
        store=False,
        copy=False,
        help="Write-only: setting it stores a salted hash, reading it always gives an empty value.",
    )
    has_password = fields.Boolean(compute="_compute_has_password")
    phone = fields.Char()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    membership_ids = fields.One2many("ov.membership", "employee_id", string="Memberships")
    # Agents' cash (seed workflow 9): the partner of the agent's lines on its SAs' cash-in-hand accounts.
    partner_id = fields.Many2one("res.partner", string="Ledger Partner", copy=False, readonly=True, index=True)
    abs_cash_shortage = fields.Float(
        string="Cash Shortages",
        readonly=True,
        copy=False,
        help="What the agent's confirmed handovers missed in all (counted less than the payments they covered).",
    )
    abs_cash_flagged = fields.Boolean(
        string="Cash Shortage Flag", readonly=True, copy=False, help="A handover of this agent was counted short."
    )

    _sql_constraints = [
        ("login_uniq", "unique(login)", "An employee with this login already exists."),
    ]

    def _compute_password(self):
        for employee in self:
            employee.password = ""

    def _inverse_password(self):
        crypt = self.env["res.users"]._crypt_context()
        for employee in self:
            if employee.password and len(employee.password) < MIN_PASSWORD_LENGTH:
                raise ValidationError(
                    self.env._("A password needs at least %(count)s characters.", count=MIN_PASSWORD_LENGTH)
                )
            if employee.password:
                # sudo: the hash field is restricted to system, writing it is this inverse's purpose
                employee.sudo().password_hash = crypt.hash(employee.password)

    def _compute_has_password(self):
        # sudo: only the presence of a hash is shown, never the hash itself
        for employee in self:
            employee.has_password = bool(employee.sudo().password_hash)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("login"):
                vals["login"] = vals["login"].strip().lower()
        return super().create(vals_list)

    def write(self, vals):
        if "active" in vals:
            self.env.registry.clear_cache()  # the API's cached memberships in force (ov.membership)
        if vals.get("login"):
            vals["login"] = vals["login"].strip().lower()
        return super().write(vals)

    def _abs_cash_partner(self):
        """The partner standing for this agent in the ledger (made once): its cash in hand is that partner's
        balance on the SA's agents' cash-in-hand account."""
        self.ensure_one()
        if not self.partner_id:
            # sudo: the ledger partner is bookkeeping, made by whichever caller books the agent's first cash
            # (the API's technical user, a cashier); agents are not customers and no SA governs it.
            self.sudo().partner_id = (
                self.env["res.partner"]
                .sudo()
                .create({"name": self.name, "phone": self.phone, "company_id": self.company_id.id})
            )
        return self.partner_id

    def _abs_cash_position(self, accounts):
        """This agent's cash in hand in ``accounts``: per SA the balance of its ledger partner on the SA's
        agents' cash-in-hand account (posted entries), and the payments not handed over yet."""
        self.ensure_one()
        accounts = accounts.filtered("abs_cash_in_hand_account_id")
        balances = {}
        if self.partner_id and accounts:
            balances = dict(
                self.env["account.move.line"]._read_group(
                    [
                        ("account_id", "in", accounts.abs_cash_in_hand_account_id.ids),
                        ("partner_id", "=", self.partner_id.id),
                        ("parent_state", "=", "posted"),
                    ],
                    ["account_id"],
                    ["balance:sum"],
                )
            )
        Payment = self.env["account.payment"]
        payments = Payment.search(
            [
                ("x_actor_id", "=", self.id),
                *Payment._abs_sa_domain(accounts.ids),
                *Payment._abs_in_hand_domain(accounts),
            ],
            order="date, id",
        )
        per_account = [
            {
                "id": account.id,
                "name": account.name,
                "balance": account.currency_id.round(balances.get(account.abs_cash_in_hand_account_id, 0.0)),
            }
            for account in accounts.sorted(lambda a: (a.name, a.id))
        ]
        return {
            "balance": sum(item["balance"] for item in per_account),
            "service_accounts": per_account,
            "payments": payments,
        }

    @api.model
    def _abs_dummy_hash(self):
        """A hash of a random secret, made once per process with Odoo's own password context.

        Verifying against it costs exactly what verifying a real password costs (same scheme,
        same rounds), so an unknown login or phone answers in the time of a wrong password.
        Odoo's CryptContext wrapper has no ``dummy_verify``; this is its equivalent. Kept per
        process (keyed by the context's hash settings), not in an ``ormcache``: a registry cache
        flush (a membership ended, a module updated) must not make the next unknown login pay for
        building it again.
        """
        crypt = self.env["res.users"]._crypt_context()
        # Its settings are the key: read on the passlib context inside Odoo's wrapper (as the wrapper's
        # copy() reads it), or on the context itself where one is used bare (Odoo's test mode).
        settings = getattr(crypt, "__obj__", crypt).to_string()
        if settings not in _DUMMY_HASHES:
            _DUMMY_HASHES[settings] = crypt.hash(secrets.token_urlsafe(16))
        return _DUMMY_HASHES[settings]

    @api.model
    def _abs_verify_secret(self, secret, stored_hash):
        """Check ``secret`` against ``stored_hash``; with no hash, spend the same time and fail."""
        crypt = self.env["res.users"]._crypt_context()
        dummy = self._abs_dummy_hash()  # made before the branch: the first login of a process pays it either way
        if not stored_hash:
            crypt.verify(secret or "", dummy)
            return False
        return crypt.verify(secret or "", stored_hash)

    @api.model
    def _authenticate(self, login, password):
        """Return the active employee matching the credentials, or raise AccessDenied.

        A wrong login and a wrong password cost the same hash verification, so the answer's
        timing does not tell which of the two was wrong.
        """
        # sudo: credentials are checked before any identity exists; only the hash is read
        employee = self.sudo().search([("login", "=", (login or "").strip().lower())], limit=1)
        if not self._abs_verify_secret(password, employee.password_hash if employee else None):
            _logger.info("API login refused for %r: unknown login, no password or wrong password", login)
            raise AccessDenied()
        return employee.sudo(False)

    def _active_memberships(self):
        """Memberships in force today, for the employee(s) in ``self``."""
        return self.env["ov.membership"].search(
            [("employee_id", "in", self.ids), ("employee_id.active", "=", True)]
            + self.env["ov.membership"]._in_force_domain()
        )

    def action_revoke_tokens(self):
        """Log the employee out everywhere: every token issued before now stops working."""
        self.env["abs.jwt.revocation"]._revoke_subject("employee", self.ids)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": self.env._("All API sessions of these employees were revoked."), "type": "success"},
        }
