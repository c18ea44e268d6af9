#!/usr/bin/env bash
# Runs kpg's tests against Debian's own PostgreSQL server package (postgresql-15 on bookworm), not only the
# embedded PostgreSQL 18: a throwaway cluster in a temp dir on a free port, password (SCRAM) authentication,
# torn down afterwards. The tests reach it through KPG_TEST_DATABASE_URL.
#
#   test/sql/debian-postgres.sh                  # test/sql and test/storage (SQL source, migrations, upgrades)
#   test/sql/debian-postgres.sh test/records     # any vitest filters
#   test/sql/debian-postgres.sh --all            # the whole suite (npm test)
#
# Installs the package with apt-get when it is missing (as root). KPG_DEBIAN_PG_MAJOR picks another major.
set -euo pipefail
cd "$(dirname "$0")/../.."

MAJOR="${KPG_DEBIAN_PG_MAJOR:-15}"
BIN="/usr/lib/postgresql/$MAJOR/bin"

if [[ ! -x "$BIN/postgres" ]]; then
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "debian-postgres.sh: $BIN/postgres is missing; install postgresql-$MAJOR (needs root)" >&2
    exit 1
  fi
  echo "== installing postgresql-$MAJOR from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "postgresql-$MAJOR" >/dev/null
fi

# Postgres refuses to run as root: as root, the cluster belongs to the postgres user the package created.
if [[ "$(id -u)" -eq 0 ]]; then
  RUN_AS=(runuser -u postgres --)
else
  RUN_AS=()
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kpg-debian-pg.XXXXXX")"
PORT="$(node -e "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
PASSWORD="$(node -e "console.log(require('crypto').randomBytes(18).toString('hex'))")"
cleanup() {
  "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

printf '%s\n' "$PASSWORD" >"$WORK/pwfile"
if [[ "$(id -u)" -eq 0 ]]; then chown -R postgres: "$WORK"; fi
chmod 700 "$WORK"
"${RUN_AS[@]}" "$BIN/initdb" -D "$WORK/data" -U postgres --auth=scram-sha-256 --pwfile="$WORK/pwfile" -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 ||
  { cat "$WORK/initdb.log" >&2; exit 1; }
rm -f "$WORK/pwfile"
# Durability off, as for the embedded test server: these clusters are thrown away.
"${RUN_AS[@]}" "$BIN/pg_ctl" -D "$WORK/data" -l "$WORK/postgres.log" -w -t 60 start \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null ||
  { cat "$WORK/postgres.log" >&2; exit 1; }
echo "== $("$BIN/postgres" --version) on 127.0.0.1:$PORT"

export KPG_TEST_POSTGRES=env
export KPG_TEST_DATABASE_URL="postgres://postgres:$PASSWORD@127.0.0.1:$PORT/postgres"
if [[ "${1:-}" == "--all" ]]; then
  npx vitest run
elif [[ $# -eq 0 ]]; then
  npx vitest run test/sql test/storage
else
  npx vitest run "$@"
fi
