"""The change log that offline sync reads (``GET /api/sync``): commit-safe, written by the database itself.

Why not ``write_date``: a transaction that began before another but commits after it writes an older
``write_date`` than a cursor already handed out, and that row is never pulled. Here each change writes a
log row in the same transaction (PostgreSQL triggers, so core's own writes, computed fields flushed by the
ORM and SQL updates are all seen), stamped with that transaction's id (``pg_current_xact_id``). A pull
stores its own snapshot (``pg_current_snapshot``: which transactions it saw committed) and hands out that
snapshot's number as its cursor. The next pull reads the rows of the transactions that the earlier
snapshot did not see (``pg_visible_in_snapshot``) and that its own does: a transaction still running at
the first pull is read by the second once committed, whatever the order of the commits; a transaction seen
once is never read again. The transaction-id range (``txid >= xmin`` of the earlier snapshot) keeps the
read on the index.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from ..helpers.sync_tables import SYNC_TABLES, Watcher

# Log operations: c = the row was created, u = changed (or entered a scope), x = it left the SA ``sa_id``
# (an assignment ended or was deleted), m = the employee ``res_id`` lost its membership of ``sa_id``.
OPS = [("c", "Created"), ("u", "Updated"), ("x", "Left the SA"), ("m", "Membership ended")]


class AbsSyncLog(models.Model):
    _name = "abs.sync.log"
    _description = "Offline sync change log"
    _auto = False  # a plain table (bigint transaction ids, no audit columns) with its triggers, see init()
    _log_access = False
    _order = "id desc"

    table_name = fields.Char(readonly=True)
    res_id = fields.Integer(string="Record", readonly=True)
    op = fields.Selection(OPS, readonly=True)
    sa_id = fields.Many2one("ov.serviced_account", string="Service Account", readonly=True)
    txid = fields.Float(string="Transaction", digits=(20, 0), readonly=True)
    logged_at = fields.Datetime(readonly=True)

    def init(self):
        cr = self.env.cr
        cr.execute("""
            CREATE TABLE IF NOT EXISTS abs_sync_log (
                id bigserial PRIMARY KEY,
                table_name varchar NOT NULL,
                res_id integer NOT NULL,
                op char(1) NOT NULL,
                sa_id integer,
                txid bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
                logged_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
            );
            CREATE INDEX IF NOT EXISTS abs_sync_log_table_txid_idx ON abs_sync_log (table_name, txid);
            CREATE INDEX IF NOT EXISTS abs_sync_log_txid_idx ON abs_sync_log (txid);
            CREATE TABLE IF NOT EXISTS abs_sync_cursor (
                id bigserial PRIMARY KEY,
                snapshot pg_snapshot NOT NULL,
                created_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
            );
        """)
        for table in SYNC_TABLES:
            for watcher in table.watchers:
                self._abs_install_trigger(table.name, watcher)
        self._abs_install_trigger(
            "__membership__", Watcher("ov_membership", "employee_id", kind="membership"), name="membership"
        )

    # ------------------------------------------------------------------ triggers

    def _abs_install_trigger(self, sync_table, watcher, name=None):
        """One trigger function and trigger per watched table: a row changed there logs the sync rows it feeds.

        ``watcher.select`` names, for a row (``{row}`` is NEW or OLD), the ids of ``sync_table`` it changes.
        """
        cr = self.env.cr
        function = f"abs_sync_{name or sync_table}_{watcher.table}"
        if watcher.kind == "assignment":
            # A record enters a scope (u) when assigned, leaves it (x, with the SA) when the assignment ends.
            body = f"""
                IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.state = 'active' THEN
                    INSERT INTO abs_sync_log (table_name, res_id, op)
                    VALUES ('{sync_table}', NEW.{watcher.column}, 'u');
                END IF;
                IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.state = 'active'
                   AND (TG_OP = 'DELETE' OR NEW.state <> 'active' OR NEW.account_id <> OLD.account_id) THEN
                    INSERT INTO abs_sync_log (table_name, res_id, op, sa_id)
                    VALUES ('{sync_table}', OLD.{watcher.column}, 'x', OLD.account_id);
                END IF;"""
        elif watcher.kind == "membership":
            # An agent that leaves an SA gets its rows of that SA as deleted on its next pull.
            body = """
                IF (TG_OP = 'DELETE' AND OLD.active)
                   OR (TG_OP = 'UPDATE' AND OLD.active
                       AND (NOT NEW.active OR NEW.date_to IS DISTINCT FROM OLD.date_to)) THEN
                    INSERT INTO abs_sync_log (table_name, res_id, op, sa_id)
                    VALUES ('__membership__', OLD.employee_id, 'm', OLD.account_id);
                END IF;"""
        else:
            created = "'c'" if watcher.owns_rows else "'u'"
            body = f"""
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    INSERT INTO abs_sync_log (table_name, res_id, op)
                    SELECT '{sync_table}', changed.id, CASE WHEN TG_OP = 'INSERT' THEN {created} ELSE 'u' END
                    FROM ({watcher.select.format(row="NEW")}) AS changed(id) WHERE changed.id IS NOT NULL;
                END IF;
                IF TG_OP = 'DELETE' THEN
                    INSERT INTO abs_sync_log (table_name, res_id, op)
                    SELECT '{sync_table}', changed.id, 'u'
                    FROM ({watcher.select.format(row="OLD")}) AS changed(id) WHERE changed.id IS NOT NULL;
                END IF;"""
        cr.execute(f"""
            CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {body}
                RETURN NULL;
            END $$;
            DROP TRIGGER IF EXISTS {function} ON {watcher.table};
            CREATE TRIGGER {function} AFTER INSERT OR UPDATE OR DELETE ON {watcher.table}
                FOR EACH ROW EXECUTE FUNCTION {function}();
        """)

    # ------------------------------------------------------------------ reading

    @api.model
    def _abs_cursor(self):
        """A new cursor: this transaction's snapshot, stored; its number is what the pull hands out.

        Odoo's transactions are REPEATABLE READ: the snapshot is the one every read of this pull used.
        """
        self.env.cr.execute("INSERT INTO abs_sync_cursor (snapshot) VALUES (pg_current_snapshot()) RETURNING id")
        return self.env.cr.fetchone()[0]

    @api.model
    def _abs_snapshot(self, cursor):
        """The snapshot a cursor stands for (text), or None: a number no pull gave, or pruned."""
        self.env.cr.execute("SELECT snapshot::text FROM abs_sync_cursor WHERE id = %s", [cursor])
        row = self.env.cr.fetchone()
        return row and row[0]

    @staticmethod
    def _abs_unseen(snapshot):
        """SQL: a log row of a transaction the ``snapshot`` did not see committed (None: every row)."""
        if snapshot is None:
            return SQL("TRUE")
        return SQL(
            "txid >= pg_snapshot_xmin(%s::pg_snapshot)::text::bigint"
            " AND NOT pg_visible_in_snapshot(txid::text::xid8, %s::pg_snapshot)",
            snapshot,
            snapshot,
        )

    @api.model
    def _abs_changes(self, table_name, since, account_ids):
        """{res_id: (created, left_scope)} of the rows of ``table_name`` changed after the snapshot ``since``.

        ``left_scope``: the row left one of ``account_ids`` (None: any) in that window. One query.
        """
        left = SQL("op = 'x'") if account_ids is None else SQL("op = 'x' AND sa_id = ANY(%s)", list(account_ids))
        self.env.cr.execute(
            SQL(
                """SELECT res_id, bool_or(op = 'c'), bool_or(%s)
                     FROM abs_sync_log WHERE table_name = %s AND %s
                    GROUP BY res_id""",
                left,
                table_name,
                self._abs_unseen(since),
            )
        )
        return {res_id: (created, left_scope) for res_id, created, left_scope in self.env.cr.fetchall()}

    @api.model
    def _abs_lost_accounts(self, employee_id, since):
        """SAs whose membership the employee lost after the snapshot ``since``."""
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT sa_id FROM abs_sync_log WHERE table_name = '__membership__' AND res_id = %s AND %s",
                employee_id,
                self._abs_unseen(since),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _abs_changed_since(self, table_name, res_ids, since):
        """Of ``res_ids``, those changed after the snapshot ``since`` (a push's conflicts). One query."""
        if not res_ids:
            return set()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT res_id FROM abs_sync_log
                    WHERE table_name = %s AND res_id = ANY(%s) AND op IN ('c', 'u') AND %s""",
                table_name,
                list(res_ids),
                self._abs_unseen(since),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    # ------------------------------------------------------------------ housekeeping

    @api.model
    def _cron_prune(self, keep_days=90):
        """Forget changes and cursors older than ``keep_days``: a phone that has not synced for that long
        gets ``sync_cursor_expired`` (its cursor is gone) and resyncs in full. Returns the rows forgotten."""
        cr = self.env.cr
        cutoff = SQL("(now() AT TIME ZONE 'UTC') - make_interval(days => %s)", keep_days)
        cr.execute(SQL("DELETE FROM abs_sync_cursor WHERE created_at < %s", cutoff))
        cr.execute(SQL("DELETE FROM abs_sync_log WHERE logged_at < %s", cutoff))
        return cr.rowcount
