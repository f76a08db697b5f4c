"""gitops_folders and flux_dependencies: the order Flux applies the rendered folders in."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.gitops import (
    FilterModule,
    flux_dependencies,
    gitops_folders,
)
from ansible_collections.baremetal.ai_platform.plugins.module_utils.gitops import find_cycle


def obj(api_version, kind, name, namespace=None):
    meta = {'name': name}
    if namespace:
        meta['namespace'] = namespace
    return {'apiVersion': api_version, 'kind': kind, 'metadata': meta}


def chart(name):
    return obj('helm.cattle.io/v1', 'HelmChart', name, 'kube-system')


def namespace(name):
    return obj('v1', 'Namespace', name)


MONITOR = obj('monitoring.coreos.com/v1', 'ServiceMonitor', 'litellm', 'ai-gateway')
STORE = obj('external-secrets.io/v1', 'ClusterSecretStore', 'vault')


def test_custom_resources_of_a_chart_in_the_same_component_get_their_own_folder():
    rule = obj('monitoring.coreos.com/v1', 'PrometheusRule', 'ai-platform', 'ai-observability')
    secret = obj('external-secrets.io/v1', 'ExternalSecret', 'grafana', 'ai-observability')
    folders = gitops_folders([chart('kube-prometheus-stack'), rule, secret], 'observability')
    assert folders == [{'folder': 'observability', 'objects': [chart('kube-prometheus-stack'), secret]},
                       {'folder': 'observability-resources', 'objects': [rule]}]


def test_a_component_without_its_own_charts_resources_stays_one_folder():
    objects = [namespace('ai-gateway'), MONITOR, chart('litellm-postgres')]
    assert gitops_folders(objects, 'litellm') == [{'folder': 'litellm', 'objects': objects}]


def test_unknown_custom_kind_is_refused_naming_it():
    widget = obj('example.io/v1', 'Widget', 'w', 'ai-gateway')
    with pytest.raises(AnsibleFilterError) as raised:
        gitops_folders([widget], 'litellm')
    assert str(raised.value) == ('gitops_folders(litellm): Widget ai-gateway/w is a custom resource of group example.io '
                                 'that no known chart delivers (add it to CUSTOM_KINDS in plugins/module_utils/gitops.py)')


def test_folders_depend_on_the_charts_of_their_crds_and_the_owners_of_their_namespaces():
    graph = flux_dependencies({
        'external-secrets': [chart('external-secrets'), obj('networking.k8s.io/v1', 'NetworkPolicy', 'eso', 'vault')],
        'secret-stores': [STORE],
        'vault': [namespace('vault'), chart('vault')],
        'litellm': [namespace('ai-gateway'), MONITOR],
        'observability': [chart('kube-prometheus-stack'), obj('v1', 'Service', 'm', 'kube-system')],
        'flux': [obj('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'k', 'flux-system')],
    })
    assert graph == {
        'external-secrets': {'depends_on': ['vault'], 'health_checks': ['clustersecretstores.external-secrets.io']},
        'secret-stores': {'depends_on': ['external-secrets'], 'health_checks': []},
        'vault': {'depends_on': [], 'health_checks': []},
        'litellm': {'depends_on': ['observability'], 'health_checks': []},
        'observability': {'depends_on': [], 'health_checks': ['servicemonitors.monitoring.coreos.com']},
        'flux': {'depends_on': [], 'health_checks': []},
    }


@pytest.mark.parametrize('folders, message', [
    ({'external-secrets': [chart('external-secrets'), STORE]},
     'ClusterSecretStore vault (external-secrets) is beside the chart external-secrets that installs its CRD '
     'clustersecretstores.external-secrets.io'),
    ({'litellm': [namespace('ai-gateway'), MONITOR]},
     'ServiceMonitor ai-gateway/litellm (litellm) needs servicemonitors.monitoring.coreos.com from the chart '
     'kube-prometheus-stack, which no folder ships'),
    ({'litellm': [MONITOR], 'observability': [chart('kube-prometheus-stack')]},
     'ServiceMonitor ai-gateway/litellm (litellm) is in namespace ai-gateway, which no folder creates'),
    ({'a': [namespace('ns-a'), obj('v1', 'ConfigMap', 'c', 'ns-b')], 'b': [namespace('ns-b'), obj('v1', 'ConfigMap', 'c', 'ns-a')]},
     'the folders depend on each other in a cycle: a -> b -> a'),
])
def test_an_order_flux_could_not_apply_is_refused_naming_why(folders, message):
    with pytest.raises(AnsibleFilterError) as raised:
        flux_dependencies(folders)
    assert str(raised.value) == 'flux_dependencies: ' + message


def test_every_problem_is_named_at_once():
    with pytest.raises(AnsibleFilterError) as raised:
        flux_dependencies({'litellm': [MONITOR], 'secret-stores': [STORE]})
    assert str(raised.value) == (
        'flux_dependencies: ServiceMonitor ai-gateway/litellm (litellm) needs servicemonitors.monitoring.coreos.com '
        'from the chart kube-prometheus-stack, which no folder ships; ServiceMonitor ai-gateway/litellm (litellm) is '
        'in namespace ai-gateway, which no folder creates; ClusterSecretStore vault (secret-stores) needs '
        'clustersecretstores.external-secrets.io from the chart external-secrets, which no folder ships')


def test_find_cycle_returns_the_loop_or_none():
    assert find_cycle({'a': ['b'], 'b': ['c'], 'c': []}) is None
    assert find_cycle({'a': ['b'], 'b': ['c'], 'c': ['b']}) == ['b', 'c', 'b']
    assert find_cycle({'a': ['a']}) == ['a', 'a']


def test_filters_are_registered():
    assert FilterModule().filters() == {'gitops_folders': gitops_folders, 'flux_dependencies': flux_dependencies}
