"""The vault role's init/unseal/configure flow against a non-dev OpenBao (raft storage) on loopback.

Runs in order on one server: first run initialises, unseals and configures; a restart seals it and the
second run unseals; the third run changes nothing. Each run is made with -vvv and the whole output is
scanned for every secret the role handles. Then each namespace's reader logs in through Kubernetes auth
(the TokenReview answer comes from a stand-in, kubernetes_standin.py; the rest is OpenBao) and may read
its own namespace's paths only, and a Vault configured the way earlier versions did converges.
"""

import datetime
import os
import re
import stat

import hvac
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from helpers_secrets import run

PASSPHRASE = 'correct horse battery staple 7'
AGENTS = ['doc-fetcher', 'code-reviewer']
GENERATED = dict([('ai-platform/agents/%s' % name, ['litellm_key', 'nats_password']) for name in AGENTS]
                 + [('ai-platform/litellm', ['database_url', 'master_key', 'postgres_admin_password', 'postgres_password',
                                             'salt_key', 'valkey_password']),
                    ('ai-platform/langfuse', ['admin_password', 'clickhouse_password', 'encryption_key', 'nextauth_secret',
                                              'postgres_password', 'public_key', 'redis_password', 's3_password', 's3_user',
                                              'salt', 'secret_key']),
                    ('ai-platform/open-webui', ['litellm_key', 'webui_secret_key']),
                    ('ai-platform/grafana', ['admin_password', 'admin_user']),
                    ('ai-platform/nats/nack', ['password', 'user']),
                    ('ai-platform/backup', ['passphrase']),
                    ('ai-platform/backup/vault-snapshot', ['role_id', 'secret_id'])])
# The operator's one cloud key in this test, and the settings the catalog reads.
OPERATOR = {'OPENAI_API_KEY': 'sk-operator-' + 'x' * 24}
PROVIDERS = [{'name': 'openai', 'kind': 'openai', 'api_key_env': 'OPENAI_API_KEY'},
             {'name': 'spark', 'kind': 'vllm', 'api_key_env': 'SPARK_VLLM_API_KEY', 'api_base': 'http://spark:8000/v1'}]
SECRETS = [{'env': 'OPENAI_API_KEY', 'path': 'ai-platform/providers/openai', 'key': 'api_key'},
           {'env': 'SPARK_VLLM_API_KEY', 'path': 'ai-platform/providers/spark', 'key': 'api_key'},
           {'env': 'LITELLM_MASTER_KEY', 'path': 'ai-platform/litellm', 'key': 'master_key'}]
NAMESPACES = {'gateway': 'ai-gateway', 'secrets': 'vault', 'observability': 'ai-observability',
              'messaging': 'ai-messaging', 'workflows': 'ai-workflows', 'agents': 'ai-agents', 'webui': 'ai-webui'}
# What each namespace's ExternalSecrets read with these settings (no backups, the pipeline agent is not
# one of AGENTS): the vault role's catalog decides it, and each reader's policy is exactly this.
AGENT_PATHS = ['ai-platform/agents/%s' % name for name in AGENTS] + ['ai-platform/nats/nack']
READERS = {
    'ai-gateway': ['ai-platform/langfuse', 'ai-platform/litellm', 'ai-platform/providers/openai',
                   'ai-platform/providers/spark'],
    'ai-observability': ['ai-platform/grafana', 'ai-platform/langfuse'],
    'ai-webui': ['ai-platform/open-webui'],
    'ai-agents': sorted(AGENT_PATHS),
    'ai-messaging': sorted(AGENT_PATHS),
}


def self_signed_ca():
    """A throwaway CA for Kubernetes auth's config (Vault checks it parses; no cluster is called)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'test-kubernetes-ca')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture(scope='module')
def role(nondev_vault, kubernetes, tmp_path_factory):
    work = tmp_path_factory.mktemp('vault-role')
    (work / 'ca.crt').write_text(self_signed_ca())
    extra = {
        'ai_platform_site': 'secrets-test',
        'ai_platform_apply': False,
        'ai_platform_render_dir': str(work / 'build'),
        'ai_platform_namespaces': NAMESPACES,
        'ai_platform_vault': {'address': nondev_vault.url, 'kv_mount': 'secret', 'path_prefix': 'ai-platform',
                              'secret_store': 'vault', 'refresh_interval': '1h'},
        'vault_init_file': str(work / 'keys' / 'vault-init.vault'),
        'vault_init_passphrase': PASSPHRASE,
        'vault_key_shares': 3,
        'vault_key_threshold': 2,
        'vault_kubernetes_ca_cert': (work / 'ca.crt').read_text(),
        'vault_kubernetes_host': kubernetes.url,
        'ai_platform_agents': [{'name': name} for name in AGENTS],
        'ai_platform_providers': PROVIDERS,
        'ai_platform_secrets': SECRETS,
        'vault_operator_secrets': OPERATOR,
    }

    class Role(object):
        server = nondev_vault
        init_file = extra['vault_init_file']
        path = work

        def run(self, *args, rc=0, **overrides):
            proc = run('vault_role.yml', work, dict(extra, **overrides), '-vvv', *args, json_output=False)
            assert proc.returncode == rc, proc.stdout[-3000:] + proc.stderr[-3000:]
            return proc

        def stored(self):
            with open(self.init_file, 'rb') as handle:
                data = handle.read()
            vault = VaultLib([('default', VaultSecret(PASSPHRASE.encode()))])
            return yaml.safe_load(vault.decrypt(data))

    return Role()


def changed(proc):
    return int(re.search(r'localhost\s+: ok=\d+\s+changed=(\d+)', proc.stdout).group(1))


def generated(server, stored):
    root = hvac.Client(url=server.url, token=stored['root_token'])
    return dict((path, root.secrets.kv.v2.read_secret_version(path=path, raise_on_deleted_version=True)['data'])
                for path in GENERATED)


def assert_no_secret_in(proc, stored, server):
    output = proc.stdout + proc.stderr
    made = [value for secret in generated(server, stored).values() for value in secret['data'].values()]
    secrets = stored['keys_base64'] + [stored['root_token'], stored['admin_secret_id'], PASSPHRASE] + made
    # Plain fixed values (Grafana's and NACK's user names) are no secrets; the operator's key is one.
    secrets = [value for value in secrets if value not in ('admin', 'nack')] + list(OPERATOR.values())
    # The unseal keys, root token, admin secret ID and passphrase; every generated value but the two
    # user names; the operator's key.
    assert len(secrets) == 3 + 3 + sum(len(keys) for keys in GENERATED.values()) - 2 + 1
    assert [value for value in secrets if value in output] == []
    assert len(output) > 20000  # really -vvv: module args, results and paths are all there


def test_first_run_initialises_unseals_and_configures_with_a_scoped_approle(role):
    server = role.server
    assert hvac.Client(url=server.url).sys.read_seal_status()['initialized'] is False
    server.audit.mark()
    proc = role.run()
    assert changed(proc) > 0
    status = hvac.Client(url=server.url).sys.read_seal_status()
    assert status['initialized'] is True and status['sealed'] is False and (status['t'], status['n']) == (2, 3)

    with open(role.init_file, 'rb') as handle:
        assert handle.read().startswith(b'$ANSIBLE_VAULT;')
    assert stat.S_IMODE(os.stat(role.init_file).st_mode) == 0o600
    stored = role.stored()
    assert sorted(stored) == ['admin_role_id', 'admin_secret_id', 'keys_base64', 'root_token']
    assert len(stored['keys_base64']) == 3
    assert_no_secret_in(proc, stored, server)

    # The collection's own secrets are generated once, LiteLLM keys with LiteLLM's sk- prefix.
    made = generated(server, stored)
    assert dict((path, sorted(secret['data'])) for path, secret in made.items()) == GENERATED
    assert all(secret['metadata']['version'] == 1 for secret in made.values())
    assert made['ai-platform/agents/doc-fetcher']['data']['litellm_key'].startswith('sk-')

    root = hvac.Client(url=server.url, token=stored['root_token'])
    mounts = root.sys.list_mounted_secrets_engines()['data']
    assert mounts['secret/']['type'] == 'kv' and mounts['secret/']['options']['version'] == '2'
    assert {'kubernetes/', 'approle/'} <= set(root.sys.list_auth_methods()['data'])
    # One reader role per namespace that reads secrets, bound to that namespace's service account alone.
    assert sorted(root.list('auth/kubernetes/role')['data']['keys']) == sorted('eso-%s' % ns for ns in READERS)
    role_data = root.read('auth/kubernetes/role/eso-ai-gateway')['data']
    assert role_data['bound_service_account_names'] == ['eso-ai-gateway']
    assert role_data['bound_service_account_namespaces'] == ['vault']
    assert role_data['token_policies'] == ['eso-ai-gateway']
    # Each reader's policy reads exactly its namespace's paths: read only, no list, no metadata, no wildcard.
    for ns, paths in READERS.items():
        rules = root.sys.read_acl_policy('eso-%s' % ns)['data']['policy']
        assert re.findall(r'path "([^"]+)" \{\n  capabilities = \["read"\]\n\}', rules) == [
            'secret/data/%s' % path for path in paths]
        assert rules.count('path ') == len(paths)

    # After the AppRole exists, the configuration is written by the scoped admin token, not root.
    config_paths = ('sys/mounts/secret', 'auth/kubernetes/role/eso-ai-gateway', 'sys/policies/acl/eso-ai-gateway')
    config_writes = [entry for entry in server.audit.requests()
                     if entry['operation'] in ('create', 'update') and entry['path'] in config_paths]
    assert len(config_writes) == 3
    # (the audit log identifies the token through its policies, found in the matching response entries)
    policies = [entry['auth']['policies'] for entry in server.audit.entries()
                if entry.get('type') == 'response' and entry['request']['operation'] in ('create', 'update')
                and entry['request']['path'] in config_paths]
    assert policies == [['ai-platform-admin', 'default']] * 3


def test_restart_seals_and_the_rerun_unseals(role):
    role.server.restart()
    assert hvac.Client(url=role.server.url).sys.read_seal_status()['sealed'] is True
    proc = role.run()
    assert changed(proc) == 1  # the unseal, nothing else
    assert re.search(r'TASK \[baremetal\.ai_platform\.vault : Configure \| unseal every sealed replica\].*?\nchanged:',
                     proc.stdout, re.S)
    assert hvac.Client(url=role.server.url).sys.read_seal_status()['sealed'] is False
    assert_no_secret_in(proc, role.stored(), role.server)


def test_third_run_changes_nothing_and_writes_nothing(role):
    role.server.audit.mark()
    proc = role.run()
    assert changed(proc) == 0
    # The only write-type call is the AppRole login that gets the scoped token: one for the admin
    # policy's check, one for the configuration, one for the generated secrets, one for the snapshot
    # AppRole's check.
    assert role.server.audit.writes() == [('update', 'auth/approle/login')] * 4
    assert all(secret['metadata']['version'] == 1 for secret in generated(role.server, role.stored()).values())
    assert_no_secret_in(proc, role.stored(), role.server)


def test_an_initialised_vault_without_its_key_file_is_refused_clearly(role):
    missing = str(role.path / 'elsewhere' / 'vault-init.vault')
    proc = role.run(rc=2, vault_init_file=missing)
    assert ('Vault at %s is initialised, but %s does not exist and this controller never started an '
            'initialisation' % (role.server.url, missing)) in ' '.join(proc.stdout.split())
    assert not os.path.exists(missing)


def _login(server, kubernetes, role_name, namespace, account):
    """A Kubernetes auth login as Vault sees one from External Secrets: role, service account token."""
    client = hvac.Client(url=server.url)
    client.auth.kubernetes.login(role_name, kubernetes.token(namespace, account))
    return client


def _read(client, path):
    return client.secrets.kv.v2.read_secret_version(path=path, raise_on_deleted_version=True)['data']['data']


def test_a_token_of_one_namespace_reader_cannot_read_another_namespace_path(role, kubernetes):
    server = role.server
    for ns, paths in READERS.items():
        reader = _login(server, kubernetes, 'eso-%s' % ns, 'vault', 'eso-%s' % ns)
        # Its own paths, and nothing any other namespace alone is granted.
        assert all(_read(reader, path) for path in paths)
        others = sorted(set(p for other, granted in READERS.items() for p in granted if other != ns) - set(paths))
        assert others
        for path in others + ['ai-platform/k3s']:
            with pytest.raises(hvac.exceptions.Forbidden):
                _read(reader, path)
        with pytest.raises(hvac.exceptions.Forbidden):
            reader.secrets.kv.v2.read_secret_metadata(path=paths[0])
        with pytest.raises(hvac.exceptions.Forbidden):
            reader.secrets.kv.v2.create_or_update_secret(path=paths[0], secret={'k': 'x'})
    # A namespace's role takes no other service account: not another reader's, not one of the same name
    # in the namespace itself, not the operator's own (what a SecretStore without serviceAccountRef uses).
    for namespace, account in (('vault', 'eso-ai-gateway'), ('ai-webui', 'eso-ai-webui'), ('vault', 'external-secrets')):
        with pytest.raises(hvac.exceptions.Forbidden, match='(service account name|namespace) not authorized'):
            _login(server, kubernetes, 'eso-ai-webui', namespace, account)
    assert ('vault', 'eso-ai-webui') in kubernetes.reviews


def test_a_vault_configured_by_an_earlier_version_converges(role, kubernetes):
    """The single shared reader of earlier versions (a role bound to the operator's own service account,
    reading the whole prefix), their admin policy (no eso-* policies), and a reader no namespace uses any
    more: one run deletes what is obsolete and widens the admin policy with the root token; the next
    changes nothing."""
    server, stored = role.server, role.stored()
    root = hvac.Client(url=server.url, token=stored['root_token'])
    current = root.sys.read_acl_policy('ai-platform-admin')['data']['policy']
    earlier = ''.join(line + '\n' for line in current.splitlines()
                      if 'eso-' not in line and 'sys/policies/acl/"' not in line and 'external-secrets-read' not in line)
    root.sys.create_or_update_acl_policy('ai-platform-admin', earlier + 'path "sys/policies/acl/external-secrets-read" '
                                         '{ capabilities = ["create", "read", "update"] }\n')
    root.sys.create_or_update_acl_policy('external-secrets-read', 'path "secret/data/ai-platform/*" { capabilities = ["read"] }\n')
    root.write_data('auth/kubernetes/role/external-secrets', data={
        'bound_service_account_names': ['external-secrets'], 'bound_service_account_namespaces': ['vault'],
        'token_policies': ['external-secrets-read']})
    root.sys.create_or_update_acl_policy('eso-gone', 'path "secret/data/ai-platform/litellm" { capabilities = ["read"] }\n')
    root.write_data('auth/kubernetes/role/eso-gone', data={
        'bound_service_account_names': ['eso-gone'], 'bound_service_account_namespaces': ['vault'],
        'token_policies': ['eso-gone']})
    # Before: the operator's own service account reads every namespace's secrets.
    assert _read(_login(server, kubernetes, 'external-secrets', 'vault', 'external-secrets'), 'ai-platform/litellm')

    server.audit.mark()
    proc = role.run()
    assert changed(proc) == 2  # the admin policy, then the configuration (deletions only)
    assert root.sys.read_acl_policy('ai-platform-admin')['data']['policy'].strip() == current.strip()
    assert sorted(root.list('auth/kubernetes/role')['data']['keys']) == sorted('eso-%s' % ns for ns in READERS)
    policies = root.sys.list_acl_policies()['data']['keys']
    assert 'external-secrets-read' not in policies and 'eso-gone' not in policies
    with pytest.raises(hvac.exceptions.VaultError, match='role'):
        _login(server, kubernetes, 'external-secrets', 'vault', 'external-secrets')
    # Only the admin policy was written with the root token; the deletions were the admin AppRole's.
    writes = dict(((entry['request']['operation'], entry['request']['path']), entry['auth']['policies'])
                  for entry in server.audit.entries() if entry.get('type') == 'response'
                  and entry['request']['operation'] in ('create', 'update', 'delete')
                  and entry['request']['path'].startswith(('sys/policies/acl/', 'auth/kubernetes/role/')))
    assert writes == {
        ('update', 'sys/policies/acl/ai-platform-admin'): ['root'],
        ('delete', 'auth/kubernetes/role/eso-gone'): ['ai-platform-admin', 'default'],
        ('delete', 'sys/policies/acl/eso-gone'): ['ai-platform-admin', 'default'],
        ('delete', 'auth/kubernetes/role/external-secrets'): ['ai-platform-admin', 'default'],
        ('delete', 'sys/policies/acl/external-secrets-read'): ['ai-platform-admin', 'default'],
    }
    assert_no_secret_in(proc, stored, server)
    assert changed(role.run()) == 0
