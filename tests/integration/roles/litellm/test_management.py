"""litellm_team and litellm_key against the management API stand-in (LiteLLM's own request models,
LiteLLM's error bodies; see standin.py for why not the real proxy), plus a live variant that runs
when LITELLM_URL and LITELLM_MASTER_KEY name a real proxy with a database.
"""

import copy
import json
import os
import secrets
import uuid

import pytest
import yaml

from management import STANDIN_KEY, run_manage
from conftest import INVENTORY
from helpers import REPO, run_playbook

from ansible_collections.baremetal.ai_platform.plugins.module_utils.litellm_api import LiteLLMClient, LiteLLMError


def inventory_teams(example_model):
    """ai_platform_teams as the litellm role passes them to litellm_team."""
    teams = []
    for team in example_model['ai_platform_teams']:
        item = {'team_id': team['name'], 'team_alias': team['name'], 'models': team['models'],
                'rpm_limit': team.get('rpm_limit'), 'tpm_limit': team.get('tpm_limit'),
                'metadata': {'tags': ['team:%s' % team['name']]}}
        if team.get('unlimited'):
            item['unlimited'] = True
        else:
            item.update(max_budget=team['max_budget'], budget_duration=team['budget_duration'])
        teams.append(item)
    return teams


@pytest.fixture(scope='module')
def example_agents():
    with open(os.path.join(REPO, 'inventories', 'example', 'group_vars', 'all', 'agents.yml')) as handle:
        return yaml.safe_load(handle)['ai_platform_agents']


@pytest.fixture
def keys(example_agents):
    return [{'key_alias': 'agent-%s' % agent['name'], 'key': 'sk-%s' % secrets.token_hex(24),
             'team_id': agent['team'], 'models': [agent['model']], 'metadata': {'agent': agent['name']}}
            for agent in example_agents]


@pytest.mark.offline
def test_offline_standin_teams_create_rerun_update_check_mode_delete(standin, example_model, tmp_path):
    teams = inventory_teams(example_model)
    url = standin.url

    results, _out = run_manage(tmp_path, url, STANDIN_KEY, teams=teams)
    first = results['teams']
    assert first['changed'] and sorted(first['created']) == sorted(t['team_id'] for t in teams)
    assert first['requests'] == 1 + len(teams)
    stats = standin.control('stats')
    assert [c['path'] for c in stats['calls']].count('/team/list') == 1
    assert len(standin.writes(stats)) == len(teams)
    stored = dict((t['team_id'], t) for t in stats['teams'])
    assert stored['research']['max_budget'] == 40.0 and stored['platform'].get('max_budget') is None

    before = len(standin.control('stats')['calls'])
    results, _out = run_manage(tmp_path, url, STANDIN_KEY, teams=teams)
    assert not results['teams']['changed']
    calls = standin.control('stats')['calls'][before:]
    assert [(c['method'], c['path']) for c in calls] == [('GET', '/team/list')]

    changed = copy.deepcopy(teams)
    changed[1]['max_budget'] = 30.0
    before = len(standin.control('stats')['calls'])
    results, _out = run_manage(tmp_path, url, STANDIN_KEY, teams=changed, check=True, diff=True)
    assert results['teams']['changed'] and results['teams']['updated'] == {'support': ['max_budget']}
    assert results['teams']['diff']['after'] == {'support': {'max_budget': 30.0}}
    assert standin.writes({'calls': standin.control('stats')['calls'][before:]}) == []

    results, _out = run_manage(tmp_path, url, STANDIN_KEY, teams=changed)
    calls = standin.control('stats')['calls'][before:]
    writes = standin.writes({'calls': calls})
    assert [(c['path'], c['body']) for c in writes] == [('/team/update', {'team_id': 'support', 'max_budget': 30.0})]
    assert results['teams']['requests'] == 2

    before = len(standin.control('stats')['calls'])
    gone = [dict(team_id='operations', state='absent'), dict(team_id='never-existed', state='absent')]
    results, _out = run_manage(tmp_path, url, STANDIN_KEY, teams=gone)
    assert results['teams']['deleted'] == ['operations']
    writes = standin.writes({'calls': standin.control('stats')['calls'][before:]})
    assert [(c['path'], c['body']) for c in writes] == [('/team/delete', {'team_ids': ['operations']})]


@pytest.mark.offline
def test_offline_standin_keys_create_rerun_rotate_check_mode_never_printed(standin, example_model, keys, tmp_path):
    url = standin.url
    run_manage(tmp_path, url, STANDIN_KEY, teams=inventory_teams(example_model))
    values = [item['key'] for item in keys]
    outputs = []

    results, out = run_manage(tmp_path, url, STANDIN_KEY, keys=keys, diff=True)
    outputs.append(out)
    assert sorted(results['keys']['created']) == sorted(k['key_alias'] for k in keys)
    stats = standin.control('stats')
    stored = dict((k['key_alias'], k) for k in stats['keys'])
    assert stored['agent-doc-fetcher']['team_id'] == 'research'
    assert len(stored) == len(keys)

    before = len(stats['calls'])
    results, out = run_manage(tmp_path, url, STANDIN_KEY, keys=keys, diff=True)
    outputs.append(out)
    assert not results['keys']['changed']
    calls = standin.control('stats')['calls'][before:]
    assert [(c['method'], c['path']) for c in calls] == [('GET', '/key/list')]

    rotated = copy.deepcopy(keys)
    rotated[0]['key'] = 'sk-%s' % secrets.token_hex(24)
    rotated[1]['rpm_limit'] = 10
    values.append(rotated[0]['key'])
    before = len(standin.control('stats')['calls'])
    results, out = run_manage(tmp_path, url, STANDIN_KEY, keys=rotated, check=True, diff=True)
    outputs.append(out)
    assert results['keys']['replaced'] == [keys[0]['key_alias']]
    assert results['keys']['updated'] == {keys[1]['key_alias']: ['rpm_limit']}
    assert standin.writes({'calls': standin.control('stats')['calls'][before:]}) == []

    results, out = run_manage(tmp_path, url, STANDIN_KEY, keys=rotated, diff=True)
    outputs.append(out)
    writes = standin.writes({'calls': standin.control('stats')['calls'][before:]})
    assert [c['path'] for c in writes] == ['/key/update', '/key/generate', '/key/delete', '/key/update']

    for out in outputs:
        assert STANDIN_KEY not in out
        for value in values:
            assert value not in out
            assert value[3:] not in out


@pytest.mark.offline
def test_offline_standin_existing_team_id_gets_litellms_error(standin):
    client = LiteLLMClient(standin.url, STANDIN_KEY, retry_budget=0)
    client.request('POST', '/team/new', {'team_id': 'dup'})
    with pytest.raises(LiteLLMError) as info:
        client.request('POST', '/team/new', {'team_id': 'dup'})
    assert info.value.status == 400
    assert 'Team id = dup already exists. Please use a different team id.' in str(info.value)


@pytest.mark.offline
def test_offline_standin_retries_on_5xx_and_timeout_then_succeeds(standin, tmp_path):
    teams = [{'team_id': 'retry-team', 'max_budget': 1.0, 'budget_duration': '1d'}]
    standin.control('fail', {'status': 503, 'count': 2})
    results, _out = run_manage(tmp_path, standin.url, STANDIN_KEY, teams=teams)
    assert results['teams']['created'] == ['retry-team']
    assert results['teams']['requests'] == 4  # list failed twice, then list + create

    standin.control('fail', {'delay': 3, 'count': 1})
    results, _out = run_manage(tmp_path, standin.url, STANDIN_KEY, teams=teams, extra={'litellm_timeout': 1})
    assert not results['teams']['changed'] and results['teams']['requests'] == 2

    # The create times out but lands; the retry gets LiteLLM's "already exists", which is success.
    standin.control('fail', {'delay': 3, 'count': 1, 'path': '/team/new'})
    slow = [{'team_id': 'slow-team', 'max_budget': 1.0, 'budget_duration': '1d'}]
    results, _out = run_manage(tmp_path, standin.url, STANDIN_KEY, teams=teams + slow, extra={'litellm_timeout': 1})
    assert results['teams']['created'] == ['slow-team'] and results['teams']['requests'] == 3
    assert 'slow-team' in [team['team_id'] for team in standin.control('stats')['teams']]


@pytest.mark.offline
def test_offline_standin_wrong_master_key_clear_error_no_retry(standin, tmp_path):
    results, out = run_manage(tmp_path, standin.url, 'sk-wrong-master', teams=[{'team_id': 'x'}],
                              extra={'manage_ignore_errors': True})
    assert results['teams']['failed']
    assert 'refused the master key' in results['teams']['msg'] and '401' in results['teams']['msg']
    assert results['teams']['requests'] == 1
    assert 'sk-wrong-master' not in out


@pytest.mark.live
@pytest.mark.skipif(not (os.environ.get('LITELLM_URL') and os.environ.get('LITELLM_MASTER_KEY')),
                    reason='live variant: set LITELLM_URL and LITELLM_MASTER_KEY of a proxy with a database')
def test_live_proxy_team_and_key_roundtrip(tmp_path):
    url, master = os.environ['LITELLM_URL'], os.environ['LITELLM_MASTER_KEY']
    team_id = 'ai-platform-test-%s' % uuid.uuid4().hex[:8]
    team = [{'team_id': team_id, 'team_alias': team_id, 'max_budget': 1.0, 'budget_duration': '1d',
             'metadata': {'tags': ['team:%s' % team_id]}}]
    key = [{'key_alias': '%s-key' % team_id, 'key': 'sk-%s' % secrets.token_hex(24), 'team_id': team_id}]
    try:
        results, _out = run_manage(tmp_path, url, master, teams=team, keys=key)
        assert results['teams']['created'] == [team_id] and results['keys']['created'] == [key[0]['key_alias']]
        results, out = run_manage(tmp_path, url, master, teams=team, keys=key)
        assert not results['teams']['changed'] and not results['keys']['changed']
        assert key[0]['key'] not in out
    finally:
        key[0]['state'] = 'absent'
        team[0]['state'] = 'absent'
        run_manage(tmp_path, url, master, keys=key)
        run_manage(tmp_path, url, master, teams=team)


@pytest.mark.offline
def test_offline_standin_role_team_step_creates_every_inventory_team_then_noop(standin):
    args = ['-e', 'litellm_api_url=%s' % standin.url, '-e', 'litellm_master_key=%s' % STANDIN_KEY,
            '-e', 'litellm_open_webui_key=false', '-e', '{"ai_platform_agents": []}']
    first = run_playbook('tests/integration/roles/litellm/playbooks/role_teams.yml', *args, inventory=INVENTORY)
    assert first.returncode == 0, first.stdout[-3000:]
    stats = standin.control('stats')
    teams = dict((team['team_id'], team) for team in stats['teams'])
    assert sorted(teams) == ['engineering', 'operations', 'platform', 'research', 'support']
    assert teams['research']['metadata'] == {'tags': ['team:research'], 'managed_by': 'baremetal.ai_platform'}
    assert (teams['research']['max_budget'], teams['research']['rpm_limit']) == (40.0, 300)
    assert teams['platform'].get('max_budget') is None
    again = run_playbook('tests/integration/roles/litellm/playbooks/role_teams.yml', *args, inventory=INVENTORY)
    assert again.returncode == 0 and 'changed=0' in again.stdout.split('PLAY RECAP')[1]
    calls = standin.control('stats')['calls'][len(stats['calls']):]
    # Teams, keys (none here), then the teams' removal pass: reads only.
    assert [(c['method'], c['path']) for c in calls] == [('GET', '/team/list'), ('GET', '/key/list'),
                                                         ('GET', '/team/list')]
    assert STANDIN_KEY not in first.stdout + again.stdout


@pytest.mark.offline
def test_offline_standin_role_team_step_reads_master_key_from_openbao(standin, openbao):
    import hvac
    hvac.Client(url=openbao, token='root').secrets.kv.v2.create_or_update_secret(
        path='ai-platform/litellm', secret={'master_key': STANDIN_KEY}, mount_point='secret')
    vault = {'address': openbao, 'kv_mount': 'secret', 'path_prefix': 'ai-platform', 'secret_store': 'vault',
             'refresh_interval': '1h'}
    # VAULT_TOKEN in the environment: the vault role's login override (no AppRole init file here).
    proc = run_playbook('tests/integration/roles/litellm/playbooks/role_teams.yml', '-e', json.dumps({'ai_platform_vault': vault}),
                        '-e', 'litellm_api_url=%s' % standin.url, '-e', 'litellm_open_webui_key=false',
                        '-e', '{"ai_platform_agents": []}', inventory=INVENTORY, env={'VAULT_TOKEN': 'root'})
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert len(standin.control('stats')['teams']) == 5
    assert STANDIN_KEY not in proc.stdout + proc.stderr
