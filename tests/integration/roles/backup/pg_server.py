"""A real PostgreSQL server (Debian's) on loopback port 17432, and the backup scripts run as the pods run them.

A module of its own (not conftest) so the tests and tests/bench/bench_backup.py import it by a unique name.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile


from helpers import REPO

PORT = 17432
SCRIPTS = os.path.join(REPO, 'roles', 'backup', 'files')
PG_BIN = sorted(glob.glob('/usr/lib/postgresql/*/bin'))[-1] if glob.glob('/usr/lib/postgresql/*/bin') else None


class Postgres(object):
    """initdb + pg_ctl as the postgres user (the server refuses to run as root)."""

    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, 'data')
        self.env = dict(os.environ, PGHOST='127.0.0.1', PGPORT=str(PORT), PGUSER='postgres')

    def _as_postgres(self, *argv):
        return subprocess.run(['runuser', '-u', 'postgres', '--'] + list(argv), check=True,
                              capture_output=True, text=True, cwd=self.root)

    def start(self):
        self._as_postgres(os.path.join(PG_BIN, 'initdb'), '-D', self.data, '-A', 'trust', '-U', 'postgres')
        self._as_postgres(os.path.join(PG_BIN, 'pg_ctl'), '-D', self.data, '-l', os.path.join(self.root, 'log'),
                          '-o', '-p %d -k %s -c listen_addresses=127.0.0.1' % (PORT, self.root), '-w', 'start')

    def stop(self):
        self._as_postgres(os.path.join(PG_BIN, 'pg_ctl'), '-D', self.data, '-m', 'fast', 'stop')
        shutil.rmtree(self.root, ignore_errors=True)

    def sql(self, statement, database='postgres', user='postgres', password=None):
        env = dict(self.env, PGUSER=user, PGDATABASE=database, PGPASSWORD=password or '')
        proc = subprocess.run(['psql', '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', statement], env=env,
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()


def postgres_server():
    """Start a server; the caller stops it."""
    if PG_BIN is None or not shutil.which('runuser'):
        raise RuntimeError('PostgreSQL server binaries are missing: apt-get install postgresql (make apt does)')
    root = tempfile.mkdtemp(prefix='backup-pg-')
    uid = pwd.getpwnam('postgres').pw_uid
    os.chown(root, uid, -1)
    server = Postgres(root)
    server.start()
    return server


def run_script(name, env, check=True):
    """One of the backup role's scripts, as the pods run it (sh, environment only)."""
    proc = subprocess.run(['sh', os.path.join(SCRIPTS, name)], env=dict(os.environ, **env),
                          capture_output=True, text=True, check=False)
    if check:
        assert proc.returncode == 0, '%s failed:\n%s%s' % (name, proc.stdout, proc.stderr)
    return proc
