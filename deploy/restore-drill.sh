#!/usr/bin/env bash
# Restore drill: restore a dump into a scratch database, compare row counts with the live
# database, then drop the scratch database. Run it monthly and after every upgrade.
#
#   deploy/restore-drill.sh /var/backups/klankbord/klankbord-20270101T021500Z.dump
#
# Connection from PGHOST/PGPORT/PGUSER (a role that may create databases); the live database is
# PGDATABASE (default klankbord). Prints one line per table: rows live, rows restored. The live
# database has grown since the dump, so "restored <= live" is the expected outcome; any table
# missing or the schema version (alembic_version) differing is a failed drill.
set -euo pipefail
dump="${1:?usage: restore-drill.sh DUMP}"
live="${PGDATABASE:-klankbord}"
scratch="klankbord_restore_drill_$(date -u +%Y%m%d%H%M%S)"
cleanup() { dropdb --if-exists "$scratch"; }
trap cleanup EXIT
createdb "$scratch"
started=$(date +%s)
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$scratch" "$dump"
echo "restored $dump into $scratch in $(( $(date +%s) - started )) s"
tables=$(psql -XAt -d "$scratch" -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
failed=0
for table in $tables; do
  restored=$(psql -XAt -d "$scratch" -c "SELECT count(*) FROM \"$table\"")
  current=$(psql -XAt -d "$live" -c "SELECT count(*) FROM \"$table\"" 2>/dev/null || echo missing)
  printf '%-32s live %10s  restored %10s\n' "$table" "$current" "$restored"
  [ "$current" = missing ] && failed=1
done
version_live=$(psql -XAt -d "$live" -c "SELECT version_num FROM alembic_version")
version_dump=$(psql -XAt -d "$scratch" -c "SELECT version_num FROM alembic_version")
echo "schema version: live $version_live, restored $version_dump"
[ "$version_live" = "$version_dump" ] || { echo "schema versions differ (restore into the same release, then upgrade)"; failed=1; }
if [ "$failed" = 0 ]; then echo "restore drill: ok"; else echo "restore drill: FAILED"; exit 1; fi
