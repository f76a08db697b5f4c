"""vault_sys_config deletes what a configuration no longer wants (prune by prefix, absent paths), against
the dev OpenBao: only names it owns, after the writes, listed in check mode without deleting."""

import secrets as random

import pytest

from helpers_secrets import run, task_result


@pytest.fixture()
def setup(dev_vault):
    tag = random.token_hex(3)
    mount, prefix = 'k8s-%s' % tag, 'r%s-' % tag
    root = dev_vault.client
    root.sys.enable_auth_method('kubernetes', path=mount)
    for name in (prefix + 'kept', prefix + 'gone', 'other-%s' % tag):
        root.sys.create_or_update_acl_policy(name, 'path "secret/data/%s" { capabilities = ["read"] }' % name)
        root.write_data('auth/%s/role/%s' % (mount, name), data={
            'bound_service_account_names': [name], 'bound_service_account_namespaces': ['vault'],
            'token_policies': [name]})
    root.sys.create_or_update_acl_policy('legacy-%s' % tag, 'path "secret/data/*" { capabilities = ["read"] }')
    extra = {'sys_url': dev_vault.url, 'sys_token': dev_vault.root,
             'sys_policies': [{'name': prefix + 'kept', 'rules': 'path "secret/data/%skept" { capabilities = ["read"] }'
                               % prefix}],
             'sys_endpoints': [{'path': 'auth/%s/role/%skept' % (mount, prefix),
                                'data': {'bound_service_account_names': [prefix + 'kept']}}],
             'sys_prune': [{'path': 'auth/%s/role' % mount, 'prefix': prefix},
                           {'path': 'sys/policies/acl', 'prefix': prefix}],
             'sys_absent': ['sys/policies/acl/legacy-%s' % tag, 'auth/%s/role/never-there' % mount]}
    return root, mount, prefix, tag, extra


def _state(root, mount, tag):
    return (sorted(root.list('auth/%s/role' % mount)['data']['keys']),
            sorted(name for name in root.sys.list_acl_policies()['data']['keys'] if tag in name))


def test_prune_and_absent_delete_only_undeclared_owned_names(setup, tmp_path):
    root, mount, prefix, tag, extra = setup
    before = _state(root, mount, tag)
    expected = ['deleted auth/%s/role/%sgone' % (mount, prefix), 'deleted sys/policies/acl/%sgone' % prefix,
                'deleted sys/policies/acl/legacy-%s' % tag]

    # Check mode lists the deletions and deletes nothing.
    planned = task_result(run('sys_config.yml', tmp_path, dict(extra, sys_check=True)))
    assert planned['changes'] == expected and planned['changed']
    assert _state(root, mount, tag) == before
    assert planned['diff']['before']['sys/policies/acl/%sgone' % prefix].startswith('path "secret/data/')
    assert planned['diff']['after']['sys/policies/acl/%sgone' % prefix] is None

    done = task_result(run('sys_config.yml', tmp_path, extra))
    assert done['changes'] == expected
    # Names without the prefix are someone else's: left alone.
    assert _state(root, mount, tag) == (sorted([prefix + 'kept', 'other-%s' % tag]),
                                        sorted([prefix + 'kept', 'other-%s' % tag]))
    again = task_result(run('sys_config.yml', tmp_path, extra))
    assert (again['changed'], again['changes']) == (False, [])


def test_an_empty_prune_prefix_is_refused_before_anything_is_deleted(setup, tmp_path):
    root, mount, _prefix, tag, extra = setup
    before = _state(root, mount, tag)
    result = task_result(run('sys_config.yml', tmp_path, dict(extra, sys_prune=[{'path': 'sys/policies/acl', 'prefix': ''}],
                                                              sys_absent=[])))
    assert result['failed']
    assert 'prune sys/policies/acl: a prefix is required' in result['msg']
    assert _state(root, mount, tag) == before
