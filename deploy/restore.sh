#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into a NEW database (never over an existing one).
#
#   DATABASE_URL=postgres://user:pass@host:5432/postgres MEDIA_ROOT=/app/media \
#       deploy/restore.sh BACKUP_FOLDER DATABASE_NAME
#
# DATABASE_URL names the server and a database to connect to for CREATE DATABASE (any existing one,
# e.g. postgres); DATABASE_NAME (letters, digits, underscores) must not exist yet: it is created and
# the dump restored into it (pg_restore --exit-on-error, no owners). The media archive, if the backup
# has one, is unpacked into MEDIA_ROOT, which must be empty or absent. Checksums are verified first.
# Then point the application at postgres://.../DATABASE_NAME and run: python manage.py check_stock
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: restore.sh BACKUP_FOLDER DATABASE_NAME" >&2
  exit 2
fi
folder="$1"
name="$2"
: "${DATABASE_URL:?set DATABASE_URL to the server (any existing database, e.g. .../postgres)}"
if ! [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]]; then
  echo "restore.sh: DATABASE_NAME must be letters, digits and underscores" >&2
  exit 2
fi
if [ ! -f "$folder/db.dump" ] || [ -e "$folder/.partial" ]; then
  echo "restore.sh: $folder is not a complete backup (no db.dump, or .partial left)" >&2
  exit 2
fi
(cd "$folder" && sha256sum --check --quiet SHA256SUMS)

MEDIA_ROOT="${MEDIA_ROOT:-./media}"
if [ -f "$folder/media.tar.gz" ] && [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
  echo "restore.sh: $MEDIA_ROOT is not empty: restore media into an empty directory" >&2
  exit 2
fi

exists="$(psql "$DATABASE_URL" -XtAc "SELECT 1 FROM pg_database WHERE datname = '$name'")"
if [ "$exists" = "1" ]; then
  echo "restore.sh: database $name already exists: pick a new name" >&2
  exit 2
fi
psql "$DATABASE_URL" -Xq -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$name\""

# The same server and credentials, the new database: replace the URL's path.
base="${DATABASE_URL%%\?*}"
query=""
[ "$base" != "$DATABASE_URL" ] && query="?${DATABASE_URL#*\?}"
target_url="${base%/*}/$name$query"
pg_restore --exit-on-error --no-owner --no-privileges --dbname="$target_url" "$folder/db.dump"

if [ -f "$folder/media.tar.gz" ]; then
  mkdir -p "$MEDIA_ROOT"
  tar -C "$MEDIA_ROOT" -xzf "$folder/media.tar.gz"
fi
echo "restored into $name"
