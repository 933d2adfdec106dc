# Shared by scripts/run.sh and scripts/test.sh: find Odoo 18 and PostgreSQL, prepare the addons path.
# Settings (environment variables, all optional):
#   ABS_PYTHON        python interpreter that can `import odoo`           (default: python3)
#   ODOO_ADDONS_PATH  Odoo's own addons folders, comma-separated           (default: found next to the odoo package)
#   PGHOST PGPORT PGUSER PGPASSWORD   PostgreSQL connection                (default: 127.0.0.1 5432 odoo -)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${ABS_PYTHON:-python3}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-odoo}"
BUILD="$ROOT/.build"

die() { echo "error: $*" >&2; exit 2; }

check_odoo() {
    "$PYTHON" -c 'import odoo.release, sys; sys.exit(0 if odoo.release.version_info[0] == 18 else 1)' 2>/dev/null \
        || die "Odoo 18 is not importable by $PYTHON: install Odoo 18.0 (e.g. 'pip install -e <odoo-18.0 source>') or set ABS_PYTHON to a Python that has it."
    "$PYTHON" -c 'import jwt, pydantic, swagger_ui, pytest_odoo, schemathesis' 2>/dev/null \
        || die "the addon's Python dependencies are missing: run '$PYTHON -m pip install -r $ROOT/requirements.txt'."
}

check_postgres() {
    "$PYTHON" - <<'PY' 2>/dev/null || die "PostgreSQL is not reachable as role '$PGUSER' on $PGHOST:$PGPORT: start it, or create the role ('createuser -s $PGUSER' as the postgres user), or set PGHOST/PGPORT/PGUSER/PGPASSWORD."
import os, psycopg2
psycopg2.connect(dbname="postgres", host=os.environ["PGHOST"], port=os.environ["PGPORT"],
                 user=os.environ["PGUSER"], password=os.environ.get("PGPASSWORD") or None).close()
PY
    [ "$PGUSER" != "postgres" ] || die "Odoo refuses to run as the 'postgres' role: set PGUSER to another role with CREATEDB."
}

# Odoo loads a module from a folder named after it: expose this checkout as .build/addons/abs_connector.
prepare_addons_path() {
    mkdir -p "$BUILD/addons"
    ln -sfn "$ROOT" "$BUILD/addons/abs_connector"
    local core
    core="${ODOO_ADDONS_PATH:-$("$PYTHON" - <<'PY'
import os, odoo
base = os.path.dirname(os.path.abspath(odoo.__file__))
paths = [os.path.join(base, "addons")]
sibling = os.path.join(os.path.dirname(base), "addons")
if os.path.isdir(os.path.join(sibling, "sale_management")):
    paths.append(sibling)
print(",".join(paths))
PY
)}"
    ADDONS_PATH="$BUILD/addons,$core"
}

# write_config FILE DBNAME [extra lines...]
write_config() {
    local file="$1" db="$2"; shift 2
    mkdir -p "$(dirname "$file")"
    {
        echo "[options]"
        echo "addons_path = $ADDONS_PATH"
        echo "db_host = $PGHOST"
        echo "db_port = $PGPORT"
        echo "db_user = $PGUSER"
        echo "db_password = ${PGPASSWORD:-False}"
        echo "db_name = $db"
        echo "dbfilter = ^$db\$"
        echo "data_dir = $BUILD/data"
        echo "list_db = False"
        for line in "$@"; do echo "$line"; done
    } > "$file"
}

odoo_bin() {
    "$PYTHON" -c 'import sys, odoo.cli; sys.argv[0] = "odoo"; odoo.cli.main()' "$@"
}

recreate_db() {
    local db="$1"
    "$PYTHON" - "$db" <<'PY'
import os, sys, psycopg2
db = sys.argv[1]
cnx = psycopg2.connect(dbname="postgres", host=os.environ["PGHOST"], port=os.environ["PGPORT"],
                       user=os.environ["PGUSER"], password=os.environ.get("PGPASSWORD") or None)
cnx.autocommit = True
with cnx.cursor() as cr:
    cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [db])
    cr.execute(f'DROP DATABASE IF EXISTS "{db}"')
    cr.execute(f"CREATE DATABASE \"{db}\" ENCODING 'UTF8' TEMPLATE template0")
PY
    rm -rf "$BUILD/data/filestore/$db"
}

# install_addon CONF DB KEEP: install abs_connector in a fresh DB, or update it when KEEP=1.
install_addon() {
    local conf="$1" db="$2" keep="$3"
    if [ "$keep" = "1" ]; then
        echo "Updating abs_connector in the existing database $db..."
        odoo_bin -c "$conf" -d "$db" -u abs_connector --stop-after-init --no-http --log-level=warn
    else
        echo "Creating database $db and installing abs_connector (a minute or two)..."
        recreate_db "$db"
        odoo_bin -c "$conf" -d "$db" -i abs_connector --stop-after-init --no-http --log-level=warn
    fi
}

# free_ports N: N distinct free TCP ports on the loopback interface, one per line.
free_ports() {
    "$PYTHON" - "$1" <<'PY'
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))  # all held open at once, so the ports differ
print("\n".join(str(s.getsockname()[1]) for s in sockets))
for s in sockets:
    s.close()
PY
}

# generate_api_key CONF DB DESCRIPTION: print a new Odoo API key of the technical user abs_connector.user_api.
generate_api_key() {
    local conf="$1" db="$2" description="$3"
    DESCRIPTION="$description" odoo_bin shell -c "$conf" -d "$db" --no-http --log-level=error <<'PY' | tail -n 1
import os
user = env.ref("abs_connector.user_api")
key = env["res.users.apikeys"].with_user(user).sudo()._generate("rpc", os.environ["DESCRIPTION"], None)
env.cr.commit()
print(key)
PY
}

# on_exit COMMAND: run COMMAND (a function name or a short command) when the script exits, keeping the
# script's own exit status. A bare `trap ... EXIT` under `set -e` does not: a cleanup command that fails
# (killing a server already stopped, waiting on a pid already reaped) ends the trap with its status, and
# the script exits 1 after every check held. A cleanup that fails is reported on stderr, never as the
# script's status: 0 means every check held, whatever the teardown met.
on_exit() {
    # shellcheck disable=SC2064 # COMMAND is expanded now, the status when the script exits
    trap "__abs_status=\$?; set +e; { $1; } || echo 'teardown: $1 failed (ignored)' >&2; exit \$__abs_status" EXIT
}

# Odoo's multi-worker (prefork) server, as in production: one request per worker process at a time.
check_gevent() {
    "$PYTHON" -c 'import gevent.monkey; gevent.monkey.patch_all()' 2>/dev/null \
        || die "gevent, one of Odoo's own requirements, does not load (Odoo's multi-worker server runs a gevent process): see the README's prerequisites (gevent 22.10.2, greenlet 2.0.2, zope.interface<7, zope.event 5.0); the error: $PYTHON -c 'import gevent.monkey; gevent.monkey.patch_all()'."
}

# prefork_launcher: print the path of a launcher file for the prefork server, which starts its gevent
# process by running sys.argv[0] again (it must be a real file).
prefork_launcher() {
    local launcher="$BUILD/odoo-server.py"
    mkdir -p "$BUILD"
    printf 'import odoo.cli\n\nodoo.cli.main()\n' > "$launcher"
    echo "$launcher"
}

# start_server CONF DB LOG: Odoo's prefork server in the background, logging to LOG; its pid in SERVER_PID.
SERVER_PID=""
start_server() {
    local conf="$1" db="$2" log="$3" launcher
    launcher="$(prefork_launcher)"
    rm -f "$log"
    "$PYTHON" "$launcher" -c "$conf" -d "$db" --logfile="$log" --log-level=info >> "$log" 2>&1 &
    SERVER_PID=$!
}

# stop_server: stop the server of start_server (TERM, then KILL after 15 s); does nothing when none runs.
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    if kill -TERM "$SERVER_PID" 2>/dev/null; then
        for _ in $(seq 1 30); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    { wait "$SERVER_PID"; } 2>/dev/null || true
    SERVER_PID=""
}

# wait_for_server URL LOG: until URL answers (3 minutes at most); dies if the server stops first.
wait_for_server() {
    local url="$1" log="$2"
    for _ in $(seq 1 180); do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 "$log" >&2; die "Odoo stopped while starting: see $log"; }
        curl -fs -o /dev/null "$url" && return 0
        sleep 1
    done
    die "Odoo did not answer on $url within 3 minutes: see $log"
}
