# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

_PSS_LEVELS = ('restricted', 'baseline', 'privileged')
_PART_OF = {'app.kubernetes.io/part-of': 'ai-platform'}


def _meta(name, namespace=None):
    meta = {'name': name, 'labels': dict(_PART_OF)}
    if namespace:
        meta['namespace'] = namespace
    return meta


def namespace_baseline(name, pss_level='restricted'):
    """A namespace the collection owns: the Namespace, default-deny for both directions, DNS egress."""
    if not isinstance(name, str) or not name:
        raise AnsibleFilterError('namespace_baseline: a namespace name is required')
    if pss_level not in _PSS_LEVELS:
        raise AnsibleFilterError('namespace_baseline(%s): pss_level must be one of %s, got %r'
                                 % (name, ', '.join(_PSS_LEVELS), pss_level))
    namespace = {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': _meta(name)}
    # Pod Security Admission enforces the level; audit and warn always report against restricted.
    namespace['metadata']['labels'].update({
        'pod-security.kubernetes.io/enforce': pss_level,
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
    })
    deny = {
        'apiVersion': 'networking.k8s.io/v1',
        'kind': 'NetworkPolicy',
        'metadata': _meta('default-deny', name),
        'spec': {'podSelector': {}, 'policyTypes': ['Ingress', 'Egress']},
    }
    # Every pod resolves names; only cluster DNS in kube-system is reachable on port 53.
    dns = {
        'apiVersion': 'networking.k8s.io/v1',
        'kind': 'NetworkPolicy',
        'metadata': _meta('allow-dns-egress', name),
        'spec': {
            'podSelector': {},
            'policyTypes': ['Egress'],
            'egress': [{
                'to': [{
                    'namespaceSelector': {'matchLabels': {'kubernetes.io/metadata.name': 'kube-system'}},
                    'podSelector': {'matchLabels': {'k8s-app': 'kube-dns'}},
                }],
                'ports': [{'protocol': 'UDP', 'port': 53}, {'protocol': 'TCP', 'port': 53}],
            }],
        },
    }
    return [namespace, deny, dns]


class FilterModule(object):
    def filters(self):
        return {'namespace_baseline': namespace_baseline}
