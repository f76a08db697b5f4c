"""The external_secret filter: shape, validation errors, and the ESO CRD schema (offline)."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.external_secret import external_secret

VAULT = {'secret_store': 'vault', 'refresh_interval': '1h', 'kv_mount': 'secret', 'path_prefix': 'ai-platform'}
ENTRIES = [
    {'env': 'OPENAI_API_KEY', 'path': 'ai-platform/providers/openai', 'key': 'api_key'},
    {'env': 'LITELLM_MASTER_KEY', 'path': 'ai-platform/litellm', 'key': 'master_key'},
]


@pytest.mark.offline
def test_offline_filter_builds_one_data_key_per_env_and_validates(manifest_validator):
    obj = external_secret(ENTRIES, 'litellm-secrets', 'ai-gateway', VAULT)
    assert obj['apiVersion'] == 'external-secrets.io/v1'
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
    assert manifest_validator.errors(obj) == []


@pytest.mark.offline
@pytest.mark.parametrize('args, message', [
    (([], 'x', 'ns', VAULT), 'non-empty list'),
    (([{'env': 'A', 'path': 'p'}], 'x', 'ns', VAULT), 'entry 0 needs env, path and key'),
    ((ENTRIES + ENTRIES[:1], 'x', 'ns', VAULT), "'OPENAI_API_KEY' appears twice"),
    (([{'env': 'BAD KEY', 'path': 'p', 'key': 'k'}], 'x', 'ns', VAULT), 'not a valid Secret key'),
    ((ENTRIES, 'Bad_Name', 'ns', VAULT), "name 'Bad_Name' is not a valid Kubernetes name"),
    ((ENTRIES, 'x', 'ns', {'secret_store': 'vault'}), "needs 'refresh_interval'"),
])
def test_offline_filter_rejects_bad_input_naming_the_problem(args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        external_secret(*args)
