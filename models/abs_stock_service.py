"""Warehouse operations (receive, count, transfer, scrap) and stock read-outs, shared by the API and the backend.

Every operation checks the whole request first and writes only when all of it is acceptable; the
checks run in batch (one query per kind of record, not per line). Refusals are ``AbsRefusal``s
carrying the HTTP status the API answers with (400 bad input, 404 unknown record, 409 conflict).
"""

from collections import defaultdict

from odoo import Command, api, models
from odoo.tools import float_compare, float_is_zero

from ..exceptions import AbsRefusal

INTERNAL_USAGES = ("internal", "transit")


class AbsStockService(models.AbstractModel):
    _name = "abs.stock.service"
    _description = "ABS Connector: warehouse operations"

    # ------------------------------------------------------------------ lookups

    @api.model
    def _abs_visible(self, model_name, ids, what):
        """Records of ``ids`` the current user may see (record rules: other companies are invisible); 404 otherwise."""
        ids = list(dict.fromkeys(i for i in ids if i))
        records = self.env[model_name].search([("id", "in", ids)]) if ids else self.env[model_name]
        missing = sorted(set(ids) - set(records.ids))
        if missing:
            raise AbsRefusal(
                self.env._("%(what)s not found: %(ids)s", what=what, ids=", ".join(map(str, missing))),
                status=404,
                code="not_found",
                details={"ids": missing},
            )
        return records

    @api.model
    def _abs_warehouse(self, warehouse_id=None):
        """The given warehouse, or the current company's first one."""
        if warehouse_id:
            return self._abs_visible("stock.warehouse", [warehouse_id], self.env._("Warehouse"))
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        if not warehouse:
            raise AbsRefusal(self.env._("The company has no warehouse."), code="no_warehouse")
        return warehouse

    @api.model
    def _abs_check_storable(self, products):
        not_storable = products.filtered(lambda p: not p.is_storable)
        if not_storable:
            raise AbsRefusal(
                self.env._(
                    "These products do not keep stock: %(names)s", names=", ".join(not_storable.mapped("display_name"))
                ),
                code="not_storable",
                details={"product_ids": not_storable.ids},
            )

    @api.model
    def _abs_check_lot_usage(self, product, lot, qty):
        """Tracking rules of one line: tracked needs a lot of that product, untracked takes none,
        a serial moves one by one."""
        if product.tracking == "none" and lot:
            raise AbsRefusal(
                self.env._("%(product)s is not tracked by lot or serial.", product=product.display_name),
                code="lot_not_tracked",
            )
        if product.tracking != "none" and not lot:
            raise AbsRefusal(
                self.env._("%(product)s needs a lot or serial number.", product=product.display_name),
                code="lot_required",
            )
        if lot and lot.product_id != product:
            raise AbsRefusal(
                self.env._("Lot %(lot)s is not a lot of %(product)s.", lot=lot.name, product=product.display_name),
                code="lot_product_mismatch",
            )
        if product.tracking == "serial" and qty is not None and float_compare(qty, 1.0, precision_digits=6) != 0:
            raise AbsRefusal(
                self.env._("A serial number counts exactly one unit (%(product)s).", product=product.display_name),
                code="serial_quantity",
            )

    @api.model
    def _abs_internal_location(self, location_id, what):
        location = self._abs_visible("stock.location", [location_id], what)
        if location.usage not in INTERNAL_USAGES:
            raise AbsRefusal(
                self.env._("%(location)s is not a stock location of a warehouse.", location=location.display_name),
                code="not_internal_location",
            )
        return location

    # ------------------------------------------------------------------ read-outs

    @api.model
    def _abs_internal_quant_domain(self, product_ids=None, warehouse=None, location=None, lot_ids=None):
        domain = [("location_id.usage", "=", "internal"), ("quantity", "!=", 0)]
        if product_ids:
            domain.append(("product_id", "in", product_ids))
        if lot_ids is not None:
            domain.append(("lot_id", "in", lot_ids))
        if warehouse:
            domain.append(("location_id", "child_of", warehouse.view_location_id.id))
        if location:
            domain.append(("location_id", "child_of", location.id))
        return domain

    @api.model
    def _abs_levels(self, domain, groupby, offset=0, limit=None, order=None):
        """[(group records..., on_hand, reserved)] summed over quants, one query.

        Without ``order`` groups come by record ids (stable, and no join on product names).
        """
        return self.env["stock.quant"]._read_group(
            domain, groupby, ["quantity:sum", "reserved_quantity:sum"], offset=offset, limit=limit, order=order
        )

    @api.model
    def _abs_lot_on_hand(self, lots):
        """{lot id: quantity in internal locations}, one query for all lots."""
        groups = self.env["stock.quant"]._read_group(
            self._abs_internal_quant_domain(lot_ids=lots.ids), ["lot_id"], ["quantity:sum"]
        )
        return {lot.id: qty for lot, qty in groups}

    # ------------------------------------------------------------------ receive

    @api.model
    def _abs_receive(self, values):
        """Create (and by default validate) a supplier receipt with its lots.

        ``values``: warehouse_id, partner_id, scheduled_date, origin, validate, and lines of
        ``{"product_id", "qty", "lot_names"}``. Returns the picking.
        """
        warehouse = self._abs_warehouse(values.get("warehouse_id"))
        partner = self._abs_visible("res.partner", [values.get("partner_id")], self.env._("Supplier"))
        lines = values["lines"]
        products = self._abs_visible("product.product", [line["product_id"] for line in lines], self.env._("Product"))
        self._abs_check_storable(products)
        company = warehouse.company_id
        seen = set()
        for line in lines:
            product = products.browse(line["product_id"])
            names, qty = line["lot_names"], line["qty"]
            if float_compare(qty, 0.0, precision_digits=6) <= 0:
                raise AbsRefusal(self.env._("Quantities must be positive."), code="invalid_quantity")
            if product.tracking == "none" and names:
                raise AbsRefusal(
                    self.env._("%(product)s is not tracked by lot or serial.", product=product.display_name),
                    code="lot_not_tracked",
                )
            if product.tracking != "none" and not names:
                raise AbsRefusal(
                    self.env._("%(product)s needs lot or serial numbers.", product=product.display_name),
                    code="lot_required",
                )
            if product.tracking == "serial" and float_compare(qty, len(names), precision_digits=6) != 0:
                raise AbsRefusal(
                    self.env._(
                        "%(product)s: %(qty)s units need %(qty)s serial numbers, one each (got %(count)s).",
                        product=product.display_name,
                        qty=qty,
                        count=len(names),
                    ),
                    code="serial_quantity",
                )
            if product.tracking == "lot" and len(names) != 1:
                raise AbsRefusal(
                    self.env._("%(product)s: give one lot name per line.", product=product.display_name),
                    code="lot_count",
                )
            for name in names:
                if (product.id, name) in seen:
                    raise AbsRefusal(self.env._("Lot %(lot)s appears twice.", lot=name), code="duplicate_lot")
                seen.add((product.id, name))

        # Existing lots are reused; a serial that already has stock in a warehouse cannot arrive again.
        Lot = self.env["stock.lot"]
        existing = {
            (lot.product_id.id, lot.name): lot
            for lot in Lot.search_fetch(
                [
                    ("product_id", "in", products.ids),
                    ("name", "in", list({n for _p, n in seen})),
                    ("company_id", "in", [company.id, False]),
                ],
                ["name", "product_id"],
            )
            if (lot.product_id.id, lot.name) in seen
        }
        serials = Lot.browse(lot.id for lot in existing.values() if lot.product_id.tracking == "serial")
        in_stock = sorted(
            serials.browse(lid).name
            for lid, qty in self._abs_lot_on_hand(serials).items()
            if float_compare(qty, 0.0, precision_digits=6) > 0
        )
        if in_stock:
            raise AbsRefusal(
                self.env._("These serial numbers are already in stock: %(serials)s", serials=", ".join(in_stock)),
                status=409,
                code="serial_in_stock",
                details={"serials": in_stock},
            )
        to_create = [key for key in sorted(seen) if key not in existing]
        created = Lot.create([{"name": name, "product_id": pid, "company_id": company.id} for pid, name in to_create])
        existing.update(zip(to_create, created, strict=True))

        # One move per product (Odoo would merge them anyway), one move line per lot.
        qty_by_product, lot_lines = defaultdict(float), defaultdict(list)
        for line in lines:
            product = products.browse(line["product_id"])
            qty_by_product[product] += line["qty"]
            names = line["lot_names"] or [None]
            lot_lines[product] += [(existing.get((product.id, name)), line["qty"] / len(names)) for name in names]
        picking_type = warehouse.in_type_id
        src = picking_type.default_location_src_id or self.env.ref("stock.stock_location_suppliers")
        dest = picking_type.default_location_dest_id or warehouse.lot_stock_id
        picking, move_of = self._abs_confirmed_picking(
            picking_type,
            src,
            dest,
            qty_by_product,
            partner_id=partner.id,
            origin=values.get("origin"),
            **({"scheduled_date": values["scheduled_date"]} if values.get("scheduled_date") else {}),
        )
        self.env["stock.move.line"].create(
            [
                self._prepare_move_line_vals(move_of[product], qty, lot)
                for product, product_lines in lot_lines.items()
                for lot, qty in product_lines
            ]
        )
        picking.move_ids._recompute_state()
        if values.get("validate", True):
            self._abs_validate_picking(picking)
        return picking

    # ------------------------------------------------------------------ adjust

    @api.model
    def _abs_adjust(self, values):
        """Set counted quantities through inventory-mode quants (Odoo's own inventory adjustment).

        ``values``: warehouse_id, reason, lines of ``{"product_id", "lot_id", "location_id", "quantity_counted"}``.
        Returns the adjusted quants.
        """
        warehouse = self._abs_warehouse(values.get("warehouse_id"))
        lines = values["lines"]
        products = self._abs_visible("product.product", [line["product_id"] for line in lines], self.env._("Product"))
        lots = self._abs_visible("stock.lot", [line.get("lot_id") for line in lines], self.env._("Lot"))
        locations = self._abs_visible(
            "stock.location", [line.get("location_id") for line in lines], self.env._("Location")
        )
        self._abs_check_storable(products)
        wh_path = warehouse.view_location_id.parent_path
        for location in locations:
            if location.usage != "internal" or not location.parent_path.startswith(wh_path):
                raise AbsRefusal(
                    self.env._(
                        "%(location)s is not a stock location of %(warehouse)s.",
                        location=location.display_name,
                        warehouse=warehouse.name,
                    ),
                    code="location_not_in_warehouse",
                )
        keys = []
        for line in lines:
            product, lot = products.browse(line["product_id"]), lots.browse(line.get("lot_id"))
            location = locations.browse(line.get("location_id")) or warehouse.lot_stock_id
            self._abs_check_lot_usage(product, lot, None)
            if product.tracking == "serial" and line["quantity_counted"] not in (0, 1):
                raise AbsRefusal(self.env._("A serial number is counted 0 or 1."), code="serial_quantity")
            key = (product, lot, location)
            if key in keys:
                raise AbsRefusal(
                    self.env._("%(product)s is counted twice in one location.", product=product.display_name),
                    code="duplicate_line",
                )
            keys.append(key)

        # A serial is in one place: counting it where it is not, or here while it sits elsewhere, is a conflict.
        serial_lots = lots.filtered(lambda lot: lot.product_id.tracking == "serial")
        where = defaultdict(set)
        for location, lot, qty, _reserved in self._abs_levels(
            [("lot_id", "in", serial_lots.ids), ("location_id.usage", "=", "internal")], ["location_id", "lot_id"]
        ):
            if float_compare(qty, 0.0, precision_digits=6) > 0:
                where[lot.id].add(location.id)
        for (product, lot, location), line in zip(keys, lines, strict=True):
            if product.tracking != "serial":
                continue
            here = location.id in where[lot.id]
            if line["quantity_counted"] == 0 and not here:
                raise AbsRefusal(
                    self.env._("Serial %(lot)s is not in %(location)s.", lot=lot.name, location=location.display_name),
                    status=409,
                    code="serial_not_in_location",
                )
            if line["quantity_counted"] == 1 and where[lot.id] - {location.id}:
                raise AbsRefusal(
                    self.env._("Serial %(lot)s is in stock elsewhere; transfer it instead.", lot=lot.name),
                    status=409,
                    code="serial_elsewhere",
                )

        Quant = self.env["stock.quant"].with_context(inventory_mode=True)
        quants = Quant.create(
            [
                {
                    "product_id": product.id,
                    "lot_id": lot.id or False,
                    "location_id": location.id,
                    "inventory_quantity": line["quantity_counted"],
                }
                for (product, lot, location), line in zip(keys, lines, strict=True)
            ]
        )
        changed = quants.filtered(
            lambda q: not float_is_zero(q.inventory_diff_quantity, precision_rounding=q.product_uom_id.rounding)
        )
        (quants - changed).action_clear_inventory_quantity()
        if changed:
            name = values.get("reason") or self.env._("Inventory adjustment (API)")
            result = changed.with_context(inventory_name=name).action_apply_inventory()
            if isinstance(result, dict):
                raise AbsRefusal(
                    self.env._("The count conflicts with stock that changed meanwhile; count again."),
                    status=409,
                    code="inventory_conflict",
                )
        return quants

    # ------------------------------------------------------------------ transfer

    @api.model
    def _abs_transfer(self, values):
        """Internal transfer between two stock locations of one company, from stock actually there.

        ``values``: from_location_id, to_location_id, validate, lines of ``{"product_id", "qty", "lot_id"}``.
        """
        src = self._abs_internal_location(values["from_location_id"], self.env._("Source location"))
        dest = self._abs_internal_location(values["to_location_id"], self.env._("Destination location"))
        if src == dest:
            raise AbsRefusal(self.env._("Source and destination are the same location."), code="same_location")
        if src.company_id != dest.company_id:
            raise AbsRefusal(self.env._("Both locations must belong to the same company."), code="company_mismatch")
        lines = values["lines"]
        products = self._abs_visible("product.product", [line["product_id"] for line in lines], self.env._("Product"))
        lots = self._abs_visible("stock.lot", [line.get("lot_id") for line in lines], self.env._("Lot"))
        self._abs_check_storable(products)
        wanted = defaultdict(float)
        for line in lines:
            product, lot = products.browse(line["product_id"]), lots.browse(line.get("lot_id"))
            self._abs_check_lot_usage(product, lot, line["qty"])
            wanted[product, lot] += line["qty"]
            if product.tracking == "serial" and wanted[product, lot] > 1:
                raise AbsRefusal(self.env._("Serial %(lot)s appears twice.", lot=lot.name), code="duplicate_lot")

        # Unreserved stock per (product, lot, exact location) under the source, taken location by location.
        free = defaultdict(list)
        for product, lot, location, qty, reserved in self._abs_levels(
            [("product_id", "in", products.ids), ("location_id", "child_of", src.id)],
            ["product_id", "lot_id", "location_id"],
        ):
            if float_compare(qty - reserved, 0.0, precision_digits=6) > 0:
                free[product, lot].append((location, qty - reserved))
        allocations = []
        for (product, lot), qty in wanted.items():
            left = qty
            for location, available in free[product, lot]:
                take = min(left, available)
                allocations.append((product, lot, location, take))
                left -= take
                if float_is_zero(left, precision_digits=6):
                    break
            if not float_is_zero(left, precision_digits=6) and left > 0:
                if product.tracking == "serial":
                    raise AbsRefusal(
                        self.env._(
                            "Serial %(lot)s is not available in %(location)s.", lot=lot.name, location=src.display_name
                        ),
                        status=409,
                        code="serial_not_in_location",
                    )
                raise AbsRefusal(
                    self.env._(
                        "Not enough %(product)s in %(location)s: %(missing)s missing.",
                        product=product.display_name,
                        location=src.display_name,
                        missing=left,
                    ),
                    status=409,
                    code="insufficient_stock",
                    details={"product_id": product.id, "missing": left},
                )

        picking_type = src.warehouse_id.int_type_id or self.env["stock.picking.type"].search(
            [("code", "=", "internal"), ("company_id", "=", src.company_id.id)], limit=1
        )
        if not picking_type:
            raise AbsRefusal(
                self.env._("No internal transfer operation type for this company."), code="no_picking_type"
            )
        by_product = defaultdict(float)
        for (product, _lot), qty in wanted.items():
            by_product[product] += qty
        # Reserve exactly the requested lots: ours replace what confirmation reserved.
        picking, move_of = self._abs_confirmed_picking(picking_type, src, dest, by_product)
        self.env["stock.move.line"].create(
            [
                self._prepare_move_line_vals(move_of[product], qty, lot, location_id=location.id)
                for product, lot, location, qty in allocations
            ]
        )
        if values.get("validate", True):
            self._abs_validate_picking(picking)
        return picking

    # ------------------------------------------------------------------ scrap

    @api.model
    def _abs_scrap(self, values):
        """Scrap units from one location through ``stock.scrap``.

        ``values``: ``product_id, lot_id, quantity, location_id, reason``."""
        product = self._abs_visible("product.product", [values["product_id"]], self.env._("Product"))
        lot = self._abs_visible("stock.lot", [values.get("lot_id")], self.env._("Lot"))
        if values.get("location_id"):
            location = self._abs_internal_location(values["location_id"], self.env._("Location"))
        else:
            location = self._abs_warehouse().lot_stock_id
        self._abs_check_storable(product)
        qty = values["quantity"]
        self._abs_check_lot_usage(product, lot, qty)
        # Odoo scraps from the exact location (not its children); check the same way, counting reserved units too.
        on_hand = sum(
            q
            for _g, q, _r in self._abs_levels(
                [("product_id", "=", product.id), ("lot_id", "=", lot.id or False), ("location_id", "=", location.id)],
                ["product_id"],
            )
        )
        if float_compare(on_hand, qty, precision_digits=6) < 0:
            if product.tracking == "serial":
                raise AbsRefusal(
                    self.env._("Serial %(lot)s is not in %(location)s.", lot=lot.name, location=location.display_name),
                    status=409,
                    code="serial_not_in_location",
                )
            raise AbsRefusal(
                self.env._(
                    "Only %(qty)s %(product)s in %(location)s.",
                    qty=on_hand,
                    product=product.display_name,
                    location=location.display_name,
                ),
                status=409,
                code="insufficient_stock",
            )
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": product.id,
                "product_uom_id": product.uom_id.id,
                "lot_id": lot.id or False,
                "scrap_qty": qty,
                "location_id": location.id,
                "company_id": location.company_id.id,
                "origin": values.get("reason"),
            }
        )
        scrap.action_validate()
        if scrap.state != "done":
            raise AbsRefusal(self.env._("Not enough stock to scrap."), status=409, code="insufficient_stock")
        return scrap

    # ------------------------------------------------------------------ helpers

    @api.model
    def _abs_validate_picking(self, picking):
        """Validate with the quantities set on the lines, no backorder; refuse if Odoo asks a question instead."""
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, cancel_backorder=True, skip_sms=True).button_validate()
        if picking.state != "done":
            raise AbsRefusal(
                self.env._("%(picking)s could not be validated.", picking=picking.name), code="not_validated"
            )

    @api.model
    def _abs_confirmed_picking(self, picking_type, src, dest, qty_by_product, **picking_vals):
        """A confirmed picking with one move per product, its proposed move lines removed.

        Returns ``(picking, {product: move})``: the caller creates the move lines it wants
        (the lots it was given), so Odoo's own proposal never sneaks another serial in.
        """
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": src.id,
                "location_dest_id": dest.id,
                **picking_vals,
                "move_ids": [
                    Command.create(self._prepare_move_vals(product, qty, src, dest))
                    for product, qty in qty_by_product.items()
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.move_line_ids.unlink()
        return picking, {move.product_id: move for move in picking.move_ids}

    @api.model
    def _prepare_move_vals(self, product, qty, src, dest):
        return {
            "name": product.display_name,
            "product_id": product.id,
            "product_uom": product.uom_id.id,
            "product_uom_qty": qty,
            "location_id": src.id,
            "location_dest_id": dest.id,
        }

    @api.model
    def _prepare_move_line_vals(self, move, qty, lot=None, location_id=None):
        return {
            "move_id": move.id,
            "picking_id": move.picking_id.id,
            "product_id": move.product_id.id,
            "product_uom_id": move.product_uom.id,
            "location_id": location_id or move.location_id.id,
            "location_dest_id": move.location_dest_id.id,
            "lot_id": lot.id if lot else False,
            "quantity": qty,
        }
