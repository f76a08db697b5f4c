"""The backup role's PostgreSQL round trip against a real server: dump with the CronJob's script,
store it encrypted with its rclone step (a local directory as the NAS target), drop the data, fetch
and restore with the restore Job's scripts; row counts and checksums come back equal."""

import os
import secrets as random

import pytest

from pg_server import PORT, run_script

PASSPHRASE = random.token_hex(16)
# LiteLLM-shaped (teams, keys, spend) and Langfuse-shaped (traces, observations, scores) tables.
SCHEMAS = {
    'litellm': [
        'CREATE TABLE "LiteLLM_TeamTable" (team_id text PRIMARY KEY, team_alias text, max_budget double precision,'
        ' budget_duration text, spend double precision)',
        'CREATE TABLE "LiteLLM_VerificationToken" (token text PRIMARY KEY, team_id text REFERENCES'
        ' "LiteLLM_TeamTable", key_alias text, spend double precision)',
        'CREATE TABLE "LiteLLM_SpendLogs" (request_id text PRIMARY KEY, api_key text, team_id text, model text,'
        ' spend double precision, "startTime" timestamptz)',
        "INSERT INTO \"LiteLLM_TeamTable\" SELECT 'team-' || i, 'team ' || i, 100 * i, '1d', i / 3.0"
        ' FROM generate_series(1, 5) i',
        "INSERT INTO \"LiteLLM_VerificationToken\" SELECT md5('key' || i), 'team-' || (i % 5 + 1), 'agent-' || i,"
        ' i / 7.0 FROM generate_series(1, 18) i',
        "INSERT INTO \"LiteLLM_SpendLogs\" SELECT 'req-' || i, md5('key' || (i % 18 + 1)), 'team-' || (i % 5 + 1),"
        " 'qwen3-32b', i / 1000.0, now() - i * interval '1 minute' FROM generate_series(1, 2000) i",
    ],
    'langfuse': [
        'CREATE TABLE traces (id text PRIMARY KEY, name text, user_id text, tags text[], timestamp timestamptz)',
        'CREATE TABLE observations (id text PRIMARY KEY, trace_id text REFERENCES traces, parent_observation_id'
        ' text, type text, model text, start_time timestamptz, end_time timestamptz)',
        'CREATE TABLE scores (id text PRIMARY KEY, trace_id text REFERENCES traces, name text, value double precision)',
        "INSERT INTO traces SELECT 'trace-' || i, 'document', 'user-' || (i % 9), ARRAY['team:research'],"
        " now() FROM generate_series(1, 300) i",
        "INSERT INTO observations SELECT 'obs-' || i, 'trace-' || (i % 300 + 1), NULL, 'GENERATION', 'fast',"
        " now(), now() FROM generate_series(1, 1200) i",
        "INSERT INTO scores SELECT 'score-' || i, 'trace-' || (i % 300 + 1), 'quality', i % 5"
        ' FROM generate_series(1, 300) i',
    ],
}
# What "the same data" means: every table's row count and an md5 over its rows in key order.
FINGERPRINT = ("SELECT string_agg(t || '=' || n || ':' || h, ' ' ORDER BY t) FROM ("
               " SELECT '{table}' AS t, count(*) AS n, md5(string_agg(r::text, '|' ORDER BY r::text)) AS h"
               " FROM {quoted} r) x")


def fingerprint(postgres, database, user, password):
    tables = postgres.sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
                          database, user, password).split()
    return [postgres.sql(FINGERPRINT.format(table=table, quoted='"%s"' % table), database, user, password)
            for table in tables]


@pytest.fixture(scope='module')
def databases(postgres):
    """Both databases, owned by their application user as the charts create them."""
    passwords = {}
    for database, statements in SCHEMAS.items():
        passwords[database] = random.token_hex(12)
        postgres.sql("CREATE ROLE %s LOGIN PASSWORD '%s'" % (database, passwords[database]))
        postgres.sql('CREATE DATABASE %s OWNER %s' % (database, database))
        for statement in statements:
            postgres.sql(statement, database, database, passwords[database])
    return passwords


def script_env(database, password, work, target, **extra):
    env = {'PGHOST': '127.0.0.1', 'PGPORT': str(PORT), 'PGUSER': database, 'PGDATABASE': database,
           'PGPASSWORD': password, 'WORK_DIR': str(work), 'BACKUP_COMPONENT': '%s-postgres' % database,
           'BACKUP_TARGET_PATH': str(target / 'site'), 'RCLONE_CONFIG_TARGET_TYPE': 'local',
           'RCLONE_CONFIG': str(work.parent / 'rclone.conf'), 'BACKUP_PASSPHRASE': PASSPHRASE,
           'BACKUP_RETENTION': '2'}
    env.update(extra)
    return env


@pytest.mark.parametrize('database', sorted(SCHEMAS))
def test_dump_store_drop_fetch_restore_gives_back_the_same_rows(postgres, databases, database, tmp_path):
    password = databases[database]
    target = tmp_path / 'nas'
    before = fingerprint(postgres, database, database, password)
    assert len(before) == 3 and all(':' in row for row in before)

    dump_dir = tmp_path / 'dump'
    dump_dir.mkdir()
    run_script('pg-dump.sh', script_env(database, password, dump_dir, target))
    run_script('store.sh', script_env(database, password, dump_dir, target))

    # At rest: no file name and no byte of the dump is readable without the passphrase.
    stored = [os.path.join(root, name) for root, _dirs, names in os.walk(str(target)) for name in names]
    assert len(stored) == 1
    assert database not in os.path.basename(stored[0])
    with open(stored[0], 'rb') as handle:
        at_rest = handle.read()
    assert b'LiteLLM' not in at_rest and b'trace-1' not in at_rest and b'PGDMP' not in at_rest

    for table in reversed(postgres.sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
                                       database, database, password).split()):
        postgres.sql('DROP TABLE "%s" CASCADE' % table, database, database, password)
    assert fingerprint(postgres, database, database, password) == []

    restore_dir = tmp_path / 'restore'
    restore_dir.mkdir()
    fetched = run_script('fetch.sh', script_env(database, password, restore_dir, target))
    name = fetched.stdout.strip().splitlines()[-1]
    assert name.startswith('%s-postgres-' % database) and name.endswith('.dump')
    run_script('pg-restore.sh', script_env(database, password, restore_dir, target))
    assert fingerprint(postgres, database, database, password) == before


def test_wrong_passphrase_cannot_read_a_stored_dump(postgres, databases, tmp_path):
    target = tmp_path / 'nas'
    work = tmp_path / 'dump'
    work.mkdir()
    env = script_env('litellm', databases['litellm'], work, target)
    run_script('pg-dump.sh', env)
    run_script('store.sh', env)
    restore = tmp_path / 'restore'
    restore.mkdir()
    fetched = run_script('fetch.sh', script_env('litellm', databases['litellm'], restore, target,
                                                BACKUP_PASSPHRASE='not the passphrase'), check=False)
    assert fetched.returncode != 0
    assert not list(restore.iterdir())


def test_store_keeps_only_the_newest_retention_backups(postgres, databases, tmp_path):
    target = tmp_path / 'nas'
    names = []
    for run in range(3):
        work = tmp_path / ('dump-%d' % run)
        work.mkdir()
        # Names carry a UTC timestamp to the second; give each run its own.
        (work / ('litellm-postgres-2026010%dT000000Z.dump' % (run + 1))).write_bytes(os.urandom(64))
        names.append('litellm-postgres-2026010%dT000000Z.dump' % (run + 1))
        proc = run_script('store.sh', script_env('litellm', databases['litellm'], work, target))
    assert 'pruned %s' % names[0] in proc.stdout
    listing = tmp_path / 'listing'
    listing.mkdir()
    newest = run_script('fetch.sh', script_env('litellm', databases['litellm'], listing, target))
    assert newest.stdout.strip().splitlines()[-1] == names[-1]
    stored = [name for _root, _dirs, files in os.walk(str(target)) for name in files]
    assert len(stored) == 2


def test_a_restore_of_a_missing_component_fails_and_names_it(tmp_path):
    work = tmp_path / 'work'
    work.mkdir()
    proc = run_script('fetch.sh', script_env('litellm', 'x', work, tmp_path / 'empty'), check=False)
    assert proc.returncode != 0
    assert 'no backup of litellm-postgres' in proc.stderr


def test_store_moves_an_artefact_a_service_staged_itself(tmp_path):
    """ClickHouse's CronJob: the server writes its BACKUP archive to a staging bucket (BACKUP_STAGED,
    here a local folder standing in for Langfuse's MinIO); store.sh moves it from there, encrypted,
    and leaves nothing behind in the staging folder. ClickHouse itself is not run here."""
    staging = tmp_path / 'minio' / 'langfuse' / 'ai-platform-backup'
    staging.mkdir(parents=True)
    name = 'langfuse-clickhouse-20260101T000000Z.tar'
    (staging / name).write_bytes(b'clickhouse backup ' + os.urandom(256))
    work = tmp_path / 'work'
    work.mkdir()
    target = tmp_path / 'nas'
    env = script_env('langfuse', 'x', work, target, BACKUP_COMPONENT='langfuse-clickhouse', BACKUP_STAGED=str(staging))
    proc = run_script('store.sh', env)
    assert 'stored %s for langfuse-clickhouse' % name in proc.stdout
    assert list(staging.iterdir()) == []
    stored = [os.path.join(root, n) for root, _dirs, names in os.walk(str(target)) for n in names]
    assert len(stored) == 1 and 'clickhouse' not in stored[0]
    with open(stored[0], 'rb') as handle:
        assert b'clickhouse backup' not in handle.read()
    fetched = run_script('fetch.sh', script_env('langfuse', 'x', tmp_path / 'work', target,
                                                BACKUP_COMPONENT='langfuse-clickhouse'))
    assert fetched.stdout.strip().splitlines()[-1] == name
    assert (work / name).read_bytes().startswith(b'clickhouse backup')
