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

API_KEY="$(generate_api_key "$CONF" "$DB" "demo key (scripts/run.sh)")"

cat <<MSG

abs_connector is starting on http://127.0.0.1:$PORT  (database $DB)
  API base URL   http://127.0.0.1:$PORT/api
  API docs       http://127.0.0.1:$PORT/api/docs     (OpenAPI: /api/openapi.json)
  Backend        http://127.0.0.1:$PORT/odoo         (admin / admin)
  Employee logins (password demo1234): tg.manager (staff, SA Togo), tg.agent (agent, SA Togo), ke.agent (agent, SA Kenya)
  Customer login: phone +228 91 23 45 67, PIN 1234 (Marie Dupont)
  API key (X-API-KEY): $API_KEY

  Try:  curl -s -X POST http://127.0.0.1:$PORT/api/auth/login -H 'Content-Type: application/json' \\
             -d '{"login": "tg.agent", "password": "demo1234"}'
Stop with Ctrl-C.
MSG
LOG="$BUILD/run-server.log"
start_server "$CONF" "$DB" "$LOG"
trap stop_server EXIT INT TERM
# One request first: Odoo builds its table of static files on the first one, and on Python 3.11.7 threads
# building it at once (a browser's first burst) can fail with CPython's "AST constructor recursion depth
# mismatch" race.
wait_for_server "http://127.0.0.1:$PORT/web/static/img/favicon.ico" "$LOG"
echo "Serving; the server log is $LOG."
wait "$SERVER_PID"
