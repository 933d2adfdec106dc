#!/usr/bin/env bash
# Start abs_connector with demo data: (re)create the database, install, print how to reach /api, serve.
# Settings: ABS_DB (default abs_connector_demo), ABS_HTTP_PORT (default 8069), ABS_KEEP_DB=1 to reuse the database.
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
check_odoo
check_debian_packages
check_postgres
prepare_addons_path

DB="${ABS_DB:-abs_connector_demo}"
PORT="${ABS_HTTP_PORT:-8069}"
CONF="$BUILD/run.conf"
# Odoo's threaded server: one port serves the API, the backend and its live bus (websocket). (The prefork
# server needs a proxy sending /websocket to its gevent port; without one the backend logs an error a page.)
write_config "$CONF" "$DB" "http_interface = 127.0.0.1" "http_port = $PORT" "workers = 0"

install_addon "$CONF" "$DB" "${ABS_KEEP_DB:-0}"
# Attachments in the database, as on several nodes (README "More than one machine"): one way to run.
store_attachments_in_db "$CONF" "$DB"

API_KEY="$(generate_api_key "$CONF" "$DB" "demo key (scripts/run.sh)")"

cat <<MSG

abs_connector is starting on http://127.0.0.1:$PORT  (database $DB)
  API base URL   http://127.0.0.1:$PORT/api
  API docs       http://127.0.0.1:$PORT/api/docs     (OpenAPI: /api/openapi.json)
  Backend        http://127.0.0.1:$PORT/odoo         (admin / admin)
  Backend users (password demo1234), one per door:
    wh.user        Inventory / User only          validates deliveries of every SA
    billing.user   Invoicing / Billing only       posts, credits and collects invoices of every SA
    accountant     Accounting / Accountant        reconciles payments and bank lines
    tg.backoffice  Sales + SA Officer of SA Togo  sees and approves SA Togo's records only
  Employee logins (password demo1234): tg.manager (staff, SA Togo), tg.agent (agent, SA Togo), ke.agent (agent, SA Kenya)
  Customer login: phone +228 91 23 45 67, PIN 1234 (Marie Dupont)
  API key (X-API-KEY): $API_KEY

  Try:  curl -s -X POST http://127.0.0.1:$PORT/api/auth/login -H 'Content-Type: application/json' \\
             -d '{"login": "tg.agent", "password": "demo1234"}'
Stop with Ctrl-C.
MSG
LOG="$BUILD/run-server.log"
# The threaded server takes at most this many requests at once, the others wait to be accepted: each
# holds a database connection (a login two), so a burst never exhausts the pool (db_maxconn 64).
export ODOO_MAX_HTTP_THREADS="${ODOO_MAX_HTTP_THREADS:-24}"
start_server "$CONF" "$DB" "$LOG"
on_exit stop_server
trap "exit 130" INT TERM  # Ctrl-C: exit, and the exit stops the server
# One request first: Odoo builds its table of static files on the first one, and on Python 3.11.7 threads
# building it at once (a browser's first burst) can fail with CPython's "AST constructor recursion depth
# mismatch" race.
wait_for_server "http://127.0.0.1:$PORT/web/static/img/favicon.ico" "$LOG"
echo "Serving; the server log is $LOG."
wait "$SERVER_PID"
