"""litellm_team in-process against an in-memory stand-in for LiteLLM's /team/* API: every user-set
field reaches LiteLLM (budget_duration included), reruns write nothing, check mode writes nothing."""

import copy

import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils import litellm_api
from ansible_collections.baremetal.ai_platform.plugins.modules import litellm_team

MASTER = 'sk-master-do-not-print'
# LiteLLM's team endpoints and their methods.
API = (('GET', '/team/list'), ('POST', '/team/new'), ('POST', '/team/update'), ('POST', '/team/delete'))


class Teams(object):
    def __init__(self):
        self.rows = {}
        self.writes = []
        # team_id -> the keys /team/list shows under the team.
        self.keys = {}

    def client(self, api_url, master_key, timeout, retry_budget, validate_certs, ca_path=None):
        store = self

        class Client(object):
            requests = 0
            written = []

            def request(self, method, path, body=None, query=None, done=None):
                Client.requests += 1
                assert (method, path) in API, (method, path)
                if path == '/team/list':
                    # LiteLLM adds computed fields the module must ignore.
                    return [dict(copy.deepcopy(row), spend=1.5, keys=store.keys.get(row['team_id'], []))
                            for row in store.rows.values()]
                store.writes.append((path, copy.deepcopy(body)))
                Client.written.append(done)
                if path == '/team/update':
                    store.rows[body['team_id']].update(body)
                elif path == '/team/delete':
                    for team_id in body['team_ids']:
                        del store.rows[team_id]
                return {}

            def create(self, path, body, done=None):
                store.rows[body['team_id']] = copy.deepcopy(body)
                return self.request('POST', path, body, done=done)
        store.written = Client.written  # the run's `written` lines, one per write
        return Client()


@pytest.fixture
def teams(monkeypatch):
    table = Teams()
    monkeypatch.setattr(litellm_api, 'LiteLLMClient', table.client)
    return table


TEAMS = [
    {'team_id': 'research', 'team_alias': 'research', 'models': ['fast', 'local'], 'max_budget': 40.0,
     'budget_duration': '1d', 'rpm_limit': 300, 'tpm_limit': 400000, 'metadata': {'tags': ['team:research']}},
    {'team_id': 'platform', 'team_alias': 'platform', 'models': ['local'], 'unlimited': True},
]


def run(run_module, items, check_mode=False, diff=False, **options):
    args = dict(options, api_url='http://gateway', master_key=MASTER, teams=copy.deepcopy(items))
    return run_module(litellm_team.main, args, check_mode=check_mode, diff=diff)


def test_create_sends_every_field_then_rerun_is_a_noop(run_module, teams):
    failed, result = run(run_module, TEAMS, diff=True)
    assert not failed and result['created'] == ['research', 'platform'] and result['requests'] == 3
    sent = dict((body['team_id'], body) for path, body in teams.writes)
    assert sent['research'] == dict(TEAMS[0])
    assert sent['platform'] == {'team_id': 'platform', 'team_alias': 'platform', 'models': ['local'],
                                'max_budget': None, 'budget_duration': None}
    assert result['diff']['after']['research']['budget_duration'] == '1d'
    assert MASTER not in repr(result)
    assert teams.written == ['created team research', 'created team platform']
    failed, result = run(run_module, TEAMS, diff=True)
    assert not failed and not result['changed'] and len(teams.writes) == 2 and 'diff' not in result


def test_changed_duration_is_an_update_of_that_field_only(run_module, teams):
    run(run_module, TEAMS)
    changed = copy.deepcopy(TEAMS)
    changed[0]['budget_duration'] = '7d'
    failed, result = run(run_module, changed, check_mode=True, diff=True)
    assert result['updated'] == {'research': ['budget_duration']} and len(teams.writes) == 2
    assert result['diff'] == {'before': {'research': {'budget_duration': '1d'}},
                              'after': {'research': {'budget_duration': '7d'}}}
    changed[0]['rpm_limit'] = 5
    failed, result = run(run_module, changed)
    assert teams.writes[-1] == ('/team/update', {'team_id': 'research', 'budget_duration': '7d', 'rpm_limit': 5})
    assert teams.written == ['updated team research (budget_duration, rpm_limit)']


def test_a_capped_team_made_unlimited_loses_its_budget(run_module, teams):
    run(run_module, TEAMS)
    unlimited = [dict(TEAMS[0], unlimited=True)]
    del unlimited[0]['max_budget'], unlimited[0]['budget_duration']
    failed, result = run(run_module, unlimited)
    assert teams.writes[-1] == ('/team/update', {'team_id': 'research', 'max_budget': None, 'budget_duration': None})


def test_absent_teams_are_deleted_in_one_call(run_module, teams):
    run(run_module, TEAMS)
    gone = [{'team_id': 'research', 'state': 'absent'}, {'team_id': 'platform', 'state': 'absent'},
            {'team_id': 'never', 'state': 'absent'}]
    failed, result = run(run_module, gone, check_mode=True)
    assert result['deleted'] == ['research', 'platform'] and len(teams.writes) == 2
    failed, result = run(run_module, gone, diff=True)
    assert teams.writes[-1] == ('/team/delete', {'team_ids': ['research', 'platform']})
    assert teams.written == ['deleted teams research, platform']
    assert result['diff']['before']['research']['max_budget'] == 40.0
    failed, result = run(run_module, gone)
    assert not result['changed']


def test_unlimited_with_a_budget_is_refused(run_module, teams):
    failed, result = run(run_module, [{'team_id': 'x', 'unlimited': True, 'max_budget': 1.0}])
    assert failed and 'mutually exclusive' in result['msg'] and teams.writes == []


OWNER = 'baremetal.ai_platform'


def test_prune_deletes_only_the_owners_teams_left_out_and_marks_the_listed_ones(run_module, teams):
    teams.rows['by-hand'] = {'team_id': 'by-hand', 'metadata': {'tags': ['x']}}
    teams.rows['other-tool'] = {'team_id': 'other-tool', 'metadata': {'managed_by': 'someone-else'}}
    failed, result = run(run_module, TEAMS, owner=OWNER, prune=True)
    assert not failed and teams.rows['research']['metadata'] == {'tags': ['team:research'], 'managed_by': OWNER}
    assert teams.rows['platform']['metadata'] == {'managed_by': OWNER}
    failed, result = run(run_module, TEAMS[:1], owner=OWNER, prune=True, check_mode=True, diff=True)
    writes = len(teams.writes)
    assert result['deleted'] == ['platform'] and result['diff']['before']['platform']['team_alias'] == 'platform'
    failed, result = run(run_module, TEAMS[:1], owner=OWNER, prune=True)
    assert teams.writes[writes:] == [('/team/delete', {'team_ids': ['platform']})]
    assert sorted(teams.rows) == ['by-hand', 'other-tool', 'research']
    failed, result = run(run_module, TEAMS[:1], owner=OWNER, prune=True)
    assert not failed and not result['changed'] and len(teams.writes) == writes + 1


def test_a_team_that_still_has_keys_is_refused_by_name_before_any_write(run_module, teams):
    run(run_module, TEAMS, owner=OWNER)
    teams.keys['platform'] = [{'key_alias': 'agent-ops', 'token': 'h1'}, {'token': 'h2'}]
    writes = len(teams.writes)
    changed = [dict(TEAMS[0], max_budget=10.0)]
    failed, result = run(run_module, changed, owner=OWNER, prune=True)
    assert failed and 'refusing to delete team platform' in result['msg']
    assert 'agent-ops' in result['msg'] and 'a key without alias' in result['msg']
    assert 'Nothing was written' in result['msg'] and teams.writes[writes:] == []
    # Keys an earlier task of the run revoked (or would, in check mode) do not hold the team back.
    teams.keys['platform'] = [{'key_alias': 'agent-ops', 'token': 'h1'}]
    failed, result = run(run_module, changed, owner=OWNER, prune=True, revoked_keys=['agent-ops'], check_mode=True)
    assert not failed and result['deleted'] == ['platform'] and teams.writes[writes:] == []


def test_prune_needs_an_owner(run_module, teams):
    failed, result = run(run_module, TEAMS, prune=True)
    assert failed and 'owner' in result['msg'] and teams.writes == []
