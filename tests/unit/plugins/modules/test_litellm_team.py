"""litellm_team in-process against an in-memory stand-in for LiteLLM's /team/* API: every user-set
field reaches LiteLLM (budget_duration included), reruns write nothing, check mode writes nothing."""

import copy

import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils import litellm_api
from ansible_collections.baremetal.ai_platform.plugins.modules import litellm_team

MASTER = 'sk-master-do-not-print'


class Teams(object):
    def __init__(self):
        self.rows = {}
        self.writes = []

    def client(self, api_url, master_key, timeout, retry_budget, validate_certs):
        store = self

        class Client(object):
            requests = 0
            written = []

            def request(self, method, path, body=None, query=None, done=None):
                Client.requests += 1
                if path == '/team/list':
                    # LiteLLM adds computed fields the module must ignore.
                    return [dict(copy.deepcopy(row), spend=1.5, keys=[]) for row in store.rows.values()]
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


def run(run_module, items, **flags):
    return run_module(litellm_team.main, {'api_url': 'http://gateway', 'master_key': MASTER, 'teams': items}, **flags)


def test_create_sends_every_field_then_rerun_is_a_noop(run_module, teams):
    failed, result = run(run_module, TEAMS, diff=True)
    assert not failed and result['created'] == ['research', 'platform'] and result['requests'] == 3
    sent = dict((body['team_id'], body) for path, body in teams.writes)
    assert sent['research'] == dict(TEAMS[0])
    assert sent['platform'] == {'team_id': 'platform', 'team_alias': 'platform', 'models': ['local'],
                                'max_budget': None, 'budget_duration': None}
    assert result['diff']['after']['research']['budget_duration'] == '1d'
    assert MASTER not in repr(result)
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
    failed, result = run(run_module, changed)
    assert teams.writes[-1] == ('/team/update', {'team_id': 'research', 'budget_duration': '7d'})


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
    assert result['diff']['before']['research']['max_budget'] == 40.0
    failed, result = run(run_module, gone)
    assert not result['changed']


def test_unlimited_with_a_budget_is_refused(run_module, teams):
    failed, result = run(run_module, [{'team_id': 'x', 'unlimited': True, 'max_budget': 1.0}])
    assert failed and 'mutually exclusive' in result['msg'] and teams.writes == []
