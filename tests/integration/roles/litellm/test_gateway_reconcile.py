"""Budgets in both modes and removal, on the management API stand-in (LiteLLM's database mode cannot
run here; see standin.py) with the keys in a real OpenBao (Vault API):

- render mode followed by playbooks/gateway.yml leaves the same teams and keys in the gateway as the
  litellm role's apply-mode step (both run roles/litellm/tasks/reconcile.yml; apply mode's Kubernetes
  part needs a cluster, so its gateway step runs alone here, as the role runs it after applying);
- a second run is changed=0 and makes only reads;
- an agent taken out of the inventory loses its key; a team taken out is deleted, unless a key is
  still in it, which is refused naming the team; --check --diff shows removals and writes nothing;
- keys and teams without the collection's mark (made by hand) are never removed.
"""

import json
import secrets

import pytest
import yaml

from conftest import INVENTORY
from helpers import run_playbook
from management import STANDIN_KEY, run_manage

OWNER = 'baremetal.ai_platform'
GONE_AGENT = 'doc-fetcher'
GONE_TEAM = 'support'
# Five of the example's agents (each key is one Vault read per run): two teams with two agents each,
# one with one, two teams without agents.
AGENTS = ('doc-fetcher', 'doc-chunker', 'ticket-triager', 'reply-drafter', 'cost-watcher')


def keep(agents, names):
    """The agents named, delegating only among themselves (validation refuses a delegate that is gone)."""
    return [dict(a, delegates=[d for d in a.get('delegates', []) if d in names]) for a in agents if a['name'] in names]


@pytest.fixture(scope='module')
def example(tmp_path_factory):
    with open('%s/group_vars/all/agents.yml' % INVENTORY) as handle:
        agents = keep(yaml.safe_load(handle)['ai_platform_agents'], AGENTS)
    with open('%s/group_vars/all/teams.yml' % INVENTORY) as handle:
        teams = yaml.safe_load(handle)['ai_platform_teams']
    base = tmp_path_factory.mktemp('inventory') / 'agents.json'
    base.write_text(json.dumps({'ai_platform_agents': agents}))
    return {'agents': agents, 'teams': teams, 'base': '@%s' % base}


@pytest.fixture(scope='module')
def vault_keys(openbao, example):
    """What the vault role's bootstrap would have written: the master key, Open WebUI's and each agent's key."""
    import hvac
    kv = hvac.Client(url=openbao, token='root').secrets.kv.v2
    kv.create_or_update_secret(path='ai-platform/litellm', secret={'master_key': STANDIN_KEY}, mount_point='secret')
    values = {'open-webui': 'sk-owui-%s' % secrets.token_hex(16)}
    kv.create_or_update_secret(path='ai-platform/open-webui', secret={'litellm_key': values['open-webui']},
                               mount_point='secret')
    for agent in example['agents']:
        values[agent['name']] = 'sk-agent-%s' % secrets.token_hex(16)
        kv.create_or_update_secret(path='ai-platform/agents/%s' % agent['name'],
                                   secret={'litellm_key': values[agent['name']]}, mount_point='secret')
    return values


def run(playbook, standin, openbao, example, *extra, check=False):
    """playbook against the example inventory (AGENTS only), the gateway at the stand-in, Vault at OpenBao."""
    args = ['-e', 'litellm_api_url=%s' % standin.url, '-e', example['base']] + list(extra)
    if check:
        args += ['--check', '--diff']
    proc = run_playbook(playbook, *args, inventory=INVENTORY, env={'VAULT_ADDR': openbao, 'VAULT_TOKEN': 'root'})
    proc.recap = proc.stdout.split('PLAY RECAP')[-1]
    return proc


def without(tmp_path, example, agents=(), teams=()):
    """An extra-vars file with those agents and teams taken out of the inventory."""
    path = tmp_path / ('without-%s.json' % '-'.join(agents + teams))
    path.write_text(json.dumps({
        'ai_platform_agents': keep(example['agents'], [a['name'] for a in example['agents'] if a['name'] not in agents]),
        'ai_platform_teams': [t for t in example['teams'] if t['name'] not in teams]}))
    return '@%s' % path


def gateway_state(standin):
    """Teams and keys as the gateway holds them, without timestamps and spend."""
    stats = standin.control('stats')
    team_fields = ('team_alias', 'models', 'max_budget', 'budget_duration', 'rpm_limit', 'tpm_limit', 'metadata')
    teams = dict((t['team_id'], dict((f, t.get(f)) for f in team_fields)) for t in stats['teams'])
    keys = dict((k['key_alias'], dict((f, k.get(f)) for f in ('token', 'team_id', 'models', 'metadata')))
                for k in stats['keys'])
    return teams, keys


def writes_since(standin, before):
    return [(c['method'], c['path']) for c in standin.control('stats')['calls'][before:] if c['method'] != 'GET']


@pytest.mark.offline
def test_offline_standin_render_then_gateway_playbook_equals_apply_mode_and_reruns_clean(
        standin, openbao, vault_keys, example, tmp_path):
    proc = run('playbooks/gateway.yml', standin, openbao, example)
    assert proc.returncode == 0, proc.stdout[-4000:]
    render_mode = gateway_state(standin)
    teams, keys = render_mode
    assert sorted(teams) == sorted(t['name'] for t in example['teams'])
    assert sorted(keys) == sorted(['agent-%s' % a['name'] for a in example['agents']] + ['open-webui'])
    assert all(t['metadata']['managed_by'] == OWNER for t in teams.values())
    research = [t for t in example['teams'] if t['name'] == 'research'][0]
    assert (teams['research']['max_budget'], teams['research']['budget_duration']) == (
        research['max_budget'], research['budget_duration'])
    agent = example['agents'][0]
    assert keys['agent-%s' % agent['name']]['team_id'] == agent['team']
    # The summary says where each budget now is, never more.
    # (The callback wraps long lines: compare with whitespace collapsed.)
    summary = ' '.join(proc.stdout.split('Team budgets')[1].split())
    line = 'research: $%.2f per %s, %d rpm, %d tpm: enforced by the gateway (reconciled by playbooks/gateway.yml)' % (
        research['max_budget'], research['budget_duration'], research['rpm_limit'], research['tpm_limit'])
    assert line in summary
    assert summary.count('enforced by the gateway (reconciled') == len(example['teams'])
    assert 'not yet in force' not in summary
    # No key value in the output, the master key included.
    assert [v for v in list(vault_keys.values()) + [STANDIN_KEY] if v in proc.stdout + proc.stderr] == []

    before = len(standin.control('stats')['calls'])
    again = run('playbooks/gateway.yml', standin, openbao, example)
    assert again.returncode == 0 and 'changed=0' in again.recap, again.stdout[-3000:]
    assert writes_since(standin, before) == []

    standin.control('reset')
    applied = run('tests/integration/roles/litellm/playbooks/role_teams.yml', standin, openbao, example,
                  '-e', 'ai_platform_apply=true')
    assert applied.returncode == 0, applied.stdout[-4000:]
    assert gateway_state(standin) == render_mode


@pytest.mark.offline
def test_offline_standin_removed_agent_key_revoked_removed_team_deleted_hand_made_keys_kept(
        standin, openbao, vault_keys, example, tmp_path):
    assert run('playbooks/gateway.yml', standin, openbao, example).returncode == 0
    # Made by hand, outside the inventory: never the collection's to remove.
    run_manage(tmp_path, standin.url, STANDIN_KEY, teams=[{'team_id': 'by-hand', 'max_budget': 1.0}],
               keys=[{'key_alias': 'alice-laptop', 'key': 'sk-hand-%s' % secrets.token_hex(8), 'team_id': 'research'}])

    gone_team_agents = tuple(a['name'] for a in example['agents'] if a['team'] == GONE_TEAM)
    assert gone_team_agents and GONE_AGENT not in gone_team_agents
    smaller = without(tmp_path, example, agents=(GONE_AGENT,) + gone_team_agents, teams=(GONE_TEAM,))
    before = len(standin.control('stats')['calls'])
    check = run('playbooks/gateway.yml', standin, openbao, example, '-e', smaller, check=True)
    assert check.returncode == 0, check.stdout[-4000:]
    assert writes_since(standin, before) == []
    said = ' '.join(check.stdout.split('would change keys:')[1].split('TASK [')[0].split())
    revoked = said.split('revoked ')[1].rstrip("'\"")
    assert sorted(revoked.split(', ')) == sorted('agent-%s' % a for a in (GONE_AGENT,) + gone_team_agents)
    # --diff shows the team's removal, the team as it is in the gateway before.
    team_task = check.stdout.split('left the inventory deleted]')[1].split('TASK [')[0]
    assert 'changed:' in team_task and '-    %s:' % GONE_TEAM in team_task.split('--- before')[1], team_task

    proc = run('playbooks/gateway.yml', standin, openbao, example, '-e', smaller)
    assert proc.returncode == 0, proc.stdout[-4000:]
    teams, keys = gateway_state(standin)
    assert 'agent-%s' % GONE_AGENT not in keys and GONE_TEAM not in teams
    assert [a for a in gone_team_agents if 'agent-%s' % a in keys] == []
    assert 'alice-laptop' in keys and 'by-hand' in teams
    assert len(keys) == len(example['agents']) - 1 - len(gone_team_agents) + 2  # open-webui, alice-laptop

    before = len(standin.control('stats')['calls'])
    again = run('playbooks/gateway.yml', standin, openbao, example, '-e', smaller)
    assert again.returncode == 0 and 'changed=0' in again.recap
    assert writes_since(standin, before) == []


@pytest.mark.offline
def test_offline_standin_removed_team_that_still_has_a_key_is_refused_by_name(
        standin, openbao, vault_keys, example, tmp_path):
    assert run('playbooks/gateway.yml', standin, openbao, example).returncode == 0
    run_manage(tmp_path, standin.url, STANDIN_KEY,
               keys=[{'key_alias': 'bob-script', 'key': 'sk-bob-%s' % secrets.token_hex(8), 'team_id': GONE_TEAM}])
    gone_team_agents = tuple(a['name'] for a in example['agents'] if a['team'] == GONE_TEAM)
    before = len(standin.control('stats')['calls'])
    refused = run('playbooks/gateway.yml', standin, openbao, example,
                  '-e', without(tmp_path, example, agents=gone_team_agents, teams=(GONE_TEAM,)))
    assert refused.returncode != 0
    assert 'refusing to delete team %s' % GONE_TEAM in refused.stdout and 'bob-script' in refused.stdout
    teams, keys = gateway_state(standin)
    # The agents' keys went (their revocation ran first); the team and the hand-made key stay.
    assert GONE_TEAM in teams and 'bob-script' in keys
    assert [a for a in gone_team_agents if 'agent-%s' % a in keys] == []
    assert ('POST', '/team/delete') not in writes_since(standin, before)


@pytest.mark.offline
def test_offline_standin_team_without_response_cache_gets_keys_that_opt_out(
        standin, openbao, vault_keys, example, tmp_path):
    standin.control('reset')
    teams = [dict(t, response_cache=False) if t['name'] == 'research' else t for t in example['teams']]
    extra = tmp_path / 'uncached.json'
    extra.write_text(json.dumps({'ai_platform_teams': teams}))
    proc = run('playbooks/gateway.yml', standin, openbao, example, '-e', '@%s' % extra)
    assert proc.returncode == 0, proc.stdout[-4000:]
    _teams, keys = gateway_state(standin)
    cache = dict((a['name'], (keys['agent-%s' % a['name']]['metadata'] or {}).get('cache')) for a in example['agents'])
    research = [a['name'] for a in example['agents'] if a['team'] == 'research']
    assert research and all(cache[name] == {'no-cache': True, 'no-store': True} for name in research), cache
    assert [name for name, value in cache.items() if value is not None and name not in research] == []
