"""Catalogue serialisers: products (with live stock), categories, Bills of Products.

Every function takes a recordset and answers in a number of queries that does not grow with it.
"""

from ..api_kit import id_name
from .payg import serialize_plan

# Fields serialize_products reads, fetched with the search (template fields through the variant).
PRODUCT_FIELDS = [
    "product_tmpl_id",
    "name",
    "default_code",
    "barcode",
    "description_sale",
    "type",
    "is_storable",
    "x_pu_category",
    "x_service_type",
    "x_contract_type",
    "x_pu_metric",
    "recurring_invoice",
    "tracking",
    "invoice_policy",
    "lst_price",
    "uom_id",
    "categ_id",
    "x_sa_id",
    "sale_ok",
    "active",
    "abs_payg_plan_id",
]


def category_ref(category):
    return {"id": category.id, "name": category.complete_name} if category else None


def _templates_with_bop(templates, account_ids):
    """Ids of ``templates`` that have a Bill of Products the callers of ``account_ids`` see (one query)."""
    Sheet = templates.env["ov.bop.sheet"]
    groups = Sheet._read_group(
        [("product_tmpl_id", "in", templates.ids), *Sheet._abs_catalog_domain(account_ids)],
        ["product_tmpl_id"],
        ["__count"],
    )
    return {template.id for template, _count in groups}


def _price(figures):
    return {
        "pricelist": id_name(figures["pricelist"]),
        "currency": figures["currency"].name,
        "price_unit": figures["price_unit"],
        "taxes": [
            {
                "id": tax.id,
                "name": tax.name,
                "amount_type": tax.amount_type,
                "amount": tax.amount,
                "price_include": tax.price_include,
            }
            for tax in figures["taxes"]
        ],
        "price_tax_excluded": figures["price_tax_excluded"],
        "price_tax_included": figures["price_tax_included"],
    }


def serialize_products(products, account_ids=None, account=None):
    """API form of products with their live stock and the price a quotation of ``account`` (the caller's
    acting SA; None: none) gives them; ``account_ids``: the caller's SAs (None: all)."""
    stock = products._abs_stock_figures()
    prices = products._abs_sale_prices(account)
    with_bop = _templates_with_bop(products.product_tmpl_id, account_ids)
    return [
        {
            "id": product.id,
            "template_id": product.product_tmpl_id.id,
            "name": product.name,
            "display_name": product.display_name,
            "default_code": product.default_code or None,
            "barcode": product.barcode or None,
            "description": product.description_sale or None,
            "product_type": product.abs_product_type,
            "pu_category": product.x_pu_category or None,
            "service_type": product.x_service_type or None,
            "contract_type": product.x_contract_type or None,
            "pu_metric": product.x_pu_metric or None,
            "recurring_invoice": product.recurring_invoice,
            "tracking": product.tracking or "none",
            "invoice_policy": product.invoice_policy or None,
            "list_price": product.lst_price,
            "uom": id_name(product.uom_id),
            "category": category_ref(product.categ_id),
            "service_account": id_name(product.x_sa_id),
            "sale_ok": product.sale_ok,
            "active": product.active,
            "has_bop": product.product_tmpl_id.id in with_bop,
            "stock": stock[product.id],
            "price": _price(prices[product.id]),
            "payg_plan": serialize_plan(product.abs_payg_plan_id),
        }
        for product in products
    ]


def serialize_category_tree(categories, product_counts, unscoped_ids):
    """The categories as a tree of their roots; ``product_counts``: {category id: visible products}."""
    nodes = {
        category.id: {
            "id": category.id,
            "name": category.name,
            "complete_name": category.complete_name,
            "parent_id": category.parent_id.id or None,
            "unscoped": category.id in unscoped_ids,
            "product_count": product_counts.get(category.id, 0),
            "children": [],
        }
        for category in categories
    }
    roots = []
    for category in categories:
        parent = nodes.get(category.parent_id.id)
        (parent["children"] if parent else roots).append(nodes[category.id])
    return roots


def serialize_bop_lines(lines, products_by_id):
    return [
        {
            "id": line.id,
            "sequence": line.sequence,
            "product": products_by_id[line.product_id.id],
            "quantity": line.quantity,
            "uom": id_name(line.product_id.uom_id),
            "property_value": {
                "id": line.property_value_id.id,
                "name": line.property_value_id.name,
                "property_id": line.property_value_id.property_id.id,
            }
            if line.property_value_id
            else None,
        }
        for line in lines
    ]


def serialize_bops(sheets, account_ids=None, account=None):
    """API form of Bills of Products, each line with its product (its live stock, its price for ``account``)."""
    lines = sheets.line_ids
    products_by_id = {p["id"]: p for p in serialize_products(lines.product_id, account_ids, account)}
    return [
        {
            "id": sheet.id,
            "name": sheet.name,
            "code": sheet.code or None,
            "product": id_name(sheet.product_tmpl_id.product_variant_id),
            "service_account": id_name(sheet.x_sa_id),
            "company": id_name(sheet.company_id),
            "lines": serialize_bop_lines(sheet.line_ids.sorted(lambda line: (line.sequence, line.id)), products_by_id),
            "properties": [
                {"id": prop.id, "name": prop.name, "values": [{"id": v.id, "name": v.name} for v in prop.value_ids]}
                for prop in sheet.property_ids
            ],
        }
        for sheet in sheets
    ]
