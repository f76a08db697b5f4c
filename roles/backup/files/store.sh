#!/bin/sh
# Copies every file in WORK_DIR to the component's folder at the target (see remote.sh), then keeps
# only the newest BACKUP_RETENTION there. File names sort by their UTC timestamp.
set -eu
: "${BACKUP_RETENTION:?}" "${WORK_DIR:?}"
remote=""
# shellcheck disable=SC1091 # sets remote; see remote.sh
. "$(dirname "$0")/remote.sh"
rclone copy --no-traverse "$WORK_DIR" "$remote"
rclone lsf --files-only "$remote" | sort -r | tail -n "+$((BACKUP_RETENTION + 1))" \
  | while read -r name; do
      rclone deletefile "$remote/$name"
      echo "pruned $name"
    done
echo "stored $(find "$WORK_DIR" -type f -exec basename {} \; | tr '\n' ' ')for $BACKUP_COMPONENT, keeping $BACKUP_RETENTION"
