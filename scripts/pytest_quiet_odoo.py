"""pytest plugin loaded by scripts/test.sh (-p pytest_quiet_odoo): silences a false alarm of Odoo."""

import logging


class _DropEarlyTestFrameworkImportAlarm(logging.Filter):
    """pytest-odoo imports odoo.tests before it enables test mode; Odoo then logs a false ERROR."""

    def filter(self, record):
        return "Importing test framework" not in record.getMessage()


logging.getLogger("odoo.tests.common").addFilter(_DropEarlyTestFrameworkImportAlarm())
