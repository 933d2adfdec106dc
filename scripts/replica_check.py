"""Which database server answered which API call: run by scripts/replica.sh against Odoo started with
``db_replica_host``/``db_replica_port``, both servers logging every statement of the database.

Each API call is made between two marker queries (``SELECT 'abs-replica-check:<n>'``) sent to both
servers; the statements each server logged between two markers (other databases and the markers'
own sessions left out) are the call's, counted as reads (SELECT) and writes (INSERT, UPDATE, DELETE,
DDL, SELECT … FOR UPDATE). Then read-your-writes: GETs right after POSTs, and the replica's replay
lag (a row written through the API polled on the replica). Prints a table; exits 1 when a GET was not
read on the replica, wrote anything, or a POST/PUT was not served by the primary.
"""

import argparse
import os
import re
import statistics
import sys
import time

import psycopg2
import requests

ENTRY = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
STATEMENT = re.compile(r"\[(\d+)\] \S*@(\S+) LOG:  statement: (.*)", re.DOTALL)
MARKER = "abs-replica-check:"
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET", "SHOW", "DISCARD", "START")


def kind(statement):
    """'read', 'write' or None (transaction control) for one logged statement."""
    text = statement.lstrip(" \t\n(").upper()
    word = text.split(None, 1)[0] if text else ""
    if word in CONTROL:
        return None
    if word in ("SELECT", "WITH", "VALUES", "TABLE"):
        locking = re.search(r"\bFOR (NO KEY )?(UPDATE|SHARE)\b", text)
        writing = re.search(r"\b(INSERT|UPDATE|DELETE)\b", text) and word == "WITH"
        return "write" if locking or writing else "read"
    return "write"


class ServerLog:
    """The statements one server logged for the database since this object was made."""

    def __init__(self, name, path, port, db, user):
        self.name, self.path, self.db = name, path, db
        self.offset = os.path.getsize(path)
        self.cnx = psycopg2.connect(host="127.0.0.1", port=port, dbname=db, user=user)
        self.cnx.autocommit = True
        with self.cnx.cursor() as cr:
            cr.execute("SELECT pg_backend_pid()")
            self.marker_pid = str(cr.fetchone()[0])

    def mark(self, number):
        with self.cnx.cursor() as cr:
            cr.execute(f"SELECT '{MARKER}{number}'")

    def calls(self):
        """{call number: {"read": n, "write": n, "samples": [...]}} from the log."""
        with open(self.path, encoding="utf-8", errors="replace") as handle:
            handle.seek(self.offset)
            lines = handle.read().splitlines()
        entries = []  # a statement spanning lines goes on in lines without the log prefix
        for line in lines:
            if ENTRY.match(line) or not entries:
                entries.append(line)
            else:
                entries[-1] += "\n" + line
        per_call, current = {}, None
        for line in entries:
            match = STATEMENT.search(line)
            if not match or match.group(2) != self.db:
                continue
            pid, statement = match.group(1), match.group(3)
            if pid == self.marker_pid:
                if statement.startswith(f"SELECT '{MARKER}"):
                    current = int(statement.split(":")[1].rstrip("'"))
                continue
            what = kind(statement)
            if current is None or what is None:
                continue
            entry = per_call.setdefault(current, {"read": 0, "write": 0, "samples": []})
            entry[what] += 1
            if what == "write" and len(entry["samples"]) < 3:
                entry["samples"].append(" ".join(statement.split())[:100])
        return per_call


def stale_replica(args, session, replica):
    """A replica behind its primary (replay paused): what a caller sees, and what is left once it catches up.

    Returns the failures: a token revoked by a logout must be refused once the replica has replayed it.
    """
    su = psycopg2.connect(host="127.0.0.1", port=args.replica_port, dbname="postgres", user=args.superuser)
    su.autocommit = True
    failures = []
    with su.cursor() as cr:
        cr.execute("SELECT pg_wal_replay_pause()")
        try:
            created = session.post(args.url + "/api/customers", json={"name": "Stale Probe"}, timeout=60).json()
            got = session.get(args.url + f"/api/customers/{created['customer']['id']}", timeout=60)
            print(
                f"\nReplica behind (replay paused): POST /api/customers answered the new customer "
                f"{created['customer']['id']}; the GET after it answered {got.status_code} (the replica has not got it)"
            )
            login = session.post(
                args.url + "/api/auth/login", json={"login": "ke.agent", "password": "demo1234"}, timeout=60
            ).json()
            bearer = {"Authorization": f"Bearer {login['access_token']}"}
            warm = [requests.get(args.url + "/api/auth/me", headers=bearer, timeout=60).status_code for _ in range(6)]
            logout = requests.post(args.url + "/api/auth/logout", json={}, headers=bearer, timeout=60)
            during = [requests.get(args.url + "/api/auth/me", headers=bearer, timeout=60).status_code for _ in range(6)]
        finally:
            cr.execute("SELECT pg_wal_replay_resume()")
        for _ in range(100):
            cr.execute("SELECT pg_last_wal_replay_lsn()")
            replayed = cr.fetchone()[0]
            primary = psycopg2.connect(host="127.0.0.1", port=args.primary_port, dbname="postgres", user=args.superuser)
            with primary, primary.cursor() as pcr:
                pcr.execute("SELECT pg_current_wal_lsn() <= %s::pg_lsn", [replayed])
                caught_up = pcr.fetchone()[0]
            primary.close()
            if caught_up:
                break
            time.sleep(0.1)
    su.close()
    after = [requests.get(args.url + "/api/auth/me", headers=bearer, timeout=60).status_code for _ in range(6)]
    print(
        f"A token used ({warm}), then logged out ({logout.status_code}) while the replica is behind: GET /api/auth/me "
        f"answers {during}; once the replica has caught up: {after}"
    )
    # Control: the same with the replica up to date.
    login = session.post(
        args.url + "/api/auth/login", json={"login": "ke.agent", "password": "demo1234"}, timeout=60
    ).json()
    bearer = {"Authorization": f"Bearer {login['access_token']}"}
    warm = [requests.get(args.url + "/api/auth/me", headers=bearer, timeout=60).status_code for _ in range(6)]
    requests.post(args.url + "/api/auth/logout", json={}, headers=bearer, timeout=60)
    time.sleep(0.2)
    control = [requests.get(args.url + "/api/auth/me", headers=bearer, timeout=60).status_code for _ in range(6)]
    print(f"Control, the replica up to date: a token used ({warm}) then logged out: GET /api/auth/me answers {control}")
    if any(code == 200 for code in after):
        failures.append("a logged-out token is still accepted after the replica caught up (stale per-worker cache)")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for option in ("--url", "--db", "--primary-log", "--replica-log", "--odoo-log"):
        parser.add_argument(option, required=True)
    parser.add_argument("--primary-port", type=int, required=True)
    parser.add_argument("--replica-port", type=int, required=True)
    parser.add_argument("--superuser", default="postgres")
    args = parser.parse_args()
    user = os.environ.get("PGUSER", "odoo")
    odoo_log_offset = os.path.getsize(args.odoo_log)
    primary = ServerLog("primary", args.primary_log, args.primary_port, args.db, user)
    replica = ServerLog("replica", args.replica_log, args.replica_port, args.db, user)
    session = requests.Session()
    calls = []

    def call(method, path, body=None, expect=(200, 201)):
        number = len(calls) + 1
        for server in (primary, replica):
            server.mark(number)
        started = time.perf_counter()
        response = session.request(method, args.url + path, json=body, timeout=60)
        elapsed = (time.perf_counter() - started) * 1000
        calls.append({"call": f"{method} {path}", "status": response.status_code, "ms": elapsed, "method": method})
        time.sleep(0.3)  # the worker closes its cursor after answering: its last statements are logged by then
        for server in (primary, replica):
            server.mark(number + 1)
        if response.status_code not in expect:
            print(f"unexpected answer to {method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    # The calls: a login (write), reads, a write, the same caller's read of what it wrote.
    login = call("POST", "/api/auth/login", {"login": "tg.agent", "password": "demo1234"})
    session.headers["Authorization"] = f"Bearer {login['access_token']}"
    call("GET", "/api/auth/me")
    call("GET", "/api/customers?limit=50")
    call("GET", "/api/products?limit=50")
    call("GET", "/api/orders")
    call("GET", "/api/stock/levels")
    call("GET", "/api/invoices")
    created = call("POST", "/api/customers", {"name": "Replica Check Customer", "city": "Lomé"})["customer"]
    after_post = call("GET", f"/api/customers/{created['id']}", expect=(200, 404))
    call("PUT", f"/api/customers/{created['id']}", {"city": "Kara"})
    after_put = call("GET", f"/api/customers/{created['id']}", expect=(200, 404))
    for server in (primary, replica):
        server.mark(len(calls) + 1)
    time.sleep(0.5)

    per_server = {server.name: server.calls() for server in (primary, replica)}
    failures = []
    width = max(len(c["call"]) for c in calls)
    print(f"\n{'API call':<{width}}  status  {'primary R/W':>11}  {'replica R/W':>11}  served by")
    for number, entry in enumerate(calls, start=1):
        p = per_server["primary"].get(number, {"read": 0, "write": 0, "samples": []})
        r = per_server["replica"].get(number, {"read": 0, "write": 0, "samples": []})
        if entry["method"] == "GET":
            ok = r["read"] > 0 and p["write"] == 0 and r["write"] == 0
            served = "replica" if ok else "PRIMARY (expected the replica)"
        else:
            ok = p["read"] + p["write"] > 0 and r["read"] + r["write"] == 0
            served = "primary" if ok else "REPLICA (expected the primary)"
        if not ok:
            failures.append(entry["call"])
        print(
            f"{entry['call']:<{width}}  {entry['status']:>6}  {p['read']:>5}/{p['write']:<5}  "
            f"{r['read']:>5}/{r['write']:<5}  {served}"
        )
    print(
        "(R/W: statements each server logged during the call; a GET's few reads on the primary are Odoo's\n"
        " registry and cache signalling check, made on the primary on purpose: sequences are not replicated)"
    )

    # Read-your-writes.
    found_post = after_post.get("success") and after_post["customer"]["id"] == created["id"]
    found_put = after_put.get("success") and after_put["customer"]["city"] == "Kara"
    print(
        f"\nRead-your-writes: the POST's own answer carried the new customer (read on the primary, in the write's\n"
        f"transaction); the next GET, on the replica, found it: {'yes' if found_post else 'NO (replica behind)'}; "
        f"the GET after the PUT saw the new city: {'yes' if found_put else 'NO (replica behind)'}"
    )
    lags, immediate = [], 0
    with replica.cnx.cursor() as rcr:
        for index in range(20):
            body = {"name": f"Replica Lag Probe {index}"}
            answer = session.post(args.url + "/api/customers", json=body, timeout=60).json()
            sent = time.perf_counter()
            if index % 2:
                got = session.get(args.url + f"/api/customers/{answer['customer']['id']}", timeout=60)
                immediate += got.status_code == 200
                continue
            while True:
                rcr.execute("SELECT 1 FROM res_partner WHERE id = %s", [answer["customer"]["id"]])
                if rcr.fetchone() or time.perf_counter() - sent > 10:
                    break
            lags.append((time.perf_counter() - sent) * 1000)
    print(
        f"Replica lag, a customer written through the API polled on the replica (10 writes): "
        f"median {statistics.median(lags):.1f} ms, max {max(lags):.1f} ms (after the POST's answer); "
        f"a GET sent right after its POST found the record {immediate}/10 times"
    )
    su = psycopg2.connect(host="127.0.0.1", port=args.primary_port, dbname="postgres", user=args.superuser)
    with su, su.cursor() as cr:
        cr.execute("SELECT client_addr, state, sync_state, coalesce(replay_lag::text, '-') FROM pg_stat_replication")
        for row in cr.fetchall():
            print(f"pg_stat_replication on the primary: client {row[0]}, {row[1]}, {row[2]}, replay_lag {row[3]}")
    for server, port in ((primary, args.primary_port), (replica, args.replica_port)):
        cnx = psycopg2.connect(host="127.0.0.1", port=port, dbname=args.db, user=args.superuser)
        with cnx, cnx.cursor() as cr:
            cr.execute(
                "SELECT application_name, count(*) FROM pg_stat_activity WHERE datname = %s"
                " AND application_name LIKE 'odoo-%%' GROUP BY 1 ORDER BY 1",
                [args.db],
            )
            sessions = ", ".join(f"{name} x{count}" for name, count in cr.fetchall())
        cnx.close()
        print(f"pg_stat_activity on the {server.name}: Odoo's connections {sessions or 'none'}")

    failures += stale_replica(args, session, replica)

    with open(args.odoo_log, encoding="utf-8", errors="replace") as handle:
        handle.seek(odoo_log_offset)
        odoo_log = handle.read()
    retried = odoo_log.count("retrying with a read/write cursor")
    fallback = odoo_log.count("Failed to open a readonly cursor")
    print(
        f"Odoo log: {retried} read-only request(s) retried on the primary because they wrote, "
        f"{fallback} fallback(s) to the primary because the replica was unreachable"
    )
    if retried or fallback:
        failures.append("Odoo retried or fell back to the primary")
    if failures:
        print(f"\nFAILED: {', '.join(failures)}")
        sys.exit(1)
    print("\nOK: every GET was read on the replica, every write went to the primary.")


if __name__ == "__main__":
    main()
