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
#
# Two kinds of capture: each client's `metadata` scenario (every request recorded), and the `golden`
# scenario of Java 4.x, confluent-kafka (librdkafka) and franz-go (CreateTopics, Produce, a consumer
# group's Join/Sync/OffsetFetch/Fetch/OffsetCommit), of which only those API keys are recorded, at
# most three frames per version. The Java and Go scenario programs are compiled from this checkout
# into a temporary directory (the ones install.sh cached may predate the golden scenario).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${KPG_CACHE:-$HOME/.cache/kpg}"
OUT="${1:-$HERE/../test/golden}"
BROKER=39292 PROXY=39294
BS="127.0.0.1:$PROXY"

BUILD="$(mktemp -d "${TMPDIR:-/tmp}/kpg-capture-golden-XXXXXX")"
mkdir -p "$BUILD/java39" "$BUILD/java4"
javac -nowarn -d "$BUILD/java39" -cp "$CACHE/clients39/lib/*" "$HERE/clients/java/Scenarios.java"
javac -nowarn -d "$BUILD/java4" -cp "$CACHE/clients4/lib/*" "$HERE/clients/java/Scenarios.java"
# Offline, from install.sh's module cache (go.sum is committed); the build cache is safe to share.
(cd "$HERE/clients/go" && GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOFLAGS="-mod=mod -buildvcs=false" GOPROXY=off \
  go build -o "$BUILD/kpg-compat-go" .)

mkdir -p "$OUT"
rm -f "$OUT"/*.bin "$OUT/index.tsv"
KPG_KAFKA_ADVERTISED_PORT=$PROXY bash "$HERE/reference-kafka.sh" start $BROKER
trap 'bash "$HERE/reference-kafka.sh" stop $BROKER >/dev/null; rm -rf "$BUILD"' EXIT
node "$HERE/lib/kwire.mjs" create "127.0.0.1:$BROKER" golden >/dev/null

PROXY_OPTS=()
capture() { # NAME COMMAND...
  local name="$1"; shift
  node "$HERE/capture-proxy.mjs" --listen $PROXY --upstream "127.0.0.1:$BROKER" --out "$OUT" --client "$name" --quiet "${PROXY_OPTS[@]}" &
  local pid=$!
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$PROXY) 2>/dev/null && break; sleep 0.1; done
  if timeout 60 "$@" >"$OUT/.last.out" 2>&1; then echo "captured $name"; else echo "captured $name (client exit $?)"; cat "$OUT/.last.out"; fi
  # a scenario that did not pass recorded something else than the README describes
  if grep -q '"status": *"fail"' "$OUT/.last.out"; then cat "$OUT/.last.out"; echo "$name: the scenario failed" >&2; exit 1; fi
  sleep 0.3
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
}

capture kcat kcat -b "$BS" -L
capture java39 java -cp "$BUILD/java39:$CACHE/clients39/lib/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn Scenarios --bootstrap "$BS" --scenario metadata --topic golden
capture java4 java -cp "$BUILD/java4:$CACHE/clients4/lib/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn Scenarios --bootstrap "$BS" --scenario metadata --topic golden
capture kafka-python-2.0.2 "$CACHE/venv-kafka-python-2.0.2/bin/python" "$HERE/clients/python/kafka_python_scenarios.py" --bootstrap "$BS" --scenario metadata --topic golden
capture confluent-kafka "$CACHE/venv/bin/python" "$HERE/clients/python/confluent_scenarios.py" --bootstrap "$BS" --scenario metadata --topic golden

# The golden scenario: Produce, Fetch, JoinGroup, SyncGroup, OffsetCommit, OffsetFetch, CreateTopics.
PROXY_OPTS=(--keys 0,1,8,9,11,14,19 --max-per-version 3)
capture java4-golden java -cp "$BUILD/java4:$CACHE/clients4/lib/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn Scenarios --bootstrap "$BS" --scenario golden --topic golden-java4
capture confluent-kafka-golden "$CACHE/venv/bin/python" "$HERE/clients/python/confluent_scenarios.py" --bootstrap "$BS" --scenario golden --topic golden-confluent-kafka
capture franz-go-golden "$BUILD/kpg-compat-go" --client franz-go --bootstrap "$BS" --scenario golden --topic golden-franz-go
rm -f "$OUT/.last.out"
echo "$(ls "$OUT"/*.bin | wc -l) files, $(cat "$OUT"/*.bin | wc -c) bytes in $OUT"
