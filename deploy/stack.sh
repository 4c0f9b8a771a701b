#!/usr/bin/env bash
# Local infrastructure without Docker, in a stack dir (.stack/dev for `./mediabill up`, .stack/test for
# `./mediabill test`): PostgreSQL under pg_ctl; Kafka and the services under a supervisord of the stack dir, from the
# declaration in deploy/processes.py.
#
# Sourced by ./mediabill. Also callable for one-off use, e.g.
#   deploy/stack.sh pg_start "$PWD/.stack/scratch" 55999 ephemeral
#   deploy/stack.sh kafka_start "$PWD/.stack/scratch" 39992 39993
#   deploy/stack.sh sv_down "$PWD/.stack/scratch"; deploy/stack.sh pg_stop "$PWD/.stack/scratch"
#
# Functions: pg_start DIR PORT [ephemeral], pg_stop DIR, kafka_start DIR PORT CONTROLLER_PORT [NICE], kafka_stop DIR,
# sv_up DIR [NICE], sv_down DIR, sv_ctl DIR ARGS... (supervisorctl), sv_pid DIR NAME, stack_py ARGS... (python -m
# deploy), wait_port PORT [TIMEOUT] [PID], free_port [EXCLUDED...], ensure_tools, uv_sync, uv_run.

MEDIABILL_ROOT=${MEDIABILL_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export MEDIABILL_ROOT

# shellcheck source=deploy/lib/common.sh
source "$MEDIABILL_ROOT/deploy/lib/common.sh"
# shellcheck source=deploy/lib/supervisor.sh
source "$MEDIABILL_ROOT/deploy/lib/supervisor.sh"
# shellcheck source=deploy/lib/pg.sh
source "$MEDIABILL_ROOT/deploy/lib/pg.sh"
# shellcheck source=deploy/lib/kafka.sh
source "$MEDIABILL_ROOT/deploy/lib/kafka.sh"

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  (($# > 0)) || { sed -n '2,15p' "$0"; exit 2; }
  ensure_uv
  "$@"
fi
