from collections import defaultdict

from odoo import api, fields, models
from odoo.tools.float_utils import float_compare, float_round

from ..exceptions import AbsRefusal


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "ov.sa_governed.mixin"]
    _sa_assignment_model = "ov.sa_delivery_assignment"

    abs_sa_assignment_ids = fields.One2many(
        "ov.sa_delivery_assignment", "picking_id", string="Service Account Assignments"
    )
    abs_sa_id = fields.Many2one(
        "ov.serviced_account",
        string="Service Account",
        compute="_compute_abs_sa_id",
        store=True,
        index="btree_not_null",
        help="The service account whose active assignment governs this transfer (latest one first).",
    )

    @api.depends("abs_sa_assignment_ids.state", "abs_sa_assignment_ids.account_id")
    def _compute_abs_sa_id(self):
        for picking in self:
            # One2many follows the assignment _order: newest first.
            active = picking.abs_sa_assignment_ids.filtered(lambda a: a.state == "active")
            picking.abs_sa_id = active[:1].account_id

    # ------------------------------------------------------------------ CRUD / core hooks

    @api.model_create_multi
    def create(self, vals_list):
        # Backorders and returns (copies of a governed picking) inherit its SA here. A sale's
        # delivery gets its SA once its moves are attached (stock.move._assign_picking_post_process):
        # its group_id (hence sale_id) is related to its moves, still empty at create.
        pickings = super().create(vals_list)
        pickings._abs_sync_sa_assignment()
        return pickings

    def write(self, vals):
        result = super().write(vals)
        if "sale_id" in vals:
            self._abs_sync_sa_assignment()
        return result

    def _action_done(self):
        result = super()._action_done()
        done = self.filtered(lambda p: p.state == "done")
        # Second dual-write (idempotent): catches an order stamped after its delivery was created.
        done._abs_sync_sa_assignment(actor=self.env["abs.employee"].browse(self.env.context.get("abs_actor_id")))
        for picking in done:
            done_lines = picking.move_line_ids.filtered(lambda ml: ml.lot_id and ml.quantity)
            if picking.location_dest_id.usage == "customer":
                picking._abs_on_serials_delivered(done_lines)
            elif picking.location_id.usage == "customer":
                picking._abs_on_serials_returned(done_lines)
        return result

    def _abs_sa_origin(self):
        """The SA a picking inherits: its sale order's stamp, else its origin picking's SA."""
        self.ensure_one()
        return self.sale_id.x_sa_id or self.backorder_id.abs_sa_id or self.return_id.abs_sa_id

    def _abs_sa_actor(self):
        self.ensure_one()
        return self.sale_id.x_actor_id

    # ------------------------------------------------------------------ asset workflow hooks

    def _abs_on_serials_delivered(self, move_lines):
        """Called once a delivery to a customer is done, with its move lines carrying a lot/serial.

        Does nothing here: the asset workflow extends it (ov.asset per serial, linked to the SA).
        """
        return True

    def _abs_on_serials_returned(self, move_lines):
        """Called once a return from a customer is done, with its move lines carrying a lot/serial.

        Does nothing here: the asset workflow extends it (asset transferred / inactive).
        """
        return True

    # ------------------------------------------------------------------ delivery validation

    def _abs_validate_delivery(self, lines=None, force_backorder=False, actor=None):
        """Validate this outgoing delivery; return its backorder (empty when none).

        ``lines``: dicts ``{"move_id", "qty_done", "lot_id" | "lot_name"}``; ``None`` delivers every
        move at its ordered quantity with the reserved serials. A partial delivery needs
        ``force_backorder``; the rest goes to a backorder governed by the same SA. The request is
        checked before the delivery's lines are touched; refusals raise :class:`AbsRefusal` (a
        UserError: the caller's transaction, or the API's savepoint, is rolled back).
        """
        self.ensure_one()
        if self.picking_type_code != "outgoing":
            raise AbsRefusal(self.env._("%(name)s is not a delivery.", name=self.name), "not_a_delivery")
        if self.state in ("done", "cancel"):
            raise AbsRefusal(
                self.env._("Delivery %(name)s is already %(state)s.", name=self.name, state=self.state), "invalid_state"
            )
        if self.state == "draft":
            self.action_confirm()
        moves = self.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        if lines is None:
            plan = self._abs_plan_from_reservation(moves, force_backorder)
        else:
            plan = self._abs_plan_from_lines(moves, lines)
        self._abs_check_plan_complete(moves, plan, force_backorder)
        self._abs_check_stock(plan)
        self._abs_apply_plan(moves, plan)
        previous = self.search([("backorder_id", "=", self.id)])
        answer = self.with_context(**self._abs_validation_context(actor)).button_validate()
        if self.state != "done":
            raise self._abs_not_validated(self.name, answer)
        return self.search([("backorder_id", "=", self.id), ("id", "not in", previous.ids)], limit=1)

    @api.model
    def _abs_validation_context(self, actor=None):
        """Context for validating from the API, where no wizard can be shown: the backorder question is
        answered by the request itself (force_backorder), and core's one-time "send SMS?" question
        (stock_sms) is skipped, so API validations send no SMS (they would need IAP credits)."""
        return {"skip_backorder": True, "skip_sms": True, "abs_actor_id": actor.id if actor else False}

    @api.model
    def _abs_not_validated(self, name, answer):
        """Core answered with a question (a wizard) instead of validating: say which one."""
        wizard = answer.get("res_model") if isinstance(answer, dict) else None
        return AbsRefusal(
            self.env._(
                "%(name)s could not be validated: Odoo asks a question the API cannot answer (%(wizard)s).",
                name=name,
                wizard=wizard or "-",
            ),
            "not_validated",
            details={"wizard": wizard},
        )

    def _abs_plan_from_reservation(self, moves, force_backorder=False):
        """Plan {move: [(qty, lot)]} delivering every move in full from what Odoo reserved.

        With ``force_backorder``, what is reserved goes now and the shortfall waits in a backorder
        (Odoo's own "validate what is there"); without it a shortfall is refused.
        """
        not_full = moves.filtered(
            lambda m: float_compare(m.quantity, m.product_uom_qty, precision_rounding=m.product_uom.rounding) < 0
        )
        if not_full:
            not_full._action_assign()
        plan = {}
        for move in moves:
            rounding = move.product_uom.rounding
            if not move.product_id.is_storable:
                plan[move] = [(move.product_uom_qty, self.env["stock.lot"])]
                continue
            short = float_compare(move.quantity, move.product_uom_qty, precision_rounding=rounding) < 0
            if short and not force_backorder:
                tracked = move.has_tracking != "none"
                raise AbsRefusal(
                    self.env._(
                        "Not enough %(what)s of %(product)s available in %(location)s to deliver %(qty)s.",
                        what=self.env._("serials") if tracked else self.env._("stock"),
                        product=move.product_id.display_name,
                        location=self.location_id.display_name,
                        qty=move.product_uom_qty,
                    ),
                    "serial_unavailable" if tracked else "insufficient_stock",
                    status=409,
                )
            plan[move] = [(ml.quantity, ml.lot_id) for ml in move.move_line_ids if ml.quantity]
        return plan

    def _abs_plan_from_lines(self, moves, lines):
        """Plan {move: [(qty, lot)]} from the caller's lines, each line checked."""
        by_id = {move.id: move for move in moves}
        Lot = self.env["stock.lot"]
        lot_ids = {line["lot_id"] for line in lines if line.get("lot_id")}
        known_lots = Lot.browse(lot_ids).exists() if lot_ids else Lot
        plan = defaultdict(list)
        seen_serials = set()
        for line in lines:
            move = by_id.get(line["move_id"])
            if not move:
                raise AbsRefusal(
                    self.env._(
                        "Move %(move)s is not an open line of delivery %(name)s.", move=line["move_id"], name=self.name
                    ),
                    "move_not_in_delivery",
                )
            product = move.product_id
            qty = line["qty_done"]
            if float_compare(qty, 0.0, precision_rounding=move.product_uom.rounding) <= 0:
                raise AbsRefusal(self.env._("qty_done must be greater than zero."), "invalid_quantity")
            lot = Lot
            if line.get("lot_id"):
                lot = known_lots.filtered(lambda lt, lot_id=line["lot_id"]: lt.id == lot_id)
                if not lot:
                    raise AbsRefusal(
                        self.env._("Lot/serial %(lot)s not found.", lot=line["lot_id"]), "lot_not_found", 404
                    )
            elif line.get("lot_name"):
                lot = Lot.search(
                    [
                        ("name", "=", line["lot_name"]),
                        ("product_id", "=", product.id),
                        ("company_id", "in", [False, self.company_id.id]),
                    ],
                    limit=1,
                )
                if not lot:
                    raise AbsRefusal(
                        self.env._(
                            "Serial %(lot)s of %(product)s not found.",
                            lot=line["lot_name"],
                            product=product.display_name,
                        ),
                        "lot_not_found",
                        404,
                    )
            if lot and product.tracking == "none":
                raise AbsRefusal(
                    self.env._(
                        "%(product)s is not tracked by lot or serial: remove the lot.", product=product.display_name
                    ),
                    "lot_not_expected",
                )
            if not lot and product.tracking != "none":
                raise AbsRefusal(
                    self.env._("%(product)s needs a lot/serial number on each line.", product=product.display_name),
                    "lot_required",
                )
            if lot and lot.product_id != product:
                raise AbsRefusal(
                    self.env._(
                        "Lot/serial %(lot)s is not a lot of %(product)s.", lot=lot.name, product=product.display_name
                    ),
                    "lot_product_mismatch",
                )
            if product.tracking == "serial":
                if float_compare(qty, 1.0, precision_rounding=move.product_uom.rounding) != 0:
                    raise AbsRefusal(
                        self.env._("A serial number line delivers exactly 1 unit (serial %(lot)s).", lot=lot.name),
                        "invalid_quantity",
                    )
                if lot.id in seen_serials:
                    raise AbsRefusal(self.env._("Serial %(lot)s is given twice.", lot=lot.name), "duplicate_serial")
                seen_serials.add(lot.id)
            plan[move].append((qty, lot))
        for move, entries in plan.items():
            if (
                float_compare(
                    sum(q for q, _lot in entries), move.product_uom_qty, precision_rounding=move.product_uom.rounding
                )
                > 0
            ):
                raise AbsRefusal(
                    self.env._(
                        "More %(product)s than ordered (%(qty)s).",
                        product=move.product_id.display_name,
                        qty=move.product_uom_qty,
                    ),
                    "over_delivery",
                )
        return dict(plan)

    def _abs_check_plan_complete(self, moves, plan, force_backorder):
        partial = any(
            float_compare(
                sum(q for q, _lot in plan.get(move, [])),
                move.product_uom_qty,
                precision_rounding=move.product_uom.rounding,
            )
            < 0
            for move in moves
        )
        if not any(plan.values()):
            raise AbsRefusal(self.env._("Nothing to deliver."), "nothing_to_deliver")
        if partial and not force_backorder:
            raise AbsRefusal(
                self.env._(
                    "Partial delivery of %(name)s: send force_backorder to deliver part now and the rest later.",
                    name=self.name,
                ),
                "partial_delivery",
            )

    def _abs_check_stock(self, plan):
        """Every storable quantity must be on hand in the source location (serials: not yet delivered).

        The quants are locked first, so two requests delivering the same serial are serialised: the
        second one waits, fails to serialise, is retried by Odoo and then sees the serial gone (409).
        """
        needed = defaultdict(float)
        for move, entries in plan.items():
            if not move.product_id.is_storable:
                continue
            for qty, lot in entries:
                needed[(move.product_id, lot)] += move.product_uom._compute_quantity(qty, move.product_id.uom_id)
        if not needed:
            return
        Quant = self.env["stock.quant"]
        quants = Quant.search(
            [
                ("product_id", "in", list({product.id for product, _lot in needed})),
                ("location_id", "child_of", self.location_id.id),
            ]
        )
        if quants:
            self.env.cr.execute("SELECT id FROM stock_quant WHERE id IN %s FOR NO KEY UPDATE", [tuple(quants.ids)])
            quants.invalidate_recordset(["quantity", "reserved_quantity"])
        for (product, lot), qty in needed.items():
            on_hand = sum(
                quants.filtered(
                    lambda q, product=product, lot=lot: q.product_id == product and (not lot or q.lot_id == lot)
                ).mapped("quantity")
            )
            if float_compare(on_hand, qty, precision_rounding=product.uom_id.rounding) < 0:
                if lot:
                    raise AbsRefusal(
                        self.env._(
                            "Serial/lot %(lot)s of %(product)s is not available in %(location)s "
                            "(already delivered or elsewhere).",
                            lot=lot.name,
                            product=product.display_name,
                            location=self.location_id.display_name,
                        ),
                        "serial_unavailable",
                        status=409,
                    )
                raise AbsRefusal(
                    self.env._(
                        "Only %(on_hand)s %(product)s on hand in %(location)s, %(qty)s asked.",
                        on_hand=on_hand,
                        product=product.display_name,
                        location=self.location_id.display_name,
                        qty=qty,
                    ),
                    "insufficient_stock",
                    status=409,
                )

    def _abs_apply_plan(self, moves, plan):
        """Replace the moves' lines by the plan: planned moves picked, the others left for a backorder."""
        Quant = self.env["stock.quant"]
        to_reset = moves.filtered(
            lambda m: [(ml.quantity, ml.lot_id) for ml in m.move_line_ids if ml.quantity] != plan.get(m)
        )
        to_reset.picked = False
        to_reset.move_line_ids.picked = False
        to_reset._do_unreserve()
        vals_list = []
        for move in to_reset:
            for qty, lot in plan.get(move, []):
                location = self.location_id
                if lot:
                    # Take the serial from the sub-location that holds it.
                    quant = Quant._gather(move.product_id, self.location_id, lot_id=lot, strict=False)
                    location = quant.filtered(lambda q: q.quantity > 0)[:1].location_id or location
                vals_list.append(
                    {
                        "move_id": move.id,
                        "picking_id": self.id,
                        "product_id": move.product_id.id,
                        "product_uom_id": move.product_uom.id,
                        "quantity": qty,
                        "lot_id": lot.id or False,
                        "location_id": location.id,
                        "location_dest_id": move.location_dest_id.id,
                    }
                )
        self.env["stock.move.line"].create(vals_list)
        planned = moves.filtered(lambda m: plan.get(m))
        planned.move_line_ids.picked = True
        planned.picked = True
        (moves - planned).picked = False

    # ------------------------------------------------------------------ returns

    def _abs_return_delivery(self, lines=None, reason=None, actor=None):
        """Return (part of) this done delivery to its source stock through Odoo's return wizard.

        ``lines``: dicts ``{"product_id", "quantity", "lot_id"}``; ``None`` returns everything still
        at the customer. The return picking is created, validated and governed by the same SA.
        """
        self.ensure_one()
        if self.picking_type_code != "outgoing" or self.state != "done":
            raise AbsRefusal(
                self.env._(
                    "Only a done delivery can be returned; %(name)s is %(state)s.", name=self.name, state=self.state
                ),
                "not_returnable",
            )
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=self.id, active_ids=self.ids, active_model="stock.picking")
            .create({"picking_id": self.id})
        )
        returnable = self._abs_returnable()
        plan = self._abs_return_plan(returnable, lines)
        for wizard_line in wizard.product_return_moves:
            wizard_line.quantity = sum(q for q, _lot in plan.get(wizard_line.move_id, []))
        return_picking = wizard._create_return()
        return_moves = return_picking.move_ids
        return_moves.picked = False
        return_moves._do_unreserve()
        return_moves.move_line_ids.unlink()
        vals_list = []
        for return_move in return_moves:
            for qty, lot in plan.get(return_move.origin_returned_move_id, []):
                vals_list.append(
                    {
                        "move_id": return_move.id,
                        "picking_id": return_picking.id,
                        "product_id": return_move.product_id.id,
                        "product_uom_id": return_move.product_uom.id,
                        "quantity": qty,
                        "lot_id": lot.id or False,
                        "location_id": return_picking.location_id.id,
                        "location_dest_id": return_move.location_dest_id.id,
                    }
                )
        self.env["stock.move.line"].create(vals_list)
        return_moves.move_line_ids.picked = True
        return_moves.picked = True
        if reason:
            return_picking.message_post(body=self.env._("Return reason: %(reason)s", reason=reason))
        answer = return_picking.with_context(
            picking_ids_not_to_backorder=return_picking.ids, **self._abs_validation_context(actor)
        ).button_validate()
        if return_picking.state != "done":
            raise self._abs_not_validated(return_picking.name, answer)
        return return_picking

    def _abs_returnable(self):
        """{move: [(qty, lot)]} of what this delivery took to the customer and is still there."""
        returnable = {}
        at_customer = {}
        lots = self.move_line_ids.lot_id
        if lots:
            quants = self.env["stock.quant"].search_fetch(
                [("lot_id", "in", lots.ids), ("location_id", "child_of", self.location_dest_id.id)],
                ["lot_id", "quantity"],
            )
            for quant in quants:
                at_customer[quant.lot_id] = at_customer.get(quant.lot_id, 0.0) + quant.quantity
        for move in self.move_ids.filtered(lambda m: m.state == "done" and not m.scrapped):
            rounding = move.product_uom.rounding
            returned = sum(
                m.quantity for m in move.move_dest_ids if m.origin_returned_move_id == move and m.state == "done"
            )
            left = float_round(move.quantity - returned, precision_rounding=rounding)
            entries = []
            for ml in move.move_line_ids.filtered("lot_id"):
                qty = min(ml.quantity, at_customer.get(ml.lot_id, 0.0), left)
                if qty > 0:
                    entries.append((qty, ml.lot_id))
                    at_customer[ml.lot_id] -= qty
                    left -= qty
            if not move.has_tracking or move.has_tracking == "none":
                entries = [(left, self.env["stock.lot"])] if left > 0 else []
            if entries:
                returnable[move] = entries
        return returnable

    def _abs_return_plan(self, returnable, lines):
        if lines is None:
            if not returnable:
                raise AbsRefusal(self.env._("Nothing left to return on %(name)s.", name=self.name), "nothing_to_return")
            return returnable
        Lot = self.env["stock.lot"]
        plan = defaultdict(list)
        available = {move: list(entries) for move, entries in returnable.items()}
        delivered_products = self.move_ids.filtered(lambda m: m.state == "done").product_id
        for line in lines:
            product_id, qty, lot_id = line["product_id"], line["quantity"], line.get("lot_id")
            moves = [m for m in available if m.product_id.id == product_id]
            if product_id not in delivered_products.ids:
                raise AbsRefusal(
                    self.env._(
                        "Product %(product)s is not part of delivery %(name)s.", product=product_id, name=self.name
                    ),
                    "product_not_in_delivery",
                )
            tracking = delivered_products.filtered(lambda p, pid=product_id: p.id == pid).tracking
            if lot_id and tracking == "none":
                raise AbsRefusal(
                    self.env._("This product is not tracked by lot or serial: remove the lot."), "lot_not_expected"
                )
            if tracking == "serial" and lot_id and qty != 1:
                raise AbsRefusal(self.env._("A serial number line returns exactly 1 unit."), "invalid_quantity")
            if lot_id:
                lot = Lot.browse(lot_id).exists()
                if not lot:
                    raise AbsRefusal(self.env._("Lot/serial %(lot)s not found.", lot=lot_id), "lot_not_found", 404)
                if lot not in self.move_line_ids.lot_id:
                    raise AbsRefusal(
                        self.env._("Serial/lot %(lot)s was not delivered by %(name)s.", lot=lot.name, name=self.name),
                        "lot_not_in_delivery",
                    )
            wanted = qty
            for move in moves:
                for index, (left, lot) in enumerate(available[move]):
                    if wanted <= 0:
                        break
                    if left <= 0:
                        continue
                    if lot_id and lot.id != lot_id:
                        continue
                    take = min(left, wanted)
                    plan[move].append((take, lot))
                    available[move][index] = (left - take, lot)
                    wanted -= take
            if wanted > 0:
                raise AbsRefusal(
                    self.env._(
                        "Cannot return %(qty)s of product %(product)s: not that much is still at the customer.",
                        qty=qty,
                        product=product_id,
                    ),
                    "over_return",
                    status=409 if lot_id else 400,
                )
        return dict(plan)
