"""Print /api/openapi.json without a server or a database: the document is built from the route declarations.

Usage: python3 scripts/contract/dump_openapi.py <addons folder holding abs_connector> [server URL]
"""

import json
import sys

import odoo
from odoo.tools import config


def main():
    addons, url = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8069")
    config.parse_config([f"--addons-path={addons}"])
    odoo.addons.__path__.append(addons)  # odoo.addons.abs_connector without a registry
    from odoo.addons.abs_connector.controllers.openapi import build_openapi  # noqa: PLC0415 (after the path)

    json.dump(build_openapi(url), sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
