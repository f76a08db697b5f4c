#!/bin/sh
# Has ClickHouse back up its database with its own BACKUP command, as one tar archive written by the
# server to the staging bucket (BACKUP_STAGING_URL, Langfuse's MinIO); store.sh moves it from there
# to the target. The password reaches clickhouse-client in a config file and the bucket's keys in
# the query on stdin, never on a command line.
set -eu
: "${CLICKHOUSE_ADDRESS:?}" "${CLICKHOUSE_USER:?}" "${CLICKHOUSE_PASSWORD:?}" "${BACKUP_STAGING_URL:?}"
: "${S3_USER:?}" "${S3_PASSWORD:?}" "${BACKUP_COMPONENT:?}"
database=${CLICKHOUSE_DATABASE:-default}
name="$BACKUP_COMPONENT-$(date -u +%Y%m%dT%H%M%SZ).tar"
umask 077
config=$(mktemp)
trap 'rm -f "$config"' EXIT
printf '<config><user>%s</user><password>%s</password></config>\n' "$CLICKHOUSE_USER" "$CLICKHOUSE_PASSWORD" >"$config"
printf "BACKUP DATABASE %s TO S3('%s/%s', '%s', '%s')\n" "$database" "$BACKUP_STAGING_URL" "$name" "$S3_USER" "$S3_PASSWORD" \
  | clickhouse-client --config-file "$config" --host "${CLICKHOUSE_ADDRESS%:*}" --port "${CLICKHOUSE_ADDRESS##*:}"
echo "ClickHouse wrote $database to $name in the staging bucket"
