#!/usr/bin/env bash
# Back up the platform: the PostgreSQL database (pg_dump custom format) and the media directory,
# into a new timestamped folder.
#
#   DATABASE_URL=postgres://user:pass@host:5432/omni MEDIA_ROOT=/app/media deploy/backup.sh [BACKUP_DIR]
#
# BACKUP_DIR (argument or variable; default ./backups) receives <UTC timestamp>/ holding
#   db.dump         pg_dump --format=custom (restore with deploy/restore.sh, or pg_restore)
#   media.tar.gz    the media directory (uploaded images, invoices' PDFs, labels), if MEDIA_ROOT exists
#   SHA256SUMS      checksums of both, checked by restore.sh
# The folder's path is the last line printed. Nothing is overwritten: a new folder each run.
# Run it where pg_dump's major version is at least the server's (the compose image: postgres:15).
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL, e.g. postgres://omni:omni@postgres:5432/omni}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL must be a PostgreSQL URL" >&2; exit 2 ;;
esac
BACKUP_DIR="${1:-${BACKUP_DIR:-./backups}}"
MEDIA_ROOT="${MEDIA_ROOT:-./media}"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$BACKUP_DIR/$stamp"
n=1
while [ -e "$target" ]; do target="$BACKUP_DIR/$stamp-$n"; n=$((n + 1)); done
mkdir -p "$target"
partial="$target/.partial"
touch "$partial"

pg_dump --format=custom --no-owner --no-privileges --file="$target/db.dump" --dbname="$DATABASE_URL"

if [ -d "$MEDIA_ROOT" ]; then
  tar -C "$MEDIA_ROOT" -czf "$target/media.tar.gz" .
else
  echo "backup.sh: no media directory at $MEDIA_ROOT: database only" >&2
fi

(cd "$target" && sha256sum db.dump $( [ -f media.tar.gz ] && echo media.tar.gz ) > SHA256SUMS)
rm -f "$partial"
echo "$target"
