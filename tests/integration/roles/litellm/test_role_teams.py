"""The litellm role's team step hands LiteLLM every team setting of the inventory: budget and its
reset period, rate limits, models, tag. A team whose budget_duration went missing would get a
lifetime cap instead of a daily one, and nothing else would notice."""

import pytest

from conftest import INVENTORY
from helpers import run_playbook
from management import STANDIN_KEY

from ansible_collections.baremetal.ai_platform.plugins.module_utils.platform_model import team_budgets


@pytest.mark.offline
def test_offline_standin_role_team_step_sends_every_team_setting(standin, example_model):
    proc = run_playbook('tests/integration/roles/litellm/playbooks/role_teams.yml', '-e', 'litellm_api_url=%s' % standin.url,
                        '-e', 'litellm_master_key=%s' % STANDIN_KEY,
                        # Teams only: Open WebUI's and the agents' keys would be read from Vault, which this
                        # test has not (test_gateway_reconcile covers the keys).
                        '-e', 'litellm_open_webui_key=false', '-e', '{"ai_platform_agents": []}', inventory=INVENTORY)
    assert proc.returncode == 0, proc.stdout[-3000:]
    stored = dict((team['team_id'], team) for team in standin.control('stats')['teams'])
    wanted = team_budgets(example_model)
    assert sorted(stored) == sorted(wanted)
    assert any(budget['budget_duration'] for budget in wanted.values())
    assert any(budget['unlimited'] for budget in wanted.values())
    models = dict((team['name'], team['models']) for team in example_model['ai_platform_teams'])
    for name, budget in wanted.items():
        team = stored[name]
        sent = dict((field, team.get(field)) for field in ('max_budget', 'budget_duration', 'rpm_limit', 'tpm_limit'))
        expected = dict((field, budget[field]) for field in sent)
        assert (name, sent) == (name, expected)
        assert (team['team_alias'], sorted(team['models'])) == (name, sorted(models[name]))
        assert team['metadata'] == {'tags': ['team:%s' % name], 'managed_by': 'baremetal.ai_platform'}
