#!/bin/sh
# Runs in temporalio/admin-tools: creates Temporal's two databases and applies
# the versioned schemas. Safe to re-run (create and setup-schema tolerate an
# existing database; update-schema only applies missing versions).
set -eu
tool() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p 5432 -u "$POSTGRES_USER" "$@"; }
schema=/etc/temporal/schema/postgresql/v12
for db in temporal:temporal temporal_visibility:visibility; do
  name=${db%%:*}; dir=${db#*:}
  tool --db "$name" create || echo "database $name exists"
  tool --db "$name" setup-schema -v 0.0
  tool --db "$name" update-schema -d "$schema/$dir/versioned"
done
echo "temporal schema ready"
