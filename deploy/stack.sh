#!/usr/bin/env bash
# Local infrastructure without Docker: PostgreSQL and a KRaft Kafka broker as plain processes in a stack dir
# (.stack/dev for `./mediabill up`, .stack/test for `./mediabill test`).
#
# Sourced by ./mediabill. Also callable for one-off use, e.g.
#   deploy/stack.sh pg_start "$PWD/.stack/scratch" 55999 ephemeral
#   deploy/stack.sh kafka_start "$PWD/.stack/scratch" 39992 39993
#   deploy/stack.sh kafka_stop "$PWD/.stack/scratch"; deploy/stack.sh pg_stop "$PWD/.stack/scratch"
#
# Functions: pg_start DIR PORT [ephemeral], pg_stop DIR, kafka_start DIR PORT CONTROLLER_PORT, kafka_stop DIR,
# wait_port PORT [TIMEOUT] [PID], free_port [EXCLUDED...], proc_start DIR NAME CMD..., proc_stop DIR NAME,
# proc_pid DIR NAME, wait_http URL TIMEOUT DIR NAME..., services_migrate/start/wait/stop DIR, ensure_tools,
# uv_sync, uv_run.

MEDIABILL_ROOT=${MEDIABILL_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export MEDIABILL_ROOT

# shellcheck source=deploy/lib/common.sh
source "$MEDIABILL_ROOT/deploy/lib/common.sh"
# shellcheck source=deploy/lib/procs.sh
source "$MEDIABILL_ROOT/deploy/lib/procs.sh"
# shellcheck source=deploy/lib/pg.sh
source "$MEDIABILL_ROOT/deploy/lib/pg.sh"
# shellcheck source=deploy/lib/kafka.sh
source "$MEDIABILL_ROOT/deploy/lib/kafka.sh"
# shellcheck source=deploy/lib/services.sh
source "$MEDIABILL_ROOT/deploy/lib/services.sh"

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  (($# > 0)) || { sed -n '2,14p' "$0"; exit 2; }
  ensure_uv
  "$@"
fi
