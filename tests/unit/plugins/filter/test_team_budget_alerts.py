"""team_budget_alerts: a team's spend over the window against its share of the budget."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.team_budget_alerts import team_budget_alerts

METRIC = 'litellm_spend_metric_total'


def test_threshold_is_the_budget_share_of_the_window_times_the_factor():
    rules = team_budget_alerts([{'name': 'research', 'max_budget': 240, 'budget_duration': '1d'}], '1h', 1.0, METRIC)
    # 240 USD a day is 10 USD an hour.
    assert rules == [{
        'alert': 'TeamBudgetBurnRate',
        'expr': 'sum(increase(litellm_spend_metric_total{team_alias="research"}[1h])) > 10.000000',
        'for': '5m',
        'labels': {'severity': 'warning', 'area': 'budget', 'team': 'research'},
        'annotations': {
            'summary': 'Team research is on course to exhaust its budget early',
            'description': 'Team research spent more than 10.0000 USD in the last 1h; at that rate its 240 USD per 1d'
                           ' runs out before the period ends.',
        },
    }]


def test_factor_and_units_scale_the_threshold():
    rules = team_budget_alerts([{'name': 't', 'max_budget': 3.0, 'budget_duration': '30m'}], '10m', 2, METRIC)
    assert rules[0]['expr'].endswith('> 2.000000')


def test_unlimited_teams_get_no_alert():
    assert team_budget_alerts([{'name': 'ops', 'unlimited': True}], '1h', 1.0, METRIC) == []


@pytest.mark.parametrize('teams, window, message', [
    ([{'name': 't', 'max_budget': 1, 'budget_duration': '1w'}], '1h', r'ai_platform_teams\[t\].budget_duration'),
    ([{'name': 't', 'max_budget': 1, 'budget_duration': '0d'}], '1h', r'ai_platform_teams\[t\].budget_duration'),
    ([], 'hour', 'the window must be a duration'),
])
def test_bad_durations_are_refused(teams, window, message):
    with pytest.raises(AnsibleFilterError, match=message):
        team_budget_alerts(teams, window, 1.0, METRIC)
