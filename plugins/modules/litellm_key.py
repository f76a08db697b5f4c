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
    replaces the key (the old one is deleted, the new one generated under the same alias).
  - Key values never appear in the output or the diff.
extends_documentation_fragment:
  - baremetal.ai_platform.litellm
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
  description: key_alias of the keys whose value changed (deleted and generated again).
  returned: always
  type: list
  elements: str
deleted:
  description: key_alias of the keys deleted.
  returned: always
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
    run_module,
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


def reconcile(client, wanted_keys, check_mode):
    current = {}
    for item in list_keys(client):
        alias = item.get('key_alias')
        if alias:
            current.setdefault(alias, []).append(item)
    result = dict(created=[], updated={}, replaced=[], deleted=[], before={}, after={})
    delete_tokens, generate = [], []
    for wanted in wanted_keys:
        alias = wanted['key_alias']
        existing = current.get(alias) or []
        if len(existing) > 1:
            raise LiteLLMError('key_alias %s is used by %d keys in LiteLLM; aliases must be unique: delete the '
                               'extra keys' % (alias, len(existing)))
        existing = existing[0] if existing else None
        if wanted['state'] == 'absent':
            if existing is not None:
                result['deleted'].append(alias)
                result['before'][alias] = view(existing, FIELDS)
                delete_tokens.append(existing['token'])
            continue
        fields = user_fields(wanted, FIELDS)
        body = dict(fields, key_alias=alias, key=wanted['key'])
        if existing is None:
            result['created'].append(alias)
            result['after'][alias] = view(body, ('key_alias', 'key') + FIELDS, mask=('key',))
            generate.append(body)
        elif existing.get('token') != key_hash(wanted['key']):
            result['replaced'].append(alias)
            result['before'][alias] = dict(view(existing, FIELDS), key='<previous value>')
            result['after'][alias] = view(body, ('key',) + FIELDS, mask=('key',))
            delete_tokens.append(existing['token'])
            generate.append(body)
        else:
            changes = field_changes(fields, existing, FIELDS)
            if changes:
                result['updated'][alias] = sorted(changes)
                result['before'][alias] = view(existing, changes)
                result['after'][alias] = changes
                if not check_mode:
                    # The listed token is the key's hash, which /key/update accepts in place of the value.
                    client.request('POST', '/key/update', dict(changes, key=existing['token']))
    if not check_mode:
        if delete_tokens:
            client.request('POST', '/key/delete', {'keys': delete_tokens})
        for body in generate:
            client.create('/key/generate', body)
    return result


def main():
    argument_spec = litellm_argument_spec()
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
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    bad = [item['key_alias'] for item in module.params['keys']
           if item['state'] == 'present' and not item['key'].startswith('sk-')]
    if bad:
        module.fail_json(msg="keys: the key of %s must start with 'sk-' (LiteLLM refuses other values)"
                         % ', '.join(bad))
    run_module(module, module.params['keys'], 'key_alias', reconcile)


if __name__ == '__main__':
    main()
