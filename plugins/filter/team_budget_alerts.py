# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError

# Budget periods LiteLLM accepts, in seconds per unit.
_UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400}
_DURATION = re.compile(r'^([0-9]+)([smhd])$')


def _seconds(value, what):
    match = _DURATION.match(str(value))
    if not match or int(match.group(1)) == 0:
        raise AnsibleFilterError('team_budget_alerts: %s must be a duration like 30m, 12h or 1d, got %r' % (what, value))
    return int(match.group(1)) * _UNITS[match.group(2)]


def team_budget_alerts(teams, window, factor, spend_metric):
    """One burn-rate alert per budgeted team: spend over `window` above its share of the budget.

    A team may spend max_budget per budget_duration; the alert fires when the spend over the window
    exceeds max_budget * window / budget_duration * factor. Teams without max_budget are skipped.
    """
    window_seconds = _seconds(window, 'the window')
    rules = []
    for team in teams or []:
        if 'max_budget' not in team:
            continue
        name = team['name']
        period = _seconds(team.get('budget_duration'), 'ai_platform_teams[%s].budget_duration' % name)
        allowed = float(team['max_budget']) * window_seconds / period * float(factor)
        rules.append({
            'alert': 'TeamBudgetBurnRate',
            'expr': 'sum(increase(%s{team_alias="%s"}[%s])) > %.6f' % (spend_metric, name, window, allowed),
            'for': '5m',
            'labels': {'severity': 'warning', 'area': 'budget', 'team': name},
            'annotations': {
                'summary': 'Team %s is on course to exhaust its budget early' % name,
                'description': 'Team %s spent more than %.4f USD in the last %s; at that rate its %s USD per %s runs out'
                               ' before the period ends.' % (name, allowed, window, team['max_budget'],
                                                             team['budget_duration']),
            },
        })
    return rules


class FilterModule(object):
    def filters(self):
        return {'team_budget_alerts': team_budget_alerts}
