# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

# Resources that are not namespaced: a rule on them only takes effect in a ClusterRole.
CLUSTER_SCOPED = frozenset((
    'nodes', 'namespaces', 'persistentvolumes', 'storageclasses', 'clusterroles', 'clusterrolebindings',
    'customresourcedefinitions', 'priorityclasses', 'csinodes', 'ingressclasses', 'runtimeclasses',
))


def agent_rbac(permissions):
    """Split an agent's permissions into Role rules and ClusterRole rules, each keeping its verbs."""
    namespaced, cluster = [], []
    for index, rule in enumerate(permissions or []):
        if not isinstance(rule, dict) or any(not isinstance(rule.get(k), list) for k in ('api_groups', 'resources', 'verbs')):
            raise AnsibleFilterError('agent_rbac: permissions[%d] needs lists api_groups, resources and verbs, got %r'
                                     % (index, rule))
        for scoped, rules in ((False, namespaced), (True, cluster)):
            resources = [r for r in rule['resources'] if (r in CLUSTER_SCOPED) == scoped]
            if resources:
                rules.append({'apiGroups': rule['api_groups'], 'resources': resources, 'verbs': rule['verbs']})
    # Only an agent with rules gets an API token and a way to the API server.
    return {'namespaced': namespaced, 'cluster': cluster, 'api_access': bool(namespaced or cluster)}


class FilterModule(object):
    def filters(self):
        return {'agent_rbac': agent_rbac}
