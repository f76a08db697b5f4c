"""vault_kv_secrets against a real OpenBao: idempotence, versions, check mode, cas, and clear errors."""

import secrets as random

import hvac
import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils import vault_kv
from ansible_collections.baremetal.ai_platform.plugins.module_utils.vault import CasConflict, Vault
from helpers_secrets import run, task_result, values, versions

MOUNT = 'secret'


def declared(prefix):
    """Five secrets: three with values, two agents whose keys are generated."""
    return [
        {'path': '%s/providers/openai' % prefix, 'data': {'api_key': 'sk-' + random.token_hex(16)}},
        {'path': '%s/providers/anthropic' % prefix, 'data': {'api_key': 'sk-ant-' + random.token_hex(16)}},
        {'path': '%s/litellm' % prefix, 'data': {'master_key': 'sk-' + random.token_hex(16),
                                                 'database_url': 'postgresql://u:%s@db/litellm' % random.token_hex(8)}},
        {'path': '%s/agents/doc-fetcher' % prefix, 'generate': ['litellm_key', 'nats_password']},
        {'path': '%s/agents/code-reviewer' % prefix, 'generate': ['litellm_key', 'nats_password']},
    ]


def kv(dev_vault, tmp_path, secrets, *args, token=None):
    proc = run('kv.yml', tmp_path, {'kv_url': dev_vault.url, 'kv_token': token or dev_vault.root,
                                    'kv_secrets': secrets}, *args)
    return proc, task_result(proc)


def test_first_run_writes_each_path_once_and_rerun_writes_nothing(dev_vault, tmp_path, prefix):
    secrets = declared(prefix)
    paths = [s['path'] for s in secrets]
    dev_vault.audit.mark()
    proc, first = kv(dev_vault, tmp_path, secrets)
    assert proc.returncode == 0, proc.stdout
    assert first['changed'] is True
    assert sorted(first['changed_paths']) == sorted('%s/%s' % (MOUNT, p) for p in paths)
    assert versions(dev_vault.client, MOUNT, paths) == dict((p, 1) for p in paths)
    assert len(dev_vault.audit.writes('secret/data/%s/' % prefix)) == 5
    generated = values(dev_vault.client, MOUNT, paths[3])
    assert sorted(generated) == ['litellm_key', 'nats_password']
    # 32 letters and digits by default: usable unquoted as a NATS config variable or a header.
    assert all(len(value) == 32 and value.isalnum() for value in generated.values())

    dev_vault.audit.mark()
    proc, second = kv(dev_vault, tmp_path, secrets)
    assert proc.returncode == 0 and second['changed'] is False and second['changed_paths'] == []
    assert versions(dev_vault.client, MOUNT, paths) == dict((p, 1) for p in paths)
    assert dev_vault.audit.writes('secret/') == []          # no write call at all on the rerun
    assert values(dev_vault.client, MOUNT, paths[3]) == generated  # generated keys stay stable


def test_one_changed_value_makes_exactly_one_new_version(dev_vault, tmp_path, prefix):
    secrets = declared(prefix)
    paths = [s['path'] for s in secrets]
    assert kv(dev_vault, tmp_path, secrets)[0].returncode == 0
    generated = values(dev_vault.client, MOUNT, paths[4])
    secrets[2]['data']['master_key'] = 'sk-' + random.token_hex(16)
    proc, result = kv(dev_vault, tmp_path, secrets)
    assert result['changed_paths'] == ['%s/%s' % (MOUNT, paths[2])]
    assert versions(dev_vault.client, MOUNT, paths) == dict((p, 2 if p == paths[2] else 1) for p in paths)
    assert values(dev_vault.client, MOUNT, paths[2]) == secrets[2]['data']
    assert values(dev_vault.client, MOUNT, paths[4]) == generated


def test_check_mode_writes_nothing_and_diff_masks_values(dev_vault, tmp_path, prefix):
    secrets = declared(prefix)[:3]
    paths = [s['path'] for s in secrets]
    assert kv(dev_vault, tmp_path, secrets)[0].returncode == 0
    new_value = 'sk-' + random.token_hex(16)
    secrets[0]['data']['api_key'] = new_value
    secrets.append({'path': '%s/new' % prefix, 'data': {'token': random.token_hex(16)}})
    dev_vault.audit.mark()
    proc, result = kv(dev_vault, tmp_path, secrets, '--check', '--diff')
    assert proc.returncode == 0
    assert result['changed'] is True
    assert sorted(result['changed_paths']) == sorted(['%s/%s' % (MOUNT, paths[0]), '%s/%s/new' % (MOUNT, prefix)])
    assert versions(dev_vault.client, MOUNT, paths + ['%s/new' % prefix]) == dict(
        [(p, 1) for p in paths] + [('%s/new' % prefix, 0)])
    assert dev_vault.audit.writes('secret/') == []
    assert result['diff']['after']['%s/%s' % (MOUNT, paths[0])] == {'api_key': vault_kv.MASK_CHANGED}
    assert new_value not in proc.stdout and secrets[-1]['data']['token'] not in proc.stdout


def test_concurrent_write_between_read_and_write_is_detected_not_overwritten(dev_vault, prefix):
    """The module's own plan/apply with another writer in between (deterministic, no timing)."""
    path = '%s/providers/openai' % prefix
    dev_vault.client.secrets.kv.v2.create_or_update_secret(path=path, secret={'api_key': 'old'}, mount_point=MOUNT)
    params = dict(url=dev_vault.url, token=dev_vault.root, auth_method='token', auth_mount=None,
                  namespace=None, ca_cert=None, validate_certs=True, timeout=10)
    vault = Vault(params)
    vault.login()
    plans = vault_kv.plan(vault, [{'path': path, 'data': {'api_key': 'ours'}}])
    assert plans[0].version == 1 and plans[0].needs_write
    dev_vault.client.secrets.kv.v2.create_or_update_secret(path=path, secret={'api_key': 'theirs'},
                                                           mount_point=MOUNT)
    with pytest.raises(CasConflict) as caught:
        vault_kv.apply(vault, plans)
    assert str(caught.value) == ('Vault at %s: %s/%s changed since it was read (version 1); not overwritten. '
                                 'Rerun to compare against the new version.' % (dev_vault.url, MOUNT, path))
    assert values(dev_vault.client, MOUNT, path) == {'api_key': 'theirs'}
    assert versions(dev_vault.client, MOUNT, [path]) == {path: 2}


def seeded(dev_vault, prefix):
    """Two existing paths at version 1; the failing runs below try to change both."""
    paths = ['%s/a' % prefix, '%s/b' % prefix]
    for path in paths:
        dev_vault.client.secrets.kv.v2.create_or_update_secret(path=path, secret={'v': 'before'}, mount_point=MOUNT)
    return paths


def limited_token(dev_vault, prefix):
    """A token that may read and write <prefix>/a only."""
    dev_vault.client.sys.create_or_update_policy('only-a-%s' % prefix, (
        'path "secret/data/%s/a" { capabilities = ["create", "read", "update"] }\n'
        'path "secret/data/%s/b" { capabilities = ["deny"] }\n') % (prefix, prefix))
    return dev_vault.client.auth.token.create(policies=['only-a-%s' % prefix], ttl='10m')['auth']['client_token']


@pytest.mark.parametrize('case', ['unreachable', 'sealed', 'bad token', 'forbidden path', 'missing mount'])
def test_errors_name_address_and_path_and_leave_other_paths_alone(case, dev_vault, sealed_vault, tmp_path, prefix):
    paths = seeded(dev_vault, prefix)
    secrets = [{'path': path, 'data': {'v': 'after'}} for path in paths]
    url, token = dev_vault.url, dev_vault.root
    if case == 'unreachable':
        url, expected = 'http://127.0.0.1:18219', 'Vault at http://127.0.0.1:18219 is unreachable'
    elif case == 'sealed':
        hvac.Client(url=sealed_vault.url, token=sealed_vault.root).sys.seal()
        url, token = sealed_vault.url, sealed_vault.root
        expected = 'Vault at %s is sealed' % sealed_vault.url
    elif case == 'bad token':
        token = 'hvs.' + random.token_hex(12)
        expected = 'Vault at %s rejected the token' % url
    elif case == 'forbidden path':
        token = limited_token(dev_vault, prefix)
        expected = 'Vault at %s denies reading secret/data/%s/b' % (url, prefix)
    else:
        secrets.insert(1, {'path': '%s/c' % prefix, 'mount': 'nope', 'data': {'v': 'after'}})
        expected = "Vault at %s has no KV mount 'nope'" % url
    dev_vault.audit.mark()
    # Two seconds of retries for the unreachable address instead of the default two minutes.
    proc = run('kv.yml', tmp_path, {'kv_url': url, 'kv_token': token, 'kv_secrets': secrets, 'kv_retry_budget': 2})
    result = task_result(proc)
    assert proc.returncode == 2 and result['failed'] is True
    assert result['msg'].startswith(expected), result['msg']
    assert result['msg'].endswith('. Nothing was written (declared: %s)'
                                  % ', '.join('%s/%s' % (s.get('mount', MOUNT), s['path']) for s in secrets))
    assert result['changed'] is False and result['changed_paths'] == []
    assert versions(dev_vault.client, MOUNT, paths) == dict((p, 1) for p in paths)
    assert all(values(dev_vault.client, MOUNT, p) == {'v': 'before'} for p in paths)
    assert dev_vault.audit.writes('secret/') == []


def test_approle_login_writes_with_a_scoped_token(dev_vault, tmp_path, prefix):
    client = dev_vault.client
    if 'approle/' not in client.sys.list_auth_methods()['data']:
        client.sys.enable_auth_method('approle')
    client.sys.create_or_update_policy('writer-%s' % prefix,
                                       'path "secret/data/%s/*" { capabilities = ["create", "read", "update"] }' % prefix)
    client.auth.approle.create_or_update_approle('writer-%s' % prefix, token_policies=['writer-%s' % prefix])
    role_id = client.auth.approle.read_role_id('writer-%s' % prefix)['data']['role_id']
    secret_id = client.auth.approle.generate_secret_id('writer-%s' % prefix)['data']['secret_id']
    secrets = [{'path': '%s/agents/a1' % prefix, 'generate': ['litellm_key']}]
    extra = {'kv_url': dev_vault.url, 'kv_auth_method': 'approle', 'kv_role_id': role_id,
             'kv_secret_id': secret_id, 'kv_secrets': secrets}
    first = task_result(run("kv.yml", tmp_path, extra))
    assert first["changed"] is True, first.get("msg")
    assert task_result(run('kv.yml', tmp_path, extra))['changed'] is False
    assert versions(client, MOUNT, ['%s/agents/a1' % prefix]) == {'%s/agents/a1' % prefix: 1}


def test_vvv_output_holds_no_secret_value(dev_vault, tmp_path, prefix):
    secrets = declared(prefix)
    proc = run('kv.yml', tmp_path, {'kv_url': dev_vault.url, 'kv_token': dev_vault.root, 'kv_secrets': secrets},
               '-vvv', '--diff', json_output=False)
    assert proc.returncode == 0 and 'changed: [localhost]' in proc.stdout
    output = proc.stdout + proc.stderr
    stored = [value for s in secrets for value in values(dev_vault.client, MOUNT, s['path']).values()]
    assert len(stored) == 8  # 4 declared + 4 generated
    leaked = [value for value in stored + [dev_vault.root] if value in output]
    assert leaked == []
    assert '%s/%s/agents/doc-fetcher' % (MOUNT, prefix) in output  # the paths are named


def test_kubernetes_auth_without_a_service_account_token_says_which_file(dev_vault, tmp_path, prefix):
    """Kubernetes login needs a cluster to review the token; here only its local failure is shown."""
    missing = str(tmp_path / 'no-token')
    proc = run('kv.yml', tmp_path, {'kv_url': dev_vault.url, 'kv_auth_method': 'kubernetes',
                                    'kv_secrets': [{'path': '%s/a' % prefix, 'data': {'v': 'x'}}]},
               '-e', 'kv_k8s_role=external-secrets', '-e', 'kv_jwt_file=%s' % missing)
    result = task_result(proc)
    assert result['failed'] is True and result['msg'].startswith(
        'cannot read the service account token %s' % missing), result['msg']
    assert versions(dev_vault.client, MOUNT, ['%s/a' % prefix]) == {'%s/a' % prefix: 0}


def test_tls_is_verified_and_ca_cert_makes_it_work(tls_vault, tmp_path, prefix):
    secrets = [{'path': '%s/a' % prefix, 'data': {'v': random.token_hex(8)}}]
    extra = {'kv_url': tls_vault.url, 'kv_token': tls_vault.root, 'kv_secrets': secrets}
    refused = task_result(run('kv.yml', tmp_path, extra))
    assert refused['failed'] is True and refused['msg'].startswith(
        'Vault at %s: TLS verification failed while reading the seal status (set ca_cert or validate_certs)'
        % tls_vault.url), refused['msg']
    accepted = task_result(run('kv.yml', tmp_path, dict(extra, kv_ca_cert=tls_vault.ca)))
    assert accepted['changed'] is True and accepted['versions'] == {'secret/%s/a' % prefix: 1}


def test_derived_key_agrees_with_the_generated_one_and_rerun_writes_nothing(dev_vault, tmp_path, prefix):
    secrets = [{'path': '%s/litellm' % prefix, 'generate': ['postgres_password'],
                'derive': {'database_url': 'postgresql://litellm:{postgres_password}@db:5432/litellm'}}]
    proc, first = kv(dev_vault, tmp_path, secrets)
    assert proc.returncode == 0 and first['changed'] is True, proc.stdout
    written = values(dev_vault.client, MOUNT, secrets[0]['path'])
    assert written['database_url'] == 'postgresql://litellm:%s@db:5432/litellm' % written['postgres_password']
    dev_vault.audit.mark()
    proc, second = kv(dev_vault, tmp_path, secrets)
    assert proc.returncode == 0 and second['changed'] is False
    assert dev_vault.audit.writes('secret/') == []


def test_seeded_key_is_written_once_and_a_missing_one_stops_every_write(dev_vault, tmp_path, prefix):
    given = {'path': '%s/providers/openai' % prefix, 'seed': {'api_key': 'sk-first-' + random.token_hex(8)}}
    assert kv(dev_vault, tmp_path, [given])[0].returncode == 0
    # A later, different seed (a stale vars file after a rotation) does not replace the value in Vault.
    later = dict(given, seed={'api_key': 'sk-stale-' + random.token_hex(8)})
    proc, result = kv(dev_vault, tmp_path, [later])
    assert proc.returncode == 0 and result['changed'] is False
    assert values(dev_vault.client, MOUNT, given['path']) == given['seed']

    missing = {'path': '%s/providers/anthropic' % prefix, 'seed': {'api_key': ''},
               'seed_hint': 'put ANTHROPIC_API_KEY in vault_operator_secrets'}
    generated = {'path': '%s/agents/doc-fetcher' % prefix, 'generate': ['litellm_key']}
    dev_vault.audit.mark()
    proc = run('kv.yml', tmp_path, {'kv_url': dev_vault.url, 'kv_token': dev_vault.root,
                                    'kv_secrets': [generated, missing]})
    assert proc.returncode == 2
    assert ('lacks keys that must be provided, and no value was given: secret/%s/providers/anthropic: api_key '
            '(put ANTHROPIC_API_KEY in vault_operator_secrets)' % prefix) in proc.stdout
    assert dev_vault.audit.writes('secret/') == []
