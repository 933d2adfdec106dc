from odoo import api, fields, models

from ..refusals import asset as rules

ASSET_STATES = [
    ("active", "Active"),
    ("transferred", "Transferred"),
    ("inactive", "Inactive"),
    ("decommissioned", "Decommissioned"),
]


class OvAsset(models.Model):
    """A governed physical unit at a customer site (seed workflow 8): the serial, its holder and its SA.

    Lifecycle (seed 0g): a delivery of a serial-tracked product creates the asset of each delivered
    serial, ``active``; a return to the warehouse makes it ``inactive``; a scrap ``decommissioned``.
    A serial delivered again while its asset is still active elsewhere (to another customer or SA)
    closes that asset as ``transferred`` and opens the new holder's. A serial has at most one active
    asset (a partial unique index, and ASSET_EXISTS before it is reached).
    """

    _name = "ov.asset"
    _inherit = ["ov.sa_governed.mixin"]
    _description = "Governed Asset"
    _order = "id desc"
    _sa_assignment_model = "ov.sa_asset_assignment"

    name = fields.Char(required=True)
    asset_code = fields.Char(index=True, help="The unit's code, by default its serial number.")
    product_id = fields.Many2one("product.product", string="Product", required=True, index=True, ondelete="restrict")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="restrict")
    lot_id = fields.Many2one("stock.lot", string="Serial Number", index=True, ondelete="restrict")
    installation_date = fields.Date()
    state = fields.Selection(ASSET_STATES, required=True, default="active", index=True)
    x_sa_id = fields.Many2one("ov.serviced_account", string="Service Account", index=True, copy=False)
    x_actor_id = fields.Many2one("abs.employee", string="Agent", copy=False)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    picking_id = fields.Many2one("stock.picking", string="Delivery", index="btree_not_null", copy=False)
    notes = fields.Text()
    abs_sa_assignment_ids = fields.One2many("ov.sa_asset_assignment", "asset_id", string="Service Account Assignments")
    lot_move_line_ids = fields.Many2many(
        "stock.move.line", compute="_compute_lot_move_line_ids", string="Serial Movements"
    )

    def init(self):
        # One active asset per serial: a partial unique index (Odoo 18 has no declarative one).
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS ov_asset_one_active_per_lot"
            " ON ov_asset (lot_id) WHERE state = 'active' AND lot_id IS NOT NULL"
        )

    def _compute_lot_move_line_ids(self):
        lines = self.env["stock.move.line"].search(
            [("lot_id", "in", self.lot_id.ids), ("state", "=", "done")], order="date desc, id desc"
        )
        for asset in self:
            asset.lot_move_line_ids = lines.filtered(lambda ml, lot=asset.lot_id: ml.lot_id == lot)

    # ------------------------------------------------------------------ actions (backend buttons)

    def action_abs_deactivate(self):
        self._abs_update({"state": "inactive"})

    def action_abs_reactivate(self):
        self._abs_update({"state": "active"})

    def action_abs_decommission(self):
        self._abs_update({"state": "decommissioned"})

    # ------------------------------------------------------------------ business methods

    @api.model
    def _abs_register(self, values, account, actor=None):
        """Register an asset by hand in ``account`` (stamped and assigned); return it.

        ``values``: ``partner_id`` (a customer of ``account``), ``product_id`` and/or ``lot_id`` (a serial of
        that product without an active asset), optional ``name``, ``asset_code``, ``installation_date``,
        ``notes``.
        """
        Partner = self.env["res.partner"]
        partner = Partner.search([("id", "=", values["partner_id"]), *Partner._abs_sa_domain([account.id])])
        if not partner:
            raise rules.NOT_FOUND(self.env._("Customer not found."), details={"partner_id": values["partner_id"]})
        lot, product = self._abs_resolve_unit(values.get("lot_id"), values.get("product_id"), account)
        self._abs_check_lots_free(lot, account=account)
        return self.create(
            {
                "name": values.get("name") or product.name,
                "asset_code": values.get("asset_code") or lot.name or False,
                "product_id": product.id,
                "partner_id": partner.id,
                "lot_id": lot.id or False,
                "installation_date": values.get("installation_date") or fields.Date.context_today(self),
                "notes": values.get("notes") or False,
                "company_id": account.company_id.id,
                "x_sa_id": account.id,
                "x_actor_id": actor.id if actor else False,
            }
        )

    def _abs_update(self, values):
        """Change an asset: details, a swapped serial (``lot_id``), notes, a repair note (appended), state.

        A decommissioned asset no longer changes; an asset made active again needs its serial free.
        """
        for asset in self:
            if asset.state == "decommissioned":
                raise rules.INVALID_STATE(
                    self.env._("Asset %(name)s is decommissioned: it no longer changes.", name=asset.name),
                    details={"state": asset.state},
                )
        vals = {
            key: values[key] for key in ("name", "asset_code", "installation_date", "notes", "state") if key in values
        }
        if values.get("lot_id"):
            lot, _product = self._abs_resolve_unit(values["lot_id"], self.product_id.id, self.x_sa_id)
            vals["lot_id"] = lot.id
            if "asset_code" not in values:
                vals["asset_code"] = lot.name
        if values.get("repair_note"):
            note = f"{fields.Date.to_string(fields.Date.context_today(self))}: {values['repair_note']}"
            for asset in self:
                base = vals["notes"] if "notes" in vals else asset.notes
                asset.notes = f"{base}\n{note}" if base else note
            vals.pop("notes", None)
        new_state = vals.get("state")
        will_be_active = self.filtered(lambda a: (new_state or a.state) == "active")
        if will_be_active and ("lot_id" in vals or new_state == "active"):
            lots = self.env["stock.lot"].browse(vals["lot_id"]) if "lot_id" in vals else will_be_active.lot_id
            self._abs_check_lots_free(lots, exclude=self, account=self.x_sa_id)
        if vals:
            self.write(vals)
        return self

    def _abs_resolve_unit(self, lot_id, product_id, account=None):
        """(lot, product) named by a request: the lot must be a serial of the product (one of them given).

        With ``account``, of its catalogue only: another SA's own product (or its serial) is as if missing.
        """
        Lot, Product = self.env["stock.lot"], self.env["product.product"]
        catalog = Product._abs_catalog_domain(account.ids) if account else []
        lot = Lot.search([("id", "=", lot_id), ("product_id", "any", catalog)]) if lot_id else Lot
        if lot_id and not lot:
            raise rules.NOT_FOUND(self.env._("Serial number not found."), details={"lot_id": lot_id})
        product = Product.search([("id", "=", product_id), *catalog]) if product_id else lot.product_id
        if not product:
            raise rules.NOT_FOUND(self.env._("Product not found."), details={"product_id": product_id})
        if lot and lot.product_id != product:
            raise rules.LOT_PRODUCT_MISMATCH(
                self.env._("%(lot)s is not a serial of %(product)s.", lot=lot.name, product=product.display_name),
                details={"lot_id": lot.id, "product_id": product.id},
            )
        if lot and product.tracking != "serial":
            raise rules.NOT_A_SERIAL(
                self.env._("%(product)s is not tracked by serial number.", product=product.display_name),
                details={"product_id": product.id},
            )
        return lot, product

    def _abs_check_lots_free(self, lots, exclude=None, account=None):
        """ASSET_EXISTS if one of ``lots`` has an active asset (other than ``exclude``); one query.

        With ``account``: a serial whose active asset is another SA's answers NOT_FOUND, exactly as a
        serial out of the SA's reach (``_abs_resolve_unit``): nothing tells the SA that another holds it
        (the lot lookup hides it the same way, ``stock.lot._abs_reach_domain``)."""
        if not lots:
            return
        domain = [("lot_id", "in", lots.ids), ("state", "=", "active")]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        # sudo: the holder of a serial, whatever SA it is, decides the answer (never shown)
        taken = self.sudo().search_fetch(domain, ["lot_id", "x_sa_id"], limit=1).sudo(False)
        if taken and account and taken.x_sa_id and taken.x_sa_id not in account:
            raise rules.NOT_FOUND(self.env._("Serial number not found."), details={"lot_id": taken.lot_id.id})
        if taken:
            raise rules.ASSET_EXISTS(
                self.env._("Serial %(lot)s already has an active asset.", lot=taken.lot_id.name),
                details={"lot_id": taken.lot_id.id},
            )

    # ------------------------------------------------------------------ the serial lifecycle (seed 0g)

    @api.model
    def _abs_on_delivered(self, move_lines, actor=None):
        """0g step 3: the active asset of each serial these done move lines took to a customer, in one create.

        Holder: the sale order's customer (else the delivery's partner); SA: the delivery's; actor: who
        validated (``actor``), else the order's agent. A serial whose active asset is already the same
        customer's in the same SA keeps it; one still active for another holder is closed as
        ``transferred`` and the new holder gets a new asset.
        """
        move_lines = move_lines.filtered(lambda ml: ml.lot_id and ml.product_id.tracking == "serial")
        if not move_lines:
            return self.browse()
        current = {
            a.lot_id: a for a in self.search([("lot_id", "in", move_lines.lot_id.ids), ("state", "=", "active")])
        }
        transferred, vals_list = self.browse(), []
        for line in move_lines:
            picking = line.picking_id
            partner = picking.sale_id.partner_id or picking.partner_id.commercial_partner_id
            if not partner:
                continue  # no holder to govern: nothing to record
            account = picking.abs_sa_id or picking.sale_id.x_sa_id
            existing = current.get(line.lot_id)
            if existing and existing.partner_id == partner and existing.x_sa_id == account:
                continue
            transferred |= existing or self.browse()
            agent = actor or picking.sale_id.x_actor_id
            vals_list.append(
                {
                    "name": line.product_id.name,
                    "asset_code": line.lot_id.name,
                    "product_id": line.product_id.id,
                    "partner_id": partner.id,
                    "lot_id": line.lot_id.id,
                    "picking_id": picking.id,
                    "installation_date": fields.Date.context_today(self, picking.date_done),
                    "company_id": (account.company_id or picking.company_id).id,
                    "x_sa_id": account.id or False,
                    "x_actor_id": agent.id or False,
                }
            )
        if transferred:
            transferred.write({"state": "transferred"})
            transferred.flush_recordset(["state"])  # before the new active rows meet the unique index
        return self.create(vals_list)

    @api.model
    def _abs_on_returned(self, lots):
        """0g step 4: serials back from the customer: their active assets become ``inactive`` (one write)."""
        assets = self.search([("lot_id", "in", lots.ids), ("state", "=", "active")])
        assets.write({"state": "inactive"})
        return assets

    @api.model
    def _abs_on_scrapped(self, lots):
        """0g step 5: scrapped serials: their assets (active or inactive) are ``decommissioned``."""
        assets = self.search([("lot_id", "in", lots.ids), ("state", "in", ("active", "inactive"))])
        assets.write({"state": "decommissioned"})
        return assets
