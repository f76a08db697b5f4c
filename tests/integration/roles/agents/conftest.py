"""The seed's document pipeline on loopback: a real nats-server with the accounts and users the nats
role renders and the streams/consumers the agents role renders, the real LiteLLM proxy on the
config litellm_config renders (providers are loopback stand-ins), a loopback Langfuse receiver, a
document server, and the reference runtime started as the rendered agents' Deployments run it.

The proxy runs without its database, so per-agent virtual keys cannot be checked live: every
runtime gets LiteLLM's master key. Consumers keep the rendered settings except ackWait (4 s instead
of 5 m, so the killed-runtime case is redelivered within the test).

Ports (this area's range, 16000-16999): proxy 16000, providers 16010-16013, Langfuse receiver 16020,
document server 16030, nats 16222 (monitor 16223), runtime metrics 16100-16109.
"""

import asyncio
import copy
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from helpers import REPO, VENV_BIN, run_playbook

RUNTIME_DIR = os.path.join(REPO, 'roles', 'agents', 'files', 'agent_runtime')
INVENTORY = os.path.join(REPO, 'inventories', 'example')
NATS_PORT, NATS_MONITOR = 16222, 16223
PROXY_PORT, RECEIVER_PORT, DOCS_PORT, FAKES_PORT = 16000, 16020, 16030, 16010
ACK_WAIT = '4s'
PIPELINE = ('doc-fetcher', 'doc-chunker', 'doc-summariser')
# One paragraph is one chunk: 3000 characters, and two never fit the runtime's 4000.
PARAGRAPH = 3000


def _load(name, path):
    """Another area's conftest as a plain module (its helpers, not its fixtures)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module
    return module


# The tests import the runtime's message helpers and this module's names.
sys.path.insert(0, RUNTIME_DIR)
sys.modules['agents_conftest'] = sys.modules[__name__]
platform = _load('platform_conftest', os.path.join(REPO, 'tests', 'integration', 'platform', 'conftest.py'))
gateway = _load('gateway_conftest', os.path.join(REPO, 'tests', 'integration', 'roles', 'litellm', 'conftest.py'))


def paragraphs(tag, count):
    return '\n\n'.join(('%s-%d ' % (tag, i) + 'lorem ipsum ' * PARAGRAPH)[:PARAGRAPH] for i in range(count))


class DocumentServer:
    """Serves /doc/<name>?paragraphs=N; `fail[name] = k` answers 503 k times first; `hold[name]`
    blocks the first GET until released (a slow source, to kill a runtime mid-step)."""

    def __init__(self, port):
        self.gets, self.fail, self.hold, self.holding = [], {}, {}, threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path, _sep, query = self.path.partition('?')
                name = path.rsplit('/', 1)[-1]
                server.gets.append(name)
                if server.fail.get(name, 0) > 0:
                    server.fail[name] -= 1
                    self.send_response(503)
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                    return
                if name in server.hold:
                    release = server.hold.pop(name)
                    server.holding.set()
                    release.wait(30)
                    return  # the client was killed meanwhile: nothing to answer
                count = int(query.split('=')[1]) if '=' in query else 3
                body = paragraphs(name, count).encode()
                self.send_response(200)
                self.send_header('Content-Type', 'text/plain; charset=utf-8')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(('127.0.0.1', port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = 'http://127.0.0.1:%d' % port

    def stop(self):
        for event in self.hold.values():
            event.set()
        self._server.shutdown()
        self._server.server_close()


class Runtime:
    """One `python -m agent_runtime` process with a rendered Deployment's environment."""

    def __init__(self, name, env, workdir):
        self.name, self.env = name, env
        self.metrics_url = 'http://127.0.0.1:%s/metrics' % env['AGENT_METRICS_PORT']
        self.log_path = workdir / ('%s.log' % name)
        self._log = open(self.log_path, 'wb')
        self.process = subprocess.Popen([sys.executable, '-m', 'agent_runtime'], cwd=RUNTIME_DIR, env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline and self.process.poll() is None:
            if 'consuming' in self.log():
                return
            time.sleep(0.1)
        raise AssertionError('runtime %s did not start:\n%s' % (self.name, self.log()))

    def log(self):
        return self.log_path.read_text(errors='replace')

    def metric(self, name, **labels):
        """Sum of the samples of `name` whose labels include `labels`."""
        with urllib.request.urlopen(self.metrics_url, timeout=5) as answer:
            text = answer.read().decode()
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + '{') and all('%s="%s"' % kv in line for kv in labels.items()):
                total += float(line.rsplit(' ', 1)[1])
        return total

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


def deployment_env(deployment, secrets, overrides):
    """The container's env as the kubelet would give it: literal values, Secret keys resolved."""
    env = {}
    for item in deployment['spec']['template']['spec']['containers'][0]['env']:
        if 'value' in item:
            env[item['name']] = item['value']
        else:
            env[item['name']] = secrets[item['valueFrom']['secretKeyRef']['key']]
    env.update(overrides)
    return env


@pytest.fixture(scope='session')
def rendered(tmp_path_factory):
    """nats and agents rendered for inventories/example: (NATS chart values, objects by kind)."""
    return platform.render_with_nats(('nats', 'agents'), tmp_path_factory.mktemp('render-agents'))


@pytest.fixture(scope='session')
def nats_server(rendered, tmp_path_factory):
    values, by_kind = rendered
    binary = os.path.join(VENV_BIN, 'nats-server')
    work = tmp_path_factory.mktemp('agents-nats')
    accounts = values['config']['merge']['accounts']
    users = {u['user']: platform._VAR.match(u['password']).group(1)[1:] for acc in accounts.values()
             for u in acc['users']}
    passwords = {var: 'p%s' % abs(hash((var, time.time()))) for var in users.values()}
    conf = platform.write_conf(values, work, NATS_PORT, NATS_MONITOR)
    proc, log = platform.start_nats(binary, conf, passwords, NATS_MONITOR)
    assert proc.poll() is None, log
    by_kind = copy.deepcopy(by_kind)
    for consumer in by_kind['Consumer'].values():
        consumer['spec']['ackWait'] = ACK_WAIT
    server = {'url': 'nats://127.0.0.1:%d' % NATS_PORT, 'by_kind': by_kind,
              'password': {user: passwords[var] for user, var in users.items()}}
    asyncio.run(platform._create_streams(server))
    yield server
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope='session')
def receiver():
    lf = gateway.LangfuseReceiver(RECEIVER_PORT)
    yield lf
    lf.stop()


@pytest.fixture(scope='session')
def proxy(tmp_path_factory, receiver):
    gateway.need_litellm()
    work = tmp_path_factory.mktemp('agents-proxy')
    dest = work / 'model.json'
    proc = run_playbook('tests/integration/roles/litellm/playbooks/dump_model.yml', '-e', 'model_dest=%s' % dest,
                        inventory=INVENTORY)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fakes = dict((name, gateway.FakeProvider(name, FAKES_PORT + i).start())
                 for i, name in enumerate(('openai', 'anthropic', 'google', 'spark')))
    model = gateway.with_loopback_providers(json.loads(dest.read_text()), fakes)
    # The inventory model refuses a loopback IP as a provider's api_base (a cluster would reach
    # itself); the name `localhost` reaches the same stand-ins here.
    for provider in model['ai_platform_providers']:
        provider['api_base'] = provider['api_base'].replace('//127.0.0.1:', '//localhost:')
    gateway.render_config(model, work, 'agents')
    config = yaml.safe_load((work / 'agents.yaml').read_text())
    # Without the database the master key carries no team: label spend by the team the runtime
    # names in its request metadata (with virtual keys the `team` label comes from the key).
    config['litellm_settings']['custom_prometheus_metadata_labels'] = ['metadata.team']
    (work / 'agents.yaml').write_text(yaml.safe_dump(config))
    running = gateway.Proxy('agents', PROXY_PORT, work / 'agents.yaml', work, receiver.url)
    try:
        running.wait_alive()
        running.fakes = fakes
        yield running
    finally:
        running.stop()
        for fake in fakes.values():
            fake.stop()


@pytest.fixture(scope='session')
def documents():
    server = DocumentServer(DOCS_PORT)
    yield server
    server.stop()


@pytest.fixture(scope='session')
def runtimes(nats_server, proxy, tmp_path_factory):
    """The three pipeline agents, each started with its rendered Deployment's environment."""
    work = tmp_path_factory.mktemp('agents-runtimes')
    deployments = nats_server['by_kind']['Deployment']
    started = {}

    def start(agent, instance=0):
        overrides = {'LITELLM_BASE_URL': proxy.url, 'OPENAI_BASE_URL': proxy.url + '/v1',
                     'NATS_URL': nats_server['url'],
                     'AGENT_METRICS_PORT': str(16100 + len(started)),
                     'AGENT_HTTP_BACKOFF': '0.2', 'AGENT_NAK_BACKOFF': '0.5', 'AGENT_PUBLISH_TIMEOUT': '2',
                     'PATH': os.environ['PATH']}
        secrets = {'LITELLM_API_KEY': gateway.MASTER_KEY, 'NATS_PASSWORD': nats_server['password'][agent]}
        runtime = Runtime('%s-%d' % (agent, instance), deployment_env(deployments['agent-' + agent], secrets, overrides),
                          work)
        started[runtime.name] = runtime
        runtime.wait_ready()
        return runtime

    for agent in PIPELINE:
        start(agent)
    started['start'] = start
    yield started
    for runtime in list(started.values()):
        if isinstance(runtime, Runtime):
            runtime.stop(signal.SIGKILL, timeout=5)
