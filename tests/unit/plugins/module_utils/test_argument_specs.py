"""The shared argument specs (vault, litellm_api) say what their doc fragments document, option by
option, and mark every credential no_log."""

import pytest
import yaml

from ansible_collections.baremetal.ai_platform.plugins.doc_fragments import litellm as litellm_doc
from ansible_collections.baremetal.ai_platform.plugins.doc_fragments import vault as vault_doc
from ansible_collections.baremetal.ai_platform.plugins.module_utils.litellm_api import (
    litellm_argument_spec, prune_argument_spec)
from ansible_collections.baremetal.ai_platform.plugins.module_utils.vault import vault_argument_spec

SECRETS = ('token', 'secret_id', 'master_key')


def documented(*fragments):
    options = {}
    for fragment in fragments:
        options.update(yaml.safe_load(fragment)['options'])
    return options


def compared(spec):
    return dict((name, dict((key, value) for key, value in (
        ('type', option.get('type', 'str')), ('required', option.get('required', False)),
        ('default', option.get('default')), ('choices', option.get('choices')),
        ('aliases', option.get('aliases'))) if value not in (None, False)))
        for name, option in spec.items())


# Specs are built inside the tests, so each test calls the code under test (mutation testing relies on it).
@pytest.mark.parametrize('spec, options', [
    (lambda: vault_argument_spec(auth=False), documented(vault_doc.ModuleDocFragment.DOCUMENTATION)),
    (vault_argument_spec, documented(vault_doc.ModuleDocFragment.DOCUMENTATION, vault_doc.ModuleDocFragment.AUTH)),
    (litellm_argument_spec, documented(litellm_doc.ModuleDocFragment.DOCUMENTATION)),
    (prune_argument_spec, documented(litellm_doc.ModuleDocFragment.PRUNE)),
], ids=['vault', 'vault-auth', 'litellm', 'litellm-prune'])
def test_spec_matches_its_doc_fragment(spec, options):
    assert compared(spec()) == compared(options)


@pytest.mark.parametrize('build', [vault_argument_spec, litellm_argument_spec], ids=['vault', 'litellm'])
def test_credentials_are_no_log_and_nothing_else_is(build):
    spec = build()
    assert sorted(name for name, option in spec.items() if option.get('no_log')) == \
        sorted(name for name in spec if name in SECRETS)


def test_litellm_connection_falls_back_to_the_environment():
    spec = litellm_argument_spec()
    assert spec['api_url']['fallback'][1] == ['LITELLM_URL']
    assert spec['master_key']['fallback'][1] == ['LITELLM_MASTER_KEY']
    assert spec['ca_path']['fallback'][1] == ['LITELLM_CA_PATH']


# AnsibleModule ignores a key it does not know, so a typo ('requried', 'no_logs') silently drops the rule.
KNOWN_KEYS = {'type', 'required', 'default', 'choices', 'aliases', 'no_log', 'fallback', 'elements', 'options'}


@pytest.mark.parametrize('build', [vault_argument_spec, litellm_argument_spec, prune_argument_spec],
                         ids=['vault', 'litellm', 'litellm-prune'])
def test_every_option_uses_only_keys_ansiblemodule_reads(build):
    assert dict((name, sorted(set(option) - KNOWN_KEYS)) for name, option in build().items()) == \
        dict((name, []) for name in build())
