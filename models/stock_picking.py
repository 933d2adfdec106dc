from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.tools.float_utils import float_compare, float_is_zero, float_round

from ..refusals import stock as rules


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["ov.sa_governed.mixin", "stock.picking"]  # mixin first: see its docstring
    _sa_assignment_model = "ov.sa_delivery_assignment"
    # Backorders and returns (copies of a governed picking) inherit its SA at create. A sale's
    # delivery gets its SA once its moves are attached (stock.move._assign_picking_post_process):
    # its group_id (hence sale_id) is related to its moves, still empty at create.
    _sa_origin_fields = ("sale_id",)
    _sa_stamp_field = None  # abs_sa_id is computed from the assignments

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

    def _action_done(self):
        result = super()._action_done()
        done = self.filtered(lambda p: p.state == "done")
        # Second dual-write (idempotent): catches an order stamped after its delivery was created.
        done._abs_sync_sa_assignment(actor=self.env["abs.employee"].browse(self.env.context.get("abs_actor_id")))
        lines = done.move_line_ids.filtered(lambda ml: ml.lot_id and ml.quantity)
        delivered = lines.filtered(lambda ml: ml.location_dest_id.usage == "customer")
        returned = lines.filtered(lambda ml: ml.location_id.usage == "customer")
        if delivered:
            done._abs_on_serials_delivered(delivered)
        if returned:
            done._abs_on_serials_returned(returned)
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
        """Called once per batch of pickings done together, with every move line that took a lot/serial
        to a customer.

        ``self``: the pickings just done (all of them, not one by one); ``move_lines``: their lines
        with a lot and a quantity whose destination is a customer location. Each delivered serial gets
        its active ``ov.asset`` (customer, SA, actor), all in one create (``ov.asset._abs_on_delivered``).
        """
        actor = self.env["abs.employee"].browse(self.env.context.get("abs_actor_id"))
        # sudo: whoever validates (a warehouse user without asset rights too) records the governed asset
        self.env["ov.asset"].sudo()._abs_on_delivered(move_lines, actor=actor)
        # sudo: as for assets, whoever validates opens the PAYG accounts of serials sold on a plan
        self.env["abs.payg.account"].sudo()._abs_open_from_delivery(move_lines, actor=actor)
        return True

    def _abs_on_serials_returned(self, move_lines):
        """Called once per batch of pickings done together, with every move line that brought a lot/serial
        back from a customer.

        ``self``: the pickings just done; ``move_lines``: their lines with a lot and a quantity whose
        source is a customer location. The serials' active assets become ``inactive`` (back in the
        warehouse, held by nobody), in one write (``ov.asset._abs_on_returned``).
        """
        # sudo: whoever validates the return updates the asset, asset rights or not
        self.env["ov.asset"].sudo()._abs_on_returned(move_lines.lot_id)
        # sudo: as for assets, whoever validates the return closes the serials' PAYG accounts
        self.env["abs.payg.account"].sudo()._abs_on_returned(move_lines.lot_id)
        return True

    # ------------------------------------------------------------------ receipts and transfers

    @api.model
    def _abs_receive(self, lines, warehouse=None, partner=None, origin=None, scheduled_date=None, validate=True):
        """Create (and by default validate) a supplier receipt with its lots; return it.

        ``lines``: dicts ``{"product_id", "quantity", "lot_names"}``: a serial-tracked line names one
        serial per unit, a lot-tracked line one lot, an untracked line none. Existing lots are reused
        (a serial still in stock cannot arrive again), the others are created. ``warehouse``: default
        the user's; ``partner``: the supplier. Everything is checked before anything is written.
        """
        Quant = self.env["stock.quant"]
        warehouse = warehouse or Quant._abs_default_warehouse()
        company = warehouse.company_id
        entries = []
        for index, line in enumerate(lines):
            names = line.get("lot_names") or [None]
            qty = line["quantity"] / len(names)
            entries += [
                {"product_id": line["product_id"], "quantity": qty, "lot_name": name, "line": index} for name in names
            ]
        entries = self.env["stock.lot"]._abs_check_lines(entries, company=company, new_lot_names=True)
        for entry in entries:
            if entry["product"].tracking == "lot" and len(lines[entry["line"]].get("lot_names") or ()) > 1:
                raise rules.LOT_COUNT(
                    self.env._("%(product)s: give one lot name per line.", product=entry["product"].display_name),
                    details={"product_id": entry["product"].id},
                )
        serials = self.env["stock.lot"].union(
            *(entry["lot"] for entry in entries if entry["product"].tracking == "serial")
        )
        where = Quant._abs_serial_locations(serials)
        in_stock = sorted(lot.name for lot in serials if where[lot])
        if in_stock:
            raise rules.SERIAL_IN_STOCK(
                self.env._("These serial numbers are already in stock: %(serials)s", serials=", ".join(in_stock)),
                details={"serials": in_stock},
            )
        new_lots = list(dict.fromkeys((e["product"], e["lot_name"]) for e in entries if e["lot_name"] and not e["lot"]))
        created = self.env["stock.lot"].create(
            [{"name": name, "product_id": product.id, "company_id": company.id} for product, name in new_lots]
        )
        created_by_key = dict(zip(new_lots, created, strict=True))
        for entry in entries:
            if entry["lot_name"] and not entry["lot"]:
                entry["lot"] = created_by_key[entry["product"], entry["lot_name"]]

        picking_type = warehouse.in_type_id
        src = picking_type.default_location_src_id or self.env.ref("stock.stock_location_suppliers")
        dest = picking_type.default_location_dest_id or warehouse.lot_stock_id
        picking = self._abs_create_picking(
            picking_type,
            src,
            dest,
            [(entry["product"], entry["quantity"], entry["lot"], None) for entry in entries],
            partner_id=partner.id if partner else False,
            origin=origin,
            **({"scheduled_date": scheduled_date} if scheduled_date else {}),
        )
        if validate:
            picking.move_ids.picked = True
            picking._abs_validate()
        return picking

    @api.model
    def _abs_transfer(self, source, destination, lines, validate=True):
        """Internal transfer between two stock locations of one company, from free stock in ``source``.

        ``lines``: dicts ``{"product_id", "quantity", "lot_id"}``. The stock is taken where it is
        under ``source`` (its sub-locations included), never from another operation's reservation.
        Returns the picking, validated unless ``validate`` is false (then its lines are reserved).
        """
        Quant = self.env["stock.quant"]
        Quant._abs_check_internal(source | destination)
        if source == destination:
            raise rules.SAME_LOCATION(self.env._("Source and destination are the same location."))
        if source.company_id != destination.company_id:
            raise rules.COMPANY_MISMATCH(self.env._("Both locations must belong to the same company."))
        lines = self.env["stock.lot"]._abs_check_lines(lines, company=source.company_id)
        wanted = defaultdict(float)
        for line in lines:
            wanted[line["product"], line["lot"]] += line["quantity"]
        allocations = Quant._abs_allocate(source, wanted)

        picking_type = source.warehouse_id.int_type_id or self.env["stock.picking.type"].search(
            [("code", "=", "internal"), ("company_id", "=", source.company_id.id)], limit=1
        )
        if not picking_type:
            raise rules.NO_PICKING_TYPE(self.env._("No internal transfer operation type for this company."))
        picking = self._abs_create_picking(
            picking_type,
            source,
            destination,
            [(product, qty, lot, quant) for (product, lot), pieces in allocations.items() for quant, qty in pieces],
        )
        if validate:
            picking.move_ids.picked = True
            picking._abs_validate()
        return picking

    # ------------------------------------------------------------------ validation without wizards

    def _abs_validate(self, actor=None, backorder=False):
        """Validate these pickings with the quantities picked, where no wizard can be shown.

        The one wizard-free validation of the API: core's questions are answered beforehand (the
        backorder question by ``backorder``: the unpicked rest goes to a backorder, or is dropped;
        core's one-time "send SMS?" question (stock_sms) is skipped, so API validations send no SMS,
        which would need IAP credits). ``actor``: the employee credited by the SA dual-write.
        Refused (NOT_VALIDATED, naming the wizard) if core still asks a question instead.
        """
        context = {"skip_backorder": True, "skip_sms": True, "abs_actor_id": actor.id if actor else False}
        if not backorder:
            context["picking_ids_not_to_backorder"] = self.ids
        answer = self.with_context(**context).button_validate()
        not_done = self.filtered(lambda p: p.state != "done")
        if not_done:
            wizard = answer.get("res_model") if isinstance(answer, dict) else None
            raise rules.NOT_VALIDATED(
                self.env._(
                    "%(name)s could not be validated: Odoo asks a question the API cannot answer (%(wizard)s).",
                    name=", ".join(not_done.mapped("name")),
                    wizard=wizard or "-",
                ),
                details={"wizard": wizard},
            )

    # ------------------------------------------------------------------ delivery validation

    def _abs_validate_delivery(self, lines=None, force_backorder=False, actor=None):
        """Validate this outgoing delivery; return its backorder (empty when none).

        ``lines``: dicts ``{"move_id", "quantity", "lot_id" | "lot_name"}``; ``None`` delivers every
        move at its ordered quantity with the reserved serials. A partial delivery needs
        ``force_backorder``; the rest goes to a backorder governed by the same SA. The whole request
        is checked (lines, then free stock with the quants locked) before the delivery is touched.
        """
        self.ensure_one()
        if self.picking_type_code != "outgoing":
            raise rules.NOT_A_DELIVERY(self.env._("%(name)s is not a delivery.", name=self.name))
        if self.state in ("done", "cancel"):
            raise rules.INVALID_STATE(
                self.env._("Delivery %(name)s is already %(state)s.", name=self.name, state=self.state)
            )
        if self.state == "draft":
            self.action_confirm()
        moves = self.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        if lines is None:
            plan = self._abs_plan_from_reservation(moves, force_backorder)
        else:
            plan = self._abs_plan_from_lines(moves, lines)
        self._abs_check_plan_complete(moves, plan, force_backorder)
        planned = moves.filtered(lambda m: plan.get(m))
        wanted = defaultdict(float)
        for move in planned:
            for qty, lot in plan[move]:
                wanted[move.product_id, lot] += move.product_uom._compute_quantity(qty, move.product_id.uom_id)
        allocations = self.env["stock.quant"]._abs_allocate(
            self.location_id, wanted, own_move_lines=planned.move_line_ids
        )
        self._abs_apply_plan(moves, plan, allocations)
        previous = self.search([("backorder_id", "=", self.id)])
        self._abs_validate(actor, backorder=True)
        return self.search([("backorder_id", "=", self.id), ("id", "not in", previous.ids)], limit=1)

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
                code = rules.SERIAL_UNAVAILABLE if move.has_tracking == "serial" else rules.INSUFFICIENT_STOCK
                raise code(
                    self.env._(
                        "Not enough %(product)s available in %(location)s to deliver %(qty)s.",
                        product=move.product_id.display_name,
                        location=self.location_id.display_name,
                        qty=move.product_uom_qty,
                    ),
                    details={"product_id": move.product_id.id, "missing": move.product_uom_qty - move.quantity},
                )
            plan[move] = [(ml.quantity, ml.lot_id) for ml in move.move_line_ids if ml.quantity]
        return plan

    def _abs_plan_from_lines(self, moves, lines):
        """Plan {move: [(qty, lot)]} from the caller's lines, checked by the common line rules."""
        lines = self._abs_lines_by_move_line(moves, lines)
        by_id = {move.id: move for move in moves}
        for line in lines:
            if line["move_id"] not in by_id:
                raise rules.MOVE_NOT_IN_DELIVERY(
                    self.env._(
                        "Move %(move)s is not an open line of delivery %(name)s.", move=line["move_id"], name=self.name
                    ),
                    details={"move_id": line["move_id"]},
                )
        lines = self.env["stock.lot"]._abs_check_lines(
            [dict(line, product_id=by_id[line["move_id"]].product_id.id) for line in lines],
            company=self.company_id,
            storable=False,
        )
        plan = defaultdict(list)
        for line in lines:
            plan[by_id[line["move_id"]]].append((line["quantity"], line["lot"]))
        for move, entries in plan.items():
            ordered = move.product_uom_qty
            if float_compare(sum(q for q, _lot in entries), ordered, precision_rounding=move.product_uom.rounding) > 0:
                raise rules.OVER_DELIVERY(
                    self.env._(
                        "More %(product)s than ordered (%(qty)s).", product=move.product_id.display_name, qty=ordered
                    ),
                    details={"move_id": move.id},
                )
        return dict(plan)

    def _abs_lines_by_move_line(self, moves, lines):
        """The seed's validate body names a reserved line (``move_line_id``) rather than its move: each such
        line gets its move and, without ``lot_id``/``lot_name``, the serial reserved on it. A move line that
        is not an open line of this delivery, or of another move than the ``move_id`` given, is refused."""
        wanted = {line["move_line_id"] for line in lines if line.get("move_line_id")}
        if not wanted:
            return lines
        move_lines = {ml.id: ml for ml in moves.move_line_ids if ml.id in wanted}
        resolved = []
        for line in lines:
            move_line = move_lines.get(line.get("move_line_id"))
            if line.get("move_line_id") and (not move_line or line.get("move_id") not in (None, move_line.move_id.id)):
                raise rules.MOVE_NOT_IN_DELIVERY(
                    self.env._(
                        "Move line %(line)s is not an open line of delivery %(name)s%(move)s.",
                        line=line["move_line_id"],
                        name=self.name,
                        move=self.env._(" (of move %(id)s)", id=line["move_id"]) if line.get("move_id") else "",
                    ),
                    details={"move_line_id": line["move_line_id"]},
                )
            if move_line:
                line = dict(line, move_id=move_line.move_id.id)
                if not line.get("lot_id") and not line.get("lot_name") and move_line.lot_id:
                    line["lot_id"] = move_line.lot_id.id
            resolved.append(line)
        return resolved

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
            raise rules.NOTHING_TO_DELIVER(self.env._("Nothing to deliver."))
        if partial and not force_backorder:
            raise rules.PARTIAL_DELIVERY(
                self.env._(
                    "Partial delivery of %(name)s: send force_backorder to deliver part now and the rest later.",
                    name=self.name,
                )
            )

    def _abs_apply_plan(self, moves, plan, allocations):
        """Replace the planned moves' lines by the plan, taken from the allocated quants; picked moves
        are delivered now, the others are left for a backorder."""
        planned = moves.filtered(lambda m: plan.get(m))
        planned.picked = False
        planned.move_line_ids.picked = False
        planned._do_unreserve()
        pools = {key: list(pieces) for key, pieces in allocations.items()}
        vals_list = []
        for move in planned:
            product = move.product_id
            for qty, lot in plan[move]:
                qty = move.product_uom._compute_quantity(qty, product.uom_id)
                if not product.is_storable:
                    vals_list.append(move._abs_move_line_vals(qty, lot=lot))
                    continue
                for quant, take in _take(pools[product, lot], qty, product.uom_id.rounding):
                    vals_list.append(move._abs_move_line_vals(take, quant=quant))
        self.env["stock.move.line"].create(vals_list)
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
            raise rules.NOT_RETURNABLE(
                self.env._(
                    "Only a done delivery can be returned; %(name)s is %(state)s.", name=self.name, state=self.state
                )
            )
        plan = self._abs_return_plan(self._abs_returnable(), lines)
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=self.id, active_ids=self.ids, active_model="stock.picking")
            .create({"picking_id": self.id})
        )
        for wizard_line in wizard.product_return_moves:
            wizard_line.quantity = sum(q for q, _lot in plan.get(wizard_line.move_id, []))
        return_picking = wizard._create_return()
        return_moves = return_picking.move_ids
        return_moves.picked = False
        return_moves._do_unreserve()
        return_moves.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            [
                move._abs_move_line_vals(move.product_uom._compute_quantity(qty, move.product_id.uom_id), lot=lot)
                for move in return_moves
                for qty, lot in plan.get(move.origin_returned_move_id, [])
            ]
        )
        return_moves.move_line_ids.picked = True
        return_moves.picked = True
        if reason:
            return_picking.message_post(body=self.env._("Return reason: %(reason)s", reason=reason))
        return_picking._abs_validate(actor)
        return return_picking

    def _abs_returnable(self):
        """{move: [(qty, lot)]} of what this delivery took to the customer and is still there."""
        returnable = {}
        at_customer = defaultdict(float)
        lots = self.move_line_ids.lot_id
        if lots:
            for quant in self.env["stock.quant"].search_fetch(
                [("lot_id", "in", lots.ids), ("location_id", "child_of", self.location_dest_id.id)],
                ["lot_id", "quantity"],
            ):
                at_customer[quant.lot_id] += quant.quantity
        for move in self.move_ids.filtered(lambda m: m.state == "done" and not m.scrapped):
            rounding = move.product_uom.rounding
            returned = sum(
                m.quantity for m in move.move_dest_ids if m.origin_returned_move_id == move and m.state == "done"
            )
            left = float_round(move.quantity - returned, precision_rounding=rounding)
            entries = []
            for ml in move.move_line_ids.filtered("lot_id"):
                qty = min(ml.quantity, at_customer[ml.lot_id], left)
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
        """Plan {delivered move: [(qty, lot)]} of a return: everything returnable, or the caller's lines."""
        if lines is None:
            if not returnable:
                raise rules.NOTHING_TO_RETURN(self.env._("Nothing left to return on %(name)s.", name=self.name))
            return returnable
        delivered = self.move_ids.filtered(lambda m: m.state == "done")
        for line in lines:
            if line["product_id"] not in delivered.product_id.ids:
                raise rules.PRODUCT_NOT_IN_DELIVERY(
                    self.env._(
                        "Product %(product)s is not part of delivery %(name)s.",
                        product=line["product_id"],
                        name=self.name,
                    ),
                    details={"product_id": line["product_id"]},
                )
        lines = self.env["stock.lot"]._abs_check_lines(lines, company=self.company_id, storable=False)
        delivered_lots = delivered.move_line_ids.lot_id
        plan = defaultdict(list)
        available = {move: list(entries) for move, entries in returnable.items()}
        for line in lines:
            product, lot, qty = line["product"], line["lot"], line["quantity"]
            if lot and lot not in delivered_lots:
                raise rules.LOT_NOT_IN_DELIVERY(
                    self.env._("Serial/lot %(lot)s was not delivered by %(name)s.", lot=lot.name, name=self.name),
                    details={"lot_id": lot.id},
                )
            wanted = qty
            for move, entries in available.items():
                if move.product_id != product:
                    continue
                for index, (left, entry_lot) in enumerate(entries):
                    if float_is_zero(wanted, precision_rounding=move.product_uom.rounding):
                        break
                    if left <= 0 or (lot and entry_lot != lot):
                        continue
                    take = min(left, wanted)
                    plan[move].append((take, entry_lot))
                    entries[index] = (left - take, entry_lot)
                    wanted -= take
            if float_compare(wanted, 0.0, precision_rounding=product.uom_id.rounding) > 0:
                raise rules.OVER_RETURN(
                    self.env._(
                        "Cannot return %(qty)s %(product)s: not that much is still at the customer.",
                        qty=qty,
                        product=product.display_name,
                    ),
                    details={"product_id": product.id, "lot_id": lot.id or None},
                )
        return dict(plan)

    # ------------------------------------------------------------------ helpers

    @api.model
    def _abs_create_picking(self, picking_type, src, dest, lines, **picking_vals):
        """A confirmed picking with one move per product and exactly the given move lines.

        ``lines``: ``[(product, quantity, lot, quant)]`` in the product's UoM; ``quant`` is where the
        goods come from (else ``src`` and ``lot``). The lines are created before the confirmation, so
        Odoo finds the moves reserved and proposes nothing else (never another serial).
        """
        qty_by_product = defaultdict(float)
        for product, qty, _lot, _quant in lines:
            qty_by_product[product] += qty
        picking = self.create(
            {
                "picking_type_id": picking_type.id,
                "location_id": src.id,
                "location_dest_id": dest.id,
                **picking_vals,
                "move_ids": [
                    Command.create(self._prepare_abs_move_vals(product, qty, src, dest))
                    for product, qty in qty_by_product.items()
                ],
            }
        )
        move_of = {move.product_id: move for move in picking.move_ids}
        self.env["stock.move.line"].create(
            [move_of[product]._abs_move_line_vals(qty, lot=lot, quant=quant) for product, qty, lot, quant in lines]
        )
        picking.action_confirm()
        return picking

    @api.model
    def _prepare_abs_move_vals(self, product, qty, src, dest):
        return {
            "name": product.display_name,
            "product_id": product.id,
            "product_uom": product.uom_id.id,
            "product_uom_qty": qty,
            "location_id": src.id,
            "location_dest_id": dest.id,
        }


def _take(pieces, qty, rounding):
    """Take ``qty`` from ``pieces`` (a list of ``(quant, free)``, consumed in place): [(quant, taken)]."""
    taken = []
    for index, (quant, free) in enumerate(pieces):
        if float_is_zero(qty, precision_rounding=rounding):
            break
        take = min(free, qty)
        if float_is_zero(take, precision_rounding=rounding):
            continue
        taken.append((quant, take))
        pieces[index] = (quant, free - take)
        qty -= take
    return taken
