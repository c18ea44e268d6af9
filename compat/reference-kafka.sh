#!/usr/bin/env bash
# Single-node Apache Kafka 4.x (KRaft, combined broker+controller) from the jars that
# compat/install.sh cached, listening on 127.0.0.1 only.
#
#   compat/reference-kafka.sh start [PORT [CONTROLLER_PORT]]   (default 39092 / 39093)
#   compat/reference-kafka.sh stop  [PORT]
#   compat/reference-kafka.sh status [PORT]
#   compat/reference-kafka.sh crash-restart [PORT]   SIGKILL the broker, start it again on the same
#                                                     log dir and ports, wait for Metadata
#
# start formats a fresh log dir under a new temp dir with a random cluster id, starts the
# broker in the background and waits (up to KPG_KAFKA_START_TIMEOUT seconds, default 90)
# until a Metadata request succeeds. The temp dir is removed by stop.
# KPG_KAFKA_ADVERTISED_PORT makes the broker advertise another port (e.g. compat/capture-proxy.mjs).
# The secured broker of the `auth` scenario (compat/lib/auth-target.mjs): KPG_KAFKA_EXTRA_PROPERTIES names a
# file appended to server.properties (later lines win: listeners, SSL, SASL, authorizer), and
# KPG_KAFKA_SCRAM names a file of SCRAM credentials, one `SCRAM-SHA-512=[name=alice,password=...]` a line,
# each passed to kafka-storage format as --add-scram.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${KPG_CACHE:-$HOME/.cache/kpg}"
LIB="$CACHE/kafka/lib"
RUN="$CACHE/run"
cmd="${1:-}"; PORT="${2:-39092}"; CPORT="${3:-$((PORT + 1))}"
JAVA="${JAVA:-java}"

state_dir() { cat "$RUN/kafka-$PORT.dir" 2>/dev/null || true; }
pid_of() { cat "$RUN/kafka-$PORT.pid" 2>/dev/null || true; }
alive() { local p; p="$(pid_of)"; [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null; }
jvm_args() { jvm=(-Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true -Dlog4j2.configurationFile="$1/log4j2.properties"); }

case "$cmd" in
start)
  [[ -d "$LIB" ]] || { echo "reference-kafka: $LIB missing; run compat/install.sh kafka" >&2; exit 1; }
  if alive; then echo "reference-kafka: already running on 127.0.0.1:$PORT (pid $(pid_of))"; exit 0; fi
  mkdir -p "$RUN"
  dir="$(mktemp -d "${TMPDIR:-/tmp}/kpg-ref-kafka.XXXXXX")"
  echo "$dir" >"$RUN/kafka-$PORT.dir"
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:${KPG_KAFKA_ADVERTISED_PORT:-$PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
EOF
  if [[ -n "${KPG_KAFKA_EXTRA_PROPERTIES:-}" ]]; then cat "$KPG_KAFKA_EXTRA_PROPERTIES" >>"$dir/server.properties"; fi
  format_args=()
  if [[ -n "${KPG_KAFKA_SCRAM:-}" ]]; then
    while IFS= read -r line; do [[ -n "$line" ]] && format_args+=(--add-scram "$line"); done <"$KPG_KAFKA_SCRAM"
  fi
  cat >"$dir/log4j2.properties" <<EOF
appender.file.type=File
appender.file.name=file
appender.file.fileName=$dir/server.log
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
logger.kafka.name=kafka
logger.kafka.level=INFO
logger.apache.name=org.apache.kafka
logger.apache.level=INFO
EOF
  jvm_args "$dir"
  cluster_id="$(node -e "const b=require('crypto').randomBytes(16);b[6]=(b[6]&0x0f)|0x40;b[8]=(b[8]&0x3f)|0x80;console.log(b.toString('base64url'))")"
  if ! "$JAVA" "${jvm[@]}" -cp "$LIB/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" ${format_args[@]+"${format_args[@]}"} >"$dir/format.log" 2>&1; then
    cat "$dir/format.log" >&2; echo "reference-kafka: kafka-storage format failed" >&2; exit 1
  fi
  nohup "$JAVA" "${jvm[@]}" -cp "$LIB/*" kafka.Kafka "$dir/server.properties" >"$dir/stdout.log" 2>&1 &
  echo $! >"$RUN/kafka-$PORT.pid"
  if ! node "$HERE/lib/kwire.mjs" wait "127.0.0.1:$PORT" "${KPG_KAFKA_START_TIMEOUT:-90}"; then
    echo "reference-kafka: broker did not come up; its first errors and last log lines:" >&2
    grep -m 8 -E "ERROR|Caused by" "$dir/server.log" "$dir/stdout.log" >&2 || true
    tail -n 20 "$dir/server.log" "$dir/stdout.log" >&2 || true
    "$0" stop "$PORT" >/dev/null 2>&1 || true
    exit 1
  fi
  echo "reference-kafka: Apache Kafka $(cat "$CACHE/versions/kafka" 2>/dev/null) on 127.0.0.1:$PORT (pid $(pid_of), cluster $cluster_id, logs $dir)"
  ;;
stop)
  p="$(pid_of)"; dir="$(state_dir)"
  if [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null; then
    kill "$p" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null || true
    echo "reference-kafka: stopped pid $p"
  else
    echo "reference-kafka: not running on port $PORT"
  fi
  if [[ -n "$dir" && -d "$dir" && "${KPG_KEEP_KAFKA_DIR:-0}" != 1 ]]; then rm -rf "$dir"; fi
  rm -f "$RUN/kafka-$PORT.pid" "$RUN/kafka-$PORT.dir"
  ;;
crash-restart)
  dir="$(state_dir)"; p="$(pid_of)"
  [[ -n "$dir" && -f "$dir/server.properties" ]] || { echo "reference-kafka: nothing to restart on port $PORT" >&2; exit 1; }
  if [[ -n "$p" ]]; then
    kill -9 "$p" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  fi
  jvm_args "$dir"
  nohup "$JAVA" "${jvm[@]}" -cp "$LIB/*" kafka.Kafka "$dir/server.properties" >>"$dir/stdout.log" 2>&1 &
  echo $! >"$RUN/kafka-$PORT.pid"
  if ! node "$HERE/lib/kwire.mjs" wait "127.0.0.1:$PORT" "${KPG_KAFKA_START_TIMEOUT:-90}"; then
    echo "reference-kafka: broker did not come back after SIGKILL; last log lines:" >&2
    tail -n 20 "$dir/server.log" "$dir/stdout.log" >&2 || true
    exit 1
  fi
  echo "reference-kafka: killed pid $p with SIGKILL, serving again on 127.0.0.1:$PORT (pid $(pid_of))"
  ;;
status)
  if alive; then echo "running pid $(pid_of) dir $(state_dir)"; else echo "not running"; exit 1; fi
  ;;
*)
  echo "usage: $0 start|stop|status|crash-restart [PORT [CONTROLLER_PORT]]" >&2; exit 2 ;;
esac
