from odoo import api, fields, models

from ..refusals import asset as rules

PRIORITIES = [("low", "Low"), ("normal", "Normal"), ("high", "High"), ("urgent", "Urgent")]


class AbsTicket(models.Model):
    """A helpdesk ticket (Community has no ``helpdesk``): a customer's request, about one of its assets or not.

    Governed by the SA that opened it, or for a ticket opened by the customer itself, the SA of the
    asset (else the customer's). Its stages are data (``abs.ticket.stage``); a closing stage dates it.
    """

    _name = "abs.ticket"
    _inherit = ["mail.thread", "ov.sa_governed.mixin", "abs.sync.pushable"]
    _description = "Helpdesk Ticket"
    _order = "id desc"
    _sa_assignment_model = "ov.sa_ticket_assignment"

    name = fields.Char(string="Subject", required=True, tracking=True)
    description = fields.Text()
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="restrict", tracking=True
    )
    asset_id = fields.Many2one(
        "ov.asset",
        string="Asset",
        index="btree_not_null",
        ondelete="restrict",
        domain="[('partner_id', '=', partner_id)]",
    )
    priority = fields.Selection(PRIORITIES, required=True, default="normal", tracking=True)
    stage_id = fields.Many2one(
        "abs.ticket.stage",
        string="Stage",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        default=lambda self: self._default_stage(),
        group_expand="_read_group_stage_ids",
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True, string="Closed")
    closed_date = fields.Datetime(readonly=True, copy=False)
    resolution_note = fields.Text()
    x_sa_id = fields.Many2one("ov.serviced_account", string="Service Account", index=True, copy=False, tracking=True)
    x_actor_id = fields.Many2one("abs.employee", string="Opened by (agent)", copy=False)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    abs_sa_assignment_ids = fields.One2many(
        "ov.sa_ticket_assignment", "ticket_id", string="Service Account Assignments"
    )

    @api.model
    def _default_stage(self):
        return self.env["abs.ticket.stage"].search([("is_closed", "=", False)], limit=1)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([])

    # ------------------------------------------------------------------ CRUD

    def write(self, vals):
        if "stage_id" in vals:
            closing = self.env["abs.ticket.stage"].browse(vals["stage_id"]).is_closed
            vals = {**vals, "closed_date": fields.Datetime.now() if closing else False}
        return super().write(vals)

    # ------------------------------------------------------------------ actions (backend buttons)

    def action_abs_close(self):
        self._abs_close()

    # ------------------------------------------------------------------ business methods

    @api.model
    def _abs_open(self, values, account=None, actor=None, customer=None):
        """Open a ticket; return it.

        From staff (``account``: the acting SA): ``partner_id`` a customer of ``account`` (or taken from
        the asset), ``asset_id`` an asset of ``account``. From a customer (``customer``): its own assets
        only, and the ticket goes to the asset's SA, else the customer's. ``values`` also holds
        ``subject``, optional ``description`` and ``priority``.
        """
        Asset, Partner = self.env["ov.asset"], self.env["res.partner"]
        scope = [account.id] if account else None
        asset = Asset.browse()
        if values.get("asset_id"):
            owner = [("partner_id", "=", customer.id)] if customer else Asset._abs_sa_domain(scope)
            asset = Asset.search([("id", "=", values["asset_id"]), *owner])
            if not asset:
                raise rules.NOT_FOUND(self.env._("Asset not found."), details={"asset_id": values["asset_id"]})
        if customer:
            partner = customer
            account = (
                asset.x_sa_id
                or customer.x_sa_id
                or customer.abs_sa_assignment_ids.filtered(lambda a: a.state == "active")[:1].account_id
            )
            if not account:
                raise rules.NO_SERVICE_ACCOUNT(self.env._("No service account looks after you yet: call your agent."))
        else:
            partner_id = values.get("partner_id") or asset.partner_id.id
            partner = Partner.search([("id", "=", partner_id), *Partner._abs_sa_domain(scope)]) if partner_id else None
            if not partner:
                raise rules.NOT_FOUND(self.env._("Customer not found."), details={"partner_id": partner_id})
        if asset and asset.partner_id != partner:
            raise rules.ASSET_CUSTOMER_MISMATCH(
                self.env._("Asset %(asset)s is not held by %(customer)s.", asset=asset.name, customer=partner.name),
                details={"asset_id": asset.id, "partner_id": partner.id},
            )
        return self.create(
            {
                "name": values["subject"],
                "description": values.get("description") or False,
                "priority": values.get("priority") or "normal",
                "partner_id": partner.id,
                "asset_id": asset.id or False,
                "company_id": account.company_id.id,
                "x_sa_id": account.id,
                "x_actor_id": actor.id if actor else False,
            }
        )

    def _abs_update(self, values):
        """Change subject, description, priority, stage, asset (of the same customer, same SA) or resolution note."""
        vals = {}
        if "subject" in values:
            vals["name"] = values["subject"]
        for key in ("description", "priority", "resolution_note"):
            if key in values:
                vals[key] = values[key] or (False if key != "priority" else "normal")
        if values.get("stage_id"):
            stage = self.env["abs.ticket.stage"].search([("id", "=", values["stage_id"])])
            if not stage:
                raise rules.NOT_FOUND(self.env._("Stage not found."), details={"stage_id": values["stage_id"]})
            vals["stage_id"] = stage.id
        if "asset_id" in values:
            vals["asset_id"] = self._abs_check_asset(values["asset_id"]).id or False
        if vals:
            self.write(vals)
        return self

    def _abs_check_asset(self, asset_id):
        """The asset ``asset_id`` if it is held by this ticket's customer in its SA (none for ``None``)."""
        self.ensure_one()
        Asset = self.env["ov.asset"]
        if not asset_id:
            return Asset
        asset = Asset.search([("id", "=", asset_id), *Asset._abs_sa_domain(self.x_sa_id.ids)])
        if not asset:
            raise rules.NOT_FOUND(self.env._("Asset not found."), details={"asset_id": asset_id})
        if asset.partner_id != self.partner_id:
            raise rules.ASSET_CUSTOMER_MISMATCH(
                self.env._(
                    "Asset %(asset)s is not held by %(customer)s.", asset=asset.name, customer=self.partner_id.name
                ),
                details={"asset_id": asset.id, "partner_id": self.partner_id.id},
            )
        return asset

    def _abs_close(self, resolution_note=None):
        """Move to the closing stage with an optional resolution note; TICKET_CLOSED if already closed."""
        closed = self.filtered("is_closed")
        if closed:
            raise rules.TICKET_CLOSED(
                self.env._("Ticket %(name)s is already closed.", name=closed[0].name),
                details={"ticket_id": closed[0].id},
            )
        stage = self.env["abs.ticket.stage"].search([("is_closed", "=", True)], limit=1)
        vals = {"stage_id": stage.id}
        if resolution_note:
            vals["resolution_note"] = resolution_note
        self.write(vals)
        return self
