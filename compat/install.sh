#!/usr/bin/env bash
# Installs everything the compatibility suite needs into ${KPG_CACHE:-$HOME/.cache/kpg}.
# Idempotent: each component is stamped with the key it was built from and is skipped
# (printed as "cached") when that key has not changed, so a rerun needs no network.
#
#   compat/install.sh            install / check everything
#   compat/install.sh kafka go   only the named components
#
# Components: kafka clients39 clients4 kcat python python202 node go kafkactl java exporters
# Versions can be overridden with the KPG_* variables below.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${KPG_CACHE:-$HOME/.cache/kpg}"
KAFKA_VERSION="${KPG_KAFKA_VERSION:-4.1.2}"
CLIENTS39_VERSION="${KPG_CLIENTS39_VERSION:-3.9.2}"
LOG4J_VERSION="${KPG_LOG4J_VERSION:-2.24.3}"
# kafka-clients and the broker use slf4j-api 1.7.x: bindings must match it.
SLF4J_VERSION="${KPG_SLF4J_VERSION:-1.7.36}"
CONFLUENT_KAFKA_VERSION="${KPG_CONFLUENT_KAFKA_VERSION:-2.16.1}"
KAFKA_PYTHON_VERSION="${KPG_KAFKA_PYTHON_VERSION:-3.0.12}"
KAFKA_PYTHON_OLD_VERSION="2.0.2"
# @platformatic/kafka 2.x needs Node >= 22.22; 1.35.0 is the newest that runs on Node 20.19+.
PLATFORMATIC_VERSION="${KPG_PLATFORMATIC_VERSION:-1.35.0}"
KAFKACTL_MODULE="${KPG_KAFKACTL_MODULE:-github.com/deviceinsight/kafkactl/v5@latest}"
# Monitoring tools of test/tools/ (README "Monitoring tools"): exact release tags. KMinion's module path is
# still cloudhut's (its go.mod), though the repository moved to redpanda-data.
KAFKA_EXPORTER_MODULE="${KPG_KAFKA_EXPORTER_MODULE:-github.com/danielqsj/kafka_exporter@v1.9.0}"
KMINION_MODULE="${KPG_KMINION_MODULE:-github.com/cloudhut/kminion/v2@v2.3.5}"

mkdir -p "$CACHE/logs" "$CACHE/versions"
export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOBIN="$CACHE/go/bin" GOFLAGS="-mod=mod -buildvcs=false"
export GOTOOLCHAIN=local
MVN=(mvn -B -q -Dmaven.repo.local="$CACHE/m2")

say() { printf '%-12s %s\n' "$1" "$2"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
# stamp NAME KEY -> 0 if NAME was already built from KEY
stamp_ok() { [[ -f "$CACHE/stamps/$1" && "$(cat "$CACHE/stamps/$1")" == "$2" ]]; }
stamp_set() { mkdir -p "$CACHE/stamps"; printf '%s' "$2" >"$CACHE/stamps/$1"; }
version_set() { printf '%s\n' "$2" >"$CACHE/versions/$1"; }
hash_files() { (cd "$HERE" && cat "$@" | sha256sum | cut -c1-16); }
# run a command with its output in a log; on failure show the tail and explain
run_logged() {
  local name="$1" what="$2"; shift 2
  local log="$CACHE/logs/install-$name.log"
  if ! "$@" >"$log" 2>&1; then
    tail -n 15 "$log" >&2
    die "$name: $what failed (registry unreachable or package missing?) - full log: $log"
  fi
}

# ---------------------------------------------------------------- Maven (Kafka jars)
# write_pom DIR ARTIFACTS... where each artifact is group:artifact:version[:exclude1,exclude2]
write_pom() {
  local dir="$1"; shift
  mkdir -p "$dir"
  {
    echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
    echo '<groupId>kpg.compat</groupId><artifactId>deps</artifactId><version>1</version><packaging>pom</packaging><dependencies>'
    local spec g a v ex
    for spec in "$@"; do
      IFS=: read -r g a v ex <<<"$spec"
      echo "<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version>"
      if [[ -n "${ex:-}" ]]; then
        echo '<exclusions>'
        local e
        for e in ${ex//,/ }; do echo "<exclusion><groupId>*</groupId><artifactId>$e</artifactId></exclusion>"; done
        echo '</exclusions>'
      fi
      echo '</dependency>'
    done
    echo '</dependencies></project>'
  } >"$dir/pom.xml"
}

maven_lib() { # NAME VERSION-LABEL ARTIFACTS...
  local name="$1" label="$2"; shift 2
  local dir="$CACHE/$name" key
  key="$label|$*"
  if stamp_ok "$name" "$key" && compgen -G "$dir/lib/*.jar" >/dev/null; then
    say "$name" "cached ($label, $(ls "$dir/lib" | wc -l) jars)"; return
  fi
  write_pom "$dir" "$@"
  rm -rf "$dir/lib"
  run_logged "$name" "Maven resolution from Maven Central" \
    "${MVN[@]}" -f "$dir/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir/lib"
  stamp_set "$name" "$key"
  say "$name" "installed ($label, $(ls "$dir/lib" | wc -l) jars)"
}

install_kafka() {
  maven_lib "kafka-$KAFKA_VERSION" "Apache Kafka $KAFKA_VERSION broker+tools" \
    "org.apache.kafka:kafka_2.13:$KAFKA_VERSION" \
    "org.apache.kafka:kafka-tools:$KAFKA_VERSION:connect-runtime" \
    "org.apache.logging.log4j:log4j-slf4j-impl:$LOG4J_VERSION" \
    "org.apache.logging.log4j:log4j-core:$LOG4J_VERSION"
  ln -sfn "kafka-$KAFKA_VERSION" "$CACHE/kafka"
  version_set kafka "$KAFKA_VERSION"
  version_set cli-tools "$KAFKA_VERSION"
}
install_clients39() {
  maven_lib "clients-$CLIENTS39_VERSION" "kafka-clients $CLIENTS39_VERSION" \
    "org.apache.kafka:kafka-clients:$CLIENTS39_VERSION" "org.slf4j:slf4j-simple:$SLF4J_VERSION"
  ln -sfn "clients-$CLIENTS39_VERSION" "$CACHE/clients39"
  version_set java-3.9 "$CLIENTS39_VERSION"
}
install_clients4() {
  maven_lib "clients-$KAFKA_VERSION" "kafka-clients $KAFKA_VERSION" \
    "org.apache.kafka:kafka-clients:$KAFKA_VERSION" "org.slf4j:slf4j-simple:$SLF4J_VERSION"
  ln -sfn "clients-$KAFKA_VERSION" "$CACHE/clients4"
  version_set java-4 "$KAFKA_VERSION"
}

# ---------------------------------------------------------------- kcat (Debian)
install_kcat() {
  if command -v kcat >/dev/null; then
    say kcat "cached ($(dpkg-query -W -f '${Version}' kcat 2>/dev/null), librdkafka $(dpkg-query -W -f '${Version}' librdkafka1 2>/dev/null))"
  else
    local sudo=(); [[ $(id -u) -ne 0 ]] && sudo=(sudo)
    run_logged kcat "apt-get update (Debian)" "${sudo[@]}" apt-get update -qq
    run_logged kcat "apt-get install kcat" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat
    say kcat "installed ($(dpkg-query -W -f '${Version}' kcat), librdkafka $(dpkg-query -W -f '${Version}' librdkafka1))"
  fi
  version_set kcat "$(dpkg-query -W -f '${Version}' kcat) (librdkafka $(dpkg-query -W -f '${Version}' librdkafka1))"
}

# ---------------------------------------------------------------- Python venvs
py_venv() { # NAME KEY PIP-SPECS...
  local name="$1" key="$2"; shift 2
  local dir="$CACHE/$name"
  if stamp_ok "$name" "$key" && [[ -x "$dir/bin/python" ]]; then say "$name" "cached ($key)"; return; fi
  rm -rf "$dir"
  run_logged "$name" "python venv" python3 -m venv "$dir"
  run_logged "$name" "pip install from PyPI" "$dir/bin/pip" install -q --disable-pip-version-check "$@"
  stamp_set "$name" "$key"
  say "$name" "installed ($key)"
}
install_python() {
  # python-snappy / lz4 / zstandard give kafka-python its codecs.
  py_venv venv "confluent-kafka $CONFLUENT_KAFKA_VERSION, kafka-python $KAFKA_PYTHON_VERSION" \
    "confluent-kafka==$CONFLUENT_KAFKA_VERSION" "kafka-python==$KAFKA_PYTHON_VERSION" python-snappy lz4 zstandard
  version_set confluent-kafka "$("$CACHE/venv/bin/python" -c 'import confluent_kafka as c; print(c.__version__, "(librdkafka", c.libversion()[0] + ")")')"
  version_set kafka-python "$KAFKA_PYTHON_VERSION"
}
install_python202() {
  # kafka-python 2.0.2 predates Python 3.12's removal of some vendored six pieces; 3.11 is fine.
  py_venv venv-kafka-python-2.0.2 "kafka-python $KAFKA_PYTHON_OLD_VERSION" \
    "kafka-python==$KAFKA_PYTHON_OLD_VERSION" python-snappy lz4 zstandard
  version_set kafka-python-2.0.2 "$KAFKA_PYTHON_OLD_VERSION"
}

# ---------------------------------------------------------------- Node clients
install_node() {
  local dir="$CACHE/npm" key="@platformatic/kafka@$PLATFORMATIC_VERSION"
  if stamp_ok npm "$key" && [[ -d "$dir/node_modules/@platformatic/kafka" ]]; then
    say platformatic "cached ($key)"
  else
    mkdir -p "$dir"
    [[ -f "$dir/package.json" ]] || echo '{"name":"kpg-compat-clients","private":true}' >"$dir/package.json"
    run_logged npm "npm install from the npm registry" \
      npm install --prefix "$dir" --no-audit --no-fund --silent "@platformatic/kafka@$PLATFORMATIC_VERSION"
    stamp_set npm "$key"
    say platformatic "installed ($key)"
  fi
  version_set platformatic "$PLATFORMATIC_VERSION"
  local kjs="$HERE/../node_modules/kafkajs/package.json"
  if [[ -f "$kjs" ]]; then
    version_set kafkajs "$(node -p "require('$kjs').version")"
    say kafkajs "cached ($(cat "$CACHE/versions/kafkajs"), from kpg's node_modules)"
  else
    say kafkajs "MISSING: run npm install in the repository root"
  fi
}

# ---------------------------------------------------------------- Go scenario programs
install_go() {
  local src="$HERE/clients/go" key
  key="$(go version | cut -d' ' -f3)|$(cd "$src" && find . -name '*.go' -o -name go.mod -o -name go.sum | sort | xargs cat | sha256sum | cut -c1-16)"
  if stamp_ok go "$key" && [[ -x "$GOBIN/kpg-compat-go" ]]; then
    say go-clients "cached"
  else
    mkdir -p "$GOBIN"
    # go.sum is committed; 'go mod download' fills the module cache from the Go module proxy.
    run_logged go "Go module download (Go module proxy)" bash -c "cd '$src' && go mod download"
    run_logged go "go build" bash -c "cd '$src' && go build -o '$GOBIN/kpg-compat-go' ."
    stamp_set go "$key"
    say go-clients "installed"
  fi
  local m
  for m in github.com/IBM/sarama:sarama github.com/twmb/franz-go:franz-go github.com/segmentio/kafka-go:kafka-go; do
    version_set "${m##*:}" "$(cd "$src" && go list -m -f '{{.Version}}' "${m%%:*}")"
  done
}
# kafkactl's module version from the binary's build info (a `go install` build has no -ldflags, so
# `kafkactl version` says "latest"; running it would also write a default config under $HOME).
kafkactl_version() { go version -m "$GOBIN/kafkactl" 2>/dev/null | awk '$1 == "mod" { print $3 }'; }
# kafkactl: tried from the Go module proxy; where the proxy refuses it, its column is n/a. A kafkactl
# built elsewhere (e.g. from a checkout of its source) runs with KAFKACTL=/path/to/kafkactl node compat/run.mjs.
install_kafkactl() {
  if [[ -x "$GOBIN/kafkactl" ]]; then
    say kafkactl "cached ($(kafkactl_version))"
    version_set kafkactl "$(kafkactl_version)"
    return
  fi
  if stamp_ok kafkactl "unavailable|$KAFKACTL_MODULE"; then
    say kafkactl "unavailable (the Go module proxy refused $KAFKACTL_MODULE; delete $CACHE/stamps/kafkactl to retry)"; return
  fi
  local log="$CACHE/logs/install-kafkactl.log"
  if (cd "$CACHE" && go install "$KAFKACTL_MODULE") >"$log" 2>&1; then
    say kafkactl "installed ($(kafkactl_version))"
    version_set kafkactl "$(kafkactl_version)"
  elif grep -qE '403|404|410|not available|not found' "$log"; then
    # A definite refusal (not a time-out): the suite reports kafkactl as n/a.
    stamp_set kafkactl "unavailable|$KAFKACTL_MODULE"
    rm -f "$CACHE/versions/kafkactl"
    say kafkactl "unavailable (the Go module proxy refused $KAFKACTL_MODULE; kafkactl scenarios report n/a unless KAFKACTL=/path/to/kafkactl)"
  else
    tail -n 10 "$log" >&2
    die "kafkactl: go install failed (Go module proxy unreachable?) - full log: $log"
  fi
}

# ---------------------------------------------------------------- monitoring tools (test/tools/)
# go_tool NAME MODULE@VERSION: `go install` into $GOBIN. A definite refusal by the Go module proxy is
# stamped `unavailable|MODULE (status)`: test/support/monitoring-tools.ts then reports the tool's tests as
# n/a (skipped even in CI). A refused module is asked for again on every run (a refusal takes a second),
# so CI takes the tool as soon as the proxy serves it. Anything else (a time-out, a build error) fails.
go_tool() {
  local name="$1" module="$2" log="$CACHE/logs/install-$1.log"
  if [[ -x "$GOBIN/$name" ]] && stamp_ok "$name" "$module"; then say "$name" "cached ($module)"; return; fi
  mkdir -p "$GOBIN"
  if (cd "$CACHE" && go install "$module") >"$log" 2>&1; then
    stamp_set "$name" "$module"
    version_set "$name" "${module##*@}"
    say "$name" "installed ($module)"
  elif grep -qE '403|404|410|not available|not found' "$log"; then
    stamp_set "$name" "unavailable|$module ($(grep -m1 -oE '[0-9]{3} [A-Za-z ]+' "$log" || echo refused))"
    rm -f "$CACHE/versions/$name" "$GOBIN/$name"
    say "$name" "n/a (the Go module proxy refused $module; its tests report n/a)"
  else
    tail -n 10 "$log" >&2
    die "$name: go install failed (Go module proxy unreachable?) - full log: $log"
  fi
}
install_exporters() {
  go_tool kafka_exporter "$KAFKA_EXPORTER_MODULE"
  go_tool kminion "$KMINION_MODULE"
}

# ---------------------------------------------------------------- Java scenario program
install_java() {
  local src="$HERE/clients/java/Scenarios.java" v lib out key
  for v in 39 4; do
    lib="$CACHE/clients$v/lib"
    [[ -d "$lib" ]] || die "java: $lib missing - install clients$v first"
    out="$CACHE/java-classes/$v"
    key="$(javac -version 2>&1)|$(readlink "$CACHE/clients$v")|$(sha256sum "$src" | cut -c1-16)"
    if stamp_ok "java$v" "$key" && [[ -f "$out/Scenarios.class" ]]; then
      say "java-$v" "cached ($(readlink "$CACHE/clients$v"))"; continue
    fi
    rm -rf "$out"; mkdir -p "$out"
    run_logged "java$v" "javac" javac -nowarn -d "$out" -cp "$lib/*" "$src"
    stamp_set "java$v" "$key"
    say "java-$v" "installed ($(readlink "$CACHE/clients$v"))"
  done
}

ALL=(kafka clients39 clients4 kcat python python202 node go kafkactl java exporters)
want=("$@"); [[ ${#want[@]} -eq 0 ]] && want=("${ALL[@]}")
start=$(date +%s)
for c in "${want[@]}"; do
  case "$c" in
    kafka|clients39|clients4|kcat|python|python202|node|go|kafkactl|java|exporters) "install_$c" ;;
    *) die "unknown component '$c' (known: ${ALL[*]})" ;;
  esac
done
echo "compat install done in $(( $(date +%s) - start ))s; cache: $CACHE"
