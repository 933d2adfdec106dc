"""The checks of scripts/cluster.sh: two Odoo nodes behind nginx on one database.

``http``: through the proxy, each request pinned to a node with the ``X-ABS-Node: a|b`` header (nginx's
config maps it to one upstream) and the node that served it read from nginx's ``X-Upstream`` header:
    * the proxy spreads unpinned requests over both nodes;
    * an invoice's PDF rendered and stored on node A (``POST /api/invoices/<id>/send`` attaches it) is
      served by node B (``/web/content/<attachment>``, a backend session on B): attachments live in the
      database, the nodes share no disk;
    * a logout on node A is refused on node B at the next request; an ended membership (node A, JSON-RPC,
      the backend's button) likewise — every call a new connection, so B's workers all answer.
``jobs``: after both nodes ran the billing and settlement jobs at once (bench/cluster_jobs.py), each period
billed exactly once with its own posted invoice, each attempt settled once with one payment.
Prints one line per check (``ok`` / ``FAIL``), writes the figures to ``--summary`` (JSON, merged), and
exits 1 when a check failed.
"""

import argparse
import json
import os
import sys
import time
import uuid

import psycopg2
import requests

TIMEOUT = 120
CALLS = 6  # fresh connections per node: a node's 2 workers both answer some
failures = []
figures = {}


def check(condition, label, detail=""):
    print(f"  {'ok  ' if condition else 'FAIL'} {label}" + (f" ({detail})" if detail else ""), flush=True)
    if not condition:
        failures.append(label)
    return condition


class Proxy:
    def __init__(self, url, nodes):
        self.url = url
        self.nodes = nodes  # {"127.0.0.1:port": "a", ...}
        self.served = []  # (label, node) of every request

    def request(self, method, path, node=None, label=None, session=None, **kwargs):
        headers = {"Connection": "close", **kwargs.pop("headers", {})}
        if node:
            headers["X-ABS-Node"] = node
        response = (session or requests).request(method, self.url + path, headers=headers, timeout=TIMEOUT, **kwargs)
        served = self.nodes.get(response.headers.get("X-Upstream", ""), "?")
        self.served.append((label or f"{method} {path}", served))
        if node and served != node:
            check(False, f"{method} {path} pinned to node {node} was served by {served}")
        return response

    def api(self, method, path, node, token=None, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.request(method, path, node, headers=headers, **kwargs)

    def rpc(self, node, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"service": service, "method": method, "args": args},
        }
        body = self.request("POST", "/jsonrpc", node, json=payload).json()
        if "error" in body:
            raise RuntimeError(body["error"])
        return body.get("result")

    def statuses_of_me(self, node, token):
        return [self.api("GET", "/api/auth/me", node, token).status_code for _ in range(CALLS)]


def http_checks(proxy, db, fixture):
    print("Through the proxy:")
    seen = {proxy.request("GET", "/web/health").headers.get("X-Upstream") for _ in range(8)}
    check(set(proxy.nodes) <= seen, "unpinned requests spread over both nodes", ", ".join(sorted(seen)))

    # A PDF rendered on node A, served by node B.
    invoice_id = fixture["invoice_id"]
    login = proxy.api("POST", "/api/auth/login", "a", json={"login": "tg.manager", "password": "demo1234"})
    token = login.json()["access_token"]
    sent = proxy.api("POST", f"/api/invoices/{invoice_id}/send", "a", token, json={})
    check(
        sent.status_code == 200,
        "node A renders the invoice PDF and attaches it to the mail",
        f"HTTP {sent.status_code}",
    )
    uid = proxy.rpc("a", "common", "login", db, "admin", "admin")
    attachments = proxy.rpc(
        "a",
        "object",
        "execute_kw",
        db,
        uid,
        "admin",
        "ir.attachment",
        "search_read",
        [[["res_model", "=", "account.move"], ["res_id", "=", invoice_id], ["mimetype", "=", "application/pdf"]]],
        {"fields": ["id", "store_fname", "file_size"], "order": "id desc", "limit": 1},
    )
    if not check(bool(attachments), "the PDF is stored as an attachment of the invoice"):
        return
    attachment = attachments[0]
    check(
        not attachment["store_fname"],
        "stored in the database, not in node A's filestore",
        f"{attachment['file_size']} bytes",
    )
    contents = {}
    for node in ("b", "a"):
        session = requests.Session()
        auth = proxy.request(
            "POST",
            "/web/session/authenticate",
            node,
            session=session,
            json={"jsonrpc": "2.0", "params": {"db": db, "login": "admin", "password": "admin"}},
        )
        check(auth.ok and "error" not in auth.json(), f"backend session on node {node.upper()}")
        response = proxy.request("GET", f"/web/content/{attachment['id']}?download=true", node, session=session)
        contents[node] = response.content if response.ok else b""
        check(
            response.ok and response.content.startswith(b"%PDF"),
            f"node {node.upper()} serves the PDF",
            f"HTTP {response.status_code}, {len(response.content)} bytes, served by {proxy.served[-1][1]}",
        )
    check(
        contents["a"] == contents["b"] and len(contents["a"]) == attachment["file_size"], "the same bytes on both nodes"
    )

    # A logout on node A, refused on node B.
    tokens = proxy.api("POST", "/api/auth/login", "a", json={"login": "tg.agent", "password": "demo1234"}).json()
    before = proxy.statuses_of_me("b", tokens["access_token"])
    logout = proxy.api("POST", "/api/auth/logout", "a", tokens["access_token"], json={})
    after = proxy.statuses_of_me("b", tokens["access_token"])
    check(
        before == [200] * CALLS and logout.status_code == 200 and after == [401] * CALLS,
        "a logout on node A is refused on node B at the next request",
        f"B before {before}, after {after}",
    )

    # A membership ended on node A (the backend's button, over JSON-RPC), refused on node B.
    def execute(node, model, method, *args):
        return proxy.rpc(node, "object", "execute_kw", db, uid, "admin", model, method, list(args))

    login = f"cluster.{uuid.uuid4().hex[:8]}"
    togo = execute("a", "ov.serviced_account", "search", [["code", "=", "TG"]])[0]
    employee = execute(
        "a", "abs.employee", "create", {"name": "Cluster Agent", "login": login, "password": "cluster-pass-1"}
    )
    membership = execute(
        "a", "ov.membership", "create", {"employee_id": employee, "account_id": togo, "role_code": "agent"}
    )
    token = proxy.api("POST", "/api/auth/login", "b", json={"login": login, "password": "cluster-pass-1"}).json()[
        "access_token"
    ]
    before = proxy.statuses_of_me("b", token)
    execute("a", "ov.membership", "action_end_membership", [membership])
    after = proxy.statuses_of_me("b", token)
    check(
        before == [200] * CALLS and after == [401] * CALLS,
        "a membership ended on node A is refused on node B at the next request",
        f"B before {before}, after {after}",
    )
    # ... and the other way round: B's cache was filled, A's is cleared by B's signal too
    membership = execute(
        "b", "ov.membership", "create", {"employee_id": employee, "account_id": togo, "role_code": "agent"}
    )
    before = proxy.statuses_of_me("a", token)
    execute("b", "ov.membership", "action_end_membership", [membership])
    after = proxy.statuses_of_me("a", token)
    check(
        before == [200] * CALLS and after == [401] * CALLS,
        "a membership ended on node B is refused on node A at the next request",
        f"A before {before}, after {after}",
    )

    print("  requests and the node that served them:")
    for label, node in proxy.served:
        if not label.startswith("GET /web/health") and not label.startswith("GET /api/auth/me"):
            print(f"    {node}  {label}")
    figures["http_requests_by_node"] = {
        n: sum(1 for _l, s in proxy.served if s == n) for n in set(proxy.nodes.values())
    }


def job_checks(db, fixture, runs):
    print("Billing and settlement on both nodes at once:")
    for run in runs:
        print(
            f"  node {run['node'].upper()}: billing {run['billing_s']} s, settling {run['settling_s']} s, "
            f"runs retried after a conflict {run['retries']}"
        )
    cnx = psycopg2.connect(
        dbname=db,
        host=os.environ["PGHOST"],
        port=os.environ["PGPORT"],
        user=os.environ["PGUSER"],
        password=os.environ.get("PGPASSWORD") or None,
    )
    cr = cnx.cursor()
    subscription_ids = tuple(fixture["subscription_ids"])
    # the nodes' own cron threads were triggered too: wait until no trigger is left
    for _ in range(120):
        cr.execute(
            "SELECT count(*) FROM ir_cron_trigger t JOIN ir_cron c ON c.id = t.cron_id "
            "JOIN ir_model_data d ON d.res_id = c.id AND d.model = 'ir.cron' AND d.module = 'abs_connector' "
            "WHERE t.call_at <= now() at time zone 'utc'"
        )
        left = cr.fetchone()[0]
        cnx.rollback()
        if not left:
            break
        time.sleep(1)
    check(not left, "the nodes' cron threads took their triggers")
    cr.execute(
        "SELECT count(*), count(DISTINCT (subscription_id, period_start)), count(DISTINCT invoice_id), "
        "count(*) FILTER (WHERE m.state = 'posted') FROM abs_subscription_period p "
        "LEFT JOIN account_move m ON m.id = p.invoice_id WHERE p.subscription_id IN %s",
        [subscription_ids],
    )
    periods, distinct, invoices, posted = cr.fetchone()
    cr.execute("SELECT count(*) FROM account_move WHERE abs_subscription_id IN %s", [subscription_ids])
    moves = cr.fetchone()[0]
    due = fixture["periods_due"]
    check(
        periods == distinct == invoices == posted == moves == due,
        "every due period billed exactly once, each with its own posted invoice",
        f"{periods} periods, {invoices} invoices for {due} due",
    )
    cr.execute(
        "SELECT count(*) FILTER (WHERE a.state = 'done' AND a.payment_id IS NOT NULL), "
        "count(*) FILTER (WHERE m.payment_state IN ('paid', 'in_payment')) FROM abs_payment_attempt a "
        "JOIN account_move m ON m.id = a.invoice_id WHERE a.id IN %s",
        [tuple(fixture["attempt_ids"])],
    )
    settled, paid = cr.fetchone()
    cr.execute(
        "SELECT count(*) FROM account_payment p JOIN abs_payment_attempt a ON a.reference = p.memo WHERE a.id IN %s",
        [tuple(fixture["attempt_ids"])],
    )
    payments = cr.fetchone()[0]
    attempts = len(fixture["attempt_ids"])
    check(
        settled == paid == payments == attempts,
        "every pending attempt settled once, one payment each",
        f"{settled} settled, {payments} payments, {paid} invoices paid for {attempts} attempts",
    )
    figures.update(periods_billed=periods, periods_due=due, attempts_settled=settled, payments=payments, job_runs=runs)


def job_run(path):
    """What one node's bench/cluster_jobs.py printed (its last line), or a failed check when it crashed."""
    lines = open(path, encoding="utf-8").read().strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        check(False, f"the jobs run of {path} ended without its figures (see the file)")
        return {"node": os.path.basename(path), "billing_s": None, "settling_s": None, "retries": None}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["http", "jobs"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--summary", required=True)
    parser.add_argument("--proxy")
    parser.add_argument("--node-a")
    parser.add_argument("--node-b")
    parser.add_argument("--runs", nargs="*", default=[])
    args = parser.parse_args()
    fixture = json.loads(open(args.fixture, encoding="utf-8").read())
    if args.mode == "http":
        http_checks(Proxy(args.proxy, {args.node_a: "a", args.node_b: "b"}), args.db, fixture)
    else:
        job_checks(args.db, fixture, [job_run(path) for path in args.runs])
    summary = json.load(open(args.summary, encoding="utf-8")) if os.path.exists(args.summary) else {}
    summary.update(figures, **{f"{args.mode}_failures": failures})
    with open(args.summary, "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=1)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
