#!/usr/bin/env bash
# A secured single-node Apache Kafka 4.x for developing the `auth` scenario programs by hand, configured
# as the auth contract says (compat/README.md): PLAINTEXT (administration, User:ANONYMOUS is a super
# user), SASL_SSL (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN, OAUTHBEARER in unsecured-JWS mode), SSL with
# required client certificates (CN=alice -> User:alice), StandardAuthorizer, users alice and bob, the ACLs.
#
#   compat/auth-dev-kafka.sh start [BASE_PORT]   (default 48092: PLAINTEXT, +1 controller, +2 SASL_SSL, +3 SSL)
#   compat/auth-dev-kafka.sh stop  [BASE_PORT]
#
# start prints the path of the security JSON file a scenario program takes with --security, e.g.
#   kpg-compat-go --client franz-go --bootstrap 127.0.0.1:48092 --scenario auth --topic auth-x --security FILE
# The topic `auth-dev`, its denied twin `auth-dev-denied` and the ACLs are created here.
set -euo pipefail

CACHE="${KPG_CACHE:-$HOME/.cache/kpg}"
LIB="$CACHE/kafka/lib"
RUN="$CACHE/run"
cmd="${1:-}"; PORT="${2:-48092}"
CPORT=$((PORT + 1)); SASL_PORT=$((PORT + 2)); SSL_PORT=$((PORT + 3))
JAVA="${JAVA:-java}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pidfile="$RUN/auth-kafka-$PORT.pid"; dirfile="$RUN/auth-kafka-$PORT.dir"

case "$cmd" in
start)
  mkdir -p "$RUN"
  dir="$(mktemp -d "${TMPDIR:-/tmp}/kpg-auth-kafka.XXXXXX")"; echo "$dir" >"$dirfile"
  # Certificates: a CA, the server (127.0.0.1 and localhost), the client alice; PEM, keys in PKCS#8.
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=kpg-test-ca" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext 2>/dev/null
    cat server.key server.crt >server-keystore.pem
    openssl req -newkey rsa:2048 -nodes -keyout alice.key -out alice.csr -subj "/CN=alice" 2>/dev/null
    openssl x509 -req -in alice.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out alice.pem -days 2 2>/dev/null
  )
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT,SASL_SSL://127.0.0.1:$SASL_PORT,SSL://127.0.0.1:$SSL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT,SASL_SSL://127.0.0.1:$SASL_PORT,SSL://127.0.0.1:$SSL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:ANONYMOUS
allow.everyone.if.no.acl.found=false
ssl.keystore.type=PEM
ssl.keystore.location=$dir/server-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$dir/ca.pem
listener.name.ssl.ssl.client.auth=required
ssl.principal.mapping.rules=RULE:^CN=([^,]+).*\$/\$1/,DEFAULT
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN,OAUTHBEARER
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="bob-secret";
listener.name.sasl_ssl.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="admin";
listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler
EOF
  cat >"$dir/log4j2.properties" <<EOF
appender.file.type=File
appender.file.name=file
appender.file.fileName=$dir/server.log
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
EOF
  jvm=(-Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true -Dlog4j2.configurationFile="$dir/log4j2.properties")
  cluster_id="$(node -e "const b=require('crypto').randomBytes(16);b[6]=(b[6]&0x0f)|0x40;b[8]=(b[8]&0x3f)|0x80;console.log(b.toString('base64url'))")"
  scram=()
  for u in alice bob; do for m in SCRAM-SHA-256 SCRAM-SHA-512; do scram+=(-S "$m=[name=$u,password=$u-secret]"); done; done
  "$JAVA" "${jvm[@]}" -cp "$LIB/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" "${scram[@]}" >"$dir/format.log" 2>&1 \
    || { cat "$dir/format.log" >&2; exit 1; }
  nohup "$JAVA" "${jvm[@]}" -cp "$LIB/*" kafka.Kafka "$dir/server.properties" >"$dir/stdout.log" 2>&1 &
  echo $! >"$pidfile"
  node "$HERE/lib/kwire.mjs" wait "127.0.0.1:$PORT" 90 || { tail -n 30 "$dir/server.log" >&2; exit 1; }
  acl() { "$JAVA" -Xmx256m -cp "$LIB/*" org.apache.kafka.tools.AclCommand --bootstrap-server "127.0.0.1:$PORT" "$@" >>"$dir/acls.log" 2>&1; }
  acl --add --allow-principal User:alice --operation All --topic auth- --resource-pattern-type prefixed
  acl --add --allow-principal User:alice --operation All --group auth- --resource-pattern-type prefixed
  acl --add --deny-principal User:alice --operation Read --operation Write --topic auth-dev-denied
  node "$HERE/lib/kwire.mjs" create "127.0.0.1:$PORT" auth-dev auth-dev-denied >>"$dir/acls.log" 2>&1 || true
  b64() { node -e "process.stdout.write(Buffer.from(process.argv[1]).toString('base64url'))" "$1"; }
  now=$(date +%s)
  jwt="$(b64 '{"alg":"none"}').$(b64 "{\"sub\":\"alice\",\"iat\":$now,\"exp\":$((now + 3600))}")."
  cat >"$dir/security.json" <<EOF
{ "saslSsl": "127.0.0.1:$SASL_PORT", "ssl": "127.0.0.1:$SSL_PORT", "caFile": "$dir/ca.pem",
  "clientCertFile": "$dir/alice.pem", "clientKeyFile": "$dir/alice.key",
  "users": { "alice": "alice-secret", "bob": "bob-secret" }, "oauthTokens": { "alice": "$jwt" },
  "topic": "auth-dev", "deniedTopic": "auth-dev-denied", "group": "auth-dev-group" }
EOF
  echo "$dir/security.json"
  ;;
stop)
  p="$(cat "$pidfile" 2>/dev/null || true)"; dir="$(cat "$dirfile" 2>/dev/null || true)"
  if [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null; then
    kill "$p"; for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -9 "$p" || true
  fi
  [[ -n "$dir" && -d "$dir" ]] && rm -rf "$dir"
  rm -f "$pidfile" "$dirfile"
  ;;
*) echo "usage: $0 start|stop [BASE_PORT]" >&2; exit 2 ;;
esac
