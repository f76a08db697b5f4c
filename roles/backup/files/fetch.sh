#!/bin/sh
# The reverse of store.sh: copies RESTORE_FILE (or, when empty, the newest file) of the component
# from the target into WORK_DIR, decrypted, and prints its name on the last line.
set -eu
: "${WORK_DIR:?}"
remote=""
# shellcheck disable=SC1091 # sets remote; see remote.sh
. "$(dirname "$0")/remote.sh"
name=${RESTORE_FILE:-$(rclone lsf --files-only "$remote" | sort -r | head -n 1)}
[ -n "$name" ] || { echo "no backup of $BACKUP_COMPONENT at the target" >&2; exit 1; }
rclone copyto "$remote/$name" "$WORK_DIR/$name"
echo "$name"
