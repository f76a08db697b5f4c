"""The validate role's argument_specs and docs/variables.md cover the whole example inventory."""

import glob
import os
import re

import pytest
import yaml

from helpers import REPO

SPEC_FILE = os.path.join(REPO, 'roles', 'validate', 'meta', 'argument_specs.yml')
DOC_FILE = os.path.join(REPO, 'docs', 'variables.md')


def _load(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


SPEC = _load(SPEC_FILE)['argument_specs']['main']['options']
EXAMPLE = {}
for _path in sorted(glob.glob(os.path.join(REPO, 'inventories', 'example', 'group_vars', 'all', '*.yml'))):
    EXAMPLE.update(_load(_path))
with open(DOC_FILE) as _handle:
    DOC = _handle.read()


def _undeclared(value, spec, path):
    """Paths of fields in value that the spec entry does not declare."""
    missing = []
    options = spec.get('options')
    items = value if isinstance(value, list) else [value]
    if options is None:
        return missing
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        for key, sub in item.items():
            sub_path = '%s[%d].%s' % (path, index, key) if isinstance(value, list) else '%s.%s' % (path, key)
            if key not in options:
                missing.append(sub_path)
            else:
                missing.extend(_undeclared(sub, options[key], sub_path))
    return missing


@pytest.mark.parametrize('var', sorted(EXAMPLE))
def test_every_example_variable_and_field_is_declared(var):
    assert var in SPEC, '%s is not declared in %s' % (var, SPEC_FILE)
    assert _undeclared(EXAMPLE[var], SPEC[var], var) == []


@pytest.mark.parametrize('var', sorted(SPEC))
def test_every_declared_variable_is_documented(var):
    assert '`%s`' % var in DOC


def _field_names(spec):
    for name, sub in (spec.get('options') or {}).items():
        yield name
        yield from _field_names(sub)


@pytest.mark.parametrize('var', sorted(SPEC))
def test_every_declared_field_is_documented(var):
    undocumented = [name for name in _field_names(SPEC[var]) if not re.search(r'`[^`]*\b%s\b[^`]*`' % name, DOC)]
    assert undocumented == []


def test_every_role_has_argument_specs_linked_from_the_docs():
    roles = sorted(name for name in os.listdir(os.path.join(REPO, 'roles'))
                   if os.path.isdir(os.path.join(REPO, 'roles', name, 'tasks')))
    problems = []
    for role in roles:
        spec = 'roles/%s/meta/argument_specs.yml' % role
        if not os.path.isfile(os.path.join(REPO, spec)):
            problems.append('%s is missing' % spec)
        if '(../%s)' % spec not in DOC:
            problems.append('%s is not linked from docs/variables.md' % spec)
    assert problems == []
