#!/bin/sh
# Restores the dump in WORK_DIR (RESTORE_FILE, or the only file there) over the database: objects in
# the dump are dropped and recreated in one transaction, so a failed restore leaves it as it was.
set -eu
: "${PGHOST:?}" "${PGUSER:?}" "${PGDATABASE:?}" "${PGPASSWORD:?}" "${WORK_DIR:?}"
if [ -n "${RESTORE_FILE:-}" ]; then
  dump="$WORK_DIR/$RESTORE_FILE"
else
  set -- "$WORK_DIR"/*
  dump=$1
fi
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --dbname "$PGDATABASE" "$dump"
echo "restored $(basename "$dump") into $PGDATABASE"
