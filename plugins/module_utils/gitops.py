# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The order Flux applies the rendered component folders in, derived from the objects themselves.

A folder must come after every folder that delivers the CRD of a custom resource it holds (a chart
shipped as a k3s HelmChart installs them) and after the folder that holds the Namespace its objects
live in. Flux applies a folder as a whole after a server-side dry run, so a custom resource beside
the chart that installs its CRD would fail that dry run for ever (the chart is never applied):
such resources go to a folder of their own, ``<component>-resources``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Custom resource (API group, kind) the platform ships -> (its CRD, the HelmChart installing it).
CUSTOM_KINDS = {
    ('external-secrets.io', 'ExternalSecret'): ('externalsecrets.external-secrets.io', 'external-secrets'),
    ('external-secrets.io', 'ClusterSecretStore'): ('clustersecretstores.external-secrets.io', 'external-secrets'),
    ('jetstream.nats.io', 'Account'): ('accounts.jetstream.nats.io', 'nack'),
    ('jetstream.nats.io', 'Stream'): ('streams.jetstream.nats.io', 'nack'),
    ('jetstream.nats.io', 'Consumer'): ('consumers.jetstream.nats.io', 'nack'),
    ('argoproj.io', 'WorkflowTemplate'): ('workflowtemplates.argoproj.io', 'argo-workflows'),
    ('keda.sh', 'ScaledObject'): ('scaledobjects.keda.sh', 'keda'),
    ('monitoring.coreos.com', 'ServiceMonitor'): ('servicemonitors.monitoring.coreos.com', 'kube-prometheus-stack'),
    ('monitoring.coreos.com', 'PrometheusRule'): ('prometheusrules.monitoring.coreos.com', 'kube-prometheus-stack'),
    ('cert-manager.io', 'Certificate'): ('certificates.cert-manager.io', 'cert-manager'),
    ('cert-manager.io', 'Issuer'): ('issuers.cert-manager.io', 'cert-manager'),
    ('cert-manager.io', 'ClusterIssuer'): ('clusterissuers.cert-manager.io', 'cert-manager'),
}
# API groups a cluster serves before the sync: Kubernetes', k3s's helm-controller (helm.cattle.io)
# and Flux's own (its CRDs come with `flux install`, before the entry point is applied).
BUILTIN_GROUPS = frozenset((
    '', 'apps', 'batch', 'policy', 'autoscaling', 'networking.k8s.io', 'rbac.authorization.k8s.io',
    'storage.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'node.k8s.io',
    'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'certificates.k8s.io', 'helm.cattle.io',
    'source.toolkit.fluxcd.io', 'kustomize.toolkit.fluxcd.io'))
# Namespaces a cluster has before anything is synced.
SYSTEM_NAMESPACES = frozenset(('default', 'kube-system', 'kube-public', 'kube-node-lease', 'flux-system'))
RESOURCES_SUFFIX = '-resources'


def api_group(obj):
    return (obj.get('apiVersion') or '').rpartition('/')[0]


def _name(obj):
    meta = obj.get('metadata') or {}
    return '%s %s' % (obj.get('kind'), '/'.join(p for p in (meta.get('namespace'), meta.get('name')) if p))


def _custom_kind(obj):
    """(CRD, chart) of a custom resource; None for a built-in kind; ValueError for an unknown one."""
    group = api_group(obj)
    if group in BUILTIN_GROUPS:
        return None
    try:
        return CUSTOM_KINDS[(group, obj.get('kind'))]
    except KeyError:
        raise ValueError('%s is a custom resource of group %s that no known chart delivers (add it to '
                         'CUSTOM_KINDS in plugins/module_utils/gitops.py)' % (_name(obj), group or 'core'))


def _charts(objects):
    return set((o.get('metadata') or {}).get('name') for o in objects if o.get('kind') == 'HelmChart')


def split_folders(component, objects):
    """[(folder, objects)]: the component's folder, then <component>-resources when it is needed.

    The second folder holds the custom resources whose CRD a chart in the first one installs.
    """
    charts = _charts(objects)
    own, later = [], []
    for obj in objects:
        custom = _custom_kind(obj)
        (later if custom and custom[1] in charts else own).append(obj)
    return [(component, own)] + ([(component + RESOURCES_SUFFIX, later)] if later else [])


def dependencies(folders):
    """{folder: {'depends_on': [folders], 'health_checks': [CRDs]}} for {folder: objects}.

    depends_on: the folders delivering the CRDs and Namespaces a folder needs; health_checks: the CRDs
    a folder's charts install that some other folder uses, so Flux reports it Ready only once they
    are established. ValueError when a folder needs what no folder (or its own chart) delivers, or
    when the dependencies form a cycle.
    """
    chart_owner, namespace_owner = {}, {}
    for folder, objects in folders.items():
        for chart in _charts(objects):
            chart_owner[chart] = folder
        for obj in objects:
            if obj.get('kind') == 'Namespace':
                namespace_owner[obj['metadata']['name']] = folder
    graph = dict((folder, {'depends_on': set(), 'health_checks': set()}) for folder in folders)
    problems = []
    for folder, objects in sorted(folders.items()):
        for obj in objects:
            custom = _custom_kind(obj)
            if custom:
                crd, chart = custom
                owner = chart_owner.get(chart)
                if owner is None:
                    problems.append('%s (%s) needs %s from the chart %s, which no folder ships'
                                    % (_name(obj), folder, crd, chart))
                elif owner == folder:
                    problems.append('%s (%s) is beside the chart %s that installs its CRD %s'
                                    % (_name(obj), folder, chart, crd))
                else:
                    graph[folder]['depends_on'].add(owner)
                    graph[owner]['health_checks'].add(crd)
            namespace = (obj.get('metadata') or {}).get('namespace')
            owner = namespace_owner.get(namespace)
            if owner and owner != folder:
                graph[folder]['depends_on'].add(owner)
            elif owner is None and namespace and namespace not in SYSTEM_NAMESPACES:
                problems.append('%s (%s) is in namespace %s, which no folder creates' % (_name(obj), folder, namespace))
    cycle = find_cycle(dict((f, node['depends_on']) for f, node in graph.items()))
    if cycle:
        problems.append('the folders depend on each other in a cycle: %s' % ' -> '.join(cycle))
    if problems:
        raise ValueError('; '.join(problems))
    return dict((folder, {'depends_on': sorted(node['depends_on']), 'health_checks': sorted(node['health_checks'])})
                for folder, node in graph.items())


def find_cycle(depends_on):
    """One cycle of {node: [nodes it depends on]} as [a, b, ..., a], or None."""
    state = {}

    def visit(node, path):
        state[node] = 'open'
        for dep in sorted(depends_on.get(node) or ()):
            if state.get(dep) == 'open':
                return path[path.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep, path + [dep])
                if found:
                    return found
        state[node] = 'done'
        return None

    for node in sorted(depends_on):
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return None
