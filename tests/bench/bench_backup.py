#!/usr/bin/env python
"""Backup and restore timings and sizes on loopback (a script, not a test): the PostgreSQL round trip
with the backup role's own scripts on LiteLLM-shaped spend logs of increasing size.

    .venv/bin/python tests/bench/bench_backup.py [rows ...]

Prints, per size: dump, store (encrypt + copy), fetch (copy + decrypt) and restore seconds, the dump
size and the stored size.
"""

import os
import secrets as random
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, '..', 'integration', 'roles', 'backup'), os.path.join(HERE, '..')]

from pg_server import PORT, postgres_server, run_script  # noqa: E402


def main(sizes):
    server = postgres_server()
    root = server.root
    password = random.token_hex(12)
    server.sql("CREATE ROLE litellm LOGIN PASSWORD '%s'" % password)
    print('%10s %8s %8s %8s %8s %12s %12s' % ('rows', 'dump s', 'store s', 'fetch s', 'restore s', 'dump bytes',
                                              'stored bytes'))
    try:
        for rows in sizes:
            server.sql('DROP DATABASE IF EXISTS litellm')
            server.sql('CREATE DATABASE litellm OWNER litellm')
            server.sql('CREATE TABLE spend (request_id text PRIMARY KEY, api_key text, model text, spend float8,'
                       ' at timestamptz)', 'litellm', 'litellm', password)
            server.sql("INSERT INTO spend SELECT 'req-' || i, md5(i::text), 'qwen3-32b', i / 1000.0,"
                       " now() - i * interval '1 second' FROM generate_series(1, %d) i" % rows,
                       'litellm', 'litellm', password)
            work = tempfile.mkdtemp(dir=root)
            env = {'PGHOST': '127.0.0.1', 'PGPORT': str(PORT), 'PGUSER': 'litellm', 'PGDATABASE': 'litellm',
                   'PGPASSWORD': password, 'WORK_DIR': os.path.join(work, 'dump'), 'BACKUP_COMPONENT': 'bench',
                   'BACKUP_TARGET_PATH': os.path.join(work, 'nas'), 'RCLONE_CONFIG_TARGET_TYPE': 'local',
                   'RCLONE_CONFIG': os.path.join(work, 'rclone.conf'), 'BACKUP_PASSPHRASE': 'bench',
                   'BACKUP_RETENTION': '2'}
            os.makedirs(env['WORK_DIR'])
            times = []
            for script, overrides in (('pg-dump.sh', {}), ('store.sh', {}),
                                      ('fetch.sh', {'WORK_DIR': os.path.join(work, 'restore')}),
                                      ('pg-restore.sh', {'WORK_DIR': os.path.join(work, 'restore')})):
                os.makedirs(overrides.get('WORK_DIR', env['WORK_DIR']), exist_ok=True)
                started = time.monotonic()
                run_script(script, dict(env, **overrides))
                times.append(time.monotonic() - started)
            dump = sum(os.path.getsize(os.path.join(env['WORK_DIR'], n)) for n in os.listdir(env['WORK_DIR']))
            stored = sum(os.path.getsize(os.path.join(r, n)) for r, _d, names in os.walk(env['BACKUP_TARGET_PATH'])
                         for n in names)
            print('%10d %8.2f %8.2f %8.2f %8.2f %12d %12d' % tuple([rows] + times + [dump, stored]))
    finally:
        server.stop()


if __name__ == '__main__':
    main([int(arg) for arg in sys.argv[1:]] or [10000, 100000, 1000000])
