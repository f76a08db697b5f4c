"""k8s_apply_order: the apply path sorts objects exactly as the render path writes them. The prune
selection: what apply mode deletes once a component no longer ships it, and what it never deletes."""

from ansible_collections.baremetal.ai_platform.plugins.filter.k8s_objects import (
    FilterModule,
    k8s_apply_order,
    k8s_component_labelled,
    k8s_component_selector,
    k8s_object_ids,
    k8s_prune_selection,
)
from ansible_collections.baremetal.ai_platform.plugins.module_utils.manifests import render_files


def test_apply_order_matches_the_rendered_kustomization():
    objects = [{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': 'd', 'namespace': 'n'}},
               {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'n'}},
               {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c', 'namespace': 'n'}}]
    ordered = k8s_apply_order(objects)
    assert [o['kind'] for o in ordered] == ['Namespace', 'ConfigMap', 'Deployment']
    assert list(render_files(objects))[:-1] == list(render_files(ordered))[:-1]
    assert FilterModule().filters()['k8s_apply_order'] is k8s_apply_order
    assert sorted(FilterModule().filters()) == ['k8s_apply_order', 'k8s_component_labelled', 'k8s_component_selector',
                                                'k8s_object_ids', 'k8s_prune_selection']


# Prune selection: what apply mode deletes at the end of a run, and what it never touches.
MANAGER = 'baremetal.ai_platform'


def live(kind, name, namespace='agents', component='agents', managers=(MANAGER,), api_version='v1', **meta):
    labels = {'app.kubernetes.io/part-of': 'ai-platform'}
    if component:
        labels['ai-platform/component'] = component
    metadata = dict(meta, name=name, labels=labels, managedFields=[{'manager': m, 'operation': 'Apply'} for m in managers])
    if namespace:
        metadata['namespace'] = namespace
    return {'apiVersion': api_version, 'kind': kind, 'metadata': metadata}


def test_labelled_objects_carry_their_component_and_keep_their_labels():
    objects = [{'kind': 'ConfigMap', 'metadata': {'name': 'c', 'labels': {'a': 'b'}}}, {'kind': 'Service', 'metadata': {'name': 's'}}]
    labelled = k8s_component_labelled(objects, 'litellm')
    assert [o['metadata']['labels'] for o in labelled] == [{'a': 'b', 'ai-platform/component': 'litellm'},
                                                           {'ai-platform/component': 'litellm'}]
    assert 'ai-platform/component' not in objects[0]['metadata']['labels']
    assert k8s_component_selector(['nats', 'agents']) == 'ai-platform/component in (agents,nats)'


def test_prune_selects_what_a_shipped_component_no_longer_ships_workloads_first():
    kept = live('Deployment', 'agent-a', api_version='apps/v1')
    gone = [live('ServiceAccount', 'agent-b'), live('Deployment', 'agent-b', api_version='apps/v1'),
            live('ClusterRole', 'agent-b', namespace=None, api_version='rbac.authorization.k8s.io/v1'),
            # Written by the collection and since changed by a controller too: still the collection's.
            live('RoleBinding', 'agent-b', managers=('kube-controller-manager', MANAGER))]
    shipped = {'agents': k8s_object_ids([kept])}
    selected = k8s_prune_selection([kept] + gone, shipped, MANAGER)
    assert k8s_object_ids(selected) == ['Deployment/agents/agent-b', 'RoleBinding/agents/agent-b',
                                        'ClusterRole//agent-b', 'ServiceAccount/agents/agent-b']


def test_prune_never_selects_objects_without_the_label_or_of_others():
    shipped = {'agents': [], 'nats': []}
    never = [
        live('Deployment', 'by-hand', component=None, api_version='apps/v1'),  # no component label
        live('ConfigMap', 'vault-config', component='vault'),  # a component this run did not ship
        live('Secret', 'agent-b', managers=('external-secrets',)),  # labels copied by a controller
        live('Service', 'chart-made', managers=('helm',)),  # the chart's, through HelmChart values
        live('Namespace', 'agents', namespace=None),  # deleting it would delete everything in it
        live('ConfigMap', 'going', deletionTimestamp='2026-01-01T00:00:00Z'),
    ]
    assert k8s_prune_selection(never, shipped, MANAGER) == []
    # The same objects with the label of a shipped component and the collection's manager would go.
    assert k8s_object_ids(k8s_prune_selection([live('Deployment', 'by-hand', api_version='apps/v1'),
                                               live('ConfigMap', 'vault-config', component='nats')], shipped, MANAGER)) == [
        'Deployment/agents/by-hand', 'ConfigMap/agents/vault-config']


def test_an_object_shipped_under_another_api_version_is_kept():
    hpa = live('HorizontalPodAutoscaler', 'litellm', namespace='gw', component='litellm', api_version='autoscaling/v1')
    shipped = {'litellm': k8s_object_ids([dict(hpa, apiVersion='autoscaling/v2')])}
    assert k8s_prune_selection([hpa], shipped, MANAGER) == []
