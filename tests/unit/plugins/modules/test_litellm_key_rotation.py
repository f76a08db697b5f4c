"""litellm_key's reconcile against an in-memory LiteLLM (offline): the order of writes in a rotation
and how a rotation cut off at each step is finished by the next run."""

import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils.litellm_api import LiteLLMError, key_hash
from ansible_collections.baremetal.ai_platform.plugins.modules.litellm_key import reconcile


class FakeLiteLLM(object):
    """/key/list, /key/generate, /key/update, /key/delete with LiteLLM's unique-alias rule; fail_on
    makes the n-th write to a path fail as a dead proxy would."""

    def __init__(self):
        self.keys = {}
        self.calls = []
        self.fail_on = None
        self.written = []
        self.retried = False

    def add(self, alias, value):
        self.keys[key_hash(value)] = {'token': key_hash(value), 'key_alias': alias}

    def aliases(self):
        return dict((row['key_alias'], token) for token, row in self.keys.items())

    def _alias_taken(self, alias, token=None):
        return any(row['key_alias'] == alias for t, row in self.keys.items() if t != token)

    def request(self, method, path, body=None, query=None, done=None):
        self.calls.append((path, dict(body or {})))
        if path == self.fail_on:
            raise LiteLLMError('%s failed (HTTP 503)' % path, 503)
        if path == '/key/list':
            return {'keys': list(dict(row) for row in self.keys.values()), 'total_pages': 1}
        if path == '/key/generate':
            if self._alias_taken(body['key_alias']):
                raise LiteLLMError('alias exists', 400)
            self.keys[key_hash(body['key'])] = dict((k, v) for k, v in body.items() if k != 'key')
            self.keys[key_hash(body['key'])]['token'] = key_hash(body['key'])
        elif path == '/key/update':
            if 'key_alias' in body and self._alias_taken(body['key_alias'], body['key']):
                raise LiteLLMError('alias exists', 400)
            self.keys[body['key']].update((k, v) for k, v in body.items() if k != 'key')
        elif path == '/key/delete':
            for token in body['keys']:
                del self.keys[token]
        self.written.append(done)
        return {}

    def create(self, path, body, done=None):
        return self.request('POST', path, body, done=done)

    def writes(self):
        return [(path, body.get('key_alias')) for path, body in self.calls if path != '/key/list']


def want(alias, value, **fields):
    return dict(dict(key_alias=alias, key=value, state='present', team_id=None, models=None, max_budget=None,
                     budget_duration=None, tpm_limit=None, rpm_limit=None, metadata=None), **fields)


OLD, NEW = 'sk-old-value', 'sk-new-value'


@pytest.fixture
def litellm():
    fake = FakeLiteLLM()
    fake.add('agent-a', OLD)
    return fake


@pytest.mark.offline
def test_offline_rotation_generates_then_deletes_then_takes_the_alias(litellm):
    result = reconcile(litellm, [want('agent-a', NEW)], check_mode=False)
    assert result['replaced'] == ['agent-a']
    assert litellm.writes() == [('/key/generate', 'agent-a.rotating'), ('/key/delete', None),
                                ('/key/update', 'agent-a')]
    assert litellm.aliases() == {'agent-a': key_hash(NEW)}
    assert litellm.written == ['generated the new key of agent-a as agent-a.rotating',
                               'deleted the keys of agent-a (previous value)', 'the new key took the alias agent-a']


@pytest.mark.offline
@pytest.mark.parametrize('dies_at, left', [
    ('/key/generate', {'agent-a': key_hash(OLD)}),
    ('/key/delete', {'agent-a': key_hash(OLD), 'agent-a.rotating': key_hash(NEW)}),
    ('/key/update', {'agent-a.rotating': key_hash(NEW)}),
])
def test_offline_a_rotation_cut_off_at_any_step_leaves_a_working_key_and_the_next_run_finishes_it(litellm, dies_at, left):
    litellm.fail_on = dies_at
    with pytest.raises(LiteLLMError):
        reconcile(litellm, [want('agent-a', NEW)], check_mode=False)
    assert litellm.aliases() == left
    litellm.fail_on = None
    result = reconcile(litellm, [want('agent-a', NEW)], check_mode=False)
    assert result['replaced'] == ['agent-a'] and result['created'] == []
    assert litellm.aliases() == {'agent-a': key_hash(NEW)}
    again = reconcile(litellm, [want('agent-a', NEW)], check_mode=False)
    assert not (again['replaced'] or again['created'] or again['updated'] or again['deleted'])


@pytest.mark.offline
def test_offline_a_staged_key_of_an_abandoned_value_is_removed_first(litellm):
    litellm.add('agent-a.rotating', 'sk-abandoned')
    reconcile(litellm, [want('agent-a', NEW)], check_mode=False)
    assert litellm.writes()[0] == ('/key/delete', None)
    assert litellm.aliases() == {'agent-a': key_hash(NEW)}


@pytest.mark.offline
def test_offline_a_value_used_by_another_alias_is_refused_before_any_write(litellm):
    litellm.add('agent-b', NEW)
    with pytest.raises(LiteLLMError, match='already exists in LiteLLM as key_alias agent-b'):
        reconcile(litellm, [want('agent-a', NEW)], check_mode=False)
    assert litellm.writes() == []


@pytest.mark.offline
def test_offline_check_mode_reports_the_rotation_and_writes_nothing(litellm):
    result = reconcile(litellm, [want('agent-a', NEW)], check_mode=True)
    assert result['replaced'] == ['agent-a'] and litellm.writes() == []


@pytest.mark.offline
def test_offline_absent_removes_the_key_and_a_staged_one(litellm):
    litellm.add('agent-a.rotating', NEW)
    result = reconcile(litellm, [dict(key_alias='agent-a', key=None, state='absent')], check_mode=False)
    assert result['deleted'] == ['agent-a'] and litellm.aliases() == {}
