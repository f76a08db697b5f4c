"""litellm_api.run_module, the body litellm_team and litellm_key share: identities checked, the client
built from the options, prune only when asked, a failure worded with what was written, changed and diff."""

import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils.litellm_api import LiteLLMError, run_module

PARAMS = dict(api_url='http://litellm:4000/', master_key='sk-master', timeout=7, retry_budget=9, validate_certs=False,
              ca_path='/ca.crt', owner=None, prune=False)


class Exit(Exception):
    pass


class Module(object):
    """What run_module uses of AnsibleModule; exit_json and fail_json end the run like the real ones."""

    def __init__(self, check_mode=False, diff=False, **params):
        self.params = dict(PARAMS, **params)
        self.check_mode = check_mode
        self._diff = diff
        self.result = None

    def exit_json(self, **result):
        self.result = dict(result, failed=False)
        raise Exit()

    def fail_json(self, **result):
        self.result = dict(result, failed=True)
        raise Exit()


def run(module, items, reconcile):
    with pytest.raises(Exit):
        run_module(module, items, 'team_id', reconcile)
    return module.result


def test_the_same_identity_twice_is_refused_naming_each():
    items = [{'team_id': name, 'state': 'present'} for name in ('b', 'a', 'b', 'a', 'c')]
    assert run(Module(), items, None) == {'failed': True, 'msg': 'team_id a, b given more than once'}


def test_the_client_gets_the_connection_options_and_prune_gets_the_owner_only_when_asked():
    seen = []

    def reconcile(client, items, check_mode, prune_owner):
        seen.append((client.api_url, client._master_key, client.timeout, client.retry_budget, client.validate_certs,
                     client.ca_path, check_mode, prune_owner, items[0]['metadata']))
        return dict(created=[], before={}, after={})
    run(Module(check_mode=True, owner='site-a'), [{'team_id': 't', 'state': 'present', 'metadata': {'x': 1}}], reconcile)
    run(Module(owner='site-a', prune=True), [{'team_id': 't', 'state': 'present'}], reconcile)
    assert seen == [
        ('http://litellm:4000', 'sk-master', 7, 9, False, '/ca.crt', True, None, {'x': 1, 'managed_by': 'site-a'}),
        ('http://litellm:4000', 'sk-master', 7, 9, False, '/ca.crt', False, 'site-a', {'managed_by': 'site-a'}),
    ]


def test_a_failure_ends_with_what_was_written_and_the_counts():
    def reconcile(client, _items, _check_mode, _prune_owner):
        client.written.append('created team a')
        client.requests = 3
        raise LiteLLMError('POST http://litellm:4000/team/new failed (HTTP 400): bad.', 400)
    assert run(Module(), [{'team_id': 'a', 'state': 'present'}], reconcile) == {
        'failed': True, 'status': 400, 'requests': 3, 'written': ['created team a'],
        'msg': 'POST http://litellm:4000/team/new failed (HTTP 400): bad. Already written to LiteLLM before the error: '
               'created team a.'}


@pytest.mark.parametrize('field', ['created', 'updated', 'replaced', 'deleted'])
def test_any_change_is_changed_with_a_diff_when_asked(field):
    def reconcile(_client, _items, _check_mode, _prune_owner):
        return dict({field: ['t']}, before={'t': 1}, after={'t': 2})
    result = run(Module(diff=True), [{'team_id': 't', 'state': 'present'}], reconcile)
    assert result == {'failed': False, 'changed': True, 'requests': 0, field: ['t'], 'diff': {'before': {'t': 1}, 'after': {'t': 2}}}
    result = run(Module(), [{'team_id': 't', 'state': 'present'}], reconcile)
    assert 'diff' not in result and result['changed'] is True


def test_nothing_to_do_is_unchanged_without_a_diff():
    def reconcile(_client, _items, _check_mode, _prune_owner):
        return dict(created=[], updated={}, replaced=[], deleted=[], before={}, after={})
    assert run(Module(diff=True), [], reconcile) == {
        'failed': False, 'changed': False, 'requests': 0, 'created': [], 'updated': {}, 'replaced': [], 'deleted': []}
