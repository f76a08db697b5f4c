"""The secret_catalog filters: the vault role's catalog as vault_kv_secrets' list (who gives each value),
as the summary that may be published (no value) and as what each namespace may read; every malformed
entry refused naming it."""

import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.secret_catalog import (
    FilterModule,
    secret_catalog_kv,
    secret_catalog_readers,
    secret_catalog_summary,
    secret_reader_vault_config,
)

VAULT = {'secret_store': 'vault'}
CATALOG = [
    {'path': 'p/providers/openai', 'owner': 'operator', 'env': 'OPENAI_API_KEY', 'keys': ['api_key'],
     'namespaces': ['gw']},
    {'path': 'p/k3s', 'owner': 'controller', 'env': 'K3S_TOKEN', 'keys': ['token']},
    {'path': 'p/agents/a', 'owner': 'generated', 'keys': ['litellm_key', 'nats_password'],
     'namespaces': ['agents', 'msg', 'agents']},
    {'path': 'p/backup/s3', 'owner': 'site', 'keys': ['access_key_id', 'secret_access_key'],
     'namespaces': ['gw', 'kube-system']},
]


def test_readers_group_each_namespace_paths_and_leave_unread_paths_out():
    assert secret_catalog_readers(CATALOG) == {
        'agents': ['p/agents/a'], 'gw': ['p/backup/s3', 'p/providers/openai'], 'kube-system': ['p/backup/s3'],
        'msg': ['p/agents/a']}


def test_summary_publishes_readers_and_site_secrets_are_left_to_the_operator():
    summary = secret_catalog_summary(CATALOG)
    assert [entry['namespaces'] for entry in summary] == [['gw'], [], ['agents', 'msg'], ['gw', 'kube-system']]
    # The bootstrap writes nothing for a site secret (nor for a controller secret it has no value of).
    assert [secret['path'] for secret in secret_catalog_kv(CATALOG, {'OPENAI_API_KEY': 'x'})] == [
        'p/providers/openai', 'p/agents/a']


@pytest.mark.parametrize('entry, message', [
    ({'path': 'p', 'owner': 'generated', 'keys': ['k'], 'namespaces': 'gw'}, 'namespaces must be a list'),
    ({'path': 'p', 'owner': 'generated', 'keys': ['k'], 'namespaces': ['']}, 'namespaces must be a list'),
    ({'path': 'p', 'owner': 'nobody', 'keys': ['k']}, 'owner must be one of operator, generated, controller, site'),
])
def test_malformed_entries_are_refused_naming_the_entry(entry, message):
    with pytest.raises(AnsibleFilterError, match=r'secret catalog\[0\] \(p\): %s' % message):
        secret_catalog_readers([entry])


def _policy_paths(rules):
    return re.findall(r'path "([^"]+)" \{\n  capabilities = \["read"\]\n\}', rules)


def test_each_namespace_gets_a_policy_of_exactly_its_paths_and_a_role_bound_to_its_reader_alone():
    config = secret_reader_vault_config(secret_catalog_readers(CATALOG), VAULT, 'secret/', 'kubernetes', 'vault', 3600)
    policies = dict((policy['name'], policy['rules']) for policy in config['policies'])
    assert dict((name, _policy_paths(rules)) for name, rules in policies.items()) == {
        'eso-agents': ['secret/data/p/agents/a'],
        'eso-gw': ['secret/data/p/backup/s3', 'secret/data/p/providers/openai'],
        'eso-kube-system': ['secret/data/p/backup/s3'],
        'eso-msg': ['secret/data/p/agents/a']}
    # read only: no list, no metadata, no wildcard, nothing but the path blocks.
    assert all(rules.count('path "') == len(_policy_paths(rules)) and '*' not in rules and '+' not in rules
               for rules in policies.values())
    roles = dict((endpoint['path'], endpoint['data']) for endpoint in config['endpoints'])
    assert roles['auth/kubernetes/role/eso-gw'] == {
        'bound_service_account_names': ['eso-gw'], 'bound_service_account_namespaces': ['vault'],
        'token_policies': ['eso-gw'], 'token_ttl': 3600}
    assert sorted(roles) == ['auth/kubernetes/role/eso-%s' % ns for ns in ('agents', 'gw', 'kube-system', 'msg')]
    # What no namespace uses any more goes: roles first, then the policies they named.
    assert config['prune'] == [{'path': 'auth/kubernetes/role', 'prefix': 'eso-'},
                               {'path': 'sys/policies/acl', 'prefix': 'eso-'}]


@pytest.mark.parametrize('path', ['p/*', 'p/+/x', 'p/../q'])
def test_a_path_that_would_widen_a_policy_is_refused(path):
    with pytest.raises(AnsibleFilterError, match="path '%s'" % re.escape(path)):
        secret_reader_vault_config({'gw': [path]}, VAULT, 'secret', 'kubernetes', 'vault', 60)


KV_CATALOG = [
    {'path': 'ai-platform/providers/openai', 'owner': 'operator', 'keys': ['api_key'], 'env': 'OPENAI_API_KEY'},
    {'path': 'ai-platform/vllm', 'owner': 'controller', 'keys': ['api_key'], 'env': 'VLLM_API_KEY'},
    {'path': 'ai-platform/litellm', 'owner': 'generated', 'keys': ['master_key', 'salt_key', 'user', 'url', 'nonce'],
     'prefix': 'sk-', 'prefixes': {'salt_key': 'salt-'}, 'hex': ['nonce'], 'fixed': {'user': 'litellm'},
     'derive': {'url': 'postgres://{user}@db'}},
    {'path': 'ai-platform/nats', 'owner': 'generated', 'keys': ['password']},
]


def test_each_owner_becomes_what_vault_kv_secrets_takes():
    secrets = secret_catalog_kv(KV_CATALOG, {'OPENAI_API_KEY': 'sk-op'}, {'VLLM_API_KEY': 'from-controller'},
                                hint='set %(env)s in the vault')
    assert secrets == [
        {'path': 'ai-platform/providers/openai', 'seed': {'api_key': 'sk-op'}, 'seed_hint': 'set OPENAI_API_KEY in the vault'},
        {'path': 'ai-platform/vllm', 'data': {'api_key': 'from-controller'}},
        {'path': 'ai-platform/litellm', 'data': {'user': 'litellm'}, 'derive': {'url': 'postgres://{user}@db'},
         'generate': ['master_key', 'salt_key', 'nonce'], 'generate_prefix': 'sk-', 'generate_prefixes': {'salt_key': 'salt-'},
         'generate_hex': ['nonce']},
        {'path': 'ai-platform/nats', 'data': {}, 'derive': {}, 'generate': ['password'], 'generate_prefix': '',
         'generate_prefixes': {}, 'generate_hex': []},
    ]


def test_missing_operator_values_seed_nothing_and_absent_controller_values_are_skipped():
    secrets = secret_catalog_kv(KV_CATALOG[:2])
    assert secrets == [{'path': 'ai-platform/providers/openai', 'seed': {'api_key': ''}, 'seed_hint': ''}]
    assert secret_catalog_kv(None) == [] and secret_catalog_summary(None) == []


def test_summary_lists_path_owner_sorted_keys_env_and_derive_without_values():
    assert secret_catalog_summary(KV_CATALOG) == [
        {'path': 'ai-platform/providers/openai', 'owner': 'operator', 'keys': ['api_key'], 'namespaces': [],
         'env': 'OPENAI_API_KEY'},
        {'path': 'ai-platform/vllm', 'owner': 'controller', 'keys': ['api_key'], 'namespaces': [], 'env': 'VLLM_API_KEY'},
        {'path': 'ai-platform/litellm', 'owner': 'generated', 'keys': ['master_key', 'nonce', 'salt_key', 'url', 'user'],
         'namespaces': [], 'derive': {'url': 'postgres://{user}@db'}},
        {'path': 'ai-platform/nats', 'owner': 'generated', 'keys': ['password'], 'namespaces': []},
    ]


@pytest.mark.parametrize('entry, message', [
    ('ai-platform/x', 'secret catalog[1] (ai-platform/x): each entry needs a path and keys'),
    ({'owner': 'generated', 'keys': ['k']}, 'secret catalog[1] (None): each entry needs a path and keys'),
    ({'path': 'p', 'owner': 'generated', 'keys': []}, 'secret catalog[1] (p): each entry needs a path and keys'),
    ({'path': 'p', 'owner': 'people', 'keys': ['k']},
     "secret catalog[1] (p): owner must be one of operator, generated, controller, site, got 'people'"),
    ({'path': 'p', 'owner': 'operator', 'keys': ['a', 'b'], 'env': 'A'},
     'secret catalog[1] (p): an operator secret has one key and the env name it is given under'),
    ({'path': 'p', 'owner': 'controller', 'keys': ['a']},
     'secret catalog[1] (p): an controller secret has one key and the env name it is given under'),
])
@pytest.mark.parametrize('render', [secret_catalog_kv, secret_catalog_summary], ids=['kv', 'summary'])
def test_malformed_entries_are_refused_naming_index_and_path(render, entry, message):
    with pytest.raises(AnsibleFilterError) as info:
        render([KV_CATALOG[3], entry])
    assert str(info.value) == message


def test_every_filter_is_registered():
    assert FilterModule().filters() == {'secret_catalog_kv': secret_catalog_kv,
                                        'secret_catalog_summary': secret_catalog_summary,
                                        'secret_catalog_readers': secret_catalog_readers,
                                        'secret_reader_vault_config': secret_reader_vault_config}
