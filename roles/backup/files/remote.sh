# shellcheck shell=sh disable=SC2034
# Sourced by store.sh and fetch.sh: sets $remote to where BACKUP_COMPONENT's files live. The target
# itself ("target", configured through RCLONE_CONFIG_TARGET_* variables: a local directory on the
# NAS volume or an S3-compatible bucket) under BACKUP_TARGET_PATH; with BACKUP_PASSPHRASE set,
# through rclone's crypt backend, so contents and names are encrypted at rest. Vault's snapshots
# are stored without it: they are already encrypted by Vault's barrier, and the passphrase lives in
# Vault, so encrypting them with it would make Vault unrestorable.
: "${BACKUP_COMPONENT:?}" "${BACKUP_TARGET_PATH:?}"
if [ -n "${BACKUP_PASSPHRASE:-}" ]; then
  RCLONE_CONFIG_SAFE_TYPE=crypt
  RCLONE_CONFIG_SAFE_REMOTE="target:$BACKUP_TARGET_PATH"
  RCLONE_CONFIG_SAFE_PASSWORD=$(rclone obscure "$BACKUP_PASSPHRASE")
  export RCLONE_CONFIG_SAFE_TYPE RCLONE_CONFIG_SAFE_REMOTE RCLONE_CONFIG_SAFE_PASSWORD
  remote="safe:$BACKUP_COMPONENT"
else
  remote="target:$BACKUP_TARGET_PATH/$BACKUP_COMPONENT"
fi
