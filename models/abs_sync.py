"""Offline sync for the field app: WatermelonDB's pull and push protocol over the addon's own rules.

Pull: the changes of every table of ``helpers.sync_tables`` since the caller's cursor (``abs.sync.log``,
commit-safe), in the caller's scope, in pages. Push: the app's offline changes applied in one transaction
through the same model methods as the online routes (``_abs_create_customer``, ``_abs_create_quotation``,
``_abs_confirm``, ``account.move._abs_register_payment``, ``abs.ticket._abs_open``): no second copy of a rule.
"""

import base64
import binascii
import json
from collections import defaultdict
from contextlib import contextmanager

from odoo import api, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..exceptions import AbsRefusal
from ..helpers.sync_tables import (
    EMPLOYEE,
    PUSHABLE_MODELS,
    SCHEMA_VERSION,
    SYNC_TABLES,
    TABLES_BY_NAME,
    column_type,
    raw_value,
    sync_id,
    tables_for,
)
from ..refusals import sync as rules

# What an app may push: created rows of these tables, updated rows of the first. Anything else is refused.
PUSH_CREATES = ("customers", "orders", "order_lines", "payments", "tickets")
PUSH_UPDATES = ("customers",)
# Rows read per query when a page is serialised (a page holds at most its limit of rows).
READ_BATCH = 500


class AbsSync(models.AbstractModel):
    _name = "abs.sync"
    _description = "Offline sync (WatermelonDB protocol)"

    # ------------------------------------------------------------------ schema

    @api.model
    def _abs_schema(self, version=SCHEMA_VERSION):
        """The served schema at ``version`` in the form of WatermelonDB's ``appSchema`` input, and the
        migrations from version 1 (``schemaMigrations`` steps: tables created, columns added)."""
        self._abs_check_schema_version(version)

        def columns(table, only_since=None):
            return [
                {
                    "name": column.name,
                    "type": column_type(self.env, table, column),
                    "isOptional": True,
                    **({"isIndexed": True} if column.name.endswith("_id") else {}),
                }
                for column in table.columns_for(version)
                if only_since is None or column.since == only_since
            ]

        tables = [{"name": table.name, "columns": columns(table)} for table in SYNC_TABLES if table.since <= version]
        migrations = []
        for to_version in range(2, version + 1):
            steps = [
                {"type": "create_table", "schema": {"name": table.name, "columns": columns(table)}}
                for table in SYNC_TABLES
                if table.since == to_version
            ]
            steps += [
                {"type": "add_columns", "table": table.name, "columns": columns(table, only_since=to_version)}
                for table in SYNC_TABLES
                if table.since < to_version and any(column.since == to_version for column in table.columns)
            ]
            migrations.append({"toVersion": to_version, "steps": steps})
        return {"version": version, "tables": tables, "migrations": migrations}

    # ------------------------------------------------------------------ pull

    @api.model
    def _abs_pull(
        self, scope, last_pulled_at=None, schema_version=SCHEMA_VERSION, migration=None, page=None, limit=1000
    ):
        """One page of the caller's changes: ``{"changes": {table: {created, updated, deleted}},
        "timestamp": cursor, "next": page token or None}``.

        ``last_pulled_at`` None: everything in scope (first sync). ``migration`` (WatermelonDB's
        ``{from, tables, columns}``): the tables and columns the app just added come in full. The
        ``timestamp`` of every page is the cursor read at the first one: what changed while the pages
        were read comes again on the next pull. The queries grow with the number of tables and pages,
        not with the rows (one search and one read per table and batch).
        """
        Log = self.env["abs.sync.log"]
        self._abs_check_schema_version(schema_version)
        since = self._abs_since(last_pulled_at)
        state = self._abs_decode_page(page) if page else {"ts": Log._abs_cursor(), "t": 0, "after": 0}
        tables = tables_for(scope, schema_version)
        full_tables = self._abs_full_tables(tables, last_pulled_at, migration)
        changes = {table.name: {"created": [], "updated": [], "deleted": []} for table in tables}
        if not page and since is not None and scope.kind == EMPLOYEE:
            self._abs_pull_lost_memberships(scope, tables, since, changes)
        budget = limit
        next_state = None
        for index in range(state["t"], len(tables)):
            table = tables[index]
            after = state["after"] if index == state["t"] else 0
            if not budget:  # the page is full: the next one starts at this table
                next_state = {"ts": state["ts"], "t": index, "after": after}
                break
            if table.name in full_tables:
                last_id, budget = self._abs_pull_full(
                    scope, table, schema_version, after, budget, changes[table.name], full_tables[table.name]
                )
            else:
                last_id, budget = self._abs_pull_changes(
                    scope, table, schema_version, since, after, budget, changes[table.name]
                )
            if last_id is not None:  # the page is full within this table
                next_state = {"ts": state["ts"], "t": index, "after": last_id}
                break
        return {
            "changes": changes,
            "timestamp": state["ts"],
            "next": self._abs_encode_page(next_state) if next_state else None,
        }

    def _abs_since(self, last_pulled_at):
        """The snapshot of the app's last pull (None on a first sync); a cursor no pull gave, or one older
        than the change log keeps, is refused: the app resets its database and syncs in full."""
        if last_pulled_at is None:
            return None
        since = self.env["abs.sync.log"]._abs_snapshot(last_pulled_at)
        if since is None:
            raise rules.CURSOR_EXPIRED(
                self.env._("This cursor is unknown or too old: reset the app's database and sync again."),
                details={"last_pulled_at": last_pulled_at},
            )
        return since

    def _abs_check_schema_version(self, version):
        if not 1 <= version <= SCHEMA_VERSION:
            raise rules.UNKNOWN_SCHEMA_VERSION(
                self.env._("Schema versions 1 to %(last)s are served.", last=SCHEMA_VERSION),
                details={"schema_version": version},
            )

    def _abs_full_tables(self, tables, last_pulled_at, migration):
        """{table name: "created" | "updated"} of the tables sent in full: all on a first sync; after a
        migration, the tables it created (their rows created) and those it added columns to (updated)."""
        if last_pulled_at is None:
            return {table.name: "created" for table in tables}
        if not migration:
            return {}
        full = {name: "created" for name in migration.get("tables", ()) if name in TABLES_BY_NAME}
        for added in migration.get("columns", ()):
            full.setdefault(added.get("table"), "updated")
        return full

    def _abs_pull_full(self, scope, table, version, after, budget, out, bucket):
        """Every row in scope after id ``after``, at most ``budget``: ``(last id if the page is full, budget left)``."""
        Model = self.env[table.model]
        records = Model.search([*table.domain(self.env, scope), ("id", ">", after)], order="id", limit=budget + 1)
        full = len(records) > budget
        records = records[:budget]
        out[bucket].extend(self._abs_rows(scope, table, version, records))
        return (records[-1:].id if full else None), budget - len(records)

    def _abs_pull_changes(self, scope, table, version, since, after, budget, out):
        """The rows of ``table`` changed since the cursor (after id ``after``, at most ``budget``): those in
        scope as created or updated, those that left it as deleted."""
        Model = self.env[table.model]
        changed = self.env["abs.sync.log"]._abs_changes(table.name, since, scope.account_ids)
        candidate_ids = sorted(res_id for res_id in changed if res_id > after)
        full = len(candidate_ids) > budget
        candidate_ids = candidate_ids[:budget]
        domain = table.domain(self.env, scope)
        visible = Model.search([*domain, ("id", "in", candidate_ids)], order="id")
        for row, record in zip(self._abs_rows(scope, table, version, visible), visible, strict=True):
            created, _left = changed[record.id]
            # a row the app created offline is on the phone already: an update for it
            pushed = record._fields.get("x_sync_client_id") and record.x_sync_client_id
            out["created" if created and not pushed else "updated"].append(row)
        gone_ids = set(candidate_ids) - set(visible.ids)
        deleted = self._abs_deleted(scope, table, domain, gone_ids, changed)
        if not after and table.parent:
            deleted |= self._abs_children_of_departed(scope, table, since, visible)
        out["deleted"].extend(self._abs_sync_ids(Model, deleted))
        last_id = candidate_ids[-1] if full and candidate_ids else None
        return last_id, budget - len(candidate_ids)

    def _abs_deleted(self, scope, table, domain, gone_ids, changed):
        """Of the changed rows no longer in scope, those the caller had: rows that left one of its SAs,
        rows archived or deleted (never the rows of another SA that merely changed)."""
        if not gone_ids:
            return set()
        Model = self.env[table.model]
        deleted = {res_id for res_id in gone_ids if changed[res_id][1]} if scope.kind == EMPLOYEE else set()
        existing = Model.with_context(active_test=False).browse(list(gone_ids)).exists()
        if not table.governed:
            # a governed row deleted left its SA (its assignment went with it): counted above, for its SA's
            # callers only; a catalogue row or a line has no SA to tell, its id alone goes to every caller
            deleted |= gone_ids - set(existing.ids)
        if "active" in Model._fields and existing:
            archived = Model.with_context(active_test=False).search([*domain, ("id", "in", existing.ids)])
            deleted |= set(archived.ids)
        return deleted

    def _abs_children_of_departed(self, scope, table, since, visible):
        """Rows of a child table whose parent left the caller's SAs since the cursor (order lines of an order
        moved to another SA): they go with it, though they did not change themselves."""
        parent_name, parent_field = table.parent
        parent = TABLES_BY_NAME[parent_name]
        if scope.kind != EMPLOYEE or not parent.governed:
            return set()
        departed = [
            res_id
            for res_id, (_created, left) in self.env["abs.sync.log"]
            ._abs_changes(parent_name, since, scope.account_ids)
            .items()
            if left
        ]
        if not departed:
            return set()
        children = self.env[table.model].with_context(active_test=False).search([(parent_field, "in", departed)])
        return set(children.ids) - set(visible.ids)

    def _abs_pull_lost_memberships(self, scope, tables, since, changes):
        """An employee that left an SA since the cursor: every row of that SA it no longer reads is deleted."""
        lost = [
            sa_id
            for sa_id in self.env["abs.sync.log"]._abs_lost_accounts(scope.employee.id, since)
            if scope.account_ids is None or sa_id not in scope.account_ids
        ]
        if not lost:
            return
        departed_parents = {}
        for table in tables:
            Model = self.env[table.model].with_context(active_test=False)
            if table.governed:
                rows = Model.search([("abs_sa_assignment_ids", "any", [("account_id", "in", lost)])])
            elif table.parent and table.parent[0] in departed_parents:
                rows = Model.search([(table.parent[1], "in", departed_parents[table.parent[0]])])
            else:
                continue
            still = Model.search([*table.domain(self.env, scope), ("id", "in", rows.ids)])
            departed_parents[table.name] = rows.ids
            changes[table.name]["deleted"].extend(self._abs_sync_ids(Model, set(rows.ids) - set(still.ids)))

    def _abs_sync_ids(self, Model, ids):
        """The phone's ids of these rows (the app's own for rows it created). At most one query."""
        client_ids = self._abs_client_ids(Model, ids)
        return [sync_id(res_id, client_ids.get(res_id)) for res_id in sorted(ids)]

    def _abs_client_ids(self, Model, ids):
        """{id: the app's id} of the rows among ``ids`` that an app created offline. At most one query."""
        if not ids or Model._name not in PUSHABLE_MODELS:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT id, x_sync_client_id FROM %s WHERE id = ANY(%s) AND x_sync_client_id IS NOT NULL",
                SQL.identifier(Model._table),
                list(ids),
            )
        )
        return dict(self.env.cr.fetchall())

    def _abs_rows(self, scope, table, version, records):
        """The raw rows of ``records`` (WatermelonDB's format), read in batches: one read per batch, one
        query per related pushable model for the phone's ids, the computed columns batched."""
        columns = table.columns_for(version)
        Model = self.env[table.model]
        stored = [column for column in columns if not column.compute]
        field_names = [column.source or column.name for column in stored]
        own_client_id = Model._name in PUSHABLE_MODELS
        rows = []
        for start in range(0, len(records), READ_BATCH):
            batch = records[start : start + READ_BATCH]
            values = batch.read([*field_names, *(["x_sync_client_id"] if own_client_id else [])], load=None)
            client_ids = self._abs_related_client_ids(Model, stored, values)
            computed = {column.name: column.compute(batch, scope) for column in columns if column.compute}
            for value in values:
                row = {"id": sync_id(value["id"], value.get("x_sync_client_id"))}
                for column in stored:
                    name = column.source or column.name
                    field = Model._fields[name]
                    if field.type == "many2one":
                        related = value[name]
                        row[column.name] = (
                            sync_id(related, client_ids.get((field.comodel_name, related))) if related else None
                        )
                    else:
                        row[column.name] = raw_value(value[name], "boolean" if field.type == "boolean" else "")
                for column in columns:
                    if column.compute:
                        result = computed[column.name].get(value["id"])
                        row[column.name] = str(result) if column.name.endswith("_id") and result else result
                rows.append(row)
            # bounded memory: what was read for this batch is not kept for the next
            batch.invalidate_recordset()
        return rows

    def _abs_related_client_ids(self, Model, stored, values):
        """{(model, id): the app's id} of the related rows of pushable models among ``values``."""
        wanted = defaultdict(set)
        for column in stored:
            field = Model._fields[column.source or column.name]
            if field.type == "many2one" and field.comodel_name in PUSHABLE_MODELS:
                wanted[field.comodel_name].update(value[field.name] for value in values if value[field.name])
        found = {}
        for model_name, ids in wanted.items():
            client_ids = self._abs_client_ids(self.env[model_name], ids)
            found.update({(model_name, res_id): client_id for res_id, client_id in client_ids.items()})
        return found

    # ------------------------------------------------------------------ page tokens

    def _abs_encode_page(self, state):
        return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")

    def _abs_decode_page(self, token):
        """The page state a ``next`` token carries; a token that is not one of ours is refused."""
        try:
            state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if not (
                isinstance(state, dict)
                and set(state) == {"ts", "t", "after"}
                and all(isinstance(state[key], int) and state[key] >= 0 for key in state)
            ):
                raise ValueError
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise rules.INVALID_PAGE(
                self.env._("This page token is not one this server gave."), details={"page": token}
            ) from None
        return state

    # ------------------------------------------------------------------ push

    @api.model
    def _abs_push(self, scope, changes, last_pulled_at):
        """Apply the app's offline ``changes`` (WatermelonDB's push), all or nothing (the caller's transaction).

        Created rows carry the app's ids: a row whose id the server already has was applied by an earlier push
        whose answer was lost, and is skipped. An updated row that changed on the server since
        ``last_pulled_at`` → ``sync_conflict`` (the app pulls and pushes again). A row the rules refuse →
        ``sync_record_refused`` naming it, nothing written. Returns ``{table: {"created": n, "updated": n}}``.
        """
        self._abs_check_push_shape(changes)
        self._abs_check_conflicts(changes, last_pulled_at)
        known = self._abs_claim_created(changes)
        done = {}
        lines_by_order = defaultdict(list)
        for line in changes.get("order_lines", {}).get("created", []):
            lines_by_order[str(line.get("order_id"))].append(line)
        for table_name in PUSH_CREATES:
            rows = changes.get(table_name, {}).get("created", [])
            if table_name == "order_lines":
                self._abs_check_lines_have_new_orders(rows, changes)
                continue
            created = 0
            for row in rows:
                if row["id"] in known[table_name]:
                    continue
                with self._abs_refusal_names("created", table_name, row["id"]):
                    getattr(self, f"_abs_push_{table_name}")(scope, row, lines_by_order)
                created += 1
            updated = 0
            for row in changes.get(table_name, {}).get("updated", []):
                with self._abs_refusal_names("updated", table_name, row["id"]):
                    self._abs_push_update(scope, table_name, row)
                updated += 1
            done[table_name] = {"created": created, "updated": updated}
        return done

    def _abs_claim_created(self, changes):
        """{table: the app's ids of created rows the server already has}, after taking a lock on each id.

        Two pushes of one row (a retry racing the push whose answer was lost) take turns: the second finds
        the first one's row, read as committed by now (this transaction's snapshot may predate it), and
        skips it, instead of failing on the unique constraint.
        """
        wanted = {
            table_name: [row["id"] for row in changes.get(table_name, {}).get("created", [])]
            for table_name in PUSH_CREATES
        }
        every_id = sorted({row_id for row_ids in wanted.values() for row_id in row_ids})
        if every_id:
            # sorted: two pushes lock their common ids in one order, never each waiting for the other
            self.env.cr.execute(
                "SELECT pg_advisory_xact_lock(hashtext('abs_sync:' || row_id)) FROM unnest(%s::varchar[]) AS row_id",
                [every_id],
            )
        known = {}
        with self.env.registry.cursor() as committed:
            for table_name, row_ids in wanted.items():
                known[table_name] = set()
                if row_ids:
                    committed.execute(
                        SQL(
                            "SELECT x_sync_client_id FROM %s WHERE x_sync_client_id = ANY(%s)",
                            SQL.identifier(self.env[TABLES_BY_NAME[table_name].model]._table),
                            row_ids,
                        )
                    )
                    known[table_name] = {row[0] for row in committed.fetchall()}
        return known

    def _abs_check_push_shape(self, changes):
        """Only what an app may push: created rows of PUSH_CREATES, updated rows of PUSH_UPDATES, ids as strings."""
        for table_name, table_changes in changes.items():
            for kind in ("created", "updated", "deleted"):
                rows = table_changes.get(kind) or []
                allowed = (kind == "created" and table_name in PUSH_CREATES) or (
                    kind == "updated" and table_name in PUSH_UPDATES
                )
                if rows and not allowed:
                    first = rows[0] if kind == "deleted" else rows[0].get("id")
                    raise rules.RECORD_REFUSED(
                        self.env._(
                            "The app may not push %(kind)s rows of %(table)s (%(id)s): this is changed online only.",
                            kind=kind,
                            table=table_name,
                            id=first,
                        ),
                        details={"table": table_name, "id": first, "kind": kind},
                    )

    def _abs_check_conflicts(self, changes, last_pulled_at):
        """Updated rows changed on the server since the app's last pull: refused together (409, their ids)."""
        Log = self.env["abs.sync.log"]
        since = self._abs_since(last_pulled_at)
        conflicts = {}
        for table_name in PUSH_UPDATES:
            rows = changes.get(table_name, {}).get("updated", [])
            if not rows:
                continue
            Model = self.env[TABLES_BY_NAME[table_name].model]
            records = {row["id"]: self._abs_resolve(Model, row["id"]) for row in rows}
            changed = Log._abs_changed_since(table_name, [r.id for r in records.values() if r], since)
            clashing = [row_id for row_id, record in records.items() if record and record.id in changed]
            if clashing:
                conflicts[table_name] = clashing
        if conflicts:
            raise rules.CONFLICT(
                self.env._("Rows changed on the server since your last pull: pull, then push again."),
                details={"conflicts": conflicts},
            )

    def _abs_check_lines_have_new_orders(self, rows, changes):
        new_orders = {row["id"] for row in changes.get("orders", {}).get("created", [])}
        for row in rows:
            if str(row.get("order_id")) not in new_orders:
                raise rules.RECORD_REFUSED(
                    self.env._(
                        "Order line %(id)s: lines are pushed with the new order they belong to; change a server "
                        "order's lines online.",
                        id=row["id"],
                    ),
                    details={"table": "order_lines", "id": row["id"], "kind": "created"},
                )

    @contextmanager
    def _abs_refusal_names(self, kind, table_name, row_id):
        """A refusal of the rules while one row is applied is answered naming that row (400, nothing written)."""
        try:
            yield
        except (AbsRefusal, UserError, ValidationError) as exc:
            if isinstance(exc, AbsRefusal) and exc.code == "sync_conflict":
                raise
            raise rules.RECORD_REFUSED(
                self.env._("%(table)s %(id)s: %(reason)s", table=table_name, id=row_id, reason=exc.args[0]),
                details={
                    "table": table_name,
                    "id": row_id,
                    "kind": kind,
                    "code": getattr(exc, "code", "rejected"),
                    **({"details": exc.details} if getattr(exc, "details", None) else {}),
                },
            ) from exc

    def _abs_resolve(self, Model, row_id, domain=()):
        """The server record a phone id names (the app's own id, or the server id), within ``domain``."""
        if row_id in (None, ""):
            return Model.browse()
        row_id = str(row_id)
        if Model._name in PUSHABLE_MODELS:
            record = Model.search([("x_sync_client_id", "=", row_id), *domain], limit=1)
            if record:
                return record
        if row_id.isdigit():
            return Model.search([("id", "=", int(row_id)), *domain], limit=1)
        return Model.browse()

    def _abs_required(self, Model, row_id, domain, what):
        record = self._abs_resolve(Model, row_id, domain)
        if not record:
            raise rules.RECORD_REFUSED(
                self.env._("%(what)s %(id)s is not one of yours.", what=what, id=row_id), details={"id": row_id}
            )
        return record

    def _abs_account(self, scope, row):
        """The SA a pushed row is made in: its ``sa_id`` (one of the caller's), else the caller's acting SA."""
        Account = self.env["ov.serviced_account"]
        if row.get("sa_id"):
            sa_id = int(row["sa_id"]) if str(row["sa_id"]).isdigit() else 0
            if scope.account_ids is not None and sa_id not in scope.account_ids:
                raise rules.RECORD_REFUSED(
                    self.env._("Service account %(sa)s is not one of yours.", sa=row["sa_id"]),
                    details={"sa_id": row["sa_id"]},
                )
            return Account.browse(sa_id)
        if scope.account:
            return scope.account
        raise rules.RECORD_REFUSED(
            self.env._("Say which service account the row belongs to (sa_id): you act in several."),
            details={"sa_id": None},
        )

    def _abs_customers_domain(self, scope):
        return self.env["res.partner"]._abs_sa_domain(scope.account_ids)

    @staticmethod
    def _abs_pushed_values(table_name, row):
        """The pushable columns of a row, under their field names."""
        table = TABLES_BY_NAME[table_name]
        return {
            column.source or column.name: row[column.name]
            for column in table.columns
            if column.pushable and column.name in row and not column.compute
        }

    def _abs_push_customers(self, scope, row, _lines):
        values = {
            key: value for key, value in self._abs_pushed_values("customers", row).items() if value not in (None, "")
        }
        partner = self.env["res.partner"]._abs_create_customer(values, self._abs_account(scope, row), scope.employee)
        partner.x_sync_client_id = row["id"]

    def _abs_push_update(self, scope, table_name, row):
        partner = self._abs_required(self.env["res.partner"], row["id"], self._abs_customers_domain(scope), "Customer")
        values = self._abs_pushed_values("customers", row)
        partner._abs_update_customer({key: value or False for key, value in values.items()}, None)

    def _abs_push_orders(self, scope, row, lines_by_order):
        account = self._abs_account(scope, row)
        customer = self._abs_required(
            self.env["res.partner"], row.get("partner_id"), self._abs_customers_domain(scope), "Customer"
        )
        lines = lines_by_order.get(str(row["id"]), [])
        products = []
        for line in lines:
            product_id = str(line.get("product_id") or "")
            products.append(
                {
                    "product_id": int(product_id) if product_id.isdigit() else 0,
                    "quantity": line.get("quantity"),
                    **{key: line[key] for key in ("price_unit", "discount") if line.get(key) is not None},
                }
            )
        values = {"customer_id": customer.id, "products": products}
        if row.get("client_order_ref"):
            values["client_order_ref"] = row["client_order_ref"]
        order = self.env["sale.order"]._abs_create_quotation(values, account, scope.employee)
        order.x_sync_client_id = row["id"]
        for line, order_line in zip(lines, order.order_line.sorted("id"), strict=False):
            order_line.x_sync_client_id = line["id"]
        if row.get("state") == "sale":
            # confirmed offline: the online confirmation's rules (approval, stock) decide
            order._abs_confirm()

    def _abs_push_payments(self, scope, row, _lines):
        invoice = self._abs_required(
            self.env["account.move"],
            row.get("invoice_id"),
            [("move_type", "=", "out_invoice"), *self.env["account.move"]._abs_sa_domain(scope.account_ids)],
            "Invoice",
        )
        journal = self.env["account.journal"]._abs_journal_for_payment(invoice.company_id, None, "cash")
        payment = invoice._abs_register_payment(
            row.get("amount"), journal, row.get("date") or None, row.get("memo") or None, scope.employee
        )
        payment.x_sync_client_id = row["id"]

    def _abs_push_tickets(self, scope, row, _lines):
        values = {
            "subject": row.get("name"),
            **{key: row[key] for key in ("description", "priority") if row.get(key)},
        }
        if row.get("partner_id"):
            values["partner_id"] = self._abs_required(
                self.env["res.partner"], row["partner_id"], self._abs_customers_domain(scope), "Customer"
            ).id
        if row.get("asset_id"):
            values["asset_id"] = int(row["asset_id"]) if str(row["asset_id"]).isdigit() else 0
        ticket = self.env["abs.ticket"]._abs_open(values, account=self._abs_account(scope, row), actor=scope.employee)
        ticket.x_sync_client_id = row["id"]
