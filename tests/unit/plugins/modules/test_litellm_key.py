"""litellm_key in-process against an in-memory stand-in for LiteLLM's /key/* API: create, rerun, update,
rotate, delete, check mode, and no key value anywhere in the raw result or diff (read before no_log)."""

import copy

import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils import litellm_api
from ansible_collections.baremetal.ai_platform.plugins.modules import litellm_key

MASTER = 'sk-master-do-not-print'
# LiteLLM's key endpoints and their methods.
API = (('GET', '/key/list'), ('POST', '/key/generate'), ('POST', '/key/update'), ('POST', '/key/delete'))


class Keys(object):
    """LiteLLM's key table as the API shows it: `token` is the hash, the value is never listed."""

    def __init__(self):
        self.rows = {}
        self.writes = []

    def client(self, api_url, master_key, timeout, retry_budget, validate_certs, ca_path=None):
        store = self

        class Client(object):
            requests = 0
            written = []

            def request(self, method, path, body=None, query=None, done=None):
                Client.requests += 1
                assert (method, path) in API, (method, path)
                if path == '/key/list':
                    # Without return_full_object LiteLLM lists the hashes only.
                    assert query['return_full_object'] == 'true'
                    rows = sorted(store.rows.values(), key=lambda r: r['key_alias'])
                    size, page = query['size'], query['page']
                    return {'keys': copy.deepcopy(rows[(page - 1) * size:page * size]),
                            'total_pages': max(1, -(-len(rows) // size))}
                store.writes.append((path, copy.deepcopy(body)))
                Client.written.append(done)
                if path == '/key/delete':
                    for token in body['keys']:
                        store.rows.pop(token)
                elif path == '/key/update':
                    assert body.get('key_alias') not in [row['key_alias'] for token, row in store.rows.items()
                                                         if token != body['key']]
                    store.rows[body['key']].update((k, v) for k, v in body.items() if k != 'key')
                return {}

            def create(self, path, body, done=None):
                assert path == '/key/generate'
                # LiteLLM keeps key aliases unique.
                assert body['key_alias'] not in [row['key_alias'] for row in store.rows.values()]
                row = dict((k, v) for k, v in body.items() if k != 'key')
                row['token'] = litellm_api.key_hash(body['key'])
                store.rows[row['token']] = row
                return self.request('POST', path, body, done=done)
        store.written = Client.written  # the run's `written` lines, one per write
        return Client()


@pytest.fixture
def keys(monkeypatch):
    table = Keys()
    monkeypatch.setattr(litellm_api, 'LiteLLMClient', table.client)
    return table


def run(run_module, items, check_mode=False, diff=False, **options):
    args = dict(options, api_url='http://gateway', master_key=MASTER, keys=copy.deepcopy(items))
    return run_module(litellm_key.main, args, check_mode=check_mode, diff=diff)


def agent_keys(count=3):
    return [{'key_alias': 'agent-%d' % i, 'key': 'sk-value-%04d-secret' % i, 'team_id': 'research',
             'models': ['fast'], 'metadata': {'agent': 'a%d' % i}} for i in range(count)]


def assert_no_secret(result, items):
    text = repr(result)
    values = [MASTER] + [item['key'] for item in items if item.get('key')]
    assert [v for v in values if v in text or v[3:] in text] == []


def test_create_then_rerun_changes_nothing_and_never_shows_a_key(run_module, keys):
    items = agent_keys()
    failed, result = run(run_module, items, diff=True)
    assert not failed and result['changed'] and result['created'] == ['agent-0', 'agent-1', 'agent-2']
    assert result['diff']['after']['agent-0']['key'] == litellm_api.MASK
    assert result['diff']['after']['agent-0']['team_id'] == 'research'
    assert_no_secret(result, items)
    assert len(keys.rows) == 3
    assert keys.written == ['generated key agent-0', 'generated key agent-1', 'generated key agent-2']
    failed, result = run(run_module, items, diff=True)
    assert not failed and not result['changed'] and 'diff' not in result
    assert [path for path, _body in keys.writes] == ['/key/generate'] * 3


def test_many_keys_are_listed_page_by_page(run_module, keys):
    items = agent_keys(litellm_key.PAGE_SIZE + 5)
    run(run_module, items)
    failed, result = run(run_module, items)
    assert not failed and not result['changed'] and result['requests'] == 2


def test_rotated_value_replaces_the_key_and_diff_shows_neither_value(run_module, keys):
    items = agent_keys()
    run(run_module, items)
    rotated = copy.deepcopy(items)
    rotated[1]['key'] = 'sk-rotated-value-secret'
    rotated[2]['rpm_limit'] = 10
    failed, result = run(run_module, rotated, check_mode=True, diff=True)
    assert not failed and result['replaced'] == ['agent-1'] and result['updated'] == {'agent-2': ['rpm_limit']}
    assert keys.writes[3:] == []
    assert result['diff']['before']['agent-1']['key'] == '<previous value>'
    assert_no_secret(result, items + rotated)
    failed, result = run(run_module, rotated, diff=True)
    # agent-2's field update, then agent-1's rotation: the new key under a staging alias, the old key
    # deleted, the new key renamed (test_litellm_key_rotation covers the order and an interrupted run).
    assert [(path, body.get('key_alias')) for path, body in keys.writes[3:]] == [
        ('/key/update', None), ('/key/generate', 'agent-1.rotating'), ('/key/delete', None),
        ('/key/update', 'agent-1')]
    assert keys.written == ['updated key agent-2 (rpm_limit)', 'generated the new key of agent-1 as agent-1.rotating',
                            'deleted the keys of agent-1 (previous value)', 'the new key took the alias agent-1']
    assert keys.writes[3][1] == {'rpm_limit': 10, 'key': litellm_api.key_hash(items[2]['key'])}
    assert keys.writes[5][1] == {'keys': [litellm_api.key_hash(items[1]['key'])]}
    assert keys.writes[6][1] == {'key': litellm_api.key_hash(rotated[1]['key']), 'key_alias': 'agent-1'}
    assert_no_secret(result, items + rotated)
    assert sorted(row['token'] for row in keys.rows.values()) == sorted(litellm_api.key_hash(i['key']) for i in rotated)


def test_absent_keys_are_deleted_once(run_module, keys):
    items = agent_keys()
    run(run_module, items)
    gone = [{'key_alias': 'agent-0', 'state': 'absent'}, {'key_alias': 'never', 'state': 'absent'}]
    failed, result = run(run_module, gone, diff=True)
    assert not failed and result['deleted'] == ['agent-0'] and sorted(result['diff']['before']) == ['agent-0']
    assert keys.writes[-1] == ('/key/delete', {'keys': [litellm_api.key_hash(items[0]['key'])]})
    assert keys.written == ['deleted the keys of agent-0']
    failed, result = run(run_module, gone)
    assert not result['changed']


def test_refusals_name_the_alias(run_module, keys):
    failed, result = run(run_module, [{'key_alias': 'a', 'key': 'plain-value'}])
    assert failed and "the key of a must start with 'sk-'" in result['msg']
    failed, result = run(run_module, agent_keys(1) * 2)
    assert failed and 'key_alias agent-0 given more than once' in result['msg']
    run(run_module, agent_keys(1))
    keys.rows['other'] = dict(keys.rows[litellm_api.key_hash(agent_keys(1)[0]['key'])], token='other')
    failed, result = run(run_module, agent_keys(1))
    assert failed and 'key_alias agent-0 is used by 2 keys' in result['msg']
    assert result['msg'].endswith('Nothing was written to LiteLLM before the error.') and result['written'] == []
    assert_no_secret(result, agent_keys(1))


OWNER = 'baremetal.ai_platform'


def test_prune_revokes_the_owners_keys_left_out_and_never_a_key_without_the_mark(run_module, keys):
    items = agent_keys(3)
    run(run_module, items, owner=OWNER)
    assert all(row['metadata']['managed_by'] == OWNER for row in keys.rows.values())
    # A key someone made by hand, with no mark, in the same team.
    run(run_module, [{'key_alias': 'alice-laptop', 'key': 'sk-alice-secret-value', 'team_id': 'research'}])
    writes = len(keys.writes)
    failed, result = run(run_module, items[:2], owner=OWNER, prune=True, check_mode=True, diff=True)
    assert not failed and result['deleted'] == ['agent-2'] and keys.writes[writes:] == []
    assert result['diff']['before']['agent-2']['metadata'] == {'agent': 'a2', 'managed_by': OWNER}
    failed, result = run(run_module, items[:2], owner=OWNER, prune=True)
    assert keys.writes[writes:] == [('/key/delete', {'keys': [litellm_api.key_hash(items[2]['key'])]})]
    assert sorted(row['key_alias'] for row in keys.rows.values()) == ['agent-0', 'agent-1', 'alice-laptop']
    assert_no_secret(result, items)
    failed, result = run(run_module, items[:2], owner=OWNER, prune=True)
    assert not failed and not result['changed'] and len(keys.writes) == writes + 1


def test_prune_takes_a_staged_rotation_with_its_key_and_keeps_a_wanted_keys_one(run_module, keys):
    items = agent_keys(2)
    run(run_module, items, owner=OWNER)
    for index in (0, 1):
        # Left by rotations that stopped after the new key was generated.
        run(run_module, [dict(items[index], key_alias='agent-%d.rotating' % index, key='sk-new-%d-secret' % index)])
        keys.rows[litellm_api.key_hash('sk-new-%d-secret' % index)]['metadata'] = {'managed_by': OWNER}
    current = dict((row['key_alias'], [row]) for row in keys.rows.values())
    assert litellm_key.pruned_aliases(current, items[:1], OWNER) == ['agent-1']
    writes = len(keys.writes)
    failed, result = run(run_module, items[:1], owner=OWNER, prune=True)
    assert not failed and result['deleted'] == ['agent-1']
    assert [(path, sorted(body['keys'])) for path, body in keys.writes[writes:] if path == '/key/delete'][-1] == (
        '/key/delete', sorted([litellm_api.key_hash(items[1]['key']), litellm_api.key_hash('sk-new-1-secret')]))
