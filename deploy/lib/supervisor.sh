# shellcheck shell=bash
# The stack's processes under supervisord: one daemon per stack dir, run on the config that `python -m deploy conf`
# writes from the declaration in deploy/processes.py (DIR/supervisord.conf, socket DIR/run/supervisor.sock, logs
# DIR/logs/<name>.log). PostgreSQL stays under pg_ctl, its own supervisor (deploy/lib/pg.sh).

# The workspace's Python (the interpreter `uv run` would use). supervisord and `python -m deploy` run on it directly:
# `uv run` would stay the parent of what it starts.
STACK_PYTHON=
stack_python() {
  [[ -n $STACK_PYTHON ]] && return 0
  STACK_PYTHON=$(uv_run python -c 'import sys; print(sys.executable)') || stack_die "no Python in the workspace"
}

# stack_py ARGS...: `python -m deploy ARGS` from the repository root (see deploy/__main__.py).
stack_py() {
  stack_python
  (cd "$MEDIABILL_ROOT" && "$STACK_PYTHON" -m deploy "$@")
}

# stack_vars: the dev stack's default ports and INVOICE_SVC_URL, from the declaration.
stack_vars() {
  local vars
  vars=$(stack_py shell) || stack_die "cannot read deploy/processes.py"
  eval "$vars"
}

# sv_ctl DIR ARGS...: supervisorctl of the stack in DIR, e.g. `sv_ctl .stack/dev restart invoice-svc:*`.
sv_ctl() {
  local dir=$1
  shift
  stack_python
  "$(dirname "$STACK_PYTHON")/supervisorctl" -s "unix://$(realpath -m "$dir")/run/supervisor.sock" "$@"
}

sv_running() { sv_ctl "$1" pid >/dev/null 2>&1; }

# sv_pid DIR NAME: the pid of program NAME while it runs (one in a group as GROUP:NAME, e.g.
# invoice-svc:invoice-svc-api).
sv_pid() {
  local pid
  pid=$(sv_ctl "$1" pid "$2" 2>/dev/null) || true
  [[ $pid =~ ^[1-9][0-9]*$ ]] && echo "$pid"
}

# sv_up DIR [NICE]: writes DIR/supervisord.conf from the declaration, background work at NICE (0-19), and sv_start.
sv_up() {
  local dir
  dir=$(realpath -m "$1")
  stack_py conf "$dir" --nice "${2:-0}" --kafka-libs "$(kafka_libs_dir)" || stack_die "cannot write $dir/supervisord.conf"
  sv_start "$dir"
}

# sv_start DIR: starts supervisord on DIR/supervisord.conf, or has the running one take up what changed there
# (`update` stops a program whose command changed, and `start` starts it again).
sv_start() {
  local dir
  dir=$(realpath -m "$1")
  if sv_running "$dir"; then
    sv_ctl "$dir" update >&2
    return 0
  fi
  stack_python
  # supervisord detaches once its socket listens. fd 9 (the test lock) is closed so that it cannot hold the lock.
  "$(dirname "$STACK_PYTHON")/supervisord" -c "$dir/supervisord.conf" 9>&- ||
    stack_die "supervisord did not start (log: $dir/logs/supervisord.log)"
  stack_log "supervisord started ($dir/supervisord.conf)"
}

# sv_down DIR: the services, then Kafka, then supervisord itself (see `python -m deploy down`).
sv_down() {
  local dir
  dir=$(realpath -m "$1")
  sv_running "$dir" || return 0
  stack_py down "$dir"
}
