# shellcheck shell=bash
# A private PostgreSQL cluster under DIR/pg: data in DIR/pg/data, socket in DIR/pg/run, log in DIR/logs/postgres.log.

PG_USER=mediabill
PG_DB=mediabill

pg_url() { echo "postgresql+asyncpg://$PG_USER@127.0.0.1:$1/$PG_DB"; }

# postgres refuses to run as root, so as root the server tools run as the `postgres` OS user.
# `cd /` because that user may not be allowed into the caller's working directory.
as_pg() {
  if ((EUID == 0)); then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_own() { if ((EUID == 0)); then chown -R postgres: "$@"; fi; }

# pg_pid DIR: the postmaster's pid if it runs. pg_ctl status would trust any live process that reused
# the pid after a crash, so check that the pid really is a postgres.
pg_pid() {
  local pidfile=$1/pg/data/postmaster.pid pid
  [[ -f $pidfile ]] || return 1
  pid=$(head -n 1 "$pidfile" 2>/dev/null)
  if [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == postgres ]]; then
    echo "$pid"
    return 0
  fi
  # Stale lock file from a crash: the server would refuse to start if a live pid matched it.
  rm -f "$pidfile"
  return 1
}

# pg_start DIR PORT [ephemeral]: initdb on first use, start, create the database.
# "ephemeral" trades durability for speed (the test stack throws the cluster away anyway).
pg_start() {
  local dir port=$2 mode=${3:-durable}
  dir=$(realpath -m "$1")
  local bin data=$dir/pg/data log=$dir/logs/postgres.log t0
  t0=$(now_ms)
  bin=$(pg_bindir) || stack_die "no PostgreSQL server binaries (run ensure_postgres)"
  mkdir -p "$dir/logs"
  if pg_pid "$dir" >/dev/null; then
    stack_log "postgres already running ($data)"
  else
    if [[ ! -s $data/PG_VERSION ]]; then
      rm -rf "$dir/pg"
      mkdir -p "$data" "$dir/pg/run"
      pg_own "$dir/pg"
      # C locale: identical sort order on every machine, and no dependency on generated locales.
      as_pg "$bin/initdb" -D "$data" -U "$PG_USER" --auth=trust -E UTF8 --no-locale >"$dir/pg/initdb.log" 2>&1 ||
        { cat "$dir/pg/initdb.log" >&2; stack_die "initdb failed"; }
    fi
    mkdir -p "$dir/pg/run"
    touch "$log"
    pg_own "$dir/pg" "$log"
    local opts="-p $port -k '$dir/pg/run' -c listen_addresses=127.0.0.1 -c max_connections=300"
    opts+=" -c shared_buffers=256MB"
    if [[ $mode == ephemeral ]]; then
      opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 -o "$opts" start >/dev/null ||
      { tail -n 30 "$log" >&2; stack_die "postgres did not start (log: $log)"; }
  fi
  pg_create_db "$bin" "$port"
  stack_log "postgres ready on 127.0.0.1:$port in $(elapsed_s "$t0") s"
}

pg_create_db() {
  local bin=$1 port=$2 exists
  exists=$("$bin/psql" -X -h 127.0.0.1 -p "$port" -U "$PG_USER" -d postgres -Atq \
    -c "select 1 from pg_database where datname = '$PG_DB'")
  if [[ $exists != 1 ]]; then
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$PG_USER" -O "$PG_USER" "$PG_DB"
  fi
  pg_create_reporting_role "$bin" "$port"
}

# The read-only role BI tools connect as (docs/reporting.md): created once here, at install, before any migration;
# each service's migrations grant it SELECT on their reporting views only. The local cluster trusts local
# connections, so it has no password here (docker-compose and production set one).
PG_REPORTING_ROLE=mediabill_reporting
pg_create_reporting_role() {
  local bin=$1 port=$2
  "$bin/psql" -X -h 127.0.0.1 -p "$port" -U "$PG_USER" -d "$PG_DB" -Atq -v ON_ERROR_STOP=1 -c "
    DO \$\$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_REPORTING_ROLE') THEN
        CREATE ROLE $PG_REPORTING_ROLE LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
      END IF;
    END \$\$;
    ALTER ROLE $PG_REPORTING_ROLE SET default_transaction_read_only = on;" >/dev/null
}

# pg_stop DIR: fast shutdown (rolls back open transactions), SIGKILL if it hangs.
pg_stop() {
  local dir bin pid out
  dir=$(realpath -m "$1")
  pid=$(pg_pid "$dir") || return 0
  bin=$(pg_bindir)
  if ! out=$(as_pg "$bin/pg_ctl" -D "$dir/pg/data" -m fast -w -t 30 stop 2>&1); then
    stack_log "pg_ctl stop failed: $out"
    stack_log "postgres (pid $pid) did not stop: killing it"
    # Children are listed first: once the postmaster is gone they are re-parented and harder to find.
    local children
    children=$(pgrep -P "$pid" || true)
    # shellcheck disable=SC2086 # one pid per word
    kill -KILL "$pid" $children 2>/dev/null || true
  fi
  stack_log "postgres stopped"
}
