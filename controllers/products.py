"""Catalogue API (seed workflow 1 and "Products (product_management.py)").

Products are V2-governed (the ``x_sa_id`` stamp on product.template, no V3 table; seed 1h): a
caller sees the shared catalogue, its SAs' own products and every product of the unscoped
categories; another SA's product answers 404. Every product answer carries its live stock.
Writes are for staff and API keys (``role="staff"``); staff change their SA's products only.
"""

from odoo import http

from ..schemas.product import (
    BopLineCreate,
    BopLineResponse,
    BopLineUpdate,
    BopResponse,
    CategoriesResponse,
    CategoryQuery,
    ProductCreate,
    ProductListQuery,
    ProductListResponse,
    ProductResponse,
    ProductUpdate,
)
from .api_kit import (
    API_KEY,
    EMPLOYEE,
    api_route,
    bad_request,
    filters_domain,
    not_found,
    page_payload,
    search_page,
)
from .serializers.product import (
    PRODUCT_FIELDS,
    category_ref,
    serialize_bops,
    serialize_category_tree,
    serialize_products,
)

AUTH = (EMPLOYEE, API_KEY)
TAGS = ("Products",)
BOP_TAGS = ("Bills of Products",)
# Products by name, then id: a stable order for pages.
PRODUCT_ORDER = "name, id"


def writable_sa_ids(ctx):
    """The SAs whose catalogue the caller may change: None (all) for an API key, else its staff SAs."""
    if ctx.kind == API_KEY:
        return None
    return ctx.staff_sa_ids()


def get_product(ctx, product_id):
    """The product (archived included) if the caller may see it; 404 otherwise, also for another SA's."""
    Product = ctx.env["product.product"].with_context(active_test=False)
    product = Product.search_fetch(
        [("id", "=", product_id), *Product._abs_catalog_domain(ctx.readable_sa_ids)], PRODUCT_FIELDS
    )
    if not product:
        raise not_found("Product")
    return product.with_context(active_test=True)


def product_answer(ctx, product):
    return {"product": serialize_products(product, ctx.readable_sa_ids, ctx.sa)[0]}


def bop_answer(ctx, sheet, line=None):
    bop = serialize_bops(sheet, ctx.readable_sa_ids, ctx.sa)[0]
    answer = {"bop": bop}
    if line is not None:
        answer["line"] = next(item for item in bop["lines"] if item["id"] == line.id)
    return answer


class AbsProductController(http.Controller):
    # ----------------------------------------------------------------------- products

    @api_route("/api/products", "GET", auth=AUTH, query=ProductListQuery, response=ProductListResponse, tags=TAGS)
    def list_products(self, ctx, body, query):
        """Products of the caller's catalogue with live stock; filters by PU category, type, recurring billing,
        category and text."""
        Product = ctx.env["product.product"]
        domain = [*Product._abs_catalog_domain(ctx.readable_sa_ids), *filters_domain(query)]
        if query.q:
            domain += [
                "|",
                "|",
                ("name", "ilike", query.q),
                ("default_code", "ilike", query.q),
                ("barcode", "=", query.q),
            ]
        products, total = search_page(Product, domain, PRODUCT_FIELDS, query, order=PRODUCT_ORDER)
        return page_payload(query, total, "products", serialize_products(products, ctx.readable_sa_ids, ctx.sa))

    @api_route(
        "/api/products",
        "POST",
        auth=AUTH,
        role="staff",
        body=ProductCreate,
        response=ProductResponse,
        status=201,
        tags=TAGS,
    )
    def create_product(self, ctx, body, query):
        """Create a product: stamped with the acting SA (staff), or shared (API key, ``shared: true``)."""
        values = body.model_dump(exclude_unset=True)
        shared = values.pop("shared", False)
        account = None if shared else (ctx.require_sa() if ctx.kind == EMPLOYEE else ctx.sa)
        product = ctx.env["product.product"]._abs_catalogue_create(values, account, writable_sa_ids(ctx))
        return product_answer(ctx, product)

    @api_route(
        "/api/products/categories",
        "GET",
        auth=AUTH,
        query=CategoryQuery,
        response=CategoriesResponse,
        tags=TAGS,
    )
    def list_categories(self, ctx, body, query):
        """The product categories as a tree (``view=tree``), or the products of one (``view=products&category_id=``)."""
        Category = ctx.env["product.category"]
        Product = ctx.env["product.product"]
        visible = Product._abs_catalog_domain(ctx.readable_sa_ids)
        if query.view == "products":
            if not query.category_id:
                raise bad_request("view=products needs a category_id.", code="invalid_query")
            category = Category.search([("id", "=", query.category_id)])
            if not category:
                raise not_found("Product category")
            domain = [*visible, ("categ_id", "child_of", category.id)]
            products, total = search_page(Product, domain, PRODUCT_FIELDS, query, order=PRODUCT_ORDER)
            return {
                "category": category_ref(category),
                **page_payload(query, total, "products", serialize_products(products, ctx.readable_sa_ids, ctx.sa)),
            }
        categories = Category.search_fetch([], ["name", "complete_name", "parent_id"], order="complete_name, id")
        counts = dict(Product._read_group(visible, ["categ_id"], ["__count"]))
        return {
            "categories": serialize_category_tree(
                categories,
                {category.id: count for category, count in counts.items()},
                set(Category._abs_unscoped_category_ids()),
            )
        }

    @api_route("/api/products/{product_id}", "GET", auth=AUTH, response=ProductResponse, tags=TAGS)
    def get_product(self, ctx, body, query, product_id):
        """One product with its live stock (archived products too: ``active`` says so)."""
        return product_answer(ctx, get_product(ctx, product_id))

    @api_route(
        "/api/products/{product_id}",
        "PUT",
        auth=AUTH,
        role="staff",
        body=ProductUpdate,
        response=ProductResponse,
        tags=TAGS,
    )
    def update_product(self, ctx, body, query, product_id):
        """Update a product; absent fields are left unchanged. Staff change their SA's products only."""
        product = get_product(ctx, product_id)
        ctx.env["product.template"]._abs_check_catalogue_write(product, writable_sa_ids(ctx))
        product._abs_catalogue_update(body.model_dump(exclude_unset=True))
        return product_answer(ctx, product)

    @api_route(
        "/api/products/{product_id}",
        "DELETE",
        auth=AUTH,
        role="staff",
        response=ProductResponse,
        tags=TAGS,
    )
    def archive_product(self, ctx, body, query, product_id):
        """Archive a product (it stays on past orders); ``PUT {"active": true}`` restores it."""
        product = get_product(ctx, product_id)
        ctx.env["product.template"]._abs_check_catalogue_write(product, writable_sa_ids(ctx))
        product._abs_catalogue_archive()
        return product_answer(ctx, product)

    # ----------------------------------------------------------------------- bills of products

    @api_route(
        ["/api/products/{ref:str}/bop", "/api/products/{ref:str}/bom"],
        "GET",
        auth=AUTH,
        response=BopResponse,
        tags=BOP_TAGS,
    )
    def get_bop(self, ctx, body, query, ref):
        """The Bill of Products of a package: ``ref`` is the package product's id, the sheet's code or
        the product's internal reference. Lines carry their products with live stock."""
        return bop_answer(ctx, ctx.env["ov.bop.sheet"]._abs_get_by_ref(ref, ctx.readable_sa_ids))

    @api_route(
        ["/api/products/{ref:str}/bop", "/api/products/{ref:str}/bom"],
        "POST",
        auth=AUTH,
        role="staff",
        body=BopLineCreate,
        response=BopLineResponse,
        status=201,
        tags=BOP_TAGS,
    )
    def add_bop_line(self, ctx, body, query, ref):
        """Add a line; a product without a Bill of Products gets one (stamped like a new product)."""
        account = ctx.require_sa() if ctx.kind == EMPLOYEE else ctx.sa
        sheet = ctx.env["ov.bop.sheet"]._abs_get_or_create_by_ref(ref, ctx.readable_sa_ids, account)
        ctx.env["product.template"]._abs_check_catalogue_write(sheet, writable_sa_ids(ctx))
        line = sheet._abs_add_line(body.model_dump(exclude_unset=True), ctx.readable_sa_ids)
        return bop_answer(ctx, sheet, line)

    @api_route(
        ["/api/products/{ref:str}/bop/{line_id}", "/api/products/{ref:str}/bom/{line_id}"],
        "PUT",
        auth=AUTH,
        role="staff",
        body=BopLineUpdate,
        response=BopLineResponse,
        tags=BOP_TAGS,
    )
    def update_bop_line(self, ctx, body, query, ref, line_id):
        """Update a line; absent fields are left unchanged, ``property_value_id: null`` makes it always apply."""
        sheet = ctx.env["ov.bop.sheet"]._abs_get_by_ref(ref, ctx.readable_sa_ids)
        line = sheet._abs_line(line_id)
        ctx.env["product.template"]._abs_check_catalogue_write(sheet, writable_sa_ids(ctx))
        line._abs_update_line(body.model_dump(exclude_unset=True), ctx.readable_sa_ids)
        return bop_answer(ctx, sheet, line)

    @api_route(
        ["/api/products/{ref:str}/bop/{line_id}", "/api/products/{ref:str}/bom/{line_id}"],
        "DELETE",
        auth=AUTH,
        role="staff",
        response=BopResponse,
        tags=BOP_TAGS,
    )
    def delete_bop_line(self, ctx, body, query, ref, line_id):
        """Remove a line from a Bill of Products."""
        sheet = ctx.env["ov.bop.sheet"]._abs_get_by_ref(ref, ctx.readable_sa_ids)
        line = sheet._abs_line(line_id)
        ctx.env["product.template"]._abs_check_catalogue_write(sheet, writable_sa_ids(ctx))
        line.unlink()
        return bop_answer(ctx, sheet)
