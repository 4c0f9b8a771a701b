# shellcheck shell=bash
# A single-node KRaft Kafka broker under DIR/kafka, run straight from the jars Maven resolves.

# Keep in step with deploy/kafka/pom.xml and the image in docker-compose.yml.
KAFKA_VERSION=4.3.1

kafka_libs_dir() { echo "$MEDIABILL_ROOT/.stack/kafka-libs/$KAFKA_VERSION"; }

# Resolving once is enough: the jar set is pinned by deploy/kafka/pom.xml. The download goes to a temporary
# dir and is renamed into place, so an interrupted run never leaves a half-filled cache behind.
kafka_libs() {
  local libs tmp
  libs=$(kafka_libs_dir)
  [[ -f $libs/kafka_2.13-$KAFKA_VERSION.jar ]] && return 0
  stack_log "resolving Kafka $KAFKA_VERSION jars with Maven (first run only)"
  mkdir -p "$MEDIABILL_ROOT/.stack"
  tmp=$(mktemp -d "$MEDIABILL_ROOT/.stack/kafka-libs.XXXXXX")
  if ! mvn -q -B -Dstyle.color=never -f "$MEDIABILL_ROOT/deploy/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
    cat "$tmp.log" >&2
    rm -rf "$tmp" "$tmp.log"
    stack_die "mvn could not resolve the Kafka jars"
  fi
  rm -rf "$libs" "$tmp.log"
  mkdir -p "$(dirname "$libs")"
  mv "$tmp" "$libs"
}

kafka_write_config() {
  local dir=$1 port=$2 cport=$3
  cat >"$dir/kafka/server.properties" <<EOF
# Written by deploy/lib/kafka.sh on every start; edit that file instead.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/kafka/data
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
group.initial.rebalance.delay.ms=0
# Topics come only from the catalog (ensure-topics), so a typo in a topic name fails loudly.
auto.create.topics.enable=false
EOF
}

# kafka_cluster_id [COUNT]: new KRaft cluster ids, 16 random bytes in URL-safe base64 (python is quicker than a
# JVM for that). Like Kafka's own Uuid.randomUuid, never one that starts with "-": the format tool reads it as an
# option and fails, which made 1 fresh start in 64 fail.
kafka_cluster_id() {
  python3 - "${1:-1}" <<'PY'
import base64, sys, uuid
for _ in range(int(sys.argv[1])):
    while (cid := base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")).startswith("-"):
        pass
    print(cid)
PY
}

# kafka_start DIR PORT CONTROLLER_PORT [NICE]: format on first use, start under the stack's supervisord (which it
# starts with background work at NICE, 0-19, if it does not run yet), wait until topics can be created.
kafka_start() {
  local dir port=$2 cport=$3 nice=${4:-0}
  local libs pid t0
  dir=$(realpath -m "$1")
  t0=$(now_ms)
  kafka_libs
  libs=$(kafka_libs_dir)
  if pid=$(sv_pid "$dir" kafka); then
    stack_log "kafka already running (pid $pid)"
  else
    mkdir -p "$dir/kafka/data" "$dir/logs"
    kafka_write_config "$dir" "$port" "$cport"
    wait_port_released "$port" || stack_die "port $port stays held; stop what holds it (ss -tanp 'sport = :$port')"
    wait_port_released "$cport" || stack_die "port $cport stays held; stop what holds it (ss -tanp 'sport = :$cport')"
    if [[ ! -f $dir/kafka/data/meta.properties ]]; then
      local cluster_id
      cluster_id=$(kafka_cluster_id)
      java -cp "$libs/*" -Dlog4j2.configurationFile="$MEDIABILL_ROOT/deploy/kafka/log4j2.properties" \
        kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/kafka/server.properties" \
        >"$dir/logs/kafka-format.log" 2>&1 ||
        { cat "$dir/logs/kafka-format.log" >&2; stack_die "kafka storage format failed"; }
    fi
    sv_running "$dir" || sv_up "$dir" "$nice"
    sv_ctl "$dir" start kafka >&2 || { log_tail "$dir" kafka; stack_die "kafka exited at once"; }
    pid=$(sv_pid "$dir" kafka) || { log_tail "$dir" kafka; stack_die "kafka exited at once"; }
    wait_port "$port" 120 "$pid" || { log_tail "$dir" kafka; stack_die "kafka did not open port $port"; }
  fi
  kafka_wait_ready "$dir" "$port" 120
  stack_log "kafka ready on 127.0.0.1:$port in $(elapsed_s "$t0") s"
}

# An open port is not yet a usable broker: the KRaft metadata must be loaded before topics can be created.
# Retrying ensure-topics both waits for that and creates the catalog's topics.
kafka_wait_ready() {
  local dir=$1 port=$2 timeout=$3
  local deadline=$((SECONDS + timeout)) out=$dir/logs/kafka-ready.log
  until KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$port uv_run python -m mediabill_common.kafka.admin ensure-topics \
    >"$out" 2>&1; do
    sv_pid "$dir" kafka >/dev/null || { log_tail "$dir" kafka; stack_die "kafka died while starting"; }
    if ((SECONDS >= deadline)); then
      cat "$out" >&2
      stack_die "kafka not ready after ${timeout}s (ensure-topics kept failing)"
    fi
    sleep 1
  done
}

# kafka_stop DIR: SIGTERM, SIGKILL after 30 s (deploy/supervised.py); supervisord keeps running.
kafka_stop() {
  sv_running "$1" || return 0
  sv_ctl "$1" stop kafka >&2
}
