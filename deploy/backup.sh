#!/usr/bin/env bash
# Nightly database backup (deploy/systemd/klankbord-backup.timer runs it; so can cron).
#
#   deploy/backup.sh [DIRECTORY]       default /var/backups/klankbord
#
# Connection from the usual libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE; the password in
# ~/.pgpass or PGPASSFILE, never on the command line). Writes klankbord-<UTC time>.dump in
# pg_dump's custom format (compressed, restorable table by table), checks that pg_restore can read
# it, and deletes dumps older than KLANKBORD_BACKUP_DAYS (default 14). Backups hold free text
# until they expire: keep the period short and say it in the processing register (docs/privacy.md).
set -euo pipefail
dir="${1:-/var/backups/klankbord}"
days="${KLANKBORD_BACKUP_DAYS:-14}"
export PGDATABASE="${PGDATABASE:-klankbord}"
umask 077
mkdir -p "$dir"
target="$dir/klankbord-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$target.partial"
pg_restore --list "$target.partial" >/dev/null   # a dump that cannot be read is no backup
mv "$target.partial" "$target"
find "$dir" -maxdepth 1 -name 'klankbord-*.dump' -mtime "+$days" -delete
echo "backup: $target ($(du -h "$target" | cut -f1))"
