"""k8s_apply_order: the apply path sorts objects exactly as the render path writes them."""

from ansible_collections.baremetal.ai_platform.plugins.filter.k8s_objects import FilterModule, k8s_apply_order
from ansible_collections.baremetal.ai_platform.plugins.module_utils.manifests import render_files


def test_apply_order_matches_the_rendered_kustomization():
    objects = [{'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': 'd', 'namespace': 'n'}},
               {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'n'}},
               {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c', 'namespace': 'n'}}]
    ordered = k8s_apply_order(objects)
    assert [o['kind'] for o in ordered] == ['Namespace', 'ConfigMap', 'Deployment']
    assert list(render_files(objects))[:-1] == list(render_files(ordered))[:-1]
    assert FilterModule().filters() == {'k8s_apply_order': k8s_apply_order}
