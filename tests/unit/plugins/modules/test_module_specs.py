"""Each module's argument spec says what its documentation says (its own options and the fragments
it extends), option by option and suboption by suboption, and names credentials no_log. The sanity
tier's validate-modules checks the same; here it runs with the unit tests (and with make mutation)."""

import pytest
import yaml

from ansible_collections.baremetal.ai_platform.plugins.doc_fragments import litellm as litellm_doc
from ansible_collections.baremetal.ai_platform.plugins.modules import k8s_manifests, litellm_key, litellm_team

FRAGMENTS = {
    'baremetal.ai_platform.litellm': litellm_doc.ModuleDocFragment.DOCUMENTATION,
    'baremetal.ai_platform.litellm.prune': litellm_doc.ModuleDocFragment.PRUNE,
}
# What AnsibleModule reads of an option; anything else is a typo it would silently ignore.
KNOWN_KEYS = {'type', 'required', 'default', 'choices', 'aliases', 'no_log', 'fallback', 'elements', 'options',
              'required_if', 'mutually_exclusive'}


class Built(Exception):
    pass


def built(module, monkeypatch):
    """The keyword arguments main() gives AnsibleModule."""
    def capture(**kwargs):
        raise Built(kwargs)
    monkeypatch.setattr(module, 'AnsibleModule', capture)
    with pytest.raises(Built) as raised:
        module.main()
    return raised.value.args[0]


def documented(module):
    doc = yaml.safe_load(module.DOCUMENTATION)
    options = {}
    for fragment in doc.get('extends_documentation_fragment') or []:
        options.update(yaml.safe_load(FRAGMENTS[fragment])['options'])
    options.update(doc['options'])
    return options


def from_spec(spec):
    return dict((name, dict(
        type=option.get('type', 'str'), required=option.get('required', False), default=option.get('default'),
        choices=option.get('choices'), elements=option.get('elements'), aliases=option.get('aliases'),
        options=from_spec(option['options']) if 'options' in option else None)) for name, option in spec.items())


def from_doc(options):
    return dict((name, dict(
        type=option.get('type', 'str'), required=option.get('required', False), default=option.get('default'),
        choices=option.get('choices'), elements=option.get('elements'), aliases=option.get('aliases'),
        options=from_doc(option['suboptions']) if 'suboptions' in option else None)) for name, option in options.items())


def unknown_keys(spec):
    found = []
    for name, option in spec.items():
        found += ['%s.%s' % (name, key) for key in sorted(set(option) - KNOWN_KEYS)]
        found += ['%s.%s' % (name, key) for key in unknown_keys(option.get('options') or {})]
    return found


MODULES = [k8s_manifests, litellm_key, litellm_team]


@pytest.mark.parametrize('module', MODULES, ids=lambda module: module.__name__.rsplit('.', 1)[1])
def test_spec_is_what_the_documentation_says(module, monkeypatch):
    spec = built(module, monkeypatch)['argument_spec']
    assert from_spec(spec) == from_doc(documented(module))
    assert unknown_keys(spec) == []


@pytest.mark.parametrize('module, secrets', [
    (k8s_manifests, []), (litellm_key, ['keys.key', 'master_key']), (litellm_team, ['master_key']),
], ids=['k8s_manifests', 'litellm_key', 'litellm_team'])
def test_credentials_and_only_they_are_no_log(module, secrets, monkeypatch):
    def hidden(spec, prefix=''):
        names = []
        for name, option in spec.items():
            if option.get('no_log'):
                names.append(prefix + name)
            names += hidden(option.get('options') or {}, prefix + name + '.')
        return names
    assert sorted(hidden(built(module, monkeypatch)['argument_spec'])) == secrets


@pytest.mark.parametrize('module', [litellm_key, litellm_team], ids=['litellm_key', 'litellm_team'])
def test_prune_needs_an_owner_and_check_mode_is_supported(module, monkeypatch):
    made = built(module, monkeypatch)
    assert made['supports_check_mode'] is True
    assert made['required_if'] == [('prune', True, ('owner',))]


def test_render_supports_check_mode(monkeypatch):
    assert built(k8s_manifests, monkeypatch)['supports_check_mode'] is True


def test_a_present_key_needs_its_value_and_a_team_is_unlimited_or_budgeted(monkeypatch):
    keys = built(litellm_key, monkeypatch)['argument_spec']['keys']
    assert keys['required_if'] == [('state', 'present', ('key',))]
    teams = built(litellm_team, monkeypatch)['argument_spec']['teams']
    assert teams['mutually_exclusive'] == [('unlimited', 'max_budget'), ('unlimited', 'budget_duration')]
