"""agent_rbac: rules on cluster-scoped resources go to the ClusterRole, the rest to the Role."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.agent_rbac import agent_rbac


def test_a_mixed_rule_is_split_by_resource_keeping_groups_and_verbs():
    rbac = agent_rbac([{'api_groups': ['metrics.k8s.io'], 'resources': ['pods', 'nodes'], 'verbs': ['get', 'list']}])
    assert rbac == {
        'namespaced': [{'apiGroups': ['metrics.k8s.io'], 'resources': ['pods'], 'verbs': ['get', 'list']}],
        'cluster': [{'apiGroups': ['metrics.k8s.io'], 'resources': ['nodes'], 'verbs': ['get', 'list']}],
        'api_access': True,
    }


def test_namespaced_only_rules_make_no_cluster_rules():
    rbac = agent_rbac([{'api_groups': [''], 'resources': ['events'], 'verbs': ['get']},
                       {'api_groups': ['apps'], 'resources': ['deployments'], 'verbs': ['list']}])
    assert [r['resources'] for r in rbac['namespaced']] == [['events'], ['deployments']]
    assert rbac['cluster'] == []


@pytest.mark.parametrize('permissions', [[], None])
def test_no_permissions_means_no_api_access(permissions):
    assert agent_rbac(permissions) == {'namespaced': [], 'cluster': [], 'api_access': False}


def test_a_rule_without_lists_is_refused_with_its_index():
    with pytest.raises(AnsibleFilterError, match=r'permissions\[1\] needs lists api_groups, resources and verbs'):
        agent_rbac([{'api_groups': [''], 'resources': ['pods'], 'verbs': ['get']}, {'api_groups': [''], 'resources': 'pods'}])
