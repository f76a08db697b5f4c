"""k8s_manifests in-process: the folder mirrors the objects given, stale files go, reruns write nothing."""

import os

import pytest
import yaml
from ansible.module_utils import basic

from ansible_collections.baremetal.ai_platform.plugins.module_utils.manifests import dump_yaml
from ansible_collections.baremetal.ai_platform.plugins.modules import k8s_manifests


def configmap(name, namespace='apps', data=None):
    return {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': name, 'namespace': namespace},
            'data': data or {'key': name}}


OBJECTS = [
    {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'apps'}},
    configmap('one'),
    configmap('two'),
    {'apiVersion': 'v1', 'kind': 'ServiceAccount', 'metadata': {'name': 'worker', 'namespace': 'apps'}},
]


def listing(dest):
    return sorted(os.listdir(dest))


def contents(dest):
    result = {}
    for name in listing(dest):
        with open(os.path.join(dest, name)) as handle:
            result[name] = handle.read()
    return result


def resources(dest):
    with open(os.path.join(dest, 'kustomization.yaml')) as handle:
        return yaml.safe_load(handle)['resources']


@pytest.fixture
def render(run_module, tmp_path):
    dest = str(tmp_path / 'component')

    def run(objects, **flags):
        return run_module(k8s_manifests.main, {'dest': dest, 'objects': objects}, **flags)
    run.dest = dest
    return run


def test_writes_one_file_per_object_and_a_kustomization_in_apply_order(render):
    failed, result = render(OBJECTS)
    assert not failed and result['changed']
    expected = ['namespace-apps.yaml', 'serviceaccount-apps-worker.yaml', 'configmap-apps-one.yaml',
                'configmap-apps-two.yaml']
    assert resources(render.dest) == expected
    assert listing(render.dest) == sorted(expected + ['kustomization.yaml'])
    assert result['files'] == sorted(expected + ['kustomization.yaml'])
    assert sorted(result['changed_files']) == result['files']
    with open(os.path.join(render.dest, 'configmap-apps-one.yaml')) as handle:
        assert yaml.safe_load(handle) == OBJECTS[1]


def test_rerun_with_the_same_objects_changes_and_writes_nothing(render):
    render(OBJECTS)
    before = {name: os.stat(os.path.join(render.dest, name)).st_mtime_ns for name in listing(render.dest)}
    failed, result = render(list(reversed(OBJECTS)))
    assert not failed and not result['changed'] and result['changed_files'] == []
    assert {name: os.stat(os.path.join(render.dest, name)).st_mtime_ns for name in listing(render.dest)} == before


def test_object_dropped_from_the_list_loses_its_file_and_its_kustomization_entry(render):
    render(OBJECTS)
    first = contents(render.dest)
    kept = [obj for obj in OBJECTS if obj['metadata']['name'] != 'two']
    failed, result = render(kept)
    assert not failed and result['changed']
    assert sorted(result['changed_files']) == ['configmap-apps-two.yaml', 'kustomization.yaml']
    assert 'configmap-apps-two.yaml' not in listing(render.dest)
    assert 'configmap-apps-two.yaml' not in resources(render.dest)
    assert sorted(resources(render.dest) + ['kustomization.yaml']) == listing(render.dest)
    after = contents(render.dest)
    assert dict((n, t) for n, t in first.items() if n not in ('configmap-apps-two.yaml', 'kustomization.yaml')) == \
        dict((n, t) for n, t in after.items() if n != 'kustomization.yaml')
    failed, result = render(kept)
    assert not result['changed']


def test_check_mode_reports_the_stale_file_and_removes_nothing(render):
    render(OBJECTS)
    first = contents(render.dest)
    failed, result = render(OBJECTS[:2], check_mode=True, diff=True)
    assert not failed and result['changed']
    assert sorted(result['changed_files']) == ['configmap-apps-two.yaml', 'kustomization.yaml',
                                               'serviceaccount-apps-worker.yaml']
    assert contents(render.dest) == first
    # A removed file: its old text before, nothing after its header (files are listed by name).
    assert '# configmap-apps-two.yaml\n---' in result['diff']['before']
    assert '# configmap-apps-two.yaml\n# kustomization.yaml\n---' in result['diff']['after']
    assert result['diff']['after'].endswith('# serviceaccount-apps-worker.yaml\n')


def test_check_mode_on_a_missing_folder_creates_nothing(render):
    failed, result = render(OBJECTS, check_mode=True)
    assert not failed and result['changed'] and not os.path.exists(render.dest)


def test_diff_only_when_asked_and_only_for_changed_files(render):
    _failed, result = render(OBJECTS)
    assert 'diff' not in result
    changed = [configmap('one', data={'key': 'new'})] + [obj for obj in OBJECTS if obj['metadata']['name'] != 'one']
    _failed, result = render(changed, diff=True)
    assert result['changed_files'] == ['configmap-apps-one.yaml']
    assert result['diff']['before_header'] == result['diff']['after_header'] == render.dest
    assert result['diff']['before'] == '# configmap-apps-one.yaml\n' + dump_yaml(configmap('one'))
    assert result['diff']['after'] == '# configmap-apps-one.yaml\n' + dump_yaml(changed[0])
    _failed, result = render(changed, diff=True)
    assert 'diff' not in result


def test_files_that_are_not_manifests_are_left_alone(render):
    render(OBJECTS)
    note = os.path.join(render.dest, 'README.txt')
    with open(note, 'w') as handle:
        handle.write('kept')
    _failed, result = render(OBJECTS[:1])
    assert os.path.exists(note) and 'README.txt' not in result['changed_files']
    assert listing(render.dest) == ['README.txt', 'kustomization.yaml', 'namespace-apps.yaml']


@pytest.mark.parametrize('objects, problem', [
    ([{'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 's'}, 'data': {'k': 'dg=='}}],
     'objects[0] (Secret/s) is a Secret with data'),
    ([{'kind': 'ConfigMap', 'metadata': {'name': 'c'}}], 'objects[0] (ConfigMap/c) has no apiVersion'),
    ([configmap('ok'), {'apiVersion': 'v1', 'metadata': {}}], 'objects[1] (?/?) has no kind'),
    ([configmap('same'), configmap('same')], 'two objects would both be written to configmap-apps-same.yaml'),
])
def test_refuses_bad_objects_and_writes_nothing(render, objects, problem):
    failed, result = render(objects)
    assert failed and problem in result['msg'] and render.dest in result['msg']
    assert not os.path.exists(render.dest)


def test_every_bad_object_is_named_in_one_refusal(render):
    objects = [{'kind': 'ConfigMap', 'metadata': {'name': 'c'}}, {'apiVersion': 'v1', 'metadata': {}}]
    failed, result = render(objects)
    errors = ['objects[0] (ConfigMap/c) has no apiVersion', 'objects[1] (?/?) has no kind',
              'objects[1] (?/?) has no metadata.name']
    assert (failed, result['msg'], result['errors']) == (
        True, 'Refusing to render %s: %s' % (render.dest, '; '.join(errors)), errors)
    failed, result = render([configmap('same'), configmap('same')])
    assert result['msg'] == 'Refusing to render %s: two objects would both be written to configmap-apps-same.yaml' % (
        render.dest)


def test_the_temporary_file_is_hidden_in_the_folder_until_it_replaces_the_manifest(render, monkeypatch):
    moves = []
    real_move = basic.AnsibleModule.atomic_move

    def atomic_move(module, src, dest, *args, **kwargs):
        moves.append((os.path.dirname(src), os.path.basename(src).startswith('.'), src.endswith('.tmp')))
        return real_move(module, src, dest, *args, **kwargs)
    monkeypatch.setattr(basic.AnsibleModule, 'atomic_move', atomic_move)
    render(OBJECTS[:1])
    assert moves == [(render.dest, True, True)] * 2


def test_returns_what_each_object_is_in_apply_order_without_its_data(render):
    failed, result = render(OBJECTS)
    assert not failed
    assert result['objects'] == [
        {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'apps'}},
        {'apiVersion': 'v1', 'kind': 'ServiceAccount', 'metadata': {'name': 'worker', 'namespace': 'apps'}},
        {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'one', 'namespace': 'apps'}},
        {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'two', 'namespace': 'apps'}},
    ]
