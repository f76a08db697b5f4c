"""The example site's whole secret bootstrap against a real OpenBao, checked from what it wrote.

platform.yml renders inventories/example while the vault role bootstraps the OpenBao its address
points at (render mode bootstraps whenever the address answers). Every ExternalSecret of that render
must then find its Vault path and property, read back from OpenBao itself; a rerun writes nothing; a
first bootstrap without the operator's keys changes nothing.
"""

import glob
import json
import os
import re
import subprocess

import hvac
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from helpers import REPO, run_playbook

PASSPHRASE = 'bootstrap wiring passphrase 9'
OPERATOR = {'OPENAI_API_KEY': 'sk-op-openai-' + 'a' * 20, 'ANTHROPIC_API_KEY': 'sk-ant-op-' + 'b' * 20,
            'GEMINI_API_KEY': 'op-gemini-' + 'c' * 20,
            'ALERT_ONCALL_WEBHOOK_URL': 'https://chat.example.internal/hooks/' + 'e' * 20,
            'ALERT_SMTP_PASSWORD': 'op-smtp-' + 'f' * 20}
K3S_TOKEN = 'k3s-join-token-' + 'd' * 40
EXAMPLE = os.path.join('inventories', 'example')
ROLE_PLAYBOOK = os.path.join(REPO, 'tests', 'integration', 'roles', 'vault', 'playbooks', 'vault_role.yml')


@pytest.fixture(scope='module')
def site(blank_vault, tmp_path_factory):
    work = tmp_path_factory.mktemp('bootstrap')
    from test_vault_role import self_signed_ca
    password_file = work / 'k3s-vault-password'
    password_file.write_text('k3s token password\n')
    token_file = work / 'k3s-token.vault'
    subprocess.run(['ansible-vault', 'encrypt', '--vault-password-file', str(password_file), '--output',
                    str(token_file), '-'], input=K3S_TOKEN, text=True, check=True, capture_output=True)
    extra = {
        'ai_platform_vault': {'address': blank_vault.url, 'kv_mount': 'secret', 'path_prefix': 'ai-platform',
                              'secret_store': 'vault', 'refresh_interval': '1h'},
        'ai_platform_render_dir': str(work / 'render'),
        'vault_init_file': str(work / 'keys' / 'vault-init.vault'),
        'vault_init_passphrase': PASSPHRASE,
        'vault_key_shares': 1,
        'vault_key_threshold': 1,
        'vault_kubernetes_ca_cert': self_signed_ca(),
        'vault_operator_secrets': OPERATOR,
        'vault_k3s_token_file': str(token_file),
        'vault_k3s_token_password_file': str(password_file),
    }

    class Site(object):
        server = blank_vault
        path = work
        render = extra['ai_platform_render_dir']

        def run(self, playbook, rc=0, **overrides):
            vars_file = work / ('vars-%d.json' % len(list(work.glob('vars-*.json'))))
            vars_file.write_text(json.dumps(dict(extra, **overrides)))
            proc = run_playbook(playbook, '-e', '@%s' % vars_file, inventory=EXAMPLE)
            assert proc.returncode == rc, proc.stdout[-4000:] + proc.stderr[-2000:]
            return proc

        def root(self):
            with open(extra['vault_init_file'], 'rb') as handle:
                stored = yaml.safe_load(VaultLib([('default', VaultSecret(PASSPHRASE.encode()))]).decrypt(handle.read()))
            return hvac.Client(url=blank_vault.url, token=stored['root_token'])

        def controller(self):
            path = os.path.join(os.path.dirname(extra['vault_init_file']), 'controller-secrets.vault')
            with open(path, 'rb') as handle:
                return yaml.safe_load(VaultLib([('default', VaultSecret(PASSPHRASE.encode()))]).decrypt(handle.read()))

    return Site()


def _read(client, path):
    return client.secrets.kv.v2.read_secret_version(path=path, mount_point='secret', raise_on_deleted_version=True)['data']


def _versions(client, paths):
    return dict((path, _read(client, path)['metadata']['version']) for path in paths)


def test_first_bootstrap_without_the_operators_keys_changes_nothing(site):
    proc = site.run(ROLE_PLAYBOOK, rc=2, vault_operator_secrets={'OPENAI_API_KEY': OPERATOR['OPENAI_API_KEY']})
    text = ' '.join(proc.stdout.split())
    assert ('these operator-provided secrets are missing: ANTHROPIC_API_KEY, GEMINI_API_KEY, ALERT_ONCALL_WEBHOOK_URL,'
            ' ALERT_SMTP_PASSWORD') in text
    assert 'set vault_operator_secrets.<ENV> in an ansible-vault encrypted vars file' in text
    assert hvac.Client(url=site.server.url).sys.read_seal_status()['initialized'] is False
    assert not os.path.exists(os.path.join(str(site.path), 'keys'))


def test_every_external_secret_of_the_render_reads_a_value_the_bootstrap_wrote(site):
    site.run('playbooks/platform.yml')
    client = site.root()
    refs = []
    for path in glob.glob(os.path.join(site.render, '*', 'externalsecret-*.yaml')):
        with open(path) as handle:
            obj = yaml.safe_load(handle)
        refs += [(obj['metadata']['name'], item['remoteRef']['key'], item['remoteRef']['property'])
                 for item in obj['spec']['data']]
    assert len(refs) > 40
    missing = []
    for name, path, prop in refs:
        try:
            value = _read(client, path)['data'].get(prop)
        except hvac.exceptions.InvalidPath:
            value = None
        if not value:
            missing.append('%s: %s.%s' % (name, path, prop))
    assert missing == []

    litellm = _read(client, 'ai-platform/litellm')['data']
    assert litellm['database_url'] == ('postgresql://litellm:%s@litellm-postgresql.ai-gateway.svc.cluster.local'
                                       ':5432/litellm' % litellm['postgres_password'])
    langfuse = _read(client, 'ai-platform/langfuse')['data']
    assert len(langfuse['encryption_key']) == 64 and int(langfuse['encryption_key'], 16) >= 0
    assert langfuse['public_key'].startswith('pk-lf-') and langfuse['secret_key'].startswith('sk-lf-')
    assert _read(client, 'ai-platform/open-webui')['data']['litellm_key'].startswith('sk-')
    # Operator keys as given; controller-held ones equal to the controller's encrypted copies.
    assert _read(client, 'ai-platform/providers/openai')['data'] == {'api_key': OPERATOR['OPENAI_API_KEY']}
    # The alert receivers' secrets too: Alertmanager's ExternalSecret is among the refs above.
    assert _read(client, 'ai-platform/alerting/oncall')['data'] == {'url': OPERATOR['ALERT_ONCALL_WEBHOOK_URL']}
    assert 'alertmanager-receivers' in set(name for name, _path, _prop in refs)
    assert _read(client, 'ai-platform/providers/spark')['data'] == {'api_key': site.controller()['SPARK_VLLM_API_KEY']}
    assert _read(client, 'ai-platform/k3s')['data'] == {'token': K3S_TOKEN}


def test_each_store_logs_in_as_a_reader_whose_vault_policy_reads_only_its_namespace_refs(site):
    """What OpenBao holds after the example's bootstrap, against the render of the same run."""
    client = site.root()
    read, stores = {}, {}
    for path in glob.glob(os.path.join(site.render, '*', '*.yaml')):
        with open(path) as handle:
            obj = yaml.safe_load(handle)
        if obj and obj['kind'] == 'ExternalSecret':
            read.setdefault(obj['metadata']['namespace'], set()).update(
                item['remoteRef']['key'] for item in obj['spec']['data'])
        elif obj and obj['kind'] == 'ClusterSecretStore':
            [condition] = obj['spec']['conditions']
            [namespace] = condition['namespaces']
            stores[namespace] = obj['spec']['provider']['vault']['auth']['kubernetes']
    assert sorted(stores) == sorted(read)
    granted = {}
    for namespace, auth in stores.items():
        role = client.read('auth/kubernetes/role/%s' % auth['role'])['data']
        assert role['bound_service_account_names'] == [auth['serviceAccountRef']['name']]
        assert role['bound_service_account_namespaces'] == [auth['serviceAccountRef']['namespace']] == ['vault']
        granted[namespace] = set(
            path for policy in role['token_policies']
            for path in re.findall(r'path "secret/data/([^"]+)"', client.sys.read_acl_policy(policy)['data']['policy']))
    assert granted == read


def test_rerun_writes_nothing_to_vault(site):
    client = site.root()
    paths = ['ai-platform/litellm', 'ai-platform/langfuse', 'ai-platform/open-webui', 'ai-platform/grafana',
             'ai-platform/providers/openai', 'ai-platform/providers/spark', 'ai-platform/k3s',
             'ai-platform/agents/doc-fetcher', 'ai-platform/nats/nack']
    before = _versions(client, paths)
    site.server.audit.mark()
    # Later runs take the operator's keys from Vault: the vars file may be gone.
    proc = site.run(ROLE_PLAYBOOK, vault_operator_secrets={})
    # Logins only: the admin policy's check, configuration, secrets, the snapshot AppRole's check.
    assert site.server.audit.writes() == [('update', 'auth/approle/login')] * 4
    assert _versions(client, paths) == before
    assert 'changed=0' in proc.stdout.split('PLAY RECAP')[1]
