"""manifests: file names, apply order, refusals and byte-stable YAML, the contract both ship paths share."""

import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils import manifests as mf


def obj(kind, name, namespace=None, **extra):
    meta = {'name': name}
    if namespace:
        meta['namespace'] = namespace
    return dict({'apiVersion': 'v1', 'kind': kind, 'metadata': meta}, **extra)


def test_dump_yaml_sorts_keys_uses_literal_blocks_and_starts_a_document():
    class Templated(str):
        pass
    text = mf.dump_yaml({'b': 'two\nlines\n', 'a': Templated('plain'), 'c': 'ünïcode', 'd': [1, {'y': 2, 'x': 1}]})
    assert text == '---\na: plain\nb: |\n  two\n  lines\nc: ünïcode\nd:\n- 1\n- x: 1\n  y: 2\n'


def test_dump_yaml_keeps_long_lines_up_to_120_columns():
    value = ' '.join(['word'] * 23)  # 114 characters
    assert mf.dump_yaml({'k': value}) == '---\nk: %s\n' % value


@pytest.mark.parametrize('item, name', [
    (obj('ConfigMap', 'cfg', 'apps'), 'configmap-apps-cfg.yaml'),
    (obj('ClusterRole', 'ai-platform:agent'), 'clusterrole-ai-platform-agent.yaml'),
    (obj('HelmChart', 'Vault_UI', 'kube-system'), 'helmchart-kube-system-vault-ui.yaml'),
    ({'metadata': {'name': 'x.y'}}, 'object-x.y.yaml'),
    ({'kind': 'Thing', 'metadata': None}, 'thing.yaml'),
])
def test_object_filename_from_kind_namespace_and_name(item, name):
    assert mf.object_filename(item) == name


def test_object_key_orders_by_dependency_then_namespace_then_name():
    items = [obj('Deployment', 'a', 'x'), obj('Custom', 'a'), obj('ServiceAccount', 'b', 'y'),
             obj('ServiceAccount', 'a', 'y'), obj('ServiceAccount', 'z', 'x'), obj('Namespace', 'x'),
             obj('CronJob', 'c', 'x'), obj('Another', 'a')]
    ordered = [(i['kind'], i['metadata'].get('namespace', ''), i['metadata']['name'])
               for i in sorted(items, key=mf.object_key)]
    assert ordered == [('Namespace', '', 'x'), ('ServiceAccount', 'x', 'z'), ('ServiceAccount', 'y', 'a'),
                       ('ServiceAccount', 'y', 'b'), ('Deployment', 'x', 'a'), ('CronJob', 'x', 'c'),
                       ('Another', '', 'a'), ('Custom', '', 'a')]
    assert mf.object_key({})[0] == len(mf._KIND_ORDER)


@pytest.mark.parametrize('item, problems', [
    (obj('ConfigMap', 'ok', 'ns'), []),
    (obj('Secret', 'empty', 'ns'), []),
    (obj('Secret', 's', 'ns', data={'k': 'dg=='}), ['is a Secret with data; ship an ExternalSecret instead']),
    (obj('Secret', 's', 'ns', stringData={'k': 'v'}), ['is a Secret with data; ship an ExternalSecret instead']),
    ({'metadata': {}}, ['has no apiVersion', 'has no kind', 'has no metadata.name']),
    ({'apiVersion': 'v1', 'kind': 'ConfigMap'}, ['has no metadata.name']),
    (['not', 'a', 'mapping'], ['is not a mapping']),
])
def test_object_problems(item, problems):
    assert mf.object_problems(item) == problems


def test_render_files_in_apply_order_with_kustomization_last():
    files = mf.render_files([obj('Service', 's', 'ns'), obj('Namespace', 'ns'), obj('ConfigMap', 'c', 'ns')])
    assert list(files) == ['namespace-ns.yaml', 'configmap-ns-c.yaml', 'service-ns-s.yaml', 'kustomization.yaml']
    assert files['kustomization.yaml'] == ('---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n'
                                           'resources:\n- namespace-ns.yaml\n- configmap-ns-c.yaml\n- service-ns-s.yaml\n')
    assert files['configmap-ns-c.yaml'] == mf.dump_yaml(obj('ConfigMap', 'c', 'ns'))


def test_render_files_refuses_two_objects_for_one_file():
    with pytest.raises(ValueError, match='two objects would both be written to configmap-ns-c.yaml'):
        mf.render_files([obj('ConfigMap', 'c', 'ns'), obj('ConfigMap', 'c', 'ns', data={'k': 'v'})])


def test_render_files_of_nothing_is_an_empty_kustomization():
    assert mf.render_files([]) == {'kustomization.yaml': mf.dump_yaml({
        'apiVersion': 'kustomize.config.k8s.io/v1beta1', 'kind': 'Kustomization', 'resources': []})}


def test_dump_yaml_folds_a_long_plain_line_at_120_columns():
    value = ' '.join(['w' * 7] * 31)  # 247 characters: 15 words fit in a line of 120, not 16
    line = ' '.join(['w' * 7] * 15)
    assert mf.dump_yaml({'k': value}) == '---\nk: %s\n  %s\n  wwwwwww\n' % (line, line)


def test_file_names_lose_the_dashes_a_slug_would_start_or_end_with():
    assert mf.object_filename(obj('ConfigMap', 'web app!', '_ns')) == 'configmap-ns-web-app.yaml'


def test_object_id_keeps_its_three_slots_when_parts_are_missing():
    assert mf.object_id({'metadata': {'name': 'x'}}) == '//x'
    assert mf.object_id({'kind': 'ConfigMap', 'metadata': {'namespace': 'ns'}}) == 'ConfigMap/ns/'
    assert mf.object_id(obj('ClusterRole', 'reader')) == 'ClusterRole//reader'


def test_two_objects_for_one_file_are_named_in_the_refusal():
    with pytest.raises(ValueError) as info:
        mf.render_files([obj('ConfigMap', 'c', 'ns'), obj('ConfigMap', 'c', 'ns')])
    assert str(info.value) == 'two objects would both be written to configmap-ns-c.yaml'


def test_component_label_keeps_the_rest_of_the_object():
    [labelled] = mf.with_component_label([obj('ConfigMap', 'c', 'ns', data={'k': 'v'})], 'litellm')
    assert labelled == {'apiVersion': 'v1', 'kind': 'ConfigMap', 'data': {'k': 'v'},
                        'metadata': {'name': 'c', 'namespace': 'ns', 'labels': {mf.COMPONENT_LABEL: 'litellm'}}}


def test_prune_looks_past_objects_it_skips():
    def live(name, component='agents', manager='collection'):
        return obj('ConfigMap', name, 'ns', metadata={'name': name, 'namespace': 'ns', 'labels': {
            mf.COMPONENT_LABEL: component}, 'managedFields': [{'manager': manager}]})
    skipped = [live('other-component', component='nats'), live('by-hand', manager='kubectl')]
    selected = mf.prune_selection(skipped + [live('gone')], {'agents': ['ConfigMap/ns/kept']}, 'collection')
    assert [mf.object_id(item) for item in selected] == ['ConfigMap/ns/gone']
