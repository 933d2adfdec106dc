#!/usr/bin/env bash
# Beyond one database server: Odoo 18 serves `readonly=True` routes (every GET of the API kit) from a
# PostgreSQL streaming replica (`db_replica_host`/`db_replica_port`). This script shows it for real:
#   1. a fresh demo database on the primary (PGHOST:PGPORT), its statements logged (ALTER DATABASE … SET
#      log_statement = 'all': this database only, reset at the end);
#   2. a hot-standby replica of the primary made by pg_basebackup -R into a temporary data directory,
#      started with pg_ctl as a second instance of this machine's PostgreSQL on a free loopback port;
#   3. Odoo (prefork, 2 workers) against primary + replica, and scripts/replica_check.py: API calls,
#      each between two marker queries, then the statements of both servers' logs counted per call;
#      read-your-writes measured (a GET right after a POST, the replica's replay lag);
#   4. teardown (trap): Odoo stopped, the replica stopped and deleted.
# Exits non-zero when a GET was not read on the replica or a write did not go to the primary.
# The primary must accept replication connections from 127.0.0.1: when it does not, and its pg_hba.conf is
# writable here, the script adds one line (`host replication all 127.0.0.1/32 trust`, the trust the
# loopback already has for every database) and reloads it — once; it changes nothing else on the primary.
# Settings: ABS_REPLICA_DB (abs_connector_replica), ABS_PG_BIN (/usr/lib/postgresql/15/bin),
#   ABS_PG_SUPERUSER (postgres: the role for pg_basebackup, ALTER DATABASE and pg_stat_replication),
#   ABS_PRIMARY_LOG (the primary's server log; default: pg_current_logfile(), else Debian's
#   /var/log/postgresql/postgresql-<version>-main.log), ABS_REPLICA_KEEP=1 (keep the replica's data dir),
#   ABS_REPLICA_REUSE_DB=1 (use the database made by an earlier run instead of installing it again).
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
check_odoo
check_postgres
check_gevent
PG_BIN="${ABS_PG_BIN:-/usr/lib/postgresql/15/bin}"
for tool in pg_basebackup pg_ctl postgres psql; do
    [ -x "$PG_BIN/$tool" ] || die "$PG_BIN/$tool is missing: install the PostgreSQL server binaries of the primary's version (Debian: apt-get install postgresql-15) or set ABS_PG_BIN."
done
SUPER="${ABS_PG_SUPERUSER:-postgres}"
# The replica instance runs as the postgres OS user when we are root (PostgreSQL refuses root), else as us.
if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || die "no 'postgres' OS user to run the replica instance as: run this script as a non-root user."
    AS_PG=(runuser -u postgres --)
else
    AS_PG=()
fi
psql_super() { "$PG_BIN/psql" -h "$PGHOST" -p "$PGPORT" -U "$SUPER" -d postgres -X -At -v ON_ERROR_STOP=1 "$@"; }
psql_super -c 'SELECT 1' >/dev/null 2>&1 \
    || die "cannot connect to the primary as the superuser role '$SUPER' on $PGHOST:$PGPORT: set ABS_PG_SUPERUSER (and PGPASSWORD if needed)."
PG_VERSION="$(psql_super -c "SELECT current_setting('server_version_num')::int / 10000")"
[ "$("$PG_BIN/postgres" --version | grep -oE '[0-9]+' | head -n 1)" = "$PG_VERSION" ] \
    || die "$PG_BIN is not PostgreSQL $PG_VERSION (the primary's version): set ABS_PG_BIN to the primary's binaries."
[ "$(psql_super -c 'SHOW wal_level')" != "minimal" ] \
    || die "the primary has wal_level = minimal: set wal_level = replica in its postgresql.conf and restart it."
PRIMARY_LOG="${ABS_PRIMARY_LOG:-$(psql_super -c "SELECT coalesce(current_setting('data_directory') || '/' || pg_current_logfile(), '')")}"
[ -n "$PRIMARY_LOG" ] || PRIMARY_LOG="/var/log/postgresql/postgresql-$PG_VERSION-main.log"
[ -r "$PRIMARY_LOG" ] || die "cannot read the primary's server log $PRIMARY_LOG: set ABS_PRIMARY_LOG to it."
psql_super -c 'SHOW log_line_prefix' | grep -q '%d' \
    || die "the primary's log_line_prefix has no %d (database name): the script cannot tell its statements from others'."
prepare_addons_path

DB="${ABS_REPLICA_DB:-abs_connector_replica}"
CONF="$BUILD/replica.conf"
LOG="$BUILD/replica-server.log"
{ read -r PORT; read -r GEVENT_PORT; read -r REPLICA_PORT; } < <(free_ports 3)

# 1. The demo database, on the primary, as `make run` makes it.
write_config "$CONF" "$DB" "http_interface = 127.0.0.1" "http_port = $PORT" "gevent_port = $GEVENT_PORT" \
    "workers = 2" "max_cron_threads = 0"
if [ "${ABS_REPLICA_REUSE_DB:-0}" = "1" ] && [ "$(psql_super -c "SELECT count(*) FROM pg_database WHERE datname = '$DB'")" = "1" ]; then
    echo "Reusing the database $DB (ABS_REPLICA_REUSE_DB=1)."
else
    install_addon "$CONF" "$DB" 0
fi

# 2. The replica.
if ! "$PG_BIN/psql" "host=$PGHOST port=$PGPORT user=$SUPER dbname=postgres replication=true" -X -At \
    -c 'IDENTIFY_SYSTEM' >/dev/null 2>&1; then
    HBA="$(psql_super -c 'SHOW hba_file')"
    [ -w "$HBA" ] || die "the primary refuses replication connections from $PGHOST: add 'host replication all 127.0.0.1/32 trust' (or md5) to $HBA and reload it."
    echo "primary: adding 'host replication all 127.0.0.1/32 trust' to $HBA and reloading it (once; nothing else changes)"
    printf '# Added by abs_connector scripts/replica.sh: streaming replicas on this machine.\nhost replication all 127.0.0.1/32 trust\n' >> "$HBA"
    psql_super -c 'SELECT pg_reload_conf()' >/dev/null
    sleep 1
fi
REPLICA_DIR="$(mktemp -d /tmp/abs_connector_replica.XXXXXX)"
REPLICA_LOG="$REPLICA_DIR.log"
[ "${#AS_PG[@]}" = 0 ] || chown postgres: "$REPLICA_DIR"
: > "$REPLICA_LOG"
[ "${#AS_PG[@]}" = 0 ] || chown postgres: "$REPLICA_LOG"
chmod 700 "$REPLICA_DIR"
teardown() {
    stop_server
    if [ -f "$REPLICA_DIR/postmaster.pid" ]; then
        "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >/dev/null 2>&1 || true
    fi
    psql_super -c "ALTER DATABASE \"$DB\" RESET log_statement" >/dev/null 2>&1 || true
    if [ "${ABS_REPLICA_KEEP:-0}" != "1" ]; then
        rm -rf "$REPLICA_DIR"
    fi
}
on_exit teardown
psql_super -c "ALTER DATABASE \"$DB\" SET log_statement = 'all'" >/dev/null

echo "Copying the primary with pg_basebackup -R into $REPLICA_DIR ..."
"${AS_PG[@]}" "$PG_BIN/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U "$SUPER" -D "$REPLICA_DIR" -R -X stream -c fast \
    || die "pg_basebackup from $PGHOST:$PGPORT failed (see above)."
# Settings a hot standby must not have lower than its primary's.
SETTINGS="$(psql_super -c "SELECT string_agg(name || ' = ' || setting, E'\n') FROM pg_settings WHERE name IN
    ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions',
     'max_locks_per_transaction')")"
# Debian keeps the primary's configuration outside its data directory: the replica gets its own.
"${AS_PG[@]}" tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
# The abs_connector replica (scripts/replica.sh): a hot standby on loopback, every statement logged.
listen_addresses = '127.0.0.1'
port = $REPLICA_PORT
unix_socket_directories = '$REPLICA_DIR'
hot_standby = on
shared_buffers = 64MB
log_statement = 'all'
log_line_prefix = '%m [%p] %q%u@%d '
$SETTINGS
EOF
"${AS_PG[@]}" tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_LOG" -w -t 60 start >/dev/null \
    || { tail -n 20 "$REPLICA_LOG" >&2; die "the replica did not start: see $REPLICA_LOG"; }
for _ in $(seq 1 30); do
    [ "$(psql_super -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" != "0" ] && break
    sleep 1
done
"$PG_BIN/psql" -h 127.0.0.1 -p "$REPLICA_PORT" -U "$PGUSER" -d "$DB" -X -At -c 'SELECT pg_is_in_recovery()' | grep -q t \
    || die "the replica on port $REPLICA_PORT is not a streaming hot standby of the primary: see $REPLICA_LOG"
echo "Replica streaming on 127.0.0.1:$REPLICA_PORT (log $REPLICA_LOG)."

# 3. Odoo against primary + replica.
write_config "$CONF" "$DB" "http_interface = 127.0.0.1" "http_port = $PORT" "gevent_port = $GEVENT_PORT" \
    "workers = 2" "max_cron_threads = 0" "db_replica_host = 127.0.0.1" "db_replica_port = $REPLICA_PORT"
echo "Starting Odoo (2 workers, db_replica_port = $REPLICA_PORT) on http://127.0.0.1:$PORT, log in $LOG ..."
start_server "$CONF" "$DB" "$LOG"
wait_for_server "http://127.0.0.1:$PORT/web/health" "$LOG"

"$PYTHON" "$ROOT/scripts/replica_check.py" --url "http://127.0.0.1:$PORT" --db "$DB" \
    --primary-port "$PGPORT" --replica-port "$REPLICA_PORT" --superuser "$SUPER" \
    --primary-log "$PRIMARY_LOG" --replica-log "$REPLICA_LOG" --odoo-log "$LOG"
