#!/usr/bin/env bash
# docker-compose: the postgres image runs this once, when it initialises an empty data volume, before any service
# migrates. It creates the read-only role BI tools connect as (docs/reporting.md); each service's migrations grant
# it SELECT on their reporting views only.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v pw="${REPORTING_PASSWORD:-mediabill-reporting}" <<'SQL'
CREATE ROLE mediabill_reporting LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'pw';
ALTER ROLE mediabill_reporting SET default_transaction_read_only = on;
SQL
