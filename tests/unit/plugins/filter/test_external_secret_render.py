"""The external_secret filter: shape, validation errors, and the ESO CRD schema (offline)."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.external_secret import external_secret

VAULT = {'secret_store': 'vault', 'refresh_interval': '1h', 'kv_mount': 'secret', 'path_prefix': 'ai-platform'}
ENTRIES = [
    {'env': 'OPENAI_API_KEY', 'path': 'ai-platform/providers/openai', 'key': 'api_key'},
    {'env': 'LITELLM_MASTER_KEY', 'path': 'ai-platform/litellm', 'key': 'master_key'},
]


def test_filter_builds_one_data_key_per_env():
    obj = external_secret(ENTRIES, 'litellm-secrets', 'ai-gateway', VAULT)
    assert (obj['apiVersion'], obj['kind']) == ('external-secrets.io/v1', 'ExternalSecret')
    assert obj['metadata'] == {'name': 'litellm-secrets', 'namespace': 'ai-gateway',
                               'labels': {'app.kubernetes.io/part-of': 'ai-platform'}}
    spec = obj['spec']
    assert spec['refreshInterval'] == '1h'
    assert spec['secretStoreRef'] == {'kind': 'ClusterSecretStore', 'name': 'vault-ai-gateway'}
    assert spec['target']['name'] == 'litellm-secrets'
    assert spec['target']['template']['metadata']['annotations'] == {'reloader.stakater.com/match': 'true'}
    assert 'data' not in spec['target']['template']
    assert spec['data'] == [
        {'secretKey': 'OPENAI_API_KEY', 'remoteRef': {'key': 'ai-platform/providers/openai', 'property': 'api_key'}},
        {'secretKey': 'LITELLM_MASTER_KEY', 'remoteRef': {'key': 'ai-platform/litellm', 'property': 'master_key'}},
    ]


# Apart from the shape test: loading the CRD schemas takes seconds, too long for each mutant of make mutation.
@pytest.mark.offline
def test_offline_filter_output_validates_against_the_eso_crd(manifest_validator):
    assert manifest_validator.errors(external_secret(ENTRIES, 'litellm-secrets', 'ai-gateway', VAULT)) == []


@pytest.mark.parametrize('args, message', [
    (([], 'x', 'ns', VAULT), 'external_secret(x): entries must be a non-empty list of {env, path, key}'),
    (([{'env': 'A', 'path': 'p'}], 'x', 'ns', VAULT),
     "external_secret(x): entry 0 needs env, path and key, got ['env', 'path']"),
    ((ENTRIES + ENTRIES[:1], 'x', 'ns', VAULT), "external_secret(x): env 'OPENAI_API_KEY' appears twice"),
    (([{'env': 'BAD KEY', 'path': 'p', 'key': 'k'}], 'x', 'ns', VAULT),
     "external_secret(x): env 'BAD KEY' is not a valid Secret key"),
    ((ENTRIES, 'Bad_Name', 'ns', VAULT), "external_secret: name 'Bad_Name' is not a valid Kubernetes name"),
    ((ENTRIES, 'x', 'ns', {'secret_store': 'vault'}),
     "external_secret: vault_settings needs 'refresh_interval' (see ai_platform_vault)"),
])
def test_filter_rejects_bad_input_naming_the_problem(args, message):
    with pytest.raises(AnsibleFilterError) as info:
        external_secret(*args)
    assert str(info.value) == message
