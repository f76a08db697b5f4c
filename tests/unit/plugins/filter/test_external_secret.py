"""external_secret's name checks at the DNS-1123 limits, and its output's fixed parts."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.external_secret import FilterModule, external_secret

VAULT = {'secret_store': 'vault', 'refresh_interval': '1h'}
ENTRY = [{'env': 'OPENAI_API_KEY', 'path': '/ai-platform/providers/openai/', 'key': 'api_key'}]


def _subdomain(length):
    labels, left = [], length
    while left > 63:
        labels.append('a' * 63)
        left -= 64
    labels.append('b' * left)
    return '.'.join(labels)


def test_names_up_to_253_characters_pass_and_254_are_refused():
    assert external_secret(ENTRY, _subdomain(253), 'ns', VAULT)['metadata']['name'] == _subdomain(253)
    with pytest.raises(AnsibleFilterError, match='name .* is not a valid Kubernetes name'):
        external_secret(ENTRY, _subdomain(254), 'ns', VAULT)


# A namespace is a DNS-1123 label: 63 characters, no dots.
@pytest.mark.parametrize('namespace, valid', [('a' * 63, True), ('a' * 64, False), ('a.b', False)])
def test_namespaces_are_dns_labels(namespace, valid):
    if valid:
        assert external_secret(ENTRY, 'x', namespace, VAULT)['metadata']['namespace'] == namespace
    else:
        with pytest.raises(AnsibleFilterError, match='namespace .* is not a valid Kubernetes name'):
            external_secret(ENTRY, 'x', namespace, VAULT)


def test_each_namespace_reads_through_its_own_store():
    assert external_secret(ENTRY, 'x', 'ns-a', VAULT)['spec']['secretStoreRef'] == {
        'kind': 'ClusterSecretStore', 'name': 'vault-ns-a'}
    assert external_secret(ENTRY, 'x', 'ns-b', VAULT)['spec']['secretStoreRef']['name'] == 'vault-ns-b'


@pytest.mark.parametrize('name', ['', 'a..b', 'A', 'a_b', None, 3])
def test_malformed_names_are_refused(name):
    with pytest.raises(AnsibleFilterError, match='not a valid Kubernetes name'):
        external_secret(ENTRY, name, 'ns', VAULT)


def test_remote_ref_path_loses_its_slashes_and_target_owns_the_secret():
    spec = external_secret(ENTRY, 'x', 'ns', VAULT)['spec']
    assert spec['data'] == [{'secretKey': 'OPENAI_API_KEY',
                             'remoteRef': {'key': 'ai-platform/providers/openai', 'property': 'api_key'}}]
    assert spec['target']['creationPolicy'] == 'Owner' and spec['target']['deletionPolicy'] == 'Retain'
    assert spec['target']['template']['metadata']['labels'] == {'app.kubernetes.io/part-of': 'ai-platform'}
    assert spec['target']['template']['engineVersion'] == 'v2'


@pytest.mark.parametrize('settings, missing', [(None, 'secret_store'), ({}, 'secret_store'),
                                               ({'secret_store': 'v', 'refresh_interval': ''}, 'refresh_interval')])
def test_vault_settings_must_name_store_and_interval(settings, missing):
    with pytest.raises(AnsibleFilterError, match="needs '%s'" % missing):
        external_secret(ENTRY, 'x', 'ns', settings)


@pytest.mark.parametrize('entries', [None, 'x', ({'env': 'A', 'path': 'p', 'key': 'k'},)])
def test_entries_must_be_a_non_empty_list(entries):
    if isinstance(entries, tuple):
        assert external_secret(entries, 'x', 'ns', VAULT)['spec']['data'][0]['secretKey'] == 'A'
    else:
        with pytest.raises(AnsibleFilterError, match='non-empty list'):
            external_secret(entries, 'x', 'ns', VAULT)


def test_entry_that_is_not_a_mapping_is_named():
    with pytest.raises(AnsibleFilterError, match="entry 0 needs env, path and key, got 'oops'"):
        external_secret(['oops'], 'x', 'ns', VAULT)
    with pytest.raises(AnsibleFilterError, match=r"entry 1 needs env, path and key, got \['env', 'key'\]"):
        external_secret(ENTRY + [{'env': 'B', 'key': 'k'}], 'x', 'ns', VAULT)


def test_registered_under_its_name():
    assert FilterModule().filters() == {'external_secret': external_secret}
