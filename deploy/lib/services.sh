# shellcheck shell=bash
# The four services as local processes: migrations, one api/consumer/relay process each, readiness.
# A service joins the stack once services/<dir>/alembic.ini exists, so the stack works while they are written.

# "service dir  python package  api port"
MEDIABILL_SERVICES=(
  "product-config-svc product_config_svc 8001"
  "invoice-svc invoice_svc 8002"
  "dispute-svc dispute_svc 8003"
  "adjustment-svc adjustment_svc 8004"
)
MEDIABILL_ROLES=(api consumer relay)
INVOICE_SVC_URL=http://127.0.0.1:8002
COLLECTIONS_PORT=8005

# Prints "dir package port" for each service that is ready to run.
services_present() {
  local entry
  for entry in "${MEDIABILL_SERVICES[@]}"; do
    [[ -f $MEDIABILL_ROOT/services/${entry%% *}/alembic.ini ]] && echo "$entry"
  done
  return 0
}

collections_present() { [[ -f $MEDIABILL_ROOT/tools/collections/__main__.py ]]; }

# services_migrate DIR: alembic upgrade head for each service; DATABASE_URL must be exported.
services_migrate() {
  local dir=$1 svc _pkg _port log
  while read -r svc _pkg _port; do
    log=$dir/logs/migrate-$svc.log
    if ! uv_run alembic -c "services/$svc/alembic.ini" upgrade head </dev/null >"$log" 2>&1; then
      cat "$log" >&2
      stack_die "migrations of $svc failed (log: $log)"
    fi
    stack_log "$svc migrated"
  done < <(services_present)
}

# python_start DIR NAME ARGS...: proc_start of the workspace's Python (the interpreter `uv run` would use) with ARGS,
# from the repository root. Not under `uv run`: uv stays the parent of the Python it starts, so the pid on record
# was uv's, and a SIGKILL to it left the service running while `status` said down and `up` started a second one.
STACK_PYTHON=
python_start() {
  local dir=$1 name=$2 here=$PWD
  shift 2
  if [[ -z $STACK_PYTHON ]]; then
    STACK_PYTHON=$(uv_run python -c 'import sys; print(sys.executable)') || stack_die "no Python in the workspace"
  fi
  # Not in a subshell: the process stays a child of this shell, which collects it when it ends.
  cd "$MEDIABILL_ROOT" && proc_start "$dir" "$name" "$STACK_PYTHON" "$@"
  cd "$here"
}

# services_start DIR [BACKGROUND_NICE]: one process per service and role, plus collections; DATABASE_URL and
# KAFKA_BOOTSTRAP_SERVERS must be exported. With BACKGROUND_NICE (1-19), consumers, relays and collections run at
# that lower CPU priority than the APIs (see proc_start).
services_start() {
  local dir=$1 background_nice=${2:-} svc pkg port role nice
  while read -r svc pkg port; do
    if ! proc_pid "$dir" "$svc-api" >/dev/null && port_open "$port"; then
      stack_die "port $port for $svc is taken by a process that is not ours (see: ss -ltnp 'sport = :$port')"
    fi
    for role in "${MEDIABILL_ROLES[@]}"; do
      nice=$background_nice
      [[ $role == api ]] && nice=
      PORT=$port INVOICE_SVC_URL=$INVOICE_SVC_URL PROC_NICE=$nice \
        python_start "$dir" "$svc-$role" -m "$pkg" "$role"
    done
  done < <(services_present)
  if collections_present; then
    INVOICE_SVC_URL=$INVOICE_SVC_URL PROC_NICE=$background_nice python_start "$dir" collections \
      -m tools.collections --port "$COLLECTIONS_PORT"
  fi
}

# services_wait DIR TIMEOUT_S: every api answers /health/ready, every process still runs.
services_wait() {
  local dir=$1 deadline=$((SECONDS + $2)) svc _pkg port left
  while read -r svc _pkg port; do
    left=$((deadline - SECONDS))
    ((left > 0)) || left=1
    wait_http "http://127.0.0.1:$port/health/ready" "$left" "$dir" "$svc-api" "$svc-consumer" "$svc-relay" ||
      stack_die "$svc did not become ready"
    stack_log "$svc ready on http://127.0.0.1:$port"
  done < <(services_present)
  if collections_present; then
    local pid
    left=$((deadline - SECONDS))
    if ! pid=$(proc_pid "$dir" collections) || ! wait_port "$COLLECTIONS_PORT" $((left > 0 ? left : 1)) "$pid"; then
      proc_tail "$dir" collections
      stack_die "collections did not open port $COLLECTIONS_PORT"
    fi
    stack_log "collections ready on http://127.0.0.1:$COLLECTIONS_PORT"
  fi
}

# services_stop DIR: every process with a pid file except the infrastructure, in parallel so that
# twelve graceful shutdowns take as long as the slowest one.
# A bare `wait` would also wait for the broker, which is a child of this shell.
services_stop() {
  local dir=$1 file name jobs=()
  for file in "$dir"/run/*.pid; do
    [[ -e $file ]] || continue
    name=$(basename "$file" .pid)
    [[ $name == kafka ]] && continue
    proc_stop "$dir" "$name" &
    jobs+=($!)
  done
  ((${#jobs[@]} == 0)) || wait "${jobs[@]}"
}
