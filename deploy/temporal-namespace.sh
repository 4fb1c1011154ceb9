#!/bin/sh
# Runs in temporalio/admin-tools once the server's port is open: waits for the
# frontend to be healthy, then registers $NAMESPACE if it does not exist.
set -eu
# Use the IPv4 address: the server binds 0.0.0.0 only.
ip=$(getent ahostsv4 "$TEMPORAL_HOST" | awk 'NR==1 {print $1}')
addr="$ip:7233"
i=0
until temporal operator cluster health --address "$addr" >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -lt 30 ] || { echo "temporal not healthy" >&2; exit 1; }
  sleep 2
done
temporal operator namespace describe --address "$addr" -n "$NAMESPACE" >/dev/null 2>&1 \
  || temporal operator namespace create --address "$addr" -n "$NAMESPACE" --retention "$RETENTION"
echo "namespace $NAMESPACE ready"
