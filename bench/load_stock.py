"""Loads a realistic warehouse into the bench database; run by scripts/bench.sh through `odoo shell` (``env`` given).

Everything is created in batch: 200 products (100 serial, 50 lot, 50 untracked), 6,000 serials and
200 lots in stock over five shelves, 1,000 confirmed delivery pickings reserving part of it and
1,000 quotations, each governed half by the bench SA and half by another SA.
Prints one JSON line the measuring script reads: credentials and sample ids.
"""
# ruff: noqa: F821  (``env`` is the global that `odoo shell` provides)

import json
import random

from odoo import Command

random.seed(42)
company = env.company
warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
stock = warehouse.lot_stock_id
shelves = env["stock.location"].create(
    [{"name": f"Shelf {c}", "location_id": stock.id, "usage": "internal"} for c in "ABCDE"]
)
locations = [stock, *shelves]
Product = env["product.product"]
storable = {"type": "consu", "is_storable": True, "invoice_policy": "delivery"}
serial_products = Product.create(
    [
        {"name": f"Bench Solar Kit {i:03d}", "default_code": f"BSK-{i:03d}", "tracking": "serial", **storable}
        for i in range(100)
    ]
)
lot_products = Product.create(
    [{"name": f"Bench Cable {i:03d}", "default_code": f"BCB-{i:03d}", "tracking": "lot", **storable} for i in range(50)]
)
plain_products = Product.create(
    [
        {"name": f"Bench Bracket {i:03d}", "default_code": f"BBR-{i:03d}", "tracking": "none", **storable}
        for i in range(50)
    ]
)

SERIALS_PER_PRODUCT = 60
Lot = env["stock.lot"]
serial_lots = Lot.create(
    [
        {"name": f"BSN-{p.id}-{n:04d}", "product_id": p.id, "company_id": company.id}
        for p in serial_products
        for n in range(SERIALS_PER_PRODUCT)
    ]
)
batch_lots = Lot.create(
    [{"name": f"BLOT-{p.id}-{n}", "product_id": p.id, "company_id": company.id} for p in lot_products for n in range(4)]
)
quant_vals = [
    {"product_id": lot.product_id.id, "lot_id": lot.id, "location_id": random.choice(locations).id, "quantity": 1}
    for lot in serial_lots
]
quant_vals += [
    {"product_id": lot.product_id.id, "lot_id": lot.id, "location_id": random.choice(locations).id, "quantity": 100}
    for lot in batch_lots
]
quant_vals += [{"product_id": p.id, "location_id": loc.id, "quantity": 40} for p in plain_products for loc in locations]
# Plain quant rows (no inventory moves): the bench measures reads, and this keeps loading to seconds.
env["stock.quant"].sudo().create(quant_vals)
env.flush_all()

customers = env["res.partner"].create([{"name": f"Bench Customer {i:04d}"} for i in range(300)])
out_type = warehouse.out_type_id
cust_loc = env.ref("stock.stock_location_customers")
picking_vals = []
for i in range(1000):
    products = random.sample(list(serial_products) + list(plain_products), 2)
    picking_vals.append(
        {
            "picking_type_id": out_type.id,
            "partner_id": random.choice(customers).id,
            "origin": f"BENCH-SO-{i:04d}",
            "location_id": stock.id,
            "location_dest_id": cust_loc.id,
            "move_ids": [
                Command.create(
                    {
                        "name": p.display_name,
                        "product_id": p.id,
                        "product_uom": p.uom_id.id,
                        "product_uom_qty": 1,
                        "location_id": stock.id,
                        "location_dest_id": cust_loc.id,
                    }
                )
                for p in products
            ],
        }
    )
pickings = env["stock.picking"].create(picking_vals)
pickings.action_confirm()
pickings[:600].action_assign()

# An employee who is staff in an SA, for the JWT login of the bench.
account = env["ov.serviced_account"].create({"name": "Bench SA", "code": "BENCH", "company_id": company.id})
employee = env["abs.employee"].create({"name": "Bench Manager", "login": "bench.manager", "password": "bench-pass"})
env["ov.membership"].create({"employee_id": employee.id, "account_id": account.id, "role_code": "staff"})
# Half the deliveries are governed by the bench SA, half by another one: the API list has to scope.
other_account = env["ov.serviced_account"].create({"name": "Other SA", "code": "OTHER", "company_id": company.id})
Assignment = env["ov.sa_delivery_assignment"]
Assignment._assign(pickings[::2], account, employee)
Assignment._assign(pickings[1::2], other_account)
# 1,000 quotations of 2 lines, half of the bench SA, half of the other (sale.order dual-writes its V3 row).
order_vals = [
    {
        "partner_id": random.choice(customers).id,
        "x_sa_id": (account if i % 2 == 0 else other_account).id,
        "x_actor_id": employee.id if i % 2 == 0 else False,
        "order_line": [
            Command.create({"product_id": p.id, "product_uom_qty": 1, "price_unit": 100.0})
            for p in random.sample(list(serial_products) + list(plain_products), 2)
        ],
    }
    for i in range(1000)
]
orders = env["sale.order"].create(order_vals)
env.cr.commit()

env["ov.sa_customer_assignment"]._assign(customers, account, employee)  # the bench SA serves them all
# 1,000 customer invoices (600 posted, 100 of those paid in cash), half of each SA; the first 20
# customers hold most of them, so a customer's dashboard sums a real history.
invoices = env["account.move"].create(
    [
        {
            "move_type": "out_invoice",
            "partner_id": customers[i % 20].id,
            "x_sa_id": (account if i % 2 == 0 else other_account).id,
            "invoice_line_ids": [
                Command.create({"product_id": p.id, "quantity": 1, "price_unit": 100.0})
                for p in random.sample(list(plain_products), 2)
            ],
        }
        for i in range(1000)
    ]
)
invoices[:600].action_post()
env["account.payment.register"].with_context(active_model="account.move", active_ids=invoices[:100].ids).create(
    {"group_payment": False}
)._create_payments()
env.cr.commit()
# Fresh statistics, as autovacuum would have them on a live database; without them PostgreSQL
# plans the just-loaded tables as if they were empty (nested loops over thousands of rows).
env.cr.execute(
    "ANALYZE stock_quant, stock_lot, stock_picking, stock_move, stock_move_line, stock_location, "
    "product_product, product_template, res_partner, ov_sa_delivery_assignment, sale_order, sale_order_line, "
    "ov_sa_sale_order_assignment, account_move, account_move_line, account_payment, ov_sa_invoice_assignment, "
    "ov_sa_payment_assignment"
)
env.cr.commit()

print(
    json.dumps(
        {
            "login": "bench.manager",
            "password": "bench-pass",
            "serial_names": random.sample(serial_lots.mapped("name"), 50),
            "product_ids": random.sample(serial_products.ids + lot_products.ids + plain_products.ids, 50),
            "delivery_ids": random.sample(pickings[::2].ids, 50),
            "dashboard_customer_ids": customers[:20:2].ids,
            "counts": {
                "products": Product.search_count([("name", "=like", "Bench %")]),
                "serials": len(serial_lots),
                "lots": len(batch_lots),
                "quants": env["stock.quant"].search_count([]),
                "delivery_pickings": len(pickings),
                "orders": len(orders),
                "invoices": len(invoices),
            },
        }
    )
)
