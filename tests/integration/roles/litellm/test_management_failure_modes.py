"""What litellm_key and litellm_team leave behind when LiteLLM fails part-way, against the management
API stand-in (LiteLLM's own request models and error bodies, see standin.py): a rotation never leaves
an agent without a working key, an interrupted rotation is finished by the next run, a rollout of
the proxy is ridden out, and a failed run says what it had already written.
"""

import secrets

import pytest

from management import STANDIN_KEY, run_manage


def new_key():
    return 'sk-%s' % secrets.token_hex(24)


def stored_keys(standin):
    return dict((row['key_alias'], row['token']) for row in standin.control('stats')['keys'])


@pytest.fixture
def agent_keys(standin, tmp_path):
    """Two agent keys bound to a team, created through the module."""
    run_manage(tmp_path, standin.url, STANDIN_KEY, teams=[{'team_id': 'research'}])
    keys = [{'key_alias': 'agent-%s' % name, 'key': new_key(), 'team_id': 'research'} for name in ('a', 'b')]
    results, _out = run_manage(tmp_path, standin.url, STANDIN_KEY, keys=keys)
    assert sorted(results['keys']['created']) == ['agent-a', 'agent-b']
    return keys


@pytest.mark.offline
def test_offline_standin_rotation_creates_the_new_key_before_deleting_the_old(standin, agent_keys, tmp_path):
    old = stored_keys(standin)
    rotated = [dict(agent_keys[0], key=new_key()), agent_keys[1]]
    before = len(standin.control('stats')['calls'])

    # LiteLLM refuses the new key (more often than any retry): the agent keeps the key it has.
    standin.control('fail', {'status': 500, 'count': 5, 'path': '/key/generate'})
    results, out = run_manage(tmp_path, standin.url, STANDIN_KEY, keys=rotated,
                              extra={'manage_ignore_errors': True})
    standin.control('fail', {'status': 500, 'count': 0})
    assert results['keys']['failed']
    assert stored_keys(standin) == old
    assert 'Nothing was written to LiteLLM before the error' in results['keys']['msg']
    assert results['keys']['written'] == []

    results, out = run_manage(tmp_path, standin.url, STANDIN_KEY, keys=rotated)
    assert results['keys']['replaced'] == ['agent-a']
    writes = standin.writes({'calls': standin.control('stats')['calls'][before:]})
    assert [(c['path'], c['body'].get('key_alias')) for c in writes] == [
        ('/key/generate', 'agent-a.rotating'),  # the refused attempt
        ('/key/generate', 'agent-a.rotating'),
        ('/key/delete', None),
        ('/key/update', 'agent-a')]
    now = stored_keys(standin)
    assert sorted(now) == ['agent-a', 'agent-b'] and now['agent-b'] == old['agent-b']
    assert now['agent-a'] != old['agent-a']
    for value in [k['key'] for k in rotated] + [STANDIN_KEY]:
        assert value not in out


@pytest.mark.offline
def test_offline_standin_rotation_cut_off_after_the_new_key_is_finished_by_the_next_run(standin, agent_keys, tmp_path):
    old = stored_keys(standin)
    rotated = [dict(agent_keys[0], key=new_key()), agent_keys[1]]
    standin.control('fail', {'status': 500, 'count': 1, 'path': '/key/delete'})
    results, _out = run_manage(tmp_path, standin.url, STANDIN_KEY, keys=rotated,
                               extra={'manage_ignore_errors': True})
    assert results['keys']['failed']
    assert results['keys']['written'] == ['generated the new key of agent-a as agent-a.rotating']
    assert ('Already written to LiteLLM before the error: generated the new key of agent-a as agent-a.rotating'
            in results['keys']['msg'])
    # Both keys work meanwhile: the old one under its alias, the new one beside it.
    between = stored_keys(standin)
    assert between['agent-a'] == old['agent-a'] and 'agent-a.rotating' in between

    results, _out = run_manage(tmp_path, standin.url, STANDIN_KEY, keys=rotated)
    assert results['keys']['replaced'] == ['agent-a'] and results['keys']['created'] == []
    after = stored_keys(standin)
    assert sorted(after) == ['agent-a', 'agent-b']
    assert after['agent-a'] == between['agent-a.rotating']

    results, _out = run_manage(tmp_path, standin.url, STANDIN_KEY, keys=rotated)
    assert not results['keys']['changed']


@pytest.mark.offline
def test_offline_standin_calls_ride_out_a_proxy_rollout(standin, tmp_path):
    teams = [{'team_id': 'rollout-team', 'max_budget': 1.0, 'budget_duration': '1d'}]
    # 503 for 5 s from the first call: longer than three retries after 0.5, 1 and 2 s last.
    standin.control('fail', {'status': 503, 'seconds': 5})
    results, _out = run_manage(tmp_path, standin.url, STANDIN_KEY, teams=teams)
    calls = [c['path'] for c in standin.control('stats')['calls']]
    assert results['teams']['created'] == ['rollout-team'], results['teams']
    # The list failed at least four times (at 0, 0.5, 1.5 and 3.5 s), then the list and the create.
    assert calls.count('/team/list') >= 5 and calls[-1] == '/team/new', calls
    assert results['teams']['requests'] == len(calls)


@pytest.mark.offline
def test_offline_standin_a_spent_retry_budget_names_attempts_and_what_was_written(standin, tmp_path):
    teams = [{'team_id': 'first'}, {'team_id': 'second'}]
    run_manage(tmp_path, standin.url, STANDIN_KEY, teams=teams[:1])
    standin.control('fail', {'status': 502, 'count': 100, 'path': '/team/new'})
    results, _out = run_manage(tmp_path, standin.url, STANDIN_KEY, teams=[dict(teams[0], max_budget=2.0), teams[1]],
                               extra={'manage_ignore_errors': True, 'litellm_retry_budget': 2})
    msg = results['teams']['msg']
    assert results['teams']['failed'] and 'HTTP 502' in msg and 'retry_budget 2 s' in msg
    assert 'Already written to LiteLLM before the error: updated team first (max_budget)' in msg
    assert results['teams']['written'] == ['updated team first (max_budget)']
