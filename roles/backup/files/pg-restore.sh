#!/bin/sh
# Restores the dump RESTORE_FILE (in WORK_DIR) over the database: objects in the dump are dropped
# and recreated in one transaction, so a failed restore leaves the database as it was.
set -eu
: "${PGHOST:?}" "${PGUSER:?}" "${PGDATABASE:?}" "${PGPASSWORD:?}" "${WORK_DIR:?}" "${RESTORE_FILE:?}"
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
  --dbname "$PGDATABASE" "$WORK_DIR/$RESTORE_FILE"
echo "restored $RESTORE_FILE into $PGDATABASE"
