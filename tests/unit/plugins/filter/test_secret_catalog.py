"""The secret_catalog filters: the vault role's catalog as vault_kv_secrets' list (who gives each value)
and as the summary that may be published (no value); every malformed entry refused naming it."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.secret_catalog import (
    FilterModule, secret_catalog_kv, secret_catalog_summary)

CATALOG = [
    {'path': 'ai-platform/providers/openai', 'owner': 'operator', 'keys': ['api_key'], 'env': 'OPENAI_API_KEY'},
    {'path': 'ai-platform/vllm', 'owner': 'controller', 'keys': ['api_key'], 'env': 'VLLM_API_KEY'},
    {'path': 'ai-platform/litellm', 'owner': 'generated', 'keys': ['master_key', 'salt_key', 'user', 'url', 'nonce'],
     'prefix': 'sk-', 'prefixes': {'salt_key': 'salt-'}, 'hex': ['nonce'], 'fixed': {'user': 'litellm'},
     'derive': {'url': 'postgres://{user}@db'}},
    {'path': 'ai-platform/nats', 'owner': 'generated', 'keys': ['password']},
]


def test_each_owner_becomes_what_vault_kv_secrets_takes():
    secrets = secret_catalog_kv(CATALOG, {'OPENAI_API_KEY': 'sk-op'}, {'VLLM_API_KEY': 'from-controller'},
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
    secrets = secret_catalog_kv(CATALOG[:2])
    assert secrets == [{'path': 'ai-platform/providers/openai', 'seed': {'api_key': ''}, 'seed_hint': ''}]
    assert secret_catalog_kv(None) == [] and secret_catalog_summary(None) == []


def test_summary_lists_path_owner_sorted_keys_env_and_derive_without_values():
    assert secret_catalog_summary(CATALOG) == [
        {'path': 'ai-platform/providers/openai', 'owner': 'operator', 'keys': ['api_key'], 'env': 'OPENAI_API_KEY'},
        {'path': 'ai-platform/vllm', 'owner': 'controller', 'keys': ['api_key'], 'env': 'VLLM_API_KEY'},
        {'path': 'ai-platform/litellm', 'owner': 'generated', 'keys': ['master_key', 'nonce', 'salt_key', 'url', 'user'],
         'derive': {'url': 'postgres://{user}@db'}},
        {'path': 'ai-platform/nats', 'owner': 'generated', 'keys': ['password']},
    ]


@pytest.mark.parametrize('entry, message', [
    ('ai-platform/x', 'secret catalog[1] (ai-platform/x): each entry needs a path and keys'),
    ({'owner': 'generated', 'keys': ['k']}, 'secret catalog[1] (None): each entry needs a path and keys'),
    ({'path': 'p', 'owner': 'generated', 'keys': []}, 'secret catalog[1] (p): each entry needs a path and keys'),
    ({'path': 'p', 'owner': 'people', 'keys': ['k']},
     "secret catalog[1] (p): owner must be one of operator, generated, controller, got 'people'"),
    ({'path': 'p', 'owner': 'operator', 'keys': ['a', 'b'], 'env': 'A'},
     'secret catalog[1] (p): an operator secret has one key and the env name it is given under'),
    ({'path': 'p', 'owner': 'controller', 'keys': ['a']},
     'secret catalog[1] (p): an controller secret has one key and the env name it is given under'),
])
@pytest.mark.parametrize('render', [secret_catalog_kv, secret_catalog_summary], ids=['kv', 'summary'])
def test_malformed_entries_are_refused_naming_index_and_path(render, entry, message):
    with pytest.raises(AnsibleFilterError) as info:
        render([CATALOG[3], entry])
    assert str(info.value) == message


def test_both_filters_are_registered():
    assert FilterModule().filters() == {'secret_catalog_kv': secret_catalog_kv,
                                        'secret_catalog_summary': secret_catalog_summary}
