#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: litellm_team
short_description: Manage teams in the LiteLLM proxy
version_added: 0.1.0
description:
  - Creates, updates and deletes LiteLLM teams through C(/team/new), C(/team/update) and
    C(/team/delete), identified by C(team_id) (team aliases are not unique in LiteLLM).
  - Reads every team with one C(/team/list) request per run, then writes only the teams whose
    user-set fields differ; computed fields in LiteLLM's answer (spend, memberships, keys) are
    ignored.
  - A team that still has keys is never deleted (LiteLLM's C(/team/delete) deletes the team's keys
    with it); the run fails before any write, naming the team and its keys.
extends_documentation_fragment:
  - baremetal.ai_platform.litellm
  - baremetal.ai_platform.litellm.prune
options:
  revoked_keys:
    description:
      - Aliases of keys that an earlier task of the same run deleted, or would delete in check mode. A
        team whose remaining keys are all listed here may be deleted; this lets a check run show the
        removal of a team together with its agents' keys.
    type: list
    elements: str
    default: []
  teams:
    description: The teams to manage, all in one call.
    type: list
    elements: dict
    required: true
    suboptions:
      team_id:
        description: Identity of the team in LiteLLM.
        type: str
        required: true
      team_alias:
        description: Display name.
        type: str
      models:
        description: Model aliases the team's keys may call.
        type: list
        elements: str
      max_budget:
        description: Spend cap in USD per O(teams[].budget_duration).
        type: float
      budget_duration:
        description: Budget window (C(1d), C(30d), C(1mo)...).
        type: str
      unlimited:
        description: The team has no budget; clears C(max_budget) and C(budget_duration) in LiteLLM.
        type: bool
        default: false
      tpm_limit:
        description: Tokens per minute for the whole team.
        type: int
      rpm_limit:
        description: Requests per minute for the whole team.
        type: int
      metadata:
        description:
          - Metadata keys to set. Only these keys are compared; other keys already in LiteLLM are kept.
          - C(tags) here are added to every request made with the team's keys (the gateway's
            C(team:<name>) tag budgets rely on it).
        type: dict
      state:
        description: Whether the team exists.
        type: str
        choices: [present, absent]
        default: present
author:
  - baremetal.ai_platform contributors (@baremetal)
attributes:
  check_mode:
    description: Lists the teams and reports what would be created, updated or deleted; writes nothing.
    support: full
  diff_mode:
    description: Shows the user-set fields of each team that changes, before and after.
    support: full
'''

EXAMPLES = r'''
- name: Teams from the inventory
  baremetal.ai_platform.litellm_team:
    api_url: http://litellm.ai-gateway.svc:4000
    master_key: "{{ litellm_master_key }}"
    teams:
      - team_id: research
        team_alias: research
        models: [fast, local, reasoning]
        max_budget: 40.0
        budget_duration: 1d
        rpm_limit: 300
        tpm_limit: 400000
        metadata:
          tags: ["team:research"]
      - team_id: platform
        models: [local]
        unlimited: true

- name: Teams from the inventory; teams this collection made that left the inventory are deleted
  baremetal.ai_platform.litellm_team:
    api_url: http://litellm.ai-gateway.svc:4000
    master_key: "{{ litellm_master_key }}"
    owner: baremetal.ai_platform
    prune: true
    teams:
      - team_id: research
        max_budget: 40.0
        budget_duration: 1d

- name: Remove a team
  baremetal.ai_platform.litellm_team:
    api_url: http://litellm.ai-gateway.svc:4000
    master_key: "{{ litellm_master_key }}"
    teams:
      - team_id: old-team
        state: absent
'''

RETURN = r'''
created:
  description: team_id of the teams created (or that would be, in check mode).
  returned: always
  type: list
  elements: str
updated:
  description: team_id of the teams updated, each with the fields sent.
  returned: always
  type: dict
  sample: {"research": ["max_budget"]}
deleted:
  description: team_id of the teams deleted (given with state=absent, or pruned), or that would be in check mode.
  returned: always
  type: list
  elements: str
written:
  description:
    - What this run changed in LiteLLM, one line per successful write. Returned when the run failed part-way,
      so it says what was already done.
  returned: failure
  type: list
  elements: str
requests:
  description: HTTP requests made to LiteLLM in this run (list and writes, retries included).
  returned: always
  type: int
'''

import functools

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.baremetal.ai_platform.plugins.module_utils.litellm_api import (
    LiteLLMError,
    field_changes,
    litellm_argument_spec,
    prune_argument_spec,
    run_module,
    unlisted,
    user_fields,
    view,
)

FIELDS = ('team_alias', 'models', 'max_budget', 'budget_duration', 'tpm_limit', 'rpm_limit', 'metadata')


def desired_fields(team):
    wanted = user_fields(team, FIELDS)
    if team['unlimited']:
        wanted.update(max_budget=None, budget_duration=None)
    return wanted


def keys_left(team, revoked):
    """The keys LiteLLM still lists for a team, those deleted earlier in the run aside."""
    return sorted(key.get('key_alias') or 'a key without alias' for key in team.get('keys') or []
                  if key.get('key_alias') not in revoked)


def reconcile(client, teams, check_mode, prune_owner=None, revoked=()):
    current = dict((team.get('team_id'), team) for team in client.request('GET', '/team/list') or [])
    if prune_owner:
        wanted = set(team['team_id'] for team in teams)
        teams = teams + [dict(team_id=team_id, state='absent') for team_id in unlisted(current, wanted, prune_owner)]
    result = dict(created=[], updated={}, deleted=[], before={}, after={})
    to_delete = [team['team_id'] for team in teams if team['state'] == 'absent' and team['team_id'] in current]
    # Refused before anything is written: deleting the team would delete these keys with it.
    with_keys = ['%s (%s)' % (team_id, ', '.join(keys_left(current[team_id], revoked))) for team_id in to_delete
                 if keys_left(current[team_id], revoked)]
    if with_keys:
        raise LiteLLMError('refusing to delete team %s: it still has keys in LiteLLM, which would be deleted with '
                           'it; delete them or move them to another team first' % '; '.join(with_keys))
    for team in teams:
        team_id = team['team_id']
        existing = current.get(team_id)
        if team['state'] == 'absent':
            if existing is not None:
                result['before'][team_id] = view(existing, FIELDS)
            continue
        wanted = desired_fields(team)
        if existing is None:
            result['created'].append(team_id)
            result['after'][team_id] = wanted
            if not check_mode:
                client.create('/team/new', dict(wanted, team_id=team_id), done='created team %s' % team_id)
            continue
        changes = field_changes(wanted, existing, FIELDS)
        if changes:
            result['updated'][team_id] = sorted(changes)
            result['before'][team_id] = view(existing, changes)
            result['after'][team_id] = changes
            if not check_mode:
                client.request('POST', '/team/update', dict(changes, team_id=team_id),
                               done='updated team %s (%s)' % (team_id, ', '.join(sorted(changes))))
    if to_delete:
        result['deleted'] = to_delete
        if not check_mode:
            client.request('POST', '/team/delete', {'team_ids': to_delete},
                           done='deleted teams %s' % ', '.join(to_delete))
    return result


def main():
    argument_spec = litellm_argument_spec()
    argument_spec.update(prune_argument_spec())
    argument_spec.update(revoked_keys=dict(type='list', elements='str', default=[], no_log=False))
    argument_spec.update(teams=dict(
        type='list', elements='dict', required=True,
        options=dict(
            team_id=dict(type='str', required=True),
            team_alias=dict(type='str'),
            models=dict(type='list', elements='str'),
            max_budget=dict(type='float'),
            budget_duration=dict(type='str'),
            unlimited=dict(type='bool', default=False),
            tpm_limit=dict(type='int'),
            rpm_limit=dict(type='int'),
            metadata=dict(type='dict'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        mutually_exclusive=[('unlimited', 'max_budget'), ('unlimited', 'budget_duration')],
    ))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_if=[('prune', True, ('owner',))])
    revoked = frozenset(module.params['revoked_keys'])
    run_module(module, module.params['teams'], 'team_id', functools.partial(reconcile, revoked=revoked))


if __name__ == '__main__':
    main()
