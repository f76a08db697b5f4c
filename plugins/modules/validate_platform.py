#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: validate_platform
short_description: Check the AI platform inventory model across fields before anything changes
version_added: 0.1.0
description:
  - Checks the rules types alone cannot express, for example that every fallback, team model and
    agent model names a defined alias, that every provider key has a Vault entry, that budgets and
    durations parse, that agents request no more than their limits, and that the k3s servers can
    form an etcd quorum.
  - Reports every problem at once, each naming the variable path (with list index and entry name)
    and the offending value, then fails.
  - Changes nothing. Returns the routing table and the team budgets for a summary.
  - The rules live in the C(platform_model) module utility so other modules apply the same ones.
options:
  site:
    description: Value of C(ai_platform_site).
    type: str
  domain:
    description: Value of C(ai_platform_domain).
    type: str
  apply:
    description: Value of C(ai_platform_apply).
    type: bool
    default: false
  kubeconfig:
    description: Value of C(ai_platform_kubeconfig).
    type: str
    default: ""
  render_dir:
    description: Value of C(ai_platform_render_dir).
    type: str
  kubernetes_minor:
    description: Value of C(ai_platform_kubernetes_minor).
    type: str
  namespaces:
    description: Value of C(ai_platform_namespaces).
    type: dict
  spark_address:
    description: Value of C(ai_platform_spark_address).
    type: str
  providers:
    description: Value of C(ai_platform_providers).
    type: list
    elements: dict
  model_aliases:
    description: Value of C(ai_platform_model_aliases).
    type: list
    elements: dict
  router:
    description: Value of C(ai_platform_router).
    type: dict
  teams:
    description: Value of C(ai_platform_teams).
    type: list
    elements: dict
  agents:
    description: Value of C(ai_platform_agents).
    type: list
    elements: dict
  vault:
    description: Value of C(ai_platform_vault).
    type: dict
  backup:
    description: Value of C(ai_platform_backup).
    type: dict
  alerting:
    description: Value of C(ai_platform_alerting).
    type: dict
  gitops:
    description: Value of C(ai_platform_gitops); required when O(apply=false).
    type: dict
  gateway:
    description:
      - The LiteLLM role's settings the gateway rules and RV(caps) read.
    type: dict
    suboptions:
      replicas:
        description: C(litellm_hpa_max_replicas), the most proxies that share the config.
        type: int
        required: true
      redis:
        description: C(litellm_redis_enabled), whether the proxies share their state through Redis.
        type: bool
        required: true
  secrets:
    description: Value of C(ai_platform_secrets).
    type: list
    elements: dict
  k3s_api_vip:
    description: Value of C(k3s_api_vip).
    type: str
  k3s_vip_interface:
    description: Value of C(k3s_vip_interface).
    type: str
  k3s_api_vip_prefix:
    description:
      - Length of the k3s servers' subnet; O(k3s_api_vip) must lie in it when the servers'
        C(ansible_host) are IP addresses.
    type: int
    default: 24
  groups:
    description:
      - Host names of the inventory groups the rules look at, C(k3s_servers), C(k3s_agents) and C(dgx).
    type: dict
    default: {}
  hosts:
    description:
      - Every inventory host's C(ansible_host) (null for a host without one), to find a host listed
        twice under two names and a O(k3s_api_vip) that is a machine's own address.
    type: dict
    default: {}
  variables:
    description:
      - Every host's C(ai_platform_*) variable names as found in hostvars; an unknown one is
        refused with the closest known name.
    type: dict
    default: {}
  vllm:
    description:
      - Per C(dgx) host, the vllm role's settings the inventory sets (C(vllm_max_model_len),
        C(vllm_gpu_memory_utilization), C(vllm_port), C(vllm_extra_args)...), checked for range.
    type: dict
    default: {}
notes:
  - An option left out is reported as a missing variable, so a caller passes every one.
  - The types of each field are declared in the C(validate) role's argument specs, which Ansible
    checks before this module runs; C(docs/variables.md) describes every variable.
author:
  - baremetal.ai_platform contributors (@baremetal)
attributes:
  check_mode:
    support: full
    description: Runs the same checks; nothing is ever changed.
  diff_mode:
    support: full
    description: Never changes anything, so there is never a difference to show.
'''

EXAMPLES = r'''
- name: Check the inventory model
  baremetal.ai_platform.validate_platform:
    site: "{{ ai_platform_site }}"
    domain: "{{ ai_platform_domain }}"
    apply: "{{ ai_platform_apply }}"
    kubeconfig: "{{ ai_platform_kubeconfig }}"
    render_dir: "{{ ai_platform_render_dir }}"
    kubernetes_minor: "{{ ai_platform_kubernetes_minor }}"
    namespaces: "{{ ai_platform_namespaces }}"
    spark_address: "{{ ai_platform_spark_address }}"
    providers: "{{ ai_platform_providers }}"
    model_aliases: "{{ ai_platform_model_aliases }}"
    router: "{{ ai_platform_router }}"
    teams: "{{ ai_platform_teams }}"
    agents: "{{ ai_platform_agents }}"
    vault: "{{ ai_platform_vault }}"
    secrets: "{{ ai_platform_secrets }}"
    k3s_api_vip: "{{ k3s_api_vip }}"
    k3s_vip_interface: "{{ k3s_vip_interface }}"
    groups:
      k3s_servers: "{{ groups['k3s_servers'] | default([]) }}"
      k3s_agents: "{{ groups['k3s_agents'] | default([]) }}"
      dgx: "{{ groups['dgx'] | default([]) }}"
    hosts:
      nuc1: 10.20.0.11
      spark: 10.20.0.20
  register: platform

- name: Show where the fast alias routes
  ansible.builtin.debug:
    var: platform.routing.fast
'''

RETURN = r'''
errors:
  description: "Every problem found, as C(<variable path>: <message>). Empty on success."
  returned: always
  type: list
  elements: str
  sample:
    - "ai_platform_model_aliases[0] (fast).fallbacks[0]: 'lokal' is not a defined alias (defined: fast, local, reasoning)"
routing:
  description: Alias name to its deployments (id, provider, model) and fallback aliases, in inventory order.
  returned: success
  type: dict
  sample:
    fast:
      deployments:
        - id: fast-openai-gpt-4o-mini
          provider: openai
          model: gpt-4o-mini
      fallbacks: [local]
caps:
  description:
    - What each deployment C(rpm)/C(tpm) really caps across O(gateway.replicas) proxies on LiteLLM 1.108.7
      (C(id), C(limit), C(nominal), C(effective), C(how)); empty without limits or without O(gateway).
  returned: success
  type: list
  elements: dict
  sample:
    - {id: fast-openai-gpt-4o-mini, limit: rpm, nominal: 60, effective: 354, how: 'shared through Redis (paced: 60)'}
budgets:
  description:
    - Team name to its budget. C(max_budget), C(budget_duration) and C(budget_seconds) are null for
      an unlimited team; C(rpm_limit) and C(tpm_limit) are null when not set.
  returned: success
  type: dict
  sample:
    research:
      unlimited: false
      max_budget: 40.0
      budget_duration: 1d
      budget_seconds: 86400
      rpm_limit: 300
      tpm_limit: 400000
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.baremetal.ai_platform.plugins.module_utils.litellm_config import rpm_tpm_caps
from ansible_collections.baremetal.ai_platform.plugins.module_utils.platform_model import (
    check_platform,
    format_errors,
    routing_table,
    team_budgets,
)

# Module option -> inventory variable, so errors name what the user wrote.
_VARIABLES = {
    'site': 'ai_platform_site',
    'domain': 'ai_platform_domain',
    'apply': 'ai_platform_apply',
    'kubeconfig': 'ai_platform_kubeconfig',
    'render_dir': 'ai_platform_render_dir',
    'kubernetes_minor': 'ai_platform_kubernetes_minor',
    'namespaces': 'ai_platform_namespaces',
    'spark_address': 'ai_platform_spark_address',
    'providers': 'ai_platform_providers',
    'model_aliases': 'ai_platform_model_aliases',
    'router': 'ai_platform_router',
    'teams': 'ai_platform_teams',
    'agents': 'ai_platform_agents',
    'vault': 'ai_platform_vault',
    'backup': 'ai_platform_backup',
    'alerting': 'ai_platform_alerting',
    'gitops': 'ai_platform_gitops',
    'secrets': 'ai_platform_secrets',
    'k3s_api_vip': 'k3s_api_vip',
    'k3s_vip_interface': 'k3s_vip_interface',
    'k3s_api_vip_prefix': 'k3s_api_vip_prefix',
    'groups': 'groups',
    'hosts': 'hosts',
    'variables': 'variables',
    'vllm': 'vllm',
}


def main():
    list_of_dicts = dict(type='list', elements='dict')
    module = AnsibleModule(
        argument_spec=dict(
            site=dict(type='str'),
            domain=dict(type='str'),
            apply=dict(type='bool', default=False),
            kubeconfig=dict(type='str', default=''),
            render_dir=dict(type='str'),
            kubernetes_minor=dict(type='str'),
            namespaces=dict(type='dict'),
            spark_address=dict(type='str'),
            providers=list_of_dicts,
            model_aliases=list_of_dicts,
            router=dict(type='dict'),
            teams=list_of_dicts,
            agents=list_of_dicts,
            vault=dict(type='dict'),
            backup=dict(type='dict'),
            alerting=dict(type='dict'),
            gitops=dict(type='dict'),
            gateway=dict(type='dict', options=dict(
                replicas=dict(type='int', required=True),
                redis=dict(type='bool', required=True))),
            # Environment variable -> Vault path and key: names where secrets are, holds none.
            secrets=dict(type='list', elements='dict', no_log=False),
            k3s_api_vip=dict(type='str'),
            k3s_vip_interface=dict(type='str'),
            k3s_api_vip_prefix=dict(type='int', default=24),
            groups=dict(type='dict', default={}),
            hosts=dict(type='dict', default={}),
            variables=dict(type='dict', default={}),
            vllm=dict(type='dict', default={}),
        ),
        supports_check_mode=True,
    )
    gateway = module.params.pop('gateway')
    model = dict((_VARIABLES[option], value) for option, value in module.params.items())
    if gateway:
        model.update(litellm_hpa_max_replicas=gateway['replicas'], litellm_redis_enabled=gateway['redis'])
    errors = format_errors(check_platform(model))
    if errors:
        module.fail_json(
            msg='%d problem%s in the inventory:\n%s' % (
                len(errors), '' if len(errors) == 1 else 's', '\n'.join(errors)),
            errors=errors)
    caps = rpm_tpm_caps(model, {'replicas': gateway['replicas'], 'redis_host': gateway['redis']}) if gateway else []
    module.exit_json(changed=False, errors=[], routing=routing_table(model), caps=caps, budgets=team_budgets(model))


if __name__ == '__main__':
    main()
