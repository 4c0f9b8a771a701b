# shellcheck shell=bash
# Helpers shared by the local stack: logging, tool installation, ports, timing.
# Sourced by deploy/stack.sh; expects MEDIABILL_ROOT to be set to the repository root.

stack_log() { printf '[stack] %s\n' "$*" >&2; }
stack_die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }

# Seconds with one decimal since START_MS, for the "ready in N s" lines.
elapsed_s() {
  local ms=$(($(now_ms) - $1))
  printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

# apt-get needs root; a developer laptop may have sudo instead.
as_root() {
  if ((EUID == 0)); then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    stack_die "need root to run: $*"
  fi
}

_apt_updated=0
apt_install() {
  if ((_apt_updated == 0)); then
    as_root apt-get update -qq
    _apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# uv may land outside PATH (pyenv shims need a rehash, --user installs go to ~/.local/bin),
# so every caller goes through the UV array instead of the bare name.
UV=(uv)
ensure_uv() {
  command -v uv >/dev/null && return 0
  stack_log "uv not found: installing it with pip"
  python3 -m pip install -q uv || python3 -m pip install -q --break-system-packages uv
  hash -r
  if command -v pyenv >/dev/null; then pyenv rehash 2>/dev/null || true; fi
  command -v uv >/dev/null || UV=(python3 -m uv)
}

# --frozen keeps a fresh machine on exactly the locked versions; without a lock there is nothing to freeze.
uv_sync() {
  local args=()
  [[ -f $MEDIABILL_ROOT/uv.lock ]] && args=(--frozen)
  (cd "$MEDIABILL_ROOT" && "${UV[@]}" sync -q "${args[@]}")
}

# Every process runs after uv_sync, so a per-process sync would only contend for the venv lock.
uv_run() { (cd "$MEDIABILL_ROOT" && "${UV[@]}" run --no-sync "$@"); }

ensure_java() {
  command -v java >/dev/null && command -v mvn >/dev/null && return 0
  stack_log "java/mvn not found: installing them with apt-get"
  apt_install openjdk-17-jre-headless maven
}

# Newest installed server major version; Debian keeps each under /usr/lib/postgresql/<major>/bin.
pg_bindir() {
  local d
  d=$(find /usr/lib/postgresql -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1)
  [[ -n $d ]] && dirname "$d"
}

ensure_postgres() {
  [[ -n $(pg_bindir) ]] && return 0
  stack_log "PostgreSQL server binaries not found: installing them with apt-get"
  local before after
  before=$(ls /etc/postgresql 2>/dev/null || true)
  apt_install postgresql
  # The Debian package creates and may start a "main" cluster on 5432; we only wanted the binaries.
  after=$(ls /etc/postgresql 2>/dev/null || true)
  if [[ -z $before && -n $after ]] && command -v pg_ctlcluster >/dev/null; then
    local ver
    for ver in $after; do as_root pg_ctlcluster "$ver" main stop 2>/dev/null || true; done
  fi
}

ensure_tools() {
  ensure_uv
  ensure_java
  ensure_postgres
  ensure_node
}

# The console (console/web) is built with Node.js 20+ and npm; Debian's packages when they are missing.
ensure_node() {
  command -v node >/dev/null && command -v npm >/dev/null && return 0
  stack_log "node/npm not found: installing them with apt-get"
  apt_install nodejs npm
}

# The browser tests drive the system's Chromium (Debian's package): no test tool downloads a browser of its own.
ensure_chromium() {
  command -v chromium >/dev/null && return 0
  stack_log "chromium not found: installing it with apt-get (for the console's browser tests)"
  apt_install chromium
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# port_held PORT: some TCP socket has PORT as its local port (listening, connected, or in TIME-WAIT after a server
# on it stopped). Kafka binds without SO_REUSEADDR, so it cannot listen on a port in TIME-WAIT (up to 60 s).
port_held() {
  local hex
  hex=$(printf '%04X' "$1")
  awk -v port=":$hex" 'FNR > 1 && substr($2, length($2) - 4) == port { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# wait_port_released PORT [TIMEOUT_S]: until no socket holds PORT (see port_held).
wait_port_released() {
  local port=$1 deadline=$((SECONDS + ${2:-90}))
  port_held "$port" || return 0
  stack_log "port $port is still held by a closed connection (TIME-WAIT); waiting for the kernel to release it"
  while port_held "$port"; do
    ((SECONDS < deadline)) || { stack_log "port $port still held after ${2:-90}s"; return 1; }
    sleep 1
  done
}

# wait_port PORT [TIMEOUT_S] [PID]: a PID lets us give up as soon as the server has died.
wait_port() {
  local port=$1 timeout=${2:-60} pid=${3:-}
  local deadline=$((SECONDS + timeout))
  until port_open "$port"; do
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      stack_log "process $pid died before port $port opened"
      return 1
    fi
    ((SECONDS < deadline)) || { stack_log "port $port not open after ${timeout}s"; return 1; }
    sleep 0.2
  done
}

# free_port [EXCLUDED_PORT...]: a port nothing holds, never one reserved for the dev stack, and never one from the
# kernel's ephemeral range: an outgoing connection (a Kafka or database client) could take such a port between this
# choice and the server binding it. Below that range when there is room (20000 up to its start), else above it.
free_port() {
  local port excluded low=32768 high=60999 from to
  [[ -r /proc/sys/net/ipv4/ip_local_port_range ]] && read -r low high </proc/sys/net/ipv4/ip_local_port_range
  if ((low - 20000 >= 2000)); then from=20000 to=$((low - 1)); else from=$((high + 1)) to=65535; fi
  while :; do
    port=$((from + (RANDOM * 32768 + RANDOM) % (to - from + 1)))
    for excluded in "$@"; do [[ $port == "$excluded" ]] && continue 2; done
    port_held "$port" || { echo "$port"; return 0; }
  done
}

# log_tail DIR NAME [LINES]: the end of DIR/logs/NAME.log, to explain a process that died.
log_tail() {
  local logfile=$1/logs/$2.log
  [[ -f $logfile ]] || return 0
  printf -- '----- last lines of %s\n' "$logfile" >&2
  tail -n "${3:-40}" "$logfile" >&2
  printf -- '-----\n' >&2
}
