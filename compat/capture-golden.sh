#!/usr/bin/env bash
# Records golden request/response frames of real clients talking to the reference Apache Kafka
# broker through compat/capture-proxy.mjs, into test/golden/ (or $1).
#
#   compat/capture-golden.sh [OUT_DIR]
#
# A fresh broker listens on 39292 and advertises the proxy port 39294, so every connection a
# client opens (bootstrap and by node id) goes through the proxy. The broker has one topic,
# "golden", so the Metadata responses stay small. Cluster ids are random: the bytes differ
# between runs in the cluster id and, for some clients, in client ids and timings only.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${KPG_CACHE:-$HOME/.cache/kpg}"
OUT="${1:-$HERE/../test/golden}"
BROKER=39292 PROXY=39294
BS="127.0.0.1:$PROXY"

mkdir -p "$OUT"
rm -f "$OUT"/*.bin "$OUT/index.tsv"
KPG_KAFKA_ADVERTISED_PORT=$PROXY bash "$HERE/reference-kafka.sh" start $BROKER
trap 'bash "$HERE/reference-kafka.sh" stop $BROKER >/dev/null' EXIT
node "$HERE/lib/kwire.mjs" create "127.0.0.1:$BROKER" golden >/dev/null

capture() { # NAME COMMAND...
  local name="$1"; shift
  node "$HERE/capture-proxy.mjs" --listen $PROXY --upstream "127.0.0.1:$BROKER" --out "$OUT" --client "$name" --quiet &
  local pid=$!
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$PROXY) 2>/dev/null && break; sleep 0.1; done
  if timeout 60 "$@" >"$OUT/.last.out" 2>&1; then echo "captured $name"; else echo "captured $name (client exit $?)"; cat "$OUT/.last.out"; fi
  sleep 0.3
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
}

capture kcat kcat -b "$BS" -L
capture java39 java -cp "$CACHE/java-classes/39:$CACHE/clients39/lib/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn Scenarios --bootstrap "$BS" --scenario metadata --topic golden
capture java4 java -cp "$CACHE/java-classes/4:$CACHE/clients4/lib/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn Scenarios --bootstrap "$BS" --scenario metadata --topic golden
capture kafka-python-2.0.2 "$CACHE/venv-kafka-python-2.0.2/bin/python" "$HERE/clients/python/kafka_python_scenarios.py" --bootstrap "$BS" --scenario metadata --topic golden
capture confluent-kafka "$CACHE/venv/bin/python" "$HERE/clients/python/confluent_scenarios.py" --bootstrap "$BS" --scenario metadata --topic golden
rm -f "$OUT/.last.out"
echo "$(ls "$OUT"/*.bin | wc -l) files, $(cat "$OUT"/*.bin | wc -c) bytes in $OUT"
