"""The vault role and modules when things fail at the worst moment, against real OpenBao servers:
the unseal keys cannot be stored, the answer to the initialisation is lost, Vault restarts while a
module talks to it, a configuration run stops part-way.

Ports: 18216 (non-dev, cluster 18217), 18218 (the answer-dropping proxy), 18219 (a restartable dev
server).
"""

import http.client
import os
import secrets as random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import hvac
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from helpers_secrets import run, task_result

PASSPHRASE = 'correct horse battery staple 7'
NAMESPACES = {'gateway': 'ai-gateway', 'secrets': 'vault', 'observability': 'ai-observability',
              'messaging': 'ai-messaging', 'workflows': 'ai-workflows', 'agents': 'ai-agents', 'webui': 'ai-webui'}


class DroppingProxy(object):
    """Forwards to OpenBao but never answers an initialisation: Vault is initialised, the caller
    sees the connection close (a lost answer)."""

    url = 'http://127.0.0.1:18218'

    def __init__(self, upstream):
        host, port = upstream.split('://', 1)[1].rsplit(':', 1)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def forward(self):
                body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                conn.request(self.command, self.path, body=body or None,
                             headers=dict((k, v) for k, v in self.headers.items() if k.lower() != 'host'))
                answer = conn.getresponse()
                data = answer.read()
                conn.close()
                if self.path.startswith('/v1/sys/init') and self.command != 'GET':
                    self.close_connection = True
                    return
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ('transfer-encoding', 'connection', 'content-length'):
                        self.send_header(name, value)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = forward

        self.server = ThreadingHTTPServer(('127.0.0.1', 18218), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def role_vars(tmp_path, address, init_file):
    return {
        'ai_platform_site': 'bootstrap-failures',
        'ai_platform_apply': False,
        'ai_platform_render_dir': str(tmp_path / 'build'),
        'ai_platform_namespaces': NAMESPACES,
        'ai_platform_vault': {'address': address, 'kv_mount': 'secret', 'path_prefix': 'ai-platform',
                              'secret_store': 'vault', 'refresh_interval': '1h'},
        'vault_init_file': str(init_file),
        'vault_init_passphrase': PASSPHRASE,
        'vault_key_shares': 1,
        'vault_key_threshold': 1,
        'vault_retry_budget': 5,
        'ai_platform_agents': [],
        # The first bootstrap refuses to start without the operator's keys (here: none are needed).
        'ai_platform_providers': [],
        'ai_platform_secrets': [{'env': 'LITELLM_MASTER_KEY', 'path': 'ai-platform/litellm', 'key': 'master_key'}],
    }


def run_role(tmp_path, extra):
    proc = run('vault_role.yml', tmp_path, extra, json_output=False)
    return proc, ' '.join((proc.stdout + proc.stderr).split())


def initialised(server):
    return hvac.Client(url=server.url).sys.read_seal_status()['initialized']


def test_keys_that_cannot_be_stored_stop_the_run_before_vault_is_initialised(fresh_vault, tmp_path):
    blocker = tmp_path / 'not-a-folder'
    blocker.write_text('a file where the folder of the key file should be')
    init_file = blocker / 'vault-init.vault'
    proc, out = run_role(tmp_path, role_vars(tmp_path, fresh_vault.url, init_file))
    assert proc.returncode == 2, out[-3000:]
    assert 'cannot create %s for the unseal keys and root token' % blocker in out
    assert initialised(fresh_vault) is False


def test_a_lost_init_answer_is_explained_on_the_rerun(fresh_vault, tmp_path):
    init_file = tmp_path / 'keys' / 'vault-init.vault'
    proxy = DroppingProxy(fresh_vault.url)
    try:
        proc, out = run_role(tmp_path, role_vars(tmp_path, proxy.url, init_file))
    finally:
        proxy.stop()
    assert proc.returncode == 2, out[-3000:]
    assert 'If Vault received the initialisation before this error, its answer is lost' in out
    assert initialised(fresh_vault) is True and not init_file.exists()

    proc, out = run_role(tmp_path, role_vars(tmp_path, fresh_vault.url, init_file))
    assert proc.returncode == 2, out[-3000:]
    assert ('Vault at %s is initialised, %s does not exist, and %s.pending says:' % (fresh_vault.url, init_file, init_file)
            in out)
    assert 'started initialising Vault at %s' % proxy.url in out
    assert 'The answer to that initialisation was lost, so its unseal keys and root token exist nowhere' in out
    assert 'wipe its storage and initialise again' in out


def test_vault_initialised_from_another_controller_names_the_file_to_copy(fresh_vault, tmp_path):
    hvac.Client(url=fresh_vault.url).sys.initialize(secret_shares=1, secret_threshold=1)
    init_file = tmp_path / 'keys' / 'vault-init.vault'
    proc, out = run_role(tmp_path, role_vars(tmp_path, fresh_vault.url, init_file))
    assert proc.returncode == 2, out[-3000:]
    assert ('Vault at %s is initialised, but %s does not exist and this controller never started an initialisation'
            % (fresh_vault.url, init_file)) in out
    assert 'copy the encrypted file it wrote there to %s' % init_file in out
    assert not os.path.exists(str(init_file) + '.pending')


def test_the_keys_are_on_disk_before_the_task_returns_and_never_in_its_result(fresh_vault, tmp_path):
    init_file = tmp_path / 'keys' / 'vault-init.vault'
    extra = {'bootstrap_url': fresh_vault.url, 'bootstrap_init_file': str(init_file),
             'bootstrap_passphrase': PASSPHRASE}
    proc = run('bootstrap.yml', tmp_path, extra)
    result = task_result(proc)
    assert result['initialized_now'] and result['init_file'] == str(init_file)
    assert 'init' not in result
    stored = VaultLib([('default', VaultSecret(PASSPHRASE.encode()))]).decrypt(init_file.read_bytes())
    keys = yaml.safe_load(stored)
    assert sorted(keys) == ['keys_base64', 'root_token']
    assert keys['root_token'] not in proc.stdout and keys['keys_base64'][0] not in proc.stdout
    assert oct(init_file.stat().st_mode & 0o777) == '0o600'
    assert not os.path.exists(str(init_file) + '.pending')
    # The key file works: the stored key unseals this Vault.
    assert hvac.Client(url=fresh_vault.url).sys.submit_unseal_key(keys['keys_base64'][0])['sealed'] is False


def test_check_mode_says_it_would_initialise_and_touches_nothing(fresh_vault, tmp_path):
    init_file = tmp_path / 'keys' / 'vault-init.vault'
    extra = {'bootstrap_url': fresh_vault.url, 'bootstrap_init_file': str(init_file),
             'bootstrap_passphrase': PASSPHRASE}
    result = task_result(run('bootstrap.yml', tmp_path, extra, '--check'))
    assert result['changed'] and result['initialized_now'] and not result.get('failed')
    assert not init_file.exists() and not os.path.exists(str(init_file) + '.pending')
    assert initialised(fresh_vault) is False


def test_a_vault_restart_during_a_run_is_ridden_out(restartable_dev_vault, tmp_path):
    server = restartable_dev_vault
    server.stop()
    restarter = threading.Timer(6, server.start)
    restarter.start()
    started = time.monotonic()
    proc = run('kv.yml', tmp_path, {'kv_url': server.url, 'kv_token': server.root,
                                    'kv_secrets': [{'path': 'rollout/probe', 'data': {'k': 'v'}}]})
    restarter.join()
    result = task_result(proc)
    assert not result.get('failed'), result.get('msg')
    assert time.monotonic() - started >= 6
    assert result['changed_paths'] == ['secret/rollout/probe']


def test_a_spent_retry_budget_says_how_long_it_tried(tmp_path):
    proc = run('kv.yml', tmp_path, {'kv_url': 'http://127.0.0.1:18219', 'kv_token': 'unused', 'kv_retry_budget': 2,
                                    'kv_secrets': [{'path': 'rollout/probe', 'data': {'k': 'v'}}]})
    result = task_result(proc)
    assert result['failed']
    assert 'Vault at http://127.0.0.1:18219 is unreachable while reading the seal status' in result['msg']
    assert 'retry_budget 2 s' in result['msg'] and 'Nothing was written' in result['msg']


def test_a_configuration_run_that_fails_part_way_lists_what_it_wrote(dev_vault, tmp_path):
    name = 'partial-%s' % random.token_hex(4)
    extra = {'sys_url': dev_vault.url, 'sys_token': dev_vault.root,
             'sys_policies': [{'name': name, 'rules': 'path "secret/data/%s/*" { capabilities = ["read"] }' % name}],
             'sys_endpoints': [{'path': 'auth/no-such-method-%s/config' % name, 'data': {'x': 'y'}}]}
    proc = run('sys_config.yml', tmp_path, extra)
    result = task_result(proc)
    assert result['failed']
    assert result['changes'] == ['wrote policy %s' % name]
    assert result['msg'].endswith('Already written before the error: wrote policy %s.' % name)
