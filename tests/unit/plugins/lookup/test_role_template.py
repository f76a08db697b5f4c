"""role_template renders as ansible.builtin.template's lookup does, from the role's templates/ folder,
with imports beside the template, and without copying or changing the task's variables."""

import os

import pytest

from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader, lookup_loader
from ansible.template import Templar


@pytest.fixture(scope='module', autouse=True)
def collections():
    # The collection loader resolves baremetal.ai_platform.* from the checkout's collections/ folder.
    from helpers import REPO
    init_plugin_loader([os.path.join(REPO, 'collections')])


@pytest.fixture
def role(tmp_path):
    templates = tmp_path / 'templates'
    (templates / 'k8s').mkdir(parents=True)
    (templates / 'k8s' / '_labels.j2').write_text('{% macro labels(app) %}{app: {{ app }}}{% endmacro %}\n')
    (templates / 'k8s' / 'service.yml.j2').write_text(
        "{% from 'k8s/_labels.j2' import labels %}\n"
        "{% set ports = [port] %}\n"
        'kind: Service\n'
        'metadata:\n'
        '  name: {{ name }}\n'
        '  labels: {{ labels(name) }}\n'
        '  path: "C:\\\\{{ name }}"\n'
        'ports: {{ ports | to_json }}\n')
    (templates / 'values.yml.j2').write_text("nested: {{ lookup('baremetal.ai_platform.role_template', 'k8s/service.yml.j2') | from_yaml | to_json }}\n")
    return tmp_path


def _variables(role):
    return {'ansible_search_path': [str(role)], 'role_path': str(role), 'name': 'litellm', 'port': 4000,
            'shared': {'items': [1]}}


def _run(plugin, role, terms, variables=None):
    loader = DataLoader()
    variables = variables or _variables(role)
    lookup = lookup_loader.get(plugin, loader=loader, templar=Templar(loader=loader, variables=variables))
    return lookup.run(terms, variables=variables)


def test_renders_what_the_builtin_lookup_renders(role):
    terms = ['k8s/service.yml.j2', 'values.yml.j2']
    mine = _run('baremetal.ai_platform.role_template', role, terms)
    assert mine == _run('ansible.builtin.template', role, terms)
    assert mine[0] == ('kind: Service\nmetadata:\n  name: litellm\n  labels: {app: litellm}\n'
                       '  path: "C:\\\\litellm"\nports: [4000]\n')


def test_the_variables_are_read_not_copied_and_not_changed(role, monkeypatch):
    import copy

    def no_copy(*_args, **_kwargs):
        raise AssertionError('the variables were deep-copied')
    variables = _variables(role)
    before = copy.deepcopy(variables)
    monkeypatch.setattr(copy, 'deepcopy', no_copy)
    _run('baremetal.ai_platform.role_template', role, ['k8s/service.yml.j2'], variables)
    monkeypatch.undo()
    # The template's own {% set %} stayed in the template.
    assert variables == before and 'ports' not in variables


def test_a_missing_template_is_named(role):
    with pytest.raises(AnsibleError, match=r'role_template: no template k8s/absent\.yml\.j2'):
        _run('baremetal.ai_platform.role_template', role, ['k8s/absent.yml.j2'])
