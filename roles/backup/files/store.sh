#!/bin/sh
# Copies every file in WORK_DIR to the component's folder at the target (see remote.sh), then keeps
# only the newest BACKUP_RETENTION there. File names sort by their UTC timestamp. A service that
# writes its artefact to a bucket itself (ClickHouse) names that folder in BACKUP_STAGED (an rclone
# path): its files are moved from there instead, so the staging bucket does not keep them.
set -eu
: "${BACKUP_RETENTION:?}" "${WORK_DIR:?}"
remote=""
# shellcheck disable=SC1091 # sets remote; see remote.sh
. "$(dirname "$0")/remote.sh"
source=${BACKUP_STAGED:-$WORK_DIR}
files=$(rclone lsf --files-only "$source" | tr '\n' ' ')
if [ -n "${BACKUP_STAGED:-}" ]; then
  rclone move --no-traverse "$source" "$remote"
else
  rclone copy --no-traverse "$source" "$remote"
fi
rclone lsf --files-only "$remote" | sort -r | tail -n "+$((BACKUP_RETENTION + 1))" \
  | while read -r name; do
      rclone deletefile "$remote/$name"
      echo "pruned $name"
    done
echo "stored ${files}for $BACKUP_COMPONENT, keeping $BACKUP_RETENTION"
