#!/usr/bin/env bash
# Run the whole test suite on a fresh database: install abs_connector, then pytest-odoo over real HTTP.
# Usage: scripts/test.sh [pytest args...]      Database name: ABS_TEST_DB (default abs_connector_test)
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
check_odoo
check_postgres
prepare_addons_path

DB="${ABS_TEST_DB:-abs_connector_test}"
CONF="$BUILD/test.conf"
write_config "$CONF" "$DB" "without_demo = all" "log_level = warn" "workers = 0" "max_cron_threads = 0"

install_addon "$CONF" "$DB" "${ABS_TEST_REUSE_DB:-0}"

# Collect through the symlinked path so the tests import as odoo.addons.abs_connector.tests.
ADDON="$BUILD/addons/abs_connector"
cd "$BUILD"
export PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}"
exec "$PYTHON" -m pytest -p no:cacheprovider -p pytest_quiet_odoo --rootdir="$ADDON" --odoo-config="$CONF" --odoo-database="$DB" \
    --odoo-http --odoo-log-level=warn "$ADDON/tests" "$@"
