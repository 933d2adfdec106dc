"""Warehouse & stock API (seed workflow 0 and "Warehouse & Stock (stock_api.py)").

Company-level data: every authenticated employee or API key sees its companies' warehouses, stock
and lots; other companies' records are invisible (record rules) and answer 404. Pickings governed by
an SA (a delivery's return is an incoming picking) follow SA scope wherever they show: receipts and
movements of another SA's governed pickings are hidden. Writes are staff-only; each is one model
method (``stock.picking``, ``stock.quant``, ``stock.scrap``) that the backend can call too.
"""

from datetime import UTC, datetime, time

from odoo import http

from ..refusals import stock as rules
from ..schemas.stock import (
    AdjustmentRequest,
    AdjustmentResponse,
    LevelListResponse,
    LotListQuery,
    LotListResponse,
    LotLookupQuery,
    LotResponse,
    MovementListQuery,
    MovementListResponse,
    PickingCreatedResponse,
    ProductLevelsQuery,
    ProductLevelsResponse,
    ReceiptListQuery,
    ReceiptListResponse,
    ReceiptResponse,
    ReceiveRequest,
    ScrapRequest,
    ScrapResponse,
    StockLevelsQuery,
    TransferRequest,
    WarehouseListQuery,
    WarehouseListResponse,
)
from .api_kit import API_KEY, EMPLOYEE, api_route, filters_domain, id_name, not_found, page_payload, search_page
from .serializers.asset import asset_holder
from .serializers.stock import (
    LOT_FIELDS,
    MOVE_FIELDS,
    PICKING_FIELDS,
    WAREHOUSE_FIELDS,
    location_name,
    picking_brief,
    quantities,
    serialize_location_levels,
    serialize_lots,
    serialize_move_lines,
    serialize_movements,
    serialize_pickings,
    serialize_quants,
    serialize_scrap,
    serialize_warehouses,
)

AUTH = (EMPLOYEE, API_KEY)
TAGS = ("Warehouse & Stock",)


def visible_pickings_domain(ctx):
    """Pickings the caller may see: ungoverned ones (company-level) and those governed by its SAs."""
    return ctx.env["stock.picking"]._abs_sa_visible_domain(ctx.sa_domain_ids())


def receipt_domain(ctx):
    return [("picking_type_code", "=", "incoming"), *visible_pickings_domain(ctx)]


def company_domain(ctx, query):
    """The ``company_id`` filter of a stock read: a company of the caller's SAs in scope (an API key without
    ``X-SA-ID``: of the API's user), else 404 (never ignored)."""
    if not query.company_id:
        return []
    if ctx.readable_sa_ids is not None:
        companies = {ctx.sa_companies[sa_id] for sa_id in ctx.readable_sa_ids}
    else:
        companies = set(ctx.env.user.company_ids.ids)
    if query.company_id not in companies:
        raise rules.NOT_FOUND(ctx.env._("Company not found."), details={"company_id": query.company_id})
    return [("company_id", "in", [query.company_id, False])]


def warehouse_of(ctx, warehouse_id):
    """The warehouse ``warehouse_id`` (404 if invisible), or None when not given."""
    return rules.visible(ctx.env["stock.warehouse"], [warehouse_id], "Warehouse") if warehouse_id else None


def naive_utc(value):
    """A date (noon) or an aware datetime as the naive UTC datetime Odoo stores."""
    if value is not None and not isinstance(value, datetime):
        value = datetime.combine(value, time(12))
    if value is not None and value.tzinfo:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


class AbsStockController(http.Controller):
    # ----------------------------------------------------------------------- reads

    @api_route("/api/warehouses", "GET", auth=AUTH, query=WarehouseListQuery, response=WarehouseListResponse, tags=TAGS)
    def list_warehouses(self, ctx, body, query):
        """Warehouses of the caller's companies with their named locations (input, stock, pack, output)."""
        warehouses, total = search_page(
            ctx.env["stock.warehouse"], company_domain(ctx, query), WAREHOUSE_FIELDS, query, order="sequence, id"
        )
        return page_payload(query, total, "warehouses", serialize_warehouses(warehouses))

    @api_route("/api/stock/levels", "GET", auth=AUTH, query=StockLevelsQuery, response=LevelListResponse, tags=TAGS)
    def stock_levels(self, ctx, body, query):
        """On-hand, reserved and available quantity per product and internal location."""
        Quant = ctx.env["stock.quant"]
        domain = Quant._abs_internal_domain(
            product_ids=[query.product_id] if query.product_id else None,
            warehouse=warehouse_of(ctx, query.warehouse_id),
        ) + company_domain(ctx, query)
        # The warehouse is shared, but another SA's own catalogue product is not shown (as on /api/products).
        if catalog := ctx.env["product.product"]._abs_catalog_domain(ctx.readable_sa_ids):
            domain.append(("product_id", "any", catalog))
        groupby = ["product_id", "location_id"]
        offset = (query.page - 1) * query.limit
        groups = Quant._abs_levels(domain, groupby, offset=offset, limit=query.limit)
        if len(groups) < query.limit and (groups or not offset):
            total = offset + len(groups)
        else:
            total = len(Quant._read_group(domain, groupby))
        levels = [
            {"product": id_name(product), "location": location_name(location), **quantities(qty, reserved)}
            for product, location, qty, reserved in groups
        ]
        return page_payload(query, total, "levels", levels)

    @api_route(
        "/api/stock/levels/{product_id}",
        "GET",
        auth=AUTH,
        query=ProductLevelsQuery,
        response=ProductLevelsResponse,
        tags=TAGS,
    )
    def product_levels(self, ctx, body, query, product_id):
        """One product's stock by internal location, with totals and the forecast (on hand + incoming − outgoing)."""
        Quant = ctx.env["stock.quant"]
        Product = ctx.env["product.product"]
        product = rules.visible(Product, [product_id], "Product", Product._abs_catalog_domain(ctx.readable_sa_ids))
        warehouse = warehouse_of(ctx, query.warehouse_id)
        company = company_domain(ctx, query)
        groups = Quant._abs_levels(
            Quant._abs_internal_domain(product_ids=product.ids, warehouse=warehouse) + company, ["location_id"]
        )
        forecast_product = product.with_context(warehouse_id=warehouse.id) if warehouse else product
        if company:
            forecast_product = forecast_product.with_company(query.company_id)
        totals = quantities(sum(g[1] for g in groups), sum(g[2] for g in groups))
        totals["qty_forecasted"] = forecast_product.virtual_available
        return {
            "product": {
                "id": product.id,
                "name": product.display_name,
                "default_code": product.default_code or None,
                "tracking": product.tracking,
            },
            "by_location": serialize_location_levels(groups),
            "totals": totals,
        }

    @api_route("/api/stock/lots", "GET", auth=AUTH, query=LotListQuery, response=LotListResponse, tags=TAGS)
    def list_lots(self, ctx, body, query):
        """Serial and lot numbers, newest first, with what each has in internal locations: on hand, reserved
        (by a delivery) and free to deliver; ``available=true`` lists only serials free to deliver."""
        company_domain(ctx, query)
        domain = filters_domain(query)
        if query.available is not None:
            domain += ctx.env["stock.lot"]._abs_available_domain(query.available)
        # Shared warehouse, but another SA's own catalogue product (and so its serials) is not shown.
        if catalog := ctx.env["product.product"]._abs_catalog_domain(ctx.readable_sa_ids):
            domain.append(("product_id", "any", catalog))
        domain += ctx.env["stock.lot"]._abs_reach_domain(ctx.readable_sa_ids)
        lots, total = search_page(ctx.env["stock.lot"], domain, LOT_FIELDS, query, order="id desc")
        return page_payload(query, total, "lots", serialize_lots(lots))

    @api_route(
        "/api/stock/lots/{lot_name:str}", "GET", auth=AUTH, query=LotLookupQuery, response=LotResponse, tags=TAGS
    )
    def get_lot(self, ctx, body, query, lot_name):
        """Locate a serial number: the lot, every internal location holding it, and who holds it deployed.

        ``holder``: the customer and SA of the serial's active asset, when the caller may see that SA."""
        catalog = ctx.env["product.product"]._abs_catalog_domain(ctx.readable_sa_ids)
        Lot = ctx.env["stock.lot"]
        lot = Lot._abs_lookup(lot_name, query.product_id, catalog, Lot._abs_reach_domain(ctx.readable_sa_ids))
        asset = ctx.env["ov.asset"].search_fetch(
            [("lot_id", "=", lot.id), ("state", "=", "active"), *ctx.governed_domain("ov.asset")],
            ["x_sa_id", "partner_id"],
            limit=1,
        )
        return {
            "lot": serialize_lots(lot)[0],
            "locations": serialize_location_levels(lot._abs_locations()),
            "holder": asset_holder(asset),
        }

    @api_route("/api/stock/receipts", "GET", auth=AUTH, query=ReceiptListQuery, response=ReceiptListResponse, tags=TAGS)
    def list_receipts(self, ctx, body, query):
        """Goods receipts (incoming pickings); by default those neither done nor cancelled.

        Returns of another SA's deliveries are incoming pickings too: they are not listed."""
        company_domain(ctx, query)
        domain = receipt_domain(ctx) + filters_domain(query)
        if query.state == "active":
            domain.append(("state", "not in", ("done", "cancel")))
        else:
            domain.append(("state", "=", query.state))
        pickings, total = search_page(
            ctx.env["stock.picking"], domain, PICKING_FIELDS, query, order="scheduled_date desc, id desc"
        )
        return page_payload(query, total, "receipts", serialize_pickings(pickings, "supplier"))

    @api_route("/api/stock/receipts/{receipt_id}", "GET", auth=AUTH, response=ReceiptResponse, tags=TAGS)
    def get_receipt(self, ctx, body, query, receipt_id):
        """One receipt with its lines and the lots/serials received (404 for another SA's return)."""
        picking = ctx.env["stock.picking"].search_fetch(
            [("id", "=", receipt_id), *receipt_domain(ctx)], PICKING_FIELDS, limit=1
        )
        if not picking:
            raise not_found("Receipt")
        receipt = serialize_pickings(picking, "supplier")[0]
        receipt["lines"] = serialize_move_lines(picking.move_ids.sorted("id"))
        return {"receipt": receipt}

    @api_route(
        "/api/stock/movements", "GET", auth=AUTH, query=MovementListQuery, response=MovementListResponse, tags=TAGS
    )
    def list_movements(self, ctx, body, query):
        """Stock move history, newest first, by product, lot, location, operation type and date.

        Moves of pickings governed by another SA (its deliveries and their returns) are not listed."""
        company_domain(ctx, query)
        domain = filters_domain(query)
        if ctx.sa_domain_ids() is not None:
            domain += ["|", ("picking_id", "=", False), ("picking_id", "any", visible_pickings_domain(ctx))]
        if query.location_id:
            domain += [
                "|",
                ("location_id", "child_of", query.location_id),
                ("location_dest_id", "child_of", query.location_id),
            ]
        if query.state == "done":
            domain.append(("state", "=", "done"))
        elif query.state == "not_done":
            domain.append(("state", "not in", ("done", "cancel")))
        moves, total = search_page(ctx.env["stock.move"], domain, MOVE_FIELDS, query, order="date desc, id desc")
        return page_payload(query, total, "movements", serialize_movements(moves))

    # ----------------------------------------------------------------------- staff-only writes

    @api_route(
        ["/api/stock/receive", "/api/warehouse/receive"],
        "POST",
        auth=AUTH,
        role="staff",
        body=ReceiveRequest,
        response=PickingCreatedResponse,
        status=201,
        tags=TAGS,
        operation_id="receiveStock",
    )
    def receive(self, ctx, body, query):
        """Receive goods from a supplier (staff): a receipt with its lots/serials, validated unless validate=false.

        Both paths of the seed work: /api/stock/receive and /api/warehouse/receive (workflow 0d)."""
        partner_id = body.partner_id or body.supplier_id
        picking = ctx.env["stock.picking"]._abs_receive(
            [
                {"product_id": line.product_id, "quantity": line.received_qty, "lot_names": line.lot_names}
                for line in body.lines
            ],
            warehouse=warehouse_of(ctx, body.warehouse_id),
            partner=rules.visible(ctx.env["res.partner"], [partner_id], "Supplier"),
            origin=body.origin,
            scheduled_date=naive_utc(body.scheduled_date),
            validate=body.validate_,
        )
        done = picking.state == "done"
        return {
            "message": "Goods receipt created and validated" if done else "Goods receipt created",
            "picking": picking_brief(picking),
        }

    @api_route(
        ["/api/stock/adjustment", "/api/stock/adjust"],
        "POST",
        auth=AUTH,
        role="staff",
        body=AdjustmentRequest,
        response=AdjustmentResponse,
        tags=TAGS,
        operation_id="adjustStock",
    )
    def adjustment(self, ctx, body, query):
        """Inventory count correction (staff): stock is set to the counted quantities.

        Both paths of the seed work: /api/stock/adjustment and /api/stock/adjust (workflow 0h)."""
        quants = ctx.env["stock.quant"]._abs_apply_counts(
            [
                {
                    "product_id": line.product_id,
                    "lot_id": line.lot_id,
                    "location_id": line.location_id,
                    "quantity": line.quantity_counted,
                }
                for line in body.lines
            ],
            warehouse=warehouse_of(ctx, body.warehouse_id),
            reason=body.reason,
        )
        return {"message": "Inventory adjusted", "adjusted": serialize_quants(quants)}

    @api_route(
        "/api/stock/transfer",
        "POST",
        auth=AUTH,
        role="staff",
        body=TransferRequest,
        response=PickingCreatedResponse,
        status=201,
        tags=TAGS,
        operation_id="transferStock",
    )
    def transfer(self, ctx, body, query):
        """Internal transfer between two stock locations (staff), from stock that is there and not reserved."""
        locations = rules.visible(ctx.env["stock.location"], [body.from_location_id, body.to_location_id], "Location")
        picking = ctx.env["stock.picking"]._abs_transfer(
            locations.browse(body.from_location_id),
            locations.browse(body.to_location_id),
            [{"product_id": line.product_id, "quantity": line.moved_qty, "lot_id": line.lot_id} for line in body.lines],
            validate=body.validate_,
        )
        done = picking.state == "done"
        return {
            "message": "Transfer created and validated" if done else "Transfer created",
            "picking": picking_brief(picking),
        }

    @api_route(
        "/api/stock/scrap",
        "POST",
        auth=AUTH,
        role="staff",
        body=ScrapRequest,
        response=ScrapResponse,
        status=201,
        tags=TAGS,
        operation_id="scrapStock",
    )
    def scrap(self, ctx, body, query):
        """Scrap units (staff) from a stock location, by default the company's main stock."""
        location = rules.visible(ctx.env["stock.location"], [body.location_id], "Location") or None
        scrap = ctx.env["stock.scrap"]._abs_scrap(
            {"product_id": body.product_id, "quantity": body.quantity, "lot_id": body.lot_id},
            location=location,
            reason=body.reason,
        )
        return {"message": "Scrapped", "scrap": serialize_scrap(scrap)}
