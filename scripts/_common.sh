# Shared by scripts/run.sh and scripts/test.sh: find (or build) Odoo 18, check PostgreSQL and the Debian
# packages, prepare the addons path.
# Settings (environment variables, all optional):
#   ABS_PYTHON        python interpreter to use                                (default: python3)
#                     When it cannot `import odoo` (18), a virtualenv .build/venv is built from it with Odoo 18
#                     installed from ODOO_SOURCE, and used instead (see ensure_odoo).
#   ODOO_SOURCE       where that Odoo comes from: a git URL (shallow clone of ODOO_BRANCH), a local source folder
#                     or an archive (.tar.gz, .tgz, .tar.xz, .tar, .zip)      (default: Odoo's official repository)
#   ODOO_BRANCH       the branch cloned from a git URL                         (default: 18.0)
#   ODOO_ADDONS_PATH  Odoo's own addons folders, comma-separated           (default: found next to the odoo package)
#   PGHOST PGPORT PGUSER PGPASSWORD   PostgreSQL connection                (default: 127.0.0.1 5432 odoo -)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${ABS_PYTHON:-python3}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-odoo}"
BUILD="$ROOT/.build"
VENV="$BUILD/venv"

die() { echo "error: $*" >&2; exit 2; }

odoo_importable() {
    "$1" -c 'import odoo.release, sys; sys.exit(0 if odoo.release.version_info[0] == 18 else 1)' 2>/dev/null
}

# ensure_odoo: use $PYTHON when it has Odoo 18, else .build/venv, building it first when needed. Each step
# prints what it does and leaves a marker in .build/venv/.abs-setup/, so an interrupted build resumes at the
# step that did not finish.
ensure_odoo() {
    odoo_importable "$PYTHON" && return 0
    local marks="$VENV/.abs-setup"
    local addon_mark
    addon_mark="addon-requirements-$(cksum < "$ROOT/requirements.txt" | cut -d' ' -f1)"
    local mark built=1
    for mark in venv odoo-requirements odoo gevent "$addon_mark"; do [ -f "$marks/$mark" ] || built=0; done
    if [ "$built" = 1 ] && odoo_importable "$VENV/bin/python"; then
        PYTHON="$VENV/bin/python"
        return 0
    fi
    command -v "$PYTHON" > /dev/null || die "no Python found as '$PYTHON': install Python 3.11 or newer (Debian: apt-get install python3 python3-venv) or set ABS_PYTHON."
    "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
        || die "$PYTHON is Python $("$PYTHON" -c 'import platform; print(platform.python_version())'); Odoo 18 here needs Python 3.11 or newer: set ABS_PYTHON to one."
    local log="$BUILD/odoo-setup.log"
    mkdir -p "$BUILD"
    echo "Odoo 18 is not importable by $PYTHON: building $VENV with Odoo from ${ODOO_SOURCE:-its official 18.0 branch} (log: $log)."

    # 1. the virtualenv, without the system's site-packages
    if [ ! -f "$marks/venv" ]; then
        echo "  [1/6] creating the virtualenv $VENV"
        rm -rf "$VENV"
        "$PYTHON" -m venv "$VENV" >> "$log" 2>&1 \
            || die "'$PYTHON -m venv' failed (Debian: apt-get install python3-venv); see $log."
        mkdir -p "$marks" && touch "$marks/venv"
    else
        echo "  [1/6] virtualenv $VENV: done before"
    fi
    local py="$VENV/bin/python"

    # 2. Odoo's source: a local folder is used where it is; an archive is unpacked, a git URL cloned (shallow)
    local source="${ODOO_SOURCE:-https://github.com/odoo/odoo.git}" src
    if [ -d "$source" ]; then
        src="$(cd "$source" && pwd)"
        [ -f "$src/setup.py" ] && [ -f "$src/odoo/release.py" ] && [ -f "$src/requirements.txt" ] \
            || die "ODOO_SOURCE=$source is not an Odoo source folder (no setup.py, odoo/release.py, requirements.txt)."
        echo "  [2/6] Odoo source: the folder $src"
    else
        src="$BUILD/odoo-src"
        if [ -f "$marks/source" ] && [ "$(cat "$marks/source")" = "$source" ]; then
            echo "  [2/6] Odoo source $src: done before"
        elif [ -f "$source" ]; then
            echo "  [2/6] unpacking the archive $source into $src"
            rm -rf "$src" "$src.partial" && mkdir -p "$src.partial"
            case "$source" in
                *.zip) "$PYTHON" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
                           "$source" "$src.partial" >> "$log" 2>&1 ;;
                *) tar -xf "$source" -C "$src.partial" >> "$log" 2>&1 ;;
            esac || die "could not unpack $source (ODOO_SOURCE): see $log."
            # an archive holds the source folder itself, or one folder that does
            if [ ! -f "$src.partial/setup.py" ] && [ "$(find "$src.partial" -mindepth 1 -maxdepth 1 | wc -l)" = 1 ]; then
                mv "$src.partial" "$src.outer" && mv "$src.outer"/* "$src.partial" && rm -rf "$src.outer"
            fi
            [ -f "$src.partial/setup.py" ] || die "the archive $source (ODOO_SOURCE) holds no Odoo source (no setup.py)."
            mv "$src.partial" "$src" && echo "$source" > "$marks/source"
        else
            command -v git > /dev/null || die "git is missing to clone $source (Debian: apt-get install git), or set ODOO_SOURCE to a local Odoo 18 folder or archive."
            echo "  [2/6] cloning Odoo ${ODOO_BRANCH:-18.0} from $source (shallow) into $src"
            rm -rf "$src" "$src.partial"
            git clone --quiet --depth 1 --branch "${ODOO_BRANCH:-18.0}" "$source" "$src.partial" >> "$log" 2>&1 \
                || die "could not clone $source (no network?): connect, or set ODOO_SOURCE to a local Odoo 18 folder or archive; see $log."
            mv "$src.partial" "$src" && echo "$source" > "$marks/source"
        fi
    fi

    # 3. Odoo's requirements, with the pins known to work on Python 3.11 and 3.12: cbor2 5.4.2 does not build
    # on 3.11 (5.6.2 does), python-ldap needs the LDAP headers and only the auth_ldap addon uses it.
    local reqs="$marks/odoo-requirements.txt"
    if [ ! -f "$marks/odoo-requirements" ]; then
        echo "  [3/6] installing Odoo's Python requirements (cbor2 5.6.2 for 5.4.2, without python-ldap)"
        sed -e 's/^cbor2==5\.4\.2/cbor2==5.6.2/' -e '/^python-ldap/d' "$src/requirements.txt" > "$reqs"
        pip_step "$py" "$log" install -r "$reqs"
        touch "$marks/odoo-requirements"
    else
        echo "  [3/6] Odoo's Python requirements: done before"
    fi

    # 4. Odoo itself, editable, without touching the pins above
    if [ ! -f "$marks/odoo" ]; then
        echo "  [4/6] installing Odoo from $src (pip install --no-deps -e)"
        pip_step "$py" "$log" install --no-deps -e "$src"
        touch "$marks/odoo"
    else
        echo "  [4/6] Odoo: done before"
    fi

    # 5. gevent 22 (Python 3.11) loads only with zope.interface<7 and zope.event 5.0; zope.event 6 is not found by
    # older setuptools' pkg_resources, and without --no-deps pip may upgrade setuptools past it (see README).
    if [ ! -f "$marks/gevent" ]; then
        echo "  [5/6] pinning zope.interface<7 and zope.event 5.0 for gevent"
        pip_step "$py" "$log" install "zope.interface<7"
        pip_step "$py" "$log" install --no-deps "zope.event==5.0"
        touch "$marks/gevent"
    else
        echo "  [5/6] gevent's pins: done before"
    fi

    # 6. the addon's requirements, constrained by Odoo's pins so that none of them moves
    echo "  [6/6] installing the addon's requirements ($ROOT/requirements.txt)"
    pip_step "$py" "$log" install -r "$ROOT/requirements.txt" -c "$reqs"
    rm -f "$marks"/addon-requirements-* && touch "$marks/$addon_mark"

    odoo_importable "$py" || die "Odoo 18 is still not importable by $py after the build: see $log."
    echo "Odoo 18 ready in $VENV."
    PYTHON="$py"
}

# pip_step PYTHON LOG ARGS...: pip ARGS into LOG; on failure, one line saying what to do.
pip_step() {
    local py="$1" log="$2"; shift 2
    echo "\$ pip $*" >> "$log"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$py" -m pip "$@" >> "$log" 2>&1 && return 0
    local tail
    tail="$(tail -n 60 "$log")"
    case "$tail" in
        *"pg_config executable not found"*)
            die "psycopg2 cannot be built: apt-get install libpq-dev gcc (then run the command again; it resumes)." ;;
        *"Python.h: No such file"*)
            die "a package cannot be built without Python's headers: apt-get install python3-dev (then run the command again)." ;;
        *"command 'gcc' failed"* | *"gcc: not found"* | *"No such file or directory: 'gcc'"* | *"error: command 'x86_64-linux-gnu-gcc'"*)
            die "a package needs a C compiler: apt-get install build-essential (then run the command again)." ;;
        *"Failed to establish a new connection"* | *"Temporary failure in name resolution"* | *"Network is unreachable"* | *"No matching distribution found"* | *"Could not find a version that satisfies"*)
            die "pip could not download a package (no network?): connect, or point PIP_INDEX_URL / PIP_FIND_LINKS at a local mirror or wheel folder, then run the command again (it resumes); see $log." ;;
        *) die "'pip $*' failed: see the end of $log (run the command again once fixed: it resumes)." ;;
    esac
}

check_odoo() {
    ensure_odoo
    "$PYTHON" -c 'import jwt, pydantic, swagger_ui, pytest_odoo, schemathesis' 2>/dev/null \
        || die "the addon's Python dependencies are missing: run '$PYTHON -m pip install -r $ROOT/requirements.txt'."
}

# check_debian_packages: what Odoo runs beside Python (PDF reports).
check_debian_packages() {
    command -v wkhtmltopdf > /dev/null \
        || die "wkhtmltopdf is missing (Odoo renders its PDF reports with it): apt-get install wkhtmltopdf."
}

check_postgres() {
    local reason
    reason="$("$PYTHON" - <<'PY' 2>&1
import os, psycopg2
try:
    psycopg2.connect(dbname="postgres", host=os.environ["PGHOST"], port=os.environ["PGPORT"],
                     user=os.environ["PGUSER"], password=os.environ.get("PGPASSWORD") or None).close()
except psycopg2.OperationalError as exc:
    print("role" if "does not exist" in str(exc) and "role" in str(exc) else "unreachable")
PY
)" || die "PostgreSQL cannot be checked with $PYTHON (psycopg2): $reason"
    case "$reason" in
        role) die "PostgreSQL has no role '$PGUSER': create it once with 'createuser --createdb $PGUSER' as the postgres user (e.g. sudo -u postgres createuser --createdb $PGUSER), or set PGUSER." ;;
        unreachable) die "PostgreSQL is not reachable as role '$PGUSER' on $PGHOST:$PGPORT: start it (Debian: apt-get install postgresql), or set PGHOST/PGPORT/PGUSER/PGPASSWORD." ;;
    esac
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

# store_attachments_in_db CONF DB: attachments (PDFs, images, the backend's asset bundles) kept in the
# database (ir_attachment.location = db) and the ones already written moved there: several Odoo nodes on
# one database share no disk, and every node then serves every file (README "More than one machine").
store_attachments_in_db() {
    local conf="$1" db="$2"
    odoo_bin shell -c "$conf" -d "$db" --no-http --log-level=error <<'PY' > /dev/null
env["ir.config_parameter"].set_param("ir_attachment.location", "db")
env["ir.attachment"].force_storage()
env.cr.commit()
PY
}

# ensure_locust: Locust (the load client) in its own virtualenv .build/load-venv, (re)installed when
# bench/requirements-load.txt changes; its folder in LOCUST_VENV. Odoo's prefork server needs gevent 22 /
# greenlet 2, Locust newer ones, so they cannot share one environment.
LOCUST_VENV="$BUILD/load-venv"
ensure_locust() {
    local reqs="$ROOT/bench/requirements-load.txt"
    cmp -s "$reqs" "$LOCUST_VENV/requirements-load.txt" 2>/dev/null && return 0
    echo "Installing Locust into $LOCUST_VENV ..."
    rm -rf "$LOCUST_VENV"
    "$PYTHON" -m venv "$LOCUST_VENV" || die "could not create a virtualenv with '$PYTHON -m venv' (Debian: apt-get install python3-venv)."
    "$LOCUST_VENV/bin/pip" install -q -r "$reqs" > "$BUILD/load-venv-install.log" 2>&1 \
        || die "could not install $reqs into $LOCUST_VENV (pip needs PyPI): see $BUILD/load-venv-install.log"
    cp "$reqs" "$LOCUST_VENV/requirements-load.txt"
}

# server_log_errors LOG: print "RETRIES ERRORS" of an Odoo server log. Odoo logs a serialization failure it
# retries (REPEATABLE READ, two requests on one row) as an ERROR "bad query … could not serialize access":
# counted apart; any other ERROR or traceback counts as an error.
server_log_errors() {
    awk '
        / ERROR .*odoo\.sql_db: bad query/ { pending = 1; next }
        pending && /could not serialize access/ { retries++; pending = 0; next }
        pending { errors++; pending = 0 }
        / (ERROR|CRITICAL) |^Traceback/ { errors++ }
        END { print retries + 0, errors + 0 }' "$1"
}
