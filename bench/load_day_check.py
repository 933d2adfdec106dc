"""After the load run, with the server stopped: nothing lost, nothing doubled. Run by scripts/load.sh
through `odoo shell` (``env`` given), reading what the client recorded (``ABS_LOAD_LEDGER``) and the
fixture (``ABS_LOAD_FIXTURE``). Prints one line per check and last ``LOAD CHECKS: OK`` or
``LOAD CHECKS: FAILED <n>``.

- payments: every payment the client was answered exists once; the database has no other payment
  by the load agents; each paid invoice has exactly that one payment, for its total;
- customers and orders: one per sale the client started, none doubled (idempotency keys);
- serials: every serial of the day in at most one internal location with at most 1 unit; the
  delivered ones out of stock, delivered once, by the delivery the client validated; the others on hand;
- stock totals: received − delivered = on hand for the day's serials, and Odoo's ledger of the kit
  (done moves in and out of internal locations) equals its internal quants; no negative quant;
- orders confirmed = deliveries: one delivery per confirmed order, done for every delivered sale;
- invoices: each order line invoiced exactly once (posted invoices), at most two invoices per order
  (the confirmation's draft of the ordered-quantity service, then the delivered kit's).
"""
# ruff: noqa: F821  (``env`` is the global that `odoo shell` provides)

import json
import os
from collections import Counter, defaultdict

fixture = json.loads(open(os.environ["ABS_LOAD_FIXTURE"], encoding="utf-8").read())
ledger = json.loads(open(os.environ["ABS_LOAD_LEDGER"], encoding="utf-8").read())
failed = []


def check(name, problems):
    problems = list(problems)
    print(f"  {'ok  ' if not problems else 'FAIL'} {name}" + (f": {problems[:5]}" if problems else ""))
    if problems:
        failed.append(name)


agent_ids = [agent["employee_id"] for agent in fixture["agents"]]
kit = env["product.product"].browse(fixture["kit_id"])
internal = [("location_id.usage", "=", "internal")]

# ---------------------------------------------------------------- payments
recorded = {p["payment_id"]: p for sale in ledger for p in sale["payments"]}
payments = env["account.payment"].search([("x_actor_id", "in", agent_ids)])
check(
    f"payments: {len(recorded)} answered to the client, {len(payments)} in the database, none missing",
    [pid for pid in recorded if pid not in payments.ids],
)
check("payments: none the client was not told about", [p.name for p in payments if p.id not in recorded])
problems = []
for payment_id, entry in recorded.items():
    invoice = env["account.move"].browse(entry["invoice_id"])
    reconciled = invoice._get_reconciled_payments()
    if reconciled.ids != [payment_id]:
        problems.append(f"{invoice.name}: payments {reconciled.ids}, expected [{payment_id}]")
    if invoice.payment_state not in ("paid", "in_payment"):
        problems.append(f"{invoice.name}: {invoice.payment_state}")
    if abs(entry["amount"] - invoice.amount_total) > 0.005:
        problems.append(f"{invoice.name}: paid {entry['amount']} of {invoice.amount_total}")
check("payments: each paid invoice paid once, in full, by the payment recorded", problems)
payment_count = Counter(entry["invoice_id"] for entry in recorded.values())
check("payments: no invoice paid twice", [inv for inv, count in payment_count.items() if count > 1])

# ---------------------------------------------------------------- customers and orders
sales = [sale for sale in ledger if sale.get("customer_id")]
customers = env["res.partner"].search([("x_actor_id", "in", agent_ids)])
check(
    f"customers: {len(customers)} created by the agents, one per sale started ({len(sales)})",
    [f"{ref} x{n}" for ref, n in Counter(customers.mapped("ref")).items() if n > 1]
    + ([f"{len(customers)} != {len(sales)}"] if len(customers) != len(sales) else []),
)
orders = env["sale.order"].search([("x_actor_id", "in", agent_ids)])
recorded_orders = {sale["order_id"]: sale for sale in ledger if sale.get("order_id")}
check(
    f"orders: {len(orders)} quotations in the database = {len(recorded_orders)} the client was answered",
    [o.name for o in orders if o.id not in recorded_orders] + [oid for oid in recorded_orders if oid not in orders.ids],
)

# ---------------------------------------------------------------- orders confirmed = deliveries
problems = []
confirmed = orders.filtered(lambda o: o.state == "sale")
for order in confirmed:
    deliveries = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
    if len(deliveries) != 1:
        problems.append(f"{order.name}: {len(deliveries)} deliveries")
delivered_sales = [sale for sale in ledger if sale.get("delivered")]
done = env["stock.picking"].search(
    [("id", "in", [sale["delivery_id"] for sale in delivered_sales]), ("state", "=", "done")]
)
if len(done) != len(delivered_sales):
    problems.append(f"{len(delivered_sales)} deliveries validated, {len(done)} done")
check(f"deliveries: {len(confirmed)} orders confirmed, one delivery each; {len(done)} validated and done", problems)

# ---------------------------------------------------------------- serials
lots = env["stock.lot"].search([("product_id", "=", kit.id), ("name", "=like", "LOAD-%")])
quants = env["stock.quant"].search([("lot_id", "in", lots.ids), ("quantity", "!=", 0)] + internal)
# Odoo may hold one (lot, location) in several quant rows: a move that finds the quant locked by another
# transaction (SKIP LOCKED) books a new row, e.g. +1 and -1, merged later by its scheduler
# (stock.quant._merge_quants). What is on hand is their sum.
held = defaultdict(float)
for quant in quants:
    held[quant.lot_id.name, quant.location_id.complete_name] += quant.quantity
places = defaultdict(list)
for (name, location), quantity in held.items():
    if abs(quantity) > 1e-9:
        places[name].append((location, quantity))
split = len(quants) - len({(q.lot_id.id, q.location_id.id) for q in quants})
print(f"  note {split} quant row(s) of the day's serials split within one location, awaiting Odoo's merge")
check(
    f"serials: each of the {len(lots)} in at most one internal place, at most 1 unit, never below 0",
    [
        f"{name}: {where}"
        for name, where in places.items()
        if len(where) > 1 or sum(q for _l, q in where) > 1 or any(q < 0 for _l, q in where)
    ],
)
out_lines = env["stock.move.line"].search(
    [
        ("lot_id", "in", lots.ids),
        ("state", "=", "done"),
        ("location_id.usage", "=", "internal"),
        ("location_dest_id.usage", "=", "customer"),
    ]
)
delivered_by = defaultdict(list)
for line in out_lines:
    delivered_by[line.lot_id.name].append(line.picking_id.id)
problems = []
for sale in delivered_sales:
    if delivered_by.get(sale["serial"]) != [sale["delivery_id"]]:
        who = delivered_by.get(sale["serial"])
        problems.append(f"{sale['serial']}: delivered by {who}, not [{sale['delivery_id']}]")
    if places.get(sale["serial"]):
        problems.append(f"{sale['serial']} delivered but still in {places[sale['serial']]}")
expected_delivered = {sale["serial"] for sale in delivered_sales}
problems += [f"{name} delivered, the client was not told" for name in delivered_by if name not in expected_delivered]
check(f"serials: the {len(delivered_sales)} delivered ones out of stock, delivered once, by their delivery", problems)
check(
    "serials: every one not delivered still on hand",
    [lot.name for lot in lots if lot.name not in expected_delivered and sum(q for _l, q in places[lot.name]) != 1],
)

# ---------------------------------------------------------------- stock totals
on_hand = sum(quant.quantity for quant in quants)
received = fixture["received_serials"]
check(
    f"stock: the day's serials received {received} - delivered {len(out_lines)} = on hand {on_hand:g}",
    [] if received - len(out_lines) == on_hand and len(lots) == received else [f"{len(lots)} lots"],
)
moves = env["stock.move.line"].search([("product_id", "=", kit.id), ("state", "=", "done")])
ledger_in = sum(
    m.quantity for m in moves if m.location_dest_id.usage == "internal" and m.location_id.usage != "internal"
)
ledger_out = sum(
    m.quantity for m in moves if m.location_id.usage == "internal" and m.location_dest_id.usage != "internal"
)
kit_quants = env["stock.quant"].search([("product_id", "=", kit.id)] + internal)
kit_on_hand = sum(kit_quants.mapped("quantity"))
kit_held = defaultdict(float)  # per (location, lot): split rows summed, as above
for quant in kit_quants:
    kit_held[f"{quant.location_id.complete_name} {quant.lot_id.name or ''}"] += quant.quantity
check(
    f"stock: {kit.display_name} in {ledger_in:g} - out {ledger_out:g} = on hand {kit_on_hand:g}, none below 0",
    ([] if abs(ledger_in - ledger_out - kit_on_hand) < 1e-6 else ["ledger differs from quants"])
    + [f"{where}: {qty}" for where, qty in kit_held.items() if qty < -1e-9],
)

# ---------------------------------------------------------------- invoices
problems = []
for order in confirmed:
    invoices = order.invoice_ids.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
    if len(invoices) > 2:
        problems.append(f"{order.name}: {len(invoices)} invoices")
    complete = recorded_orders.get(order.id, {}).get("complete")
    for line in order.order_line.filtered(lambda sol: not sol.display_type):
        invoiced = sum(
            aml.quantity for aml in line.invoice_lines if aml.move_id.state == "posted" and aml.move_id in invoices
        )
        if invoiced > line.product_uom_qty or (complete and invoiced != line.product_uom_qty):
            problems.append(f"{order.name} {line.product_id.default_code}: invoiced {invoiced}/{line.product_uom_qty}")
check(f"invoices: each line of the {len(confirmed)} confirmed orders invoiced once, at most 2 invoices each", problems)

print(f"LOAD CHECKS: {'OK' if not failed else f'FAILED {len(failed)}'}")
