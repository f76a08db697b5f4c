#!/bin/sh
# Takes a raft snapshot through the Vault API with the snapshot-only AppRole. The credentials go
# to the CLI on stdin, never on a command line or in the log.
set -eu
: "${VAULT_ADDR:?}" "${VAULT_ROLE_ID:?}" "${VAULT_SECRET_ID:?}" "${WORK_DIR:?}" "${BACKUP_COMPONENT:?}"
VAULT_TOKEN=$(printf '{"role_id":"%s","secret_id":"%s"}' "$VAULT_ROLE_ID" "$VAULT_SECRET_ID" \
  | vault write -field=token auth/approle/login -)
export VAULT_TOKEN
stamp=$(date -u +%Y%m%dT%H%M%SZ)
vault operator raft snapshot save "$WORK_DIR/$BACKUP_COMPONENT-$stamp.snap"
echo "saved raft snapshot $BACKUP_COMPONENT-$stamp.snap"
