"""namespace_baseline: the Namespace with its Pod Security labels, default-deny and DNS-only egress."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.namespace_baseline import FilterModule, namespace_baseline

PART_OF = {'app.kubernetes.io/part-of': 'ai-platform'}


def test_restricted_namespace_denies_all_but_dns():
    namespace, deny, dns = namespace_baseline('ai-agents')
    assert namespace == {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'ai-agents', 'labels': dict(
        PART_OF, **{'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted',
                    'pod-security.kubernetes.io/warn': 'restricted'})}}
    assert deny == {'apiVersion': 'networking.k8s.io/v1', 'kind': 'NetworkPolicy',
                    'metadata': {'name': 'default-deny', 'namespace': 'ai-agents', 'labels': PART_OF},
                    'spec': {'podSelector': {}, 'policyTypes': ['Ingress', 'Egress']}}
    assert dns['metadata'] == {'name': 'allow-dns-egress', 'namespace': 'ai-agents', 'labels': PART_OF}
    assert dns['spec'] == {'podSelector': {}, 'policyTypes': ['Egress'], 'egress': [{
        'to': [{'namespaceSelector': {'matchLabels': {'kubernetes.io/metadata.name': 'kube-system'}},
                'podSelector': {'matchLabels': {'k8s-app': 'kube-dns'}}}],
        'ports': [{'protocol': 'UDP', 'port': 53}, {'protocol': 'TCP', 'port': 53}]}]}


def test_other_levels_change_only_enforce_and_labels_are_not_shared():
    namespace, deny, _dns = namespace_baseline('vault', 'privileged')
    labels = namespace['metadata']['labels']
    assert labels['pod-security.kubernetes.io/enforce'] == 'privileged'
    assert labels['pod-security.kubernetes.io/audit'] == labels['pod-security.kubernetes.io/warn'] == 'restricted'
    assert deny['metadata']['labels'] == PART_OF
    assert namespace_baseline('x', 'baseline')[0]['metadata']['labels']['pod-security.kubernetes.io/enforce'] == 'baseline'


@pytest.mark.parametrize('name, level, message', [
    ('', 'restricted', 'a namespace name is required'),
    (None, 'restricted', 'a namespace name is required'),
    ('x', 'strict', "namespace_baseline\\(x\\): pss_level must be one of restricted, baseline, privileged, got 'strict'"),
])
def test_refusals(name, level, message):
    with pytest.raises(AnsibleFilterError, match=message):
        namespace_baseline(name, level)


def test_registered_under_its_name():
    assert FilterModule().filters() == {'namespace_baseline': namespace_baseline}
