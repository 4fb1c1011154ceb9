#!/usr/bin/env bash
# Makes sure a PostgreSQL server is reachable and prints the database URL to
# use as the LAST line of stdout; all other output goes to stderr.
#
#   1. RECTIFY_DATABASE_URL (or the default) answers -> print it.
#   2. Otherwise run a private cluster under "${RECTIFY_DATA_DIR:-.data}/postgres"
#      on 127.0.0.1:${RECTIFY_PG_PORT:-55432} (trust auth), installing Debian's
#      postgresql package if no initdb/pg_ctl is found, and print its URL.
# Idempotent: an existing cluster is reused, a stopped one is started.
set -euo pipefail
PATH="$PATH:/usr/sbin:/sbin"   # runuser, useradd

log() { echo "ensure-postgres: $*" >&2; }

URL="${RECTIFY_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/rectify?sslmode=disable}"
PORT="${RECTIFY_PG_PORT:-55432}"

# --- 1. Is something already answering at the URL's host:port? -------------
# postgres://[user[:pass]@]host[:port][/db][?params]
authority="${URL#*://}"; authority="${authority%%[/?]*}"   # [user[:pass]@]host[:port]
hostport="${authority##*@}"
host="${hostport%:*}"; port="${hostport##*:}"
[[ "$hostport" == *:* ]] || { host="$hostport"; port=5432; }
host="${host:-127.0.0.1}"

answers() { # host port (pg_isready reads them from the URL)
  if command -v pg_isready >/dev/null; then
    pg_isready -q -t 3 -d "$URL"
  else
    timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null || return 1
    # A bare TCP accept could be anything; let psql confirm when we have it.
    if command -v psql >/dev/null; then
      psql "${URL%%://*}://$authority/postgres" -Atqc 'select 1' >/dev/null 2>&1
    fi
  fi
}

if answers "$host" "$port"; then
  log "server answers at $host:$port"
  echo "$URL"
  exit 0
fi
log "nothing answers at $host:$port; using a private cluster on port $PORT"

# --- 2. Private cluster ------------------------------------------------------
BASE="${RECTIFY_DATA_DIR:-.data}/postgres"
mkdir -p "$BASE"
BASE="$(cd "$BASE" && pwd)"
PGDATA="$BASE/data"
LOGFILE="$BASE/postgres.log"

# Serialise concurrent callers (e.g. two make targets at once). The server
# must not inherit fd 9, or it would hold the lock for ever (see 9>&- below).
exec 9>"$BASE/.lock"
flock -w 120 9 || { log "another ensure-postgres holds $BASE/.lock"; exit 1; }

# Find a directory holding both initdb and pg_ctl: PATH first (on the dev
# machine /usr/local/bin/initdb is a symlink into /usr/lib/postgresql/15/bin),
# then the newest /usr/lib/postgresql/*/bin.
find_bindir() {
  local d
  if command -v initdb >/dev/null; then
    d="$(dirname "$(readlink -f "$(command -v initdb)")")"
    [[ -x "$d/pg_ctl" ]] && { echo "$d"; return; }
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && { echo "$d"; return; }
  done
  return 1
}

if ! BIN="$(find_bindir)"; then
  [[ $EUID -eq 0 ]] || { log "no initdb/pg_ctl found; install PostgreSQL (apt-get install postgresql)"; exit 1; }
  log "installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
  BIN="$(find_bindir)"
fi
log "using $BIN"

# initdb and postgres refuse to run as root: run them as the postgres user.
AS=()
if [[ $EUID -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  chown -R postgres: "$BASE"
  AS=(runuser -u postgres --)
  if ! "${AS[@]}" test -w "$BASE"; then
    log "user postgres cannot reach $BASE (a parent folder is not world-searchable)"; exit 1
  fi
fi

# The socket lives in the data folder, unless that path is too long for a
# unix socket (107 bytes); then it goes to /tmp.
SOCK="$BASE"
if (( ${#SOCK} > 90 )); then
  SOCK="/tmp/rectify-pg-$PORT"; mkdir -p "$SOCK"
  [[ $EUID -ne 0 ]] || chown postgres: "$SOCK"
fi

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  log "initdb $PGDATA"
  rm -rf "$PGDATA"
  "${AS[@]}" "$BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --no-locale >&2
  # Trust auth, TCP on 127.0.0.1 only. synchronous_commit=off: it is a
  # dev/test cluster, speed matters more than the last few commits.
  printf '%s\n' 'local all all trust' 'host all all 127.0.0.1/32 trust' >"$PGDATA/pg_hba.conf"
  printf '%s\n' "listen_addresses = '127.0.0.1'" 'max_connections = 200' \
    'synchronous_commit = off' >>"$PGDATA/postgresql.conf"
  [[ $EUID -ne 0 ]] || chown postgres: "$PGDATA/pg_hba.conf"
fi

running() { "${AS[@]}" "$BIN/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1; }
ready() { "$BIN/pg_isready" -q -U postgres -h 127.0.0.1 -p "$PORT"; }

# Bounded wait. A cluster that is running (or whose killed postmaster is not
# reaped yet) gets time to become ready; one that is stopped gets started.
ok=""
for _ in $(seq 1 30); do
  if running; then
    p="$(sed -n 4p "$PGDATA/postmaster.pid" 2>/dev/null || true)"   # 4th line: its port
    PORT="${p:-$PORT}"
    ready && { ok=1; break; }
  else
    log "starting cluster (log: $LOGFILE)"
    "${AS[@]}" "$BIN/pg_ctl" start -D "$PGDATA" -l "$LOGFILE" -w -t 60 \
      -o "-p $PORT -k $SOCK" >&2 9>&- || { tail -n 20 "$LOGFILE" >&2; exit 1; }
  fi
  sleep 1
done
[[ -n "$ok" ]] || { tail -n 20 "$LOGFILE" >&2; log "cluster not ready after 30s; try scripts/stop-postgres.sh"; exit 1; }
log "cluster ready on port $PORT"

# The binary creates its database itself; creating it here too is harmless
# and lets psql users connect straight away.
psql=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atq)
[[ "$("${psql[@]}" -c "select 1 from pg_database where datname = 'rectify'")" == 1 ]] \
  || "${psql[@]}" -c 'create database rectify' >&2

echo "postgres://postgres@127.0.0.1:$PORT/rectify?sslmode=disable"
