#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: litellm_key
short_description: Manage LiteLLM virtual keys whose values come from outside (Vault)
version_added: 0.1.0
description:
  - Creates, updates and deletes LiteLLM virtual keys through C(/key/generate), C(/key/update) and
    C(/key/delete). Each key is identified by its unique C(key_alias) and its value is supplied, so
    reruns are stable (LiteLLM shows a generated key only once).
  - Reads the existing keys with C(/key/list) (100 per page, so one request for up to 100 keys), and
    compares the supplied value with LiteLLM's stored hash; a different value (a rotated key in Vault)
    replaces the key without a moment in which neither works. LiteLLM wants unique aliases, so the new
    key is generated first as C(<key_alias>.rotating), then the old key is deleted, then the new one
    takes the alias. A run that stops in between is completed by the next run, which finds the new key by its
    value.
  - Key values never appear in the output or the diff.
  - With O(prune), keys carrying O(owner)'s mark that the list no longer names are deleted (revoked);
    LiteLLM refuses a deleted key at once.
extends_documentation_fragment:
  - baremetal.ai_platform.litellm
  - baremetal.ai_platform.litellm.prune
options:
  keys:
    description: The keys to manage, all in one call.
    type: list
    elements: dict
    required: true
    suboptions:
      key_alias:
        description: Unique name of the key (the platform uses C(agent-<name>)).
        type: str
        required: true
      key:
        description: The key's value; must start with C(sk-). Required when O(keys[].state=present).
        type: str
      team_id:
        description: Team the key belongs to; the team's budget, limits and metadata tags apply.
        type: str
      models:
        description: Model aliases the key may call (empty means the team's models).
        type: list
        elements: str
      max_budget:
        description: Spend cap of this key in USD per O(keys[].budget_duration).
        type: float
      budget_duration:
        description: Budget window of the key.
        type: str
      tpm_limit:
        description: Tokens per minute for this key.
        type: int
      rpm_limit:
        description: Requests per minute for this key.
        type: int
      metadata:
        description: Metadata keys to set; only these keys are compared.
        type: dict
      state:
        description: Whether the key exists.
        type: str
        choices: [present, absent]
        default: present
author:
  - baremetal.ai_platform contributors (@baremetal)
attributes:
  check_mode:
    description: Lists the keys and reports what would be created, updated, replaced or deleted; writes nothing.
    support: full
  diff_mode:
    description: Shows the user-set fields of each key that changes, with key values masked.
    support: full
'''

EXAMPLES = r'''
- name: One key per agent, bound to its team
  baremetal.ai_platform.litellm_key:
    api_url: http://litellm.ai-gateway.svc:4000
    master_key: "{{ litellm_master_key }}"
    keys:
      - key_alias: agent-doc-fetcher
        key: "{{ doc_fetcher_key }}"
        team_id: research
        models: [fast]
        metadata:
          agent: doc-fetcher
  no_log: true
'''

RETURN = r'''
created:
  description: key_alias of the keys generated.
  returned: always
  type: list
  elements: str
updated:
  description: key_alias of the keys updated, each with the fields sent.
  returned: always
  type: dict
replaced:
  description: key_alias of the keys whose value changed (a new key generated, then the old one deleted).
  returned: always
  type: list
  elements: str
deleted:
  description: key_alias of the keys deleted (given with state=absent, or pruned), or that would be in check mode.
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
  description: HTTP requests made to LiteLLM in this run.
  returned: always
  type: int
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.baremetal.ai_platform.plugins.module_utils.litellm_api import (
    LiteLLMError,
    field_changes,
    key_hash,
    litellm_argument_spec,
    prune_argument_spec,
    run_module,
    unlisted,
    user_fields,
    view,
)

FIELDS = ('team_id', 'models', 'max_budget', 'budget_duration', 'tpm_limit', 'rpm_limit', 'metadata')
PAGE_SIZE = 100  # /key/list's maximum


def list_keys(client):
    keys, page = [], 1
    while True:
        answer = client.request('GET', '/key/list', query={'return_full_object': 'true', 'size': PAGE_SIZE,
                                                           'page': page})
        keys.extend(answer.get('keys') or [])
        if page >= (answer.get('total_pages') or 1):
            return keys
        page += 1


def delete_keys(client, keys):
    """Delete (token, alias) pairs in one call."""
    if keys:
        client.request('POST', '/key/delete', {'keys': [token for token, _alias in keys]},
                       done='deleted the keys of %s' % ', '.join(alias for _token, alias in keys))


# The alias a new key carries while the key it replaces still exists (key aliases are unique).
ROTATING = '.rotating'


def pruned_aliases(current, wanted_keys, owner):
    """Aliases of owner's keys no longer wanted; a staged .rotating key goes with its key or stays with it."""
    wanted = set(item['key_alias'] for item in wanted_keys)
    gone = unlisted(current, wanted, owner)
    return [alias for alias in gone
            if not (alias.endswith(ROTATING) and alias[:-len(ROTATING)] in wanted.union(gone))]


def reconcile(client, wanted_keys, check_mode, prune_owner=None):
    current, by_token = {}, {}
    for item in list_keys(client):
        by_token[item.get('token')] = item
        alias = item.get('key_alias')
        if alias:
            current.setdefault(alias, []).append(item)
    if prune_owner:
        wanted_keys = wanted_keys + [dict(key_alias=alias, state='absent')
                                     for alias in pruned_aliases(current, wanted_keys, prune_owner)]
    result = dict(created=[], updated={}, replaced=[], deleted=[], before={}, after={})
    # Writes in the order that keeps every agent working: new keys first, then the deletes of the
    # keys they replace, then the new keys take their aliases.
    discard, generate, delete, rename = [], [], [], []
    for wanted in wanted_keys:
        alias = wanted['key_alias']
        existing = current.get(alias) or []
        if len(existing) > 1:
            raise LiteLLMError('key_alias %s is used by %d keys in LiteLLM; aliases must be unique: delete the '
                               'extra keys' % (alias, len(existing)))
        existing = existing[0] if existing else None
        staged = (current.get(alias + ROTATING) or [None])[0]
        if wanted['state'] == 'absent':
            for item in (existing, staged):
                if item is not None:
                    delete.append((item['token'], item['key_alias']))
            if existing is not None or staged is not None:
                result['deleted'].append(alias)
                result['before'][alias] = view(existing or staged, FIELDS)
            continue
        fields = user_fields(wanted, FIELDS)
        token = key_hash(wanted['key'])
        holder = by_token.get(token)
        if holder is not None and holder.get('key_alias') not in (alias, alias + ROTATING):
            raise LiteLLMError('the key given for %s already exists in LiteLLM as key_alias %s; give %s a key of '
                               'its own' % (alias, holder.get('key_alias'), alias))
        if staged is not None and staged.get('token') != token:
            # Left by a rotation to a value Vault no longer holds: nobody can use it, and it holds the alias.
            discard.append((staged['token'], staged['key_alias']))
        if existing is not None and existing.get('token') == token:
            changes = field_changes(fields, existing, FIELDS)
            if changes:
                result['updated'][alias] = sorted(changes)
                result['before'][alias] = view(existing, changes)
                result['after'][alias] = changes
                if not check_mode:
                    # The listed token is the key's hash, which /key/update accepts in place of the value.
                    client.request('POST', '/key/update', dict(changes, key=existing['token']),
                                   done='updated key %s (%s)' % (alias, ', '.join(sorted(changes))))
            continue
        body = dict(fields, key_alias=alias, key=wanted['key'])
        if existing is None and holder is None:
            result['created'].append(alias)
            result['after'][alias] = view(body, ('key_alias', 'key') + FIELDS, mask=('key',))
            generate.append((dict(body), 'generated key %s' % alias))
            continue
        # A rotation, new or left unfinished by an earlier run (the new key is then `holder`).
        result['replaced'].append(alias)
        result['before'][alias] = dict(view(existing or holder, FIELDS), key='<previous value>')
        result['after'][alias] = view(body, ('key',) + FIELDS, mask=('key',))
        if holder is None:
            generate.append((dict(body, key_alias=alias + ROTATING),
                             'generated the new key of %s as %s%s' % (alias, alias, ROTATING)))
            changes = {}
        else:
            changes = field_changes(fields, holder, FIELDS)
        if existing is not None:
            delete.append((existing['token'], alias + ' (previous value)'))
        rename.append((dict(changes, key=token, key_alias=alias),
                       'the new key took the alias %s' % alias))
    if not check_mode:
        delete_keys(client, discard)
        for body, done in generate:
            client.create('/key/generate', body, done=done)
        delete_keys(client, delete)
        for body, done in rename:
            client.request('POST', '/key/update', body, done=done)
    return result


def main():
    argument_spec = litellm_argument_spec()
    argument_spec.update(prune_argument_spec())
    argument_spec.update(keys=dict(
        type='list', elements='dict', required=True, no_log=False,
        options=dict(
            key_alias=dict(type='str', required=True, no_log=False),
            key=dict(type='str', no_log=True),
            team_id=dict(type='str'),
            models=dict(type='list', elements='str'),
            max_budget=dict(type='float'),
            budget_duration=dict(type='str'),
            tpm_limit=dict(type='int'),
            rpm_limit=dict(type='int'),
            metadata=dict(type='dict'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        required_if=[('state', 'present', ('key',))],
    ))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_if=[('prune', True, ('owner',))])
    bad = [item['key_alias'] for item in module.params['keys']
           if item['state'] == 'present' and not item['key'].startswith('sk-')]
    if bad:
        module.fail_json(msg="keys: the key of %s must start with 'sk-' (LiteLLM refuses other values)"
                         % ', '.join(bad))
    run_module(module, module.params['keys'], 'key_alias', reconcile)


if __name__ == '__main__':
    main()
