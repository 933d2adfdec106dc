#!/usr/bin/env bash
# Run the whole test suite on a fresh database: install abs_connector, then pytest-odoo over real HTTP;
# then the smoke run (scripts/smoke.sh: a real server outside test mode, the demo journey, fuzzing, /api/docs).
# Exits non-zero if either failed; the last line printed is the smoke run's pytest summary.
# Usage: scripts/test.sh [pytest args...]   (the args go to the suite)
# Settings: ABS_TEST_DB (default abs_connector_test), ABS_TEST_REUSE_DB=1, ABS_SKIP_SMOKE=1 (the suite only).
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
check_odoo
check_debian_packages
check_postgres
prepare_addons_path

DB="${ABS_TEST_DB:-abs_connector_test}"
CONF="$BUILD/test-$DB.conf"  # one per database: two runs side by side do not share settings
# A free port of its own: a second run (or `make run`) on the default 8069 would answer this suite's requests.
PORT="$(free_ports 1)"
write_config "$CONF" "$DB" "without_demo = all" "log_level = warn" "workers = 0" "max_cron_threads = 0" \
    "http_interface = 127.0.0.1" "http_port = $PORT"

install_addon "$CONF" "$DB" "${ABS_TEST_REUSE_DB:-0}"

# Collect through the symlinked path so the tests import as odoo.addons.abs_connector.tests.
ADDON="$BUILD/addons/abs_connector"
cd "$BUILD"
export PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}"
# Odoo's threaded server takes at most this many requests at once (the others wait to be accepted):
# each holds a database connection, a login two, so the pool (db_maxconn 64) is never exhausted.
export ODOO_MAX_HTTP_THREADS="${ODOO_MAX_HTTP_THREADS:-24}"
suite=0
"$PYTHON" -m pytest -p no:cacheprovider -p no:schemathesis -p pytest_quiet_odoo --rootdir="$ADDON" \
    --odoo-config="$CONF" --odoo-database="$DB" --odoo-http --odoo-log-level=warn "$ADDON/tests" "$@" || suite=$?
[ "${ABS_SKIP_SMOKE:-0}" = "1" ] && exit "$suite"

[ "$suite" = "0" ] || echo "The test suite failed (pytest exit $suite); the smoke run follows all the same."
echo
smoke=0
"$ROOT/scripts/smoke.sh" || smoke=$?
[ "$suite" = "0" ] && exit "$smoke"
exit "$suite"
