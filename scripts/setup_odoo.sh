#!/usr/bin/env bash
# Build .build/venv with Odoo 18 when the configured Python (ABS_PYTHON, default python3) has no Odoo: what
# `make run` and `make test` do first. Settings: ABS_PYTHON, ODOO_SOURCE, ODOO_BRANCH (see scripts/_common.sh).
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
ensure_odoo
