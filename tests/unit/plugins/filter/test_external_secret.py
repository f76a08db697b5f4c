"""external_secret's name checks at the DNS-1123 subdomain limit, and its output's fixed parts."""

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


@pytest.mark.parametrize('label', ['name', 'namespace'])
def test_names_up_to_253_characters_pass_and_254_are_refused(label):
    args = {'name': 'x', 'namespace': 'ns'}
    args[label] = _subdomain(253)
    assert external_secret(ENTRY, args['name'], args['namespace'], VAULT)['metadata'][label] == _subdomain(253)
    args[label] = _subdomain(254)
    with pytest.raises(AnsibleFilterError, match='%s .* is not a valid Kubernetes name' % label):
        external_secret(ENTRY, args['name'], args['namespace'], VAULT)


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
