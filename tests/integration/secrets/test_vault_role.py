"""The vault role's init/unseal/configure flow against a non-dev OpenBao (raft storage) on loopback.

Runs in order on one server: first run initialises, unseals and configures; a restart seals it and the
second run unseals; the third run changes nothing. Each run is made with -vvv and the whole output is
scanned for every secret the role handles.
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
def role(nondev_vault, tmp_path_factory):
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
    role_data = root.read('auth/kubernetes/role/external-secrets')['data']
    assert role_data['bound_service_account_names'] == ['external-secrets']
    assert role_data['bound_service_account_namespaces'] == ['vault']
    assert role_data['token_policies'] == ['external-secrets-read']

    # External Secrets' policy reads the collection's prefix and nothing else, and cannot write.
    root.secrets.kv.v2.create_or_update_secret(path='ai-platform/probe', secret={'k': 'v'})
    root.secrets.kv.v2.create_or_update_secret(path='elsewhere/probe', secret={'k': 'v'})
    eso = hvac.Client(url=server.url, token=root.auth.token.create(policies=['external-secrets-read'])['auth']['client_token'])
    assert eso.secrets.kv.v2.read_secret_version(path='ai-platform/probe', raise_on_deleted_version=True)['data']['data'] == {'k': 'v'}
    with pytest.raises(hvac.exceptions.Forbidden):
        eso.secrets.kv.v2.read_secret_version(path='elsewhere/probe', raise_on_deleted_version=True)
    with pytest.raises(hvac.exceptions.Forbidden):
        eso.secrets.kv.v2.create_or_update_secret(path='ai-platform/probe', secret={'k': 'x'})

    # After the AppRole exists, the configuration is written by the scoped admin token, not root.
    config_writes = [entry for entry in server.audit.requests()
                     if entry['operation'] in ('create', 'update')
                     and entry['path'] in ('sys/mounts/secret', 'auth/kubernetes/role/external-secrets')]
    assert len(config_writes) == 2
    # (the audit log identifies the token through its policies, found in the matching response entries)
    policies = [entry['auth']['policies'] for entry in server.audit.entries()
                if entry.get('type') == 'response' and entry['request']['operation'] in ('create', 'update')
                and entry['request']['path'] in ('sys/mounts/secret', 'auth/kubernetes/role/external-secrets')]
    assert policies == [['ai-platform-admin', 'default']] * 2


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
