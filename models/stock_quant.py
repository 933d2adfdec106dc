from collections import defaultdict

from odoo import api, models
from odoo.tools import float_compare, float_is_zero

from ..refusals import stock as rules

INTERNAL_USAGES = ("internal", "transit")


class StockQuant(models.Model):
    _inherit = "stock.quant"

    # ------------------------------------------------------------------ counts (inventory adjustment)

    @api.model
    def _abs_apply_counts(self, lines, warehouse=None, reason=None):
        """Set counted quantities through inventory-mode quants (Odoo's own inventory adjustment).

        ``lines``: dicts ``{"product_id", "lot_id", "location_id", "quantity"}`` (the counted quantity;
        no location: the warehouse's stock). ``warehouse``: default the user's. Everything is checked
        before anything is written. Returns the counted quants.
        """
        warehouse = warehouse or self._abs_default_warehouse()
        lines = self.env["stock.lot"]._abs_check_lines(lines, company=warehouse.company_id, counting=True)
        locations = rules.visible(
            self.env["stock.location"], [line.get("location_id") for line in lines], self.env._("Location")
        )
        wh_path = warehouse.view_location_id.parent_path
        for location in locations:
            if location.usage != "internal" or not location.parent_path.startswith(wh_path):
                raise rules.LOCATION_NOT_IN_WAREHOUSE(
                    self.env._(
                        "%(location)s is not a stock location of %(warehouse)s.",
                        location=location.display_name,
                        warehouse=warehouse.name,
                    ),
                    details={"location_id": location.id},
                )
        location_of = {location.id: location for location in locations}
        keys, seen = [], set()
        for line in lines:
            key = (line["product"], line["lot"], location_of.get(line.get("location_id")) or warehouse.lot_stock_id)
            if key in seen:
                raise rules.DUPLICATE_LINE(
                    self.env._("%(product)s is counted twice in one location.", product=key[0].display_name),
                    details={"product_id": key[0].id},
                )
            keys.append(key)
            seen.add(key)

        # A serial is in one place: counting it out where it is not, or in while it sits elsewhere, is a conflict.
        serials = self.env["stock.lot"].union(*(lot for product, lot, _loc in keys if product.tracking == "serial"))
        where = self._abs_serial_locations(serials)
        for (product, lot, location), line in zip(keys, lines, strict=True):
            if product.tracking != "serial":
                continue
            if float_is_zero(line["quantity"], precision_digits=6) and location not in where[lot]:
                raise rules.SERIAL_UNAVAILABLE(
                    self.env._("Serial %(lot)s is not in %(location)s.", lot=lot.name, location=location.display_name),
                    details={"serial": lot.name, "location_id": location.id},
                )
            if not float_is_zero(line["quantity"], precision_digits=6) and where[lot] - location:
                raise rules.SERIAL_IN_STOCK(
                    self.env._("Serial %(lot)s is in stock elsewhere; transfer it instead.", lot=lot.name),
                    details={"serials": [lot.name]},
                )

        # Core's inventory mode finds the quant of each line in this cache instead of one search per line.
        products = self.env["product.product"].union(*(product for product, _lot, _loc in keys))
        cache = self._get_quants_by_products_locations(
            products, self.env["stock.location"].union(*(loc for _p, _l, loc in keys))
        )
        quants = self.with_context(inventory_mode=True, quants_cache=cache).create(
            [
                {
                    "product_id": product.id,
                    "lot_id": lot.id or False,
                    "location_id": location.id,
                    "inventory_quantity": line["quantity"],
                }
                for (product, lot, location), line in zip(keys, lines, strict=True)
            ]
        )
        changed = quants.filtered(
            lambda q: not float_is_zero(q.inventory_diff_quantity, precision_rounding=q.product_uom_id.rounding)
        )
        (quants - changed).action_clear_inventory_quantity()
        if changed:
            name = reason or self.env._("Inventory adjustment (API)")
            result = changed.with_context(inventory_name=name).action_apply_inventory()
            if isinstance(result, dict):
                raise rules.INVENTORY_CONFLICT(
                    self.env._("The count conflicts with stock that changed meanwhile; count again.")
                )
        return quants

    # ------------------------------------------------------------------ availability

    @api.model
    def _abs_allocate(self, location, wanted, strict=False, own_move_lines=None):
        """Check that ``wanted`` is free in ``location``, and say which quants it comes from.

        The one availability check of the stock operations (transfer, scrap, delivery). ``wanted``:
        ``{(product, lot): quantity in the product's UoM}`` (lot empty for untracked products).
        ``strict``: only the location itself, not its children. Stock reserved by other operations is
        not free; stock reserved by ``own_move_lines`` (the lines the operation replaces) is.

        The quants are gathered once and locked (``FOR NO KEY UPDATE``), so two requests taking the
        same serial are serialised: the second waits, fails to serialise, is retried by Odoo, and
        then sees the serial gone. A shortfall is SERIAL_UNAVAILABLE (a serial) or INSUFFICIENT_STOCK.
        Returns ``{(product, lot): [(quant, quantity), ...]}``.
        """
        wanted = {key: qty for key, qty in wanted.items() if key[0].is_storable}
        if not wanted:
            return {}
        products = self.env["product.product"].union(*(product for product, _lot in wanted))
        extra = [("location_id", "=", location.id)] if strict else False
        quants = self.browse()
        for group in self._get_quants_by_products_locations(products, location, extra_domain=extra).values():
            quants |= group
        if quants:
            # Only the quants of the wanted (product, lot) pairs are locked: deliveries of other serials
            # of one product do not wait for each other (nor fail to serialise under load). The loser of
            # a race for the same quants fails with a serialization error that Odoo answers by retrying
            # the whole request: an expected outcome, not an error for the log.
            pairs = tuple((product.id, lot.id or 0) for product, lot in wanted)
            self.env.cr.execute(
                "SELECT id FROM stock_quant WHERE id IN %s AND (product_id, COALESCE(lot_id, 0)) IN %s"
                " FOR NO KEY UPDATE",
                [tuple(quants.ids), pairs],
                log_exceptions=False,
            )
            quants = self.browse([row[0] for row in self.env.cr.fetchall()])
            quants.invalidate_recordset(["quantity", "reserved_quantity"])
            quants.fetch(["product_id", "lot_id", "location_id", "quantity", "reserved_quantity", "in_date"])
        own = defaultdict(float)
        for move_line in own_move_lines or ():
            own[move_line.product_id, move_line.lot_id, move_line.location_id] += move_line.quantity_product_uom
        by_key = defaultdict(list)
        for quant in quants.sorted(lambda q: (not own.get((q.product_id, q.lot_id, q.location_id)), q.in_date, q.id)):
            own_key = (quant.product_id, quant.lot_id, quant.location_id)
            credit = min(own[own_key], max(quant.reserved_quantity, 0.0))
            own[own_key] -= credit
            free = quant.quantity - quant.reserved_quantity + credit
            if float_compare(free, 0.0, precision_rounding=quant.product_uom_id.rounding) > 0:
                by_key[quant.product_id, quant.lot_id].append((quant, free))

        allocations = {}
        for (product, lot), qty in wanted.items():
            left, taken = qty, []
            for index, (quant, free) in enumerate(by_key[product, lot]):
                if float_is_zero(left, precision_rounding=product.uom_id.rounding):
                    break
                take = min(left, free)
                if float_is_zero(take, precision_rounding=product.uom_id.rounding):
                    continue
                taken.append((quant, take))
                by_key[product, lot][index] = (quant, free - take)
                left -= take
            if float_compare(left, 0.0, precision_rounding=product.uom_id.rounding) > 0:
                self._abs_refuse_shortfall(product, lot, location, qty, qty - left)
            allocations[product, lot] = taken
        return allocations

    @api.model
    def _abs_refuse_shortfall(self, product, lot, location, qty, available):
        if product.tracking == "serial":
            raise rules.SERIAL_UNAVAILABLE(
                self.env._(
                    "Serial %(lot)s of %(product)s is not available in %(location)s "
                    "(delivered, elsewhere or reserved).",
                    lot=lot.name,
                    product=product.display_name,
                    location=location.display_name,
                ),
                details={"serial": lot.name, "product_id": product.id, "location_id": location.id},
            )
        raise rules.INSUFFICIENT_STOCK(
            self.env._(
                "Only %(available)s %(product)s%(lot)s free in %(location)s, %(qty)s asked.",
                available=available,
                product=product.display_name,
                lot=f" ({lot.name})" if lot else "",
                location=location.display_name,
                qty=qty,
            ),
            details={"product_id": product.id, "lot_id": lot.id or None, "missing": qty - available},
        )

    @api.model
    def _abs_serial_locations(self, lots):
        """{lot: internal locations where it has stock} (empty for a lot with none), one query."""
        where = defaultdict(lambda: self.env["stock.location"])
        if lots:
            for location, lot, qty in self._read_group(
                [("lot_id", "in", lots.ids), ("location_id.usage", "in", INTERNAL_USAGES)],
                ["location_id", "lot_id"],
                ["quantity:sum"],
            ):
                if float_compare(qty, 0.0, precision_digits=6) > 0:
                    where[lot] |= location
        return where

    # ------------------------------------------------------------------ read-outs

    @api.model
    def _abs_internal_domain(self, product_ids=None, warehouse=None, lot_ids=None):
        domain = [("location_id.usage", "=", "internal"), ("quantity", "!=", 0)]
        if product_ids:
            domain.append(("product_id", "in", product_ids))
        if lot_ids is not None:
            domain.append(("lot_id", "in", lot_ids))
        if warehouse:
            domain.append(("location_id", "child_of", warehouse.view_location_id.id))
        return domain

    @api.model
    def _abs_levels(self, domain, groupby, offset=0, limit=None, order=None):
        """[(group records..., on_hand, reserved)] summed over quants, one query.

        Without ``order`` groups come by record ids (stable, and no join on product names).
        """
        return self._read_group(
            domain, groupby, ["quantity:sum", "reserved_quantity:sum"], offset=offset, limit=limit, order=order
        )

    # ------------------------------------------------------------------ helpers

    @api.model
    def _abs_default_warehouse(self):
        """The current user's warehouse (core: the company's first one); NO_WAREHOUSE when there is none."""
        warehouse = self.env.user._get_default_warehouse_id()
        if not warehouse:
            raise rules.NO_WAREHOUSE(self.env._("The company has no warehouse."))
        return warehouse

    @api.model
    def _abs_check_internal(self, locations):
        """Every one of ``locations`` must be a stock location of a warehouse (NOT_INTERNAL_LOCATION)."""
        for location in locations:
            if location.usage not in INTERNAL_USAGES:
                raise rules.NOT_INTERNAL_LOCATION(
                    self.env._("%(location)s is not a stock location of a warehouse.", location=location.display_name),
                    details={"location_id": location.id},
                )
