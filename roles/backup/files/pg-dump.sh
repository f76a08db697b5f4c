#!/bin/sh
# Dumps one PostgreSQL database in pg_dump's custom format (compressed, restorable table by table)
# into WORK_DIR. Connection settings come from the standard PG* variables.
set -eu
: "${PGHOST:?}" "${PGUSER:?}" "${PGDATABASE:?}" "${PGPASSWORD:?}" "${WORK_DIR:?}" "${BACKUP_COMPONENT:?}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
pg_dump --format=custom --no-owner --no-privileges --file "$WORK_DIR/$BACKUP_COMPONENT-$stamp.dump"
echo "dumped $PGDATABASE to $BACKUP_COMPONENT-$stamp.dump"
