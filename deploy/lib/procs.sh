# shellcheck shell=bash
# Background processes of a stack dir: DIR/run/<name>.pid holds "PID STARTTIME", DIR/logs/<name>.log the output.

proc_pidfile() { echo "$1/run/$2.pid"; }
proc_logfile() { echo "$1/logs/$2.log"; }

# proc_pid DIR NAME: prints the pid and succeeds while anything NAME started still runs: that exact process, or,
# once it is gone, a process left in its session (proc_start makes it a session leader; a child orphaned by a
# SIGKILL to its parent stays in the session, and Linux hands out no pid that still names a session). A pid file
# of which nothing runs (a crash, a reboot) is removed, so it never blocks a restart.
proc_pid() {
  local file pid start now
  file=$(proc_pidfile "$1" "$2")
  [[ -f $file ]] || return 1
  read -r pid start <"$file" || true
  now=$(proc_starttime "${pid:-}" 2>/dev/null) || now=
  if [[ -n ${pid:-} ]] && [[ $now == "${start:-}" ]] && ! proc_zombie "$pid"; then
    echo "$pid"
    return 0
  fi
  # Gone (or a zombie), not reused: what it started may still run.
  if [[ -n ${pid:-} ]] && [[ -z $now || $now == "${start:-}" ]] && proc_session_runs "$pid"; then
    echo "$pid"
    return 0
  fi
  rm -f "$file"
  return 1
}

# proc_zombie PID: PID has ended and waits for its parent to collect it (not every init does so at once).
proc_zombie() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  [[ ${stat##*) } == Z* ]]
}

# proc_session_runs SID: a process other than a zombie is in session SID. One read of /proc (cat goes on past a
# process that ends meanwhile); the command name in parentheses may hold anything, so fields count from its end.
proc_session_runs() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } |
    awk -v sid="$1" '{ sub(/.*\) /, "") } $1 != "Z" && $4 == sid { found = 1 } END { exit !found }'
}

# proc_start DIR NAME CMD...: runs CMD detached with the current environment, unless NAME already runs.
# With PROC_NICE=N (1-19) in the caller's environment, CMD runs at that lower CPU priority: its own nice value
# and, where the kernel groups processes by session (autogroup), its session's, which is what counts there
# (each process here gets a session of its own, so a nice value alone would weigh only against itself).
proc_start() {
  local dir name=$2
  dir=$(realpath -m "$1")
  shift 2
  local pidfile logfile pid
  pidfile=$(proc_pidfile "$dir" "$name")
  logfile=$(proc_logfile "$dir" "$name")
  if pid=$(proc_pid "$dir" "$name"); then
    stack_log "$name already running (pid $pid)"
    return 0
  fi
  mkdir -p "$dir/run" "$dir/logs"
  printf '\n===== %s starting: %s\n' "$(date -Is)" "$*" >>"$logfile"
  # setsid: own session and process group, so a Ctrl-C in the terminal that ran `up` does not reach the
  # stack, and stop can signal the whole group (uv run keeps python as a child).
  # The inner shell writes its own pid before exec, which stays right even if setsid had to fork.
  # shellcheck disable=SC2016 # expanded by the inner shell
  local inner='echo "$$" >"$0.tmp"; exec "$@"'
  if [[ -n ${PROC_NICE:-} && $PROC_NICE != 0 ]]; then
    # shellcheck disable=SC2016 # expanded by the inner shell
    # Linux takes one autogroup change per 100 ms from an unprivileged user (EAGAIN otherwise), and processes
    # start faster than that here: retry for up to a second.
    inner='echo "$$" >"$0.tmp"
      if [[ -e /proc/self/autogroup ]]; then
        for _ in 1 2 3 4 5 6 7 8 9 10; do
          echo "$PROC_NICE" 2>/dev/null >/proc/self/autogroup && break
          sleep 0.1
        done
      fi
      exec nice -n "$PROC_NICE" "$@"'
  fi
  PROC_NICE=${PROC_NICE:-} setsid nohup bash -c "$inner" "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 &
  local tries=0
  until [[ -s $pidfile.tmp ]]; do
    ((tries++ < 100)) || stack_die "$name did not start"
    sleep 0.05
  done
  pid=$(<"$pidfile.tmp")
  rm -f "$pidfile.tmp"
  echo "$pid $(proc_starttime "$pid" || echo 0)" >"$pidfile"
  stack_log "$name started (pid $pid, log $logfile)"
}

# proc_stop DIR NAME [GRACE_S]: SIGTERM to the process group, then SIGKILL after the grace period; it waits for
# everything in the group (proc_pid), not only its leader, which may have died before its children.
proc_stop() {
  local dir=$1 name=$2 grace=${3:-15}
  local pid deadline
  pid=$(proc_pid "$dir" "$name") || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + grace))
  while proc_pid "$dir" "$name" >/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if proc_pid "$dir" "$name" >/dev/null; then
    stack_log "$name (pid $pid) ignored SIGTERM for ${grace}s: killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(proc_pidfile "$dir" "$name")"
  stack_log "$name stopped"
}

# proc_tail DIR NAME [LINES]: the end of a log, to explain a process that died.
proc_tail() {
  local logfile
  logfile=$(proc_logfile "$1" "$2")
  [[ -f $logfile ]] || return 0
  printf -- '----- last lines of %s\n' "$logfile" >&2
  tail -n "${3:-40}" "$logfile" >&2
  printf -- '-----\n' >&2
}

# wait_http URL TIMEOUT_S DIR NAME...: until URL answers 2xx; fails early if one of the NAMEd processes died.
wait_http() {
  local url=$1 timeout=$2 dir=$3
  shift 3
  local deadline=$((SECONDS + timeout)) name
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    for name in "$@"; do
      if ! proc_pid "$dir" "$name" >/dev/null; then
        stack_log "$name died while waiting for $url"
        proc_tail "$dir" "$name"
        return 1
      fi
    done
    if ((SECONDS >= deadline)); then
      stack_log "$url not ready after ${timeout}s"
      for name in "$@"; do proc_tail "$dir" "$name" 20; done
      return 1
    fi
    sleep 0.5
  done
}
