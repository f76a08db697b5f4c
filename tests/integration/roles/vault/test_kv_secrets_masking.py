"""vault_kv_secrets run in-process against a real OpenBao, its result read before Ansible's no_log
pass: no secret value (given, generated or previous) appears anywhere in the result or the diff,
in check mode or not. Through ansible-playbook, no_log would print '********' over a leak."""

import secrets as random

from ansible_collections.baremetal.ai_platform.plugins.module_utils import vault_kv
from ansible_collections.baremetal.ai_platform.plugins.modules import vault_kv_secrets
from helpers import run_module_in_process


def leaks(result, values):
    text = repr(result)
    return [value for value in values if value in text]


def test_raw_result_and_diff_hold_no_secret_value(dev_vault, prefix):
    old = {'api_key': 'sk-old-' + random.token_hex(12), 'org': 'org-' + random.token_hex(6)}
    dev_vault.client.secrets.kv.v2.create_or_update_secret(path='%s/providers/openai' % prefix, secret=old,
                                                           mount_point='secret')
    new_key = 'sk-new-' + random.token_hex(12)
    args = {'url': dev_vault.url, 'token': dev_vault.root, 'secrets': [
        {'path': '%s/providers/openai' % prefix, 'data': {'api_key': new_key, 'org': old['org']}},
        {'path': '%s/agents/doc-fetcher' % prefix, 'generate': ['litellm_key'], 'generate_prefix': 'sk-'},
    ]}
    for check_mode in (True, False):
        failed, result = run_module_in_process(vault_kv_secrets.main, args, check_mode=check_mode, diff=True)
        assert not failed, result['msg']
        assert sorted(result['diff']['after']) == ['secret/%s/agents/doc-fetcher' % prefix,
                                                   'secret/%s/providers/openai' % prefix]
        assert leaks(result, [old['api_key'], old['org'], new_key, dev_vault.root]) == []
        assert result['diff']['after']['secret/%s/providers/openai' % prefix] == {
            'api_key': vault_kv.MASK_CHANGED, 'org': vault_kv.MASK}
    generated = dev_vault.client.secrets.kv.v2.read_secret_version(
        path='%s/agents/doc-fetcher' % prefix, mount_point='secret', raise_on_deleted_version=False)
    value = generated['data']['data']['litellm_key']
    assert value.startswith('sk-') and leaks(result, [value, value[3:]]) == []
    # A rerun generates nothing new and shows no diff at all.
    failed, result = run_module_in_process(vault_kv_secrets.main, args, diff=True)
    assert not failed and not result['changed'] and result['changed_paths'] == []
