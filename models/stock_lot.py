from collections import Counter

from odoo import api, fields, models
from odoo.tools import SQL, float_compare

from ..refusals import stock as rules


class StockLot(models.Model):
    _inherit = "stock.lot"

    abs_sa_id = fields.Many2one(
        "ov.serviced_account",
        string="Deployed by (SA)",
        compute="_compute_abs_sa_id",
        search="_search_abs_sa_id",
        help="Service account of the delivery that last took this serial/lot to a customer.",
    )
    # The PAYG device's OpenPAYGO secret and starting code: PAYG managers only (the API and the token
    # issuing read them elevated, in abs.payg.account, and never answer them).
    abs_payg_secret = fields.Char(
        "Device Secret (hex)", groups="abs_connector.group_abs_payg_manager", copy=False, size=32
    )
    abs_payg_starting_code = fields.Integer(
        "Device Starting Code", groups="abs_connector.group_abs_payg_manager", copy=False
    )

    abs_asset_ids = fields.One2many("ov.asset", "lot_id", string="Assets")

    def _compute_abs_sa_id(self):
        # _origin: a lot being edited in a form is a new record whose history is its origin's.
        last = self._origin._abs_last_customer_pickings()
        for lot in self:
            lot.abs_sa_id = last.get(lot._origin.id, self.env["stock.picking"]).abs_sa_id

    def _abs_last_customer_pickings(self):
        """{lot id: the picking of the last done move line that took the lot to a customer} (one query)."""
        move_lines = self.env["stock.move.line"].search_fetch(
            [("lot_id", "in", self.ids), ("state", "=", "done"), ("location_dest_id.usage", "=", "customer")],
            ["lot_id", "picking_id"],
            order="date desc, id desc",
        )
        last = {}
        for move_line in move_lines:
            last.setdefault(move_line.lot_id.id, move_line.picking_id)
        return last

    def _abs_payg_ensure_secret(self):
        """Give the serials without a PAYG device secret a generated one (16 random bytes) and starting code."""
        from .abs_payg_account import new_device_secret

        # sudo: the secret is PAYG managers' only; opening an account at delivery sets it, never reads it out
        for lot in self.sudo().filtered(lambda lot: not lot.abs_payg_secret):
            secret, starting_code = new_device_secret()
            lot.write({"abs_payg_secret": secret, "abs_payg_starting_code": starting_code})

    @api.model
    def _search_abs_sa_id(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            return NotImplemented
        values = value if isinstance(value, (list, tuple)) else [value]
        wanted = {v for v in values if v}
        with_none = len(wanted) < len(values)
        # Candidates: lots delivered to a customer by a picking of a wanted SA (of any SA when
        # "no SA" is asked); a lot matches when its *last* such delivery is of a wanted SA.
        domain = [("state", "=", "done"), ("location_dest_id.usage", "=", "customer"), ("lot_id", "!=", False)]
        domain.append(
            ("picking_id.abs_sa_id", "in", list(wanted)) if not with_none else ("picking_id.abs_sa_id", "!=", False)
        )
        candidates = self.env["stock.move.line"].search_fetch(domain, ["lot_id"]).lot_id
        last = candidates._abs_last_customer_pickings()
        matching = [lot.id for lot in candidates if last[lot.id].abs_sa_id.id in wanted]
        result = [("id", "in", matching)]
        if with_none:
            with_sa = [lot.id for lot in candidates if last[lot.id].abs_sa_id]
            result = ["|", ("id", "in", matching), ("id", "not in", with_sa)]
        return result if operator in ("=", "in") else ["!", *result]

    # ------------------------------------------------------------------ the lot/serial rules of a request's lines

    @api.model
    def _abs_check_lines(self, lines, company=None, counting=False, storable=True, new_lot_names=False):
        """Resolve and check the lines of one stock request together; return them resolved.

        The one implementation of the lot/serial line rules, for every operation that takes lines
        (receipts, transfers, counts, scraps, deliveries, returns). ``lines``: dicts with
        ``product_id``, ``quantity`` and optionally the lot as ``lot_id`` or ``lot_name``. Returns
        copies of the dicts with ``product`` and ``lot`` records added (``lot`` empty when none).

        Queries do not grow with the lines: the products in one search, the lots given by id in one,
        the lots given by name in one (per product, in ``company`` or shared).

        - ``counting``: the quantity is counted (``>= 0``, a serial counts 0 or 1), not moved (``> 0``,
          a serial moves exactly 1 unit);
        - ``storable``: every product must keep stock (deliveries also carry consumables);
        - ``new_lot_names``: a name unknown for the product is a lot to create (receipts): the line
          keeps its ``lot_name`` and an empty ``lot``; otherwise it is LOT_NOT_FOUND.
        """
        company = company or self.env.company
        products = rules.visible(
            self.env["product.product"], [line["product_id"] for line in lines], self.env._("Product")
        )
        lots = self._abs_lots_by_id([line.get("lot_id") for line in lines])
        names = {(line["product_id"], line["lot_name"]) for line in lines if line.get("lot_name")}
        by_name = self._abs_lots_by_name(names, company)
        # Records taken from the searched sets (not browsed one by one) share their prefetch: reading a
        # field of one line's product reads it for every line's product at once.
        product_of, lot_of = {p.id: p for p in products}, {lot.id: lot for lot in lots}
        resolved = []
        for line in lines:
            product = product_of[line["product_id"]]
            lot = lot_of[line["lot_id"]] if line.get("lot_id") else self.browse()
            name = line.get("lot_name")
            if name:
                lot = by_name.get((product.id, name), self.browse())
                if not lot and not new_lot_names:
                    raise rules.LOT_NOT_FOUND(
                        self.env._(
                            "Serial/lot %(lot)s of %(product)s not found.", lot=name, product=product.display_name
                        ),
                        details={"lot_name": name, "product_id": product.id},
                    )
            resolved.append(dict(line, product=product, lot=lot))
        self._abs_check_line_rules(resolved, counting=counting, storable=storable)
        return resolved

    @api.model
    def _abs_check_line_rules(self, lines, counting=False, storable=True):
        """The rules on resolved lines (``product``, ``lot``, ``lot_name``, ``quantity``); no query."""
        serials = Counter()
        for line in lines:
            product, lot, qty = line["product"], line["lot"], line["quantity"]
            lot_given = lot or line.get("lot_name")
            name = lot.name or line.get("lot_name")
            if storable and not product.is_storable:
                raise rules.NOT_STORABLE(
                    self.env._("%(product)s does not keep stock.", product=product.display_name),
                    details={"product_id": product.id},
                )
            if float_compare(qty, 0.0, precision_digits=6) < 0 or (
                not counting and float_compare(qty, 0.0, precision_digits=6) == 0
            ):
                raise rules.INVALID_QUANTITY(
                    self.env._("%(product)s: the quantity must be positive.", product=product.display_name)
                    if not counting
                    else self.env._("%(product)s: a count cannot be negative.", product=product.display_name),
                    details={"product_id": product.id},
                )
            if product.tracking == "none" and lot_given:
                raise rules.LOT_NOT_TRACKED(
                    self.env._(
                        "%(product)s is not tracked by lot or serial: remove the lot.", product=product.display_name
                    ),
                    details={"product_id": product.id},
                )
            if product.tracking != "none" and not lot_given:
                raise rules.LOT_REQUIRED(
                    self.env._("%(product)s needs a lot or serial number on each line.", product=product.display_name),
                    details={"product_id": product.id},
                )
            if lot and lot.product_id != product:
                raise rules.LOT_PRODUCT_MISMATCH(
                    self.env._(
                        "Lot/serial %(lot)s is not a lot of %(product)s.", lot=lot.name, product=product.display_name
                    ),
                    details={"lot_id": lot.id, "product_id": product.id},
                )
            if product.tracking != "serial":
                continue
            allowed = (0.0, 1.0) if counting else (1.0,)
            if not any(float_compare(qty, one, precision_digits=6) == 0 for one in allowed):
                raise rules.SERIAL_QUANTITY(
                    self.env._("A serial number is counted 0 or 1 (serial %(lot)s).", lot=name)
                    if counting
                    else self.env._("A serial number moves exactly one unit (serial %(lot)s).", lot=name),
                    details={"serial": name, "product_id": product.id},
                )
            serials[product.id, name] += 1
            if serials[product.id, name] > 1:
                raise rules.DUPLICATE_SERIAL(
                    self.env._("Serial %(lot)s is given twice.", lot=name),
                    details={"serial": name, "product_id": product.id},
                )

    @api.model
    def _abs_lots_by_id(self, lot_ids):
        """The lots of ``lot_ids`` (one query); LOT_NOT_FOUND for an unknown or invisible one."""
        lot_ids = list(dict.fromkeys(i for i in lot_ids if i))
        if not lot_ids:
            return self.browse()
        lots = self.search_fetch([("id", "in", lot_ids)], ["name", "product_id"])
        missing = sorted(set(lot_ids) - set(lots.ids))
        if missing:
            raise rules.LOT_NOT_FOUND(
                self.env._("Lot/serial not found: %(ids)s", ids=", ".join(map(str, missing))), details={"ids": missing}
            )
        return lots

    @api.model
    def _abs_lots_by_name(self, names, company):
        """{(product id, name): lot} for ``names``, a set of (product id, name) pairs, in one query."""
        if not names:
            return {}
        lots = self.search_fetch(
            [
                ("product_id", "in", list({pid for pid, _name in names})),
                ("name", "in", list({name for _pid, name in names})),
                ("company_id", "in", [company.id, False]),
            ],
            ["name", "product_id"],
            order="company_id, id",
        )
        found = {}
        for lot in lots:
            if (lot.product_id.id, lot.name) in names:
                found.setdefault((lot.product_id.id, lot.name), lot)
        return found

    # ------------------------------------------------------------------ read-outs

    @api.model
    def _abs_reach_domain(self, account_ids):
        """Lots the callers of ``account_ids`` may know of: not deployed at another SA's customer.

        A serial whose active asset is another SA's is as if missing, in the lot lookup, the lot list
        and an asset registration alike (``ov.asset._abs_check_lots_free``). None: every SA."""
        if account_ids is None:
            return []
        elsewhere = [("state", "=", "active"), ("x_sa_id", "!=", False), ("x_sa_id", "not in", list(account_ids))]
        return [("abs_asset_ids", "not any", elsewhere)]

    @api.model
    def _abs_lookup(self, name, product_id=None, catalog_domain=(), reach_domain=()):
        """The one lot called ``name`` (of ``product_id`` when given, of a product of ``catalog_domain``,
        within ``reach_domain``): NOT_FOUND, or AMBIGUOUS_LOT when several products have a lot of that name."""
        domain = [("name", "=", name), *reach_domain]
        if catalog_domain:
            domain.append(("product_id", "any", list(catalog_domain)))
        if product_id:
            domain.append(("product_id", "=", product_id))
        lots = self.search_fetch(domain, ["name", "ref", "product_id"], limit=2, order="id")
        if not lots:
            # The lot is the resource looked up (a path), not a lot named in a request's lines.
            raise rules.NOT_FOUND(self.env._("Serial/lot %(lot)s not found.", lot=name), details={"lot_name": name})
        if len(lots) > 1:
            raise rules.AMBIGUOUS_LOT(
                self.env._("Several products have the serial %(lot)s: name the product.", lot=name),
                details={"product_ids": lots.product_id.ids},
            )
        return lots

    def _abs_levels_by_lot(self):
        """{lot id: (on hand, reserved)} of these lots in internal locations, one query."""
        Quant = self.env["stock.quant"]
        groups = Quant._abs_levels(Quant._abs_internal_domain(lot_ids=self.ids), ["lot_id"])
        return {lot.id: (qty, reserved) for lot, qty, reserved in groups}

    @api.model
    def _abs_available_domain(self, available=True):
        """Lots with (``available``) or without a quantity free to deliver — on hand in an internal location
        and not reserved by a delivery — as one sub-query (a serial another delivery holds is not free)."""
        free = SQL(
            """(SELECT quant.lot_id FROM stock_quant quant
                  JOIN stock_location location ON location.id = quant.location_id
                 WHERE location.usage = 'internal' AND quant.lot_id IS NOT NULL
                 GROUP BY quant.lot_id
                HAVING SUM(quant.quantity) - SUM(quant.reserved_quantity) > 0)"""
        )
        return [("id", "in" if available else "not in", free)]

    def _abs_locations(self):
        """[(location, on hand, reserved)] of this lot in internal locations, one query."""
        self.ensure_one()
        Quant = self.env["stock.quant"]
        return [
            (location, qty, reserved)
            for location, qty, reserved in Quant._abs_levels(
                Quant._abs_internal_domain(lot_ids=self.ids), ["location_id"]
            )
            if qty or reserved
        ]
