#!/usr/bin/env bash
# Create the PostgreSQL role the scripts connect as (PGUSER, default odoo) when it is missing and the postgres
# role is reachable without a password (trust authentication, as on a CI machine); else one line saying what
# to do. Used by .ci/run. Settings: PGHOST, PGPORT, PGUSER.
set -euo pipefail
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-odoo}"
command -v psql > /dev/null || { echo "psql not found (Debian: apt-get install postgresql-client): cannot check the role $PGUSER." >&2; exit 0; }
psql -w -U "$PGUSER" -d postgres -tAc 'SELECT 1' > /dev/null 2>&1 && exit 0
if psql -w -U postgres -d postgres -tAc 'SELECT 1' > /dev/null 2>&1; then
    echo "Creating the PostgreSQL role $PGUSER (LOGIN CREATEDB SUPERUSER)."
    psql -w -U postgres -d postgres -qc "CREATE ROLE \"$PGUSER\" LOGIN CREATEDB SUPERUSER"
else
    echo "error: PostgreSQL on $PGHOST:$PGPORT has no role '$PGUSER' it lets in, and the postgres role cannot create it without a password: create it with 'createuser --createdb $PGUSER' as the postgres user (or start PostgreSQL)." >&2
    exit 2
fi
