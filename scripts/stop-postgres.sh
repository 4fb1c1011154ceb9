#!/usr/bin/env bash
# Stops the private cluster started by ensure-postgres.sh (if it runs).
# Leaves the data in place; remove "${RECTIFY_DATA_DIR:-.data}/postgres" to reset.
set -euo pipefail
PATH="$PATH:/usr/sbin:/sbin"   # runuser, useradd

PGDATA="${RECTIFY_DATA_DIR:-.data}/postgres/data"
[[ -s "$PGDATA/PG_VERSION" ]] || { echo "stop-postgres: no private cluster at $PGDATA" >&2; exit 0; }

BIN=""
for d in "$(dirname "$(readlink -f "$(command -v pg_ctl || echo /nonexistent)")")" \
         $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
  [[ -x "$d/pg_ctl" ]] && { BIN="$d"; break; }
done
[[ -n "$BIN" ]] || { echo "stop-postgres: pg_ctl not found" >&2; exit 1; }

AS=()
[[ $EUID -ne 0 ]] || AS=(runuser -u postgres --)   # pg_ctl refuses to run as root
if "${AS[@]}" "$BIN/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1; then
  "${AS[@]}" "$BIN/pg_ctl" stop -D "$PGDATA" -m fast -w -t 60 >&2
else
  echo "stop-postgres: cluster at $PGDATA is not running" >&2
fi
