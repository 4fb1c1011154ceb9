#!/usr/bin/env bash
# Runs govulncheck on the whole module and fails on any vulnerability that our
# code reaches, except those listed with a reason in .ci/govulncheck-accepted.
#
# vuln.go.dev cannot be reached from the project's machines, so the vulnerability
# database is built locally: the Go team's golang.org/x/vulndb module (served by
# the module proxy like any module) carries every advisory as OSV JSON, and its
# cmd/indexdb turns that folder into the database format govulncheck reads with
# -db file://. The newest vulndb is used; if it cannot be had or built, the last
# version known to work (VULNDB_PINNED) is.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

GOVULNCHECK="golang.org/x/vuln/cmd/govulncheck@v1.9.0"
VULNDB_PINNED="v0.0.0-20261105234957-e22db6528018"
ACCEPTED=".ci/govulncheck-accepted"
cache="${VULNDB_CACHE:-$(go env GOCACHE)/rectify-vulndb}"
log() { echo "vulncheck: $*" >&2; }

build_db() { # version -> prints the database folder
  local v="$1" out="$cache/$1" dir
  if [[ ! -s "$out/index/db.json" ]]; then
    dir="$(go mod download -json "golang.org/x/vulndb@$v" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [[ -d "$dir/data/osv" ]] || return 1
    rm -rf "$out.tmp" && mkdir -p "$out.tmp"
    go run "golang.org/x/vulndb/cmd/indexdb@$v" -vulns "$dir/data/osv" -out "$out.tmp" >&2 || return 1
    rm -rf "$out" && mv "$out.tmp" "$out"
  fi
  echo "$out"
}

latest="$(go list -m -f '{{.Version}}' golang.org/x/vulndb@latest 2>/dev/null || true)"
db=""
if [[ -n "$latest" ]]; then
  log "vulnerability database: golang.org/x/vulndb@$latest"
  db="$(build_db "$latest" || true)"
fi
if [[ -z "$db" ]]; then
  log "falling back to golang.org/x/vulndb@$VULNDB_PINNED"
  db="$(build_db "$VULNDB_PINNED")"
fi

# Installed rather than `go run`, whose own exit status hides the tool's (3 means
# "vulnerabilities found", anything else that the scan itself failed).
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
GOBIN="$tmp" go install "$GOVULNCHECK"
out="$tmp/out"
set +e
"$tmp/govulncheck" -db "file://$db" ./... >"$out" 2>&1
rc=$?
set -e
cat "$out"
if [[ $rc -ne 0 && $rc -ne 3 ]]; then # 3: vulnerabilities found; anything else: govulncheck failed
  log "govulncheck failed (exit $rc)"; exit "$rc"
fi

# Vulnerabilities our code calls are listed as "Vulnerability #N: GO-YYYY-NNNN".
found="$(sed -n 's/^Vulnerability #[0-9]*: \(GO-[0-9]*-[0-9]*\).*/\1/p' "$out" | sort -u)"
new=""
for id in $found; do
  grep -q "^$id[[:space:]]" "$ACCEPTED" || new="$new $id"
done
stale=""
for id in $(sed -n 's/^\(GO-[0-9]*-[0-9]*\)[[:space:]].*/\1/p' "$ACCEPTED"); do
  grep -qx "$id" <<<"$found" || stale="$stale $id"
done
[[ -z "$stale" ]] || log "accepted but no longer reported (remove from $ACCEPTED):$stale"
if [[ -n "$new" ]]; then
  log "FAIL: reachable vulnerabilities not in $ACCEPTED:$new"
  exit 1
fi
log "ok: $(wc -w <<<"$found") reachable vulnerabilities, all accepted in $ACCEPTED with a reason"
