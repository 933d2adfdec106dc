"""A day of field work against a running server: Locust's locustfile for scripts/load.sh.

Each simulated user is one field agent of the fixture printed by bench/load_day_setup.py. It logs in
(``POST /api/auth/login``), then runs ``ABS_LOAD_CYCLES`` sales, each one task:

  list customers, products and orders → create a customer → a quotation (Solar Kit 200W, a
  serial-tracked product, and the Installation Service) → confirm it (no reservation) → read the
  order and its delivery → validate the delivery with the next serial of the agent's own pool →
  the invoice the confirmation drafted (the service, invoiced on order) posted and paid in cash →
  the invoice of the delivered kit made, posted and paid in cash → the agent's payments listed.

Every write carries an ``Idempotency-Key``. Any answer that is not a 2xx with ``success: true`` is a
failure (a 409 too: the agents' serial pools are disjoint, so no conflict is expected), and ends
that sale. Everything the client got back (orders, deliveries, serials, invoices, payments) is
written to ``ABS_LOAD_LEDGER`` for bench/load_day_check.py, and the figures (throughput, p50/p95 per
endpoint, errors) to ``ABS_LOAD_SUMMARY`` and standard output.
When the last user has finished its sales the run stops; ``--run-time`` bounds it anyway, and
``--stop-timeout`` lets a sale under way finish, so the ledger never misses a write the server made.
"""

import itertools
import json
import os
import random
import time
import uuid

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser

FIXTURE = json.loads(open(os.environ["ABS_LOAD_FIXTURE"], encoding="utf-8").read())
PASSWORD = os.environ["ABS_LOAD_PASSWORD"]
CYCLES = int(os.environ.get("ABS_LOAD_CYCLES", "2"))
THINK = float(os.environ.get("ABS_LOAD_THINK", "3.0"))  # mean seconds between two screens of the app

_next_agent = itertools.count()
_running = {"users": 0}
LEDGER = []  # one dict per sale, filled as its steps succeed
FAILURES = []


class SaleAborted(Exception):
    """An answer was not the expected success: the sale stops here (the failure is already recorded)."""


class FieldAgent(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        index = next(_next_agent)
        self.agent = None
        if index >= len(FIXTURE["agents"]):
            return  # every agent of the fixture has had its day: this user stops at its first task
        self.agent = FIXTURE["agents"][index]
        self.serials = list(self.agent["serials"])
        self.cycle = 0
        self.token = None
        _running["users"] += 1
        try:
            answer = self.call("POST", "/api/auth/login", body={"login": self.agent["login"], "password": PASSWORD})
            self.token = answer["access_token"]
        except SaleAborted:
            self.cycle = CYCLES  # the failure is recorded; an agent that cannot log in has no day

    def on_stop(self):
        if self.agent is None:
            return
        _running["users"] -= 1
        if _running["users"] <= 0 and self.environment.runner:
            # The last agent has finished its day: stop the run (its request budget is spent).
            gevent.spawn_later(0.1, self.environment.runner.quit)

    # ------------------------------------------------------------------ one request

    def call(self, method, path, name=None, body=None, params=None, idempotent=False):
        """One API call; its answer's JSON. Not a 2xx with ``success``: a failure, and the sale stops.

        A connection lost before any answer (status 0) is retried once, a write with the same
        ``Idempotency-Key`` (a mobile app's retry: the server replays the first answer if it did the
        work, so nothing is done twice; the checks afterwards prove it). The lost attempt still
        counts as an error.
        """
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if idempotent:
            headers["Idempotency-Key"] = f"load-{uuid.uuid4()}"
        for attempt in (1, 2):
            with self.client.request(
                method,
                path,
                name=f"{method} {name or path}",
                json=body,
                params=params,
                headers=headers,
                catch_response=True,
            ) as response:
                try:
                    data = response.json()
                except ValueError:
                    data = {}
                if response.status_code < 300 and data.get("success"):
                    response.success()
                    return data
                said = data.get("error") or response.text[:200] or repr(response.error)
                reason = f"{response.status_code} {data.get('code', '')}: {said}"
                response.failure(reason)
                FAILURES.append({"agent": self.agent["login"], "request": f"{method} {path}", "answer": reason})
                if response.status_code or attempt == 2 or (method != "GET" and not idempotent):
                    raise SaleAborted(reason)
        raise AssertionError("unreachable")

    def think(self):
        gevent.sleep(random.uniform(0, 2 * THINK))

    # ------------------------------------------------------------------ one sale

    @task
    def sale(self):
        if self.agent is None or self.cycle >= CYCLES or not self.serials:
            raise StopUser()
        self.cycle += 1
        sale = {"agent": self.agent["login"], "sa_id": self.agent["sa_id"], "cycle": self.cycle, "payments": []}
        LEDGER.append(sale)
        try:
            self.run_sale(sale)
            sale["complete"] = True
        except SaleAborted:
            sale["complete"] = False

    def run_sale(self, sale):
        page = {"limit": 20}
        self.call("GET", "/api/customers", params=page)
        self.call("GET", "/api/products", params=page)
        self.call("GET", "/api/orders", params=page)
        self.think()
        tag = f"{self.agent['login']}-{self.cycle}"
        customer = self.call(
            "POST",
            "/api/customers",
            body={
                "name": f"Load Customer {tag}",
                "city": "Lomé" if self.agent["sa_code"] == "tg" else "Nairobi",
                "ref": tag,
                "outlet_id": self.agent["outlet_id"],
            },
            idempotent=True,
        )["customer"]
        sale["customer_id"] = customer["id"]
        self.think()
        order = self.call(
            "POST",
            "/api/quotations",
            body={
                "customer_id": customer["id"],
                "outlet_id": self.agent["outlet_id"],
                "client_order_ref": tag,
                "products": [
                    {"product_id": FIXTURE["kit_id"], "quantity": 1},
                    {"product_id": FIXTURE["service_id"], "quantity": 1},
                ],
            },
            idempotent=True,
        )["order"]
        order_id = sale["order_id"] = order["id"]
        self.think()
        # No reservation: Odoo would reserve any serial in stock, perhaps one of another agent's pool;
        # the agent names its own serial at validation instead.
        order = self.call(
            "POST", f"/api/orders/{order_id}/confirm", "/api/orders/{id}/confirm", {"reserve": False}, idempotent=True
        )["order"]
        sale["confirmed"] = order["state"] == "sale"
        order = self.call("GET", f"/api/orders/{order_id}", "/api/orders/{id}")["order"]
        (delivery_ref,) = order["deliveries"]
        sale["delivery_id"] = delivery_ref["id"]
        delivery = self.call("GET", f"/api/stock/deliveries/{delivery_ref['id']}", "/api/stock/deliveries/{id}")[
            "delivery"
        ]
        (kit_line,) = [line for line in delivery["lines"] if line["product"]["id"] == FIXTURE["kit_id"]]
        self.think()
        serial = self.serials.pop(0)
        sale["serial"] = serial
        self.call(
            "POST",
            f"/api/stock/deliveries/{delivery_ref['id']}/validate",
            "/api/stock/deliveries/{id}/validate",
            {"lines": [{"move_id": kit_line["id"], "qty_done": 1, "lot_name": serial}]},
            idempotent=True,
        )
        sale["delivered"] = True
        # Two invoices: the confirmation drafted one for the service (invoiced on order); the kit
        # (invoiced on delivery) is invoiceable once delivered, after that draft is posted.
        for _ in range(2):
            self.think()
            invoice = self.call(
                "POST", f"/api/orders/{order_id}/invoice", "/api/orders/{id}/invoice", {}, idempotent=True
            )["invoice"]
            sale.setdefault("invoice_ids", []).append(invoice["id"])
            self.call(
                "POST",
                f"/api/orders/{order_id}/invoices/{invoice['id']}/confirm",
                "/api/orders/{id}/invoices/{id}/confirm",
                {},
                idempotent=True,
            )
            paid = self.call(
                "POST",
                f"/api/orders/{order_id}/register-payment",
                "/api/orders/{id}/register-payment",
                {"payment_source": "cash", "invoice_id": invoice["id"], "memo": f"cash {tag}"},
                idempotent=True,
            )
            sale["payments"].append(
                {"payment_id": paid["payment"]["id"], "invoice_id": invoice["id"], "amount": paid["payment"]["amount"]}
            )
        self.call("GET", "/api/payments", params=page)


# ---------------------------------------------------------------------- figures


@events.test_start.add_listener
def _started(environment, **_kwargs):
    environment.abs_started = time.time()


@events.quitting.add_listener
def _report(environment, **_kwargs):
    stats = environment.stats
    elapsed = max(time.time() - getattr(environment, "abs_started", time.time()), 1e-9)
    rows = []
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        rows.append(
            {
                "endpoint": entry.name,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "p50_ms": entry.get_response_time_percentile(0.5),
                "p95_ms": entry.get_response_time_percentile(0.95),
                "max_ms": round(entry.max_response_time or 0),
            }
        )
    total = stats.total
    summary = {
        "seconds": round(elapsed, 1),
        "requests": total.num_requests,
        "failures": total.num_failures,
        "throughput_rps": round(total.num_requests / elapsed, 1),
        "p50_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
        "sales_started": len(LEDGER),
        "sales_complete": sum(1 for sale in LEDGER if sale.get("complete")),
        "payments": sum(len(sale["payments"]) for sale in LEDGER),
        "endpoints": rows,
        "failure_samples": FAILURES[:20],
    }
    with open(os.environ["ABS_LOAD_LEDGER"], "w", encoding="utf-8") as handle:
        json.dump(LEDGER, handle)
    with open(os.environ["ABS_LOAD_SUMMARY"], "w", encoding="utf-8") as handle:
        json.dump(summary, handle)
    width = max(len(row["endpoint"]) for row in rows) if rows else 10
    print(f"\n{'endpoint':<{width}}  {'requests':>8}  {'errors':>6}  {'p50 ms':>7}  {'p95 ms':>7}  {'max ms':>7}")
    for row in rows:
        print(
            f"{row['endpoint']:<{width}}  {row['requests']:>8}  {row['failures']:>6}  {row['p50_ms']:>7.0f}  "
            f"{row['p95_ms']:>7.0f}  {row['max_ms']:>7}"
        )
    print(
        f"{'all':<{width}}  {total.num_requests:>8}  {total.num_failures:>6}  {summary['p50_ms']:>7.0f}  "
        f"{summary['p95_ms']:>7.0f}"
    )
    print(
        f"\n{summary['requests']} requests in {summary['seconds']} s: {summary['throughput_rps']} requests/s; "
        f"{summary['sales_complete']}/{summary['sales_started']} sales complete, {summary['payments']} payments, "
        f"{summary['failures']} errors"
    )
    for failure in FAILURES[:20]:
        print(f"  error: {failure['agent']} {failure['request']} -> {failure['answer']}")
