"""role_template renders as ansible.builtin.template's lookup does, from the role's templates/ folder,
with imports beside the template, and without copying or changing the task's variables.

role_template is instantiated directly (no collection loader is set up in the test process: other unit
tests depend on its absence); tests/bench/bench_render.py compares whole renders, nested lookups included."""

import copy

import pytest

from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar

from ansible_collections.baremetal.ai_platform.plugins.lookup.role_template import LookupModule as RoleTemplate


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
    return tmp_path


def _variables(role):
    return {'ansible_search_path': [str(role)], 'role_path': str(role), 'name': 'litellm', 'port': 4000,
            'shared': {'items': [1]}}


def _run(plugin, role, terms, variables=None):
    loader = DataLoader()
    variables = variables or _variables(role)
    templar = Templar(loader=loader, variables=variables)
    if plugin == 'builtin':
        # Ansible's own, loaded with its option definitions.
        lookup = lookup_loader.get('template', loader=loader, templar=templar)
    else:
        lookup = RoleTemplate(loader=loader, templar=templar)
    return lookup.run(terms, variables=variables)


def test_renders_what_the_builtin_lookup_renders(role):
    mine = _run('role_template', role, ['k8s/service.yml.j2'])
    assert mine == _run('builtin', role, ['k8s/service.yml.j2'])
    assert mine == ['kind: Service\nmetadata:\n  name: litellm\n  labels: {app: litellm}\n'
                    '  path: "C:\\\\litellm"\nports: [4000]\n']


def test_the_variables_are_read_not_copied_and_not_changed(role, monkeypatch):
    def no_copy(*_args, **_kwargs):
        raise AssertionError('the variables were deep-copied')
    variables = _variables(role)
    before = copy.deepcopy(variables)
    monkeypatch.setattr(copy, 'deepcopy', no_copy)
    _run('role_template', role, ['k8s/service.yml.j2'], variables)
    monkeypatch.undo()
    # The template's own {% set %} stayed in the template.
    assert variables == before and 'ports' not in variables


def test_a_missing_template_is_named(role):
    with pytest.raises(AnsibleError, match=r'role_template: no template k8s/absent\.yml\.j2'):
        _run('role_template', role, ['k8s/absent.yml.j2'])
