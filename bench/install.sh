#!/usr/bin/env bash
# Installs what `kpg bench` needs into ${KPG_CACHE:-$HOME/.cache/kpg}, through the compatibility suite's
# installer (idempotent and cached: a rerun needs no network):
#   - always: the Python venv with confluent-kafka (librdkafka), the load generator's client;
#   - with --kafka: the Apache Kafka jars, for `kpg bench --compare-kafka`.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
components=(python)
for arg in "$@"; do
  case "$arg" in
    --kafka) components+=(kafka) ;;
    *) echo "usage: bench/install.sh [--kafka]" >&2; exit 2 ;;
  esac
done
exec "$HERE/../compat/install.sh" "${components[@]}"
