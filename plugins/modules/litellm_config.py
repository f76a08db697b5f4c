#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: litellm_config
short_description: Build the LiteLLM proxy config from the platform's inventory model
version_added: 0.1.0
description:
  - Builds LiteLLM's C(config.yaml) from the providers, model aliases, router settings, teams and
    secret mappings of the inventory, returns it and optionally writes it to O(dest) when its
    content changed.
  - C(model_list) has one entry per alias deployment with C(model_info.id) set to the deployment id;
    cloud providers become C(<kind>/<model>), a C(vllm) provider C(<vllm_provider>/<model>) with its
    C(api_base). Provider keys are C(os.environ/<api_key_env>) references, never values.
  - C(router_settings) carries the routing strategy, fallbacks, C(num_retries), C(allowed_fails),
    C(cooldown_time), C(timeout), C(stream_timeout) and C(provider_budget_config); deployments may set
    C(rpm), C(tpm), C(max_budget), C(budget_duration), C(timeout) and C(stream_timeout).
  - A timed-out call is never retried (C(retry_policy.TimeoutErrorRetries=0)) and cools its deployment
    down at once (C(allowed_fails_policy.TimeoutErrorAllowedFails=0)), so a hung deployment costs one
    timeout per C(cooldown_time), not one per request.
  - C(rpm)/C(tpm) under C(simple-shuffle) or C(least-busy), which only weigh by them, turn on
    C(enable_pre_call_checks), which counts per proxy; RV(caps) states what each limit caps across
    O(replicas).
  - With O(redis_host), cooldowns, failure counters, usage counters and provider spend are shared by
    every proxy through Redis, and O(response_cache) stores answers there.
  - Refuses, naming the inventory variable, a fallback to an unknown alias, an alias without
    deployments, a provider key or config env var without an C(ai_platform_secrets) entry, an unknown
    routing strategy, negative budgets, bad durations or timeouts, duplicate ids or names, and more than
    one replica without Redis.
  - The same input gives the same bytes (sorted keys), so the returned sha256 can drive a pod
    template's C(checksum/config) annotation.
options:
  providers:
    description: C(ai_platform_providers) (name, kind, api_key_env, optional api_base and budget).
    type: list
    elements: dict
    required: true
  model_aliases:
    description:
      - C(ai_platform_model_aliases). A deployment may add C(rpm), C(tpm), C(max_budget) and
        C(budget_duration) to the inventory's id, provider and model.
      - LiteLLM 1.108.7 admits C(rpm - 1) calls a minute on a deployment (it drops the deployment once
        C(current + 1 >= rpm)); set C(rpm) one above the calls a minute you want to allow.
    type: list
    elements: dict
    required: true
  router:
    description:
      - C(ai_platform_router) (routing_strategy, num_retries, allowed_fails, cooldown_time, timeout,
        stream_timeout).
    type: dict
    default: {}
  teams:
    description: C(ai_platform_teams); budgeted teams become tag budgets when O(tag_budgets) is true.
    type: list
    elements: dict
    default: []
  secrets:
    description: C(ai_platform_secrets); every env var the config reads must have an entry.
    type: list
    elements: dict
    required: true
  master_key_env:
    description: Env var holding the proxy's master key.
    type: str
    default: LITELLM_MASTER_KEY
  database_url_env:
    description: Env var holding LiteLLM's database URL; empty to run without a database.
    type: str
    default: DATABASE_URL
  langfuse:
    description:
      - Add the Langfuse success and failure callbacks. LiteLLM reads C(LANGFUSE_HOST),
        C(LANGFUSE_PUBLIC_KEY) and C(LANGFUSE_SECRET_KEY) from its environment; the two keys must
        have C(ai_platform_secrets) entries.
    type: bool
    default: true
  tag_budgets:
    description:
      - Add C(litellm_settings.tag_budget_config) with one C(team:<name>) tag budget per budgeted team,
        which caps a team's spend without LiteLLM's database.
      - LiteLLM treats tag budgets as an Enterprise feature and refuses to start without
        C(LITELLM_LICENSE); enable it only with a licence. Without it, team budgets are enforced
        through the teams in LiteLLM's database (M(baremetal.ai_platform.litellm_team)).
    type: bool
    default: false
  vllm_provider:
    description:
      - LiteLLM provider a C(vllm) provider's deployments use. V(openai) reaches the endpoint as a generic
        OpenAI-compatible server; V(hosted_vllm) is LiteLLM's vLLM provider.
      - LiteLLM keys C(provider_budget_config) by this provider id, so with V(openai) the vLLM deployments
        count toward, and stop with, the C(openai) provider's budget (the module warns). V(hosted_vllm)
        keeps them apart.
    type: str
    choices: [openai, hosted_vllm]
    default: hosted_vllm
  metrics_require_auth:
    description: Whether C(/metrics) needs a LiteLLM key. Prometheus scrapes without one.
    type: bool
    default: false
  replicas:
    description:
      - The most proxy processes that run this config at once (the HPA's maximum). More than one
        needs O(redis_host), without which every proxy keeps its own counters, budgets, cooldowns and cache.
    type: int
    default: 1
  redis_host:
    description: Host of the Redis (or Valkey) the proxies share; empty for none.
    type: str
    default: ''
  redis_port:
    description: Port of that Redis.
    type: int
    default: 6379
  redis_password_env:
    description: Env var holding the Redis password; empty when it needs none.
    type: str
    default: REDIS_PASSWORD
  response_cache:
    description:
      - Answer identical requests from a cache (in Redis with O(redis_host), else in each proxy's memory).
      - A request opts out with C(no-cache=true) in its C(cache) field, a key with the same in
        C(metadata.cache).
    type: bool
    default: false
  response_cache_ttl:
    description: Seconds a cached answer is served.
    type: int
    default: 600
  dest:
    description: Write the config to this file when its content differs. Omit to only return it.
    type: path
  mode:
    description: File mode of O(dest).
    type: raw
    default: '0644'
author:
  - baremetal.ai_platform contributors (@baremetal)
attributes:
  check_mode:
    description: Builds the config and reports whether O(dest) would change; writes nothing.
    support: full
  diff_mode:
    description: Shows the old and new config text of O(dest).
    support: full
'''

EXAMPLES = r'''
- name: Build the gateway config
  baremetal.ai_platform.litellm_config:
    providers: "{{ ai_platform_providers }}"
    model_aliases: "{{ ai_platform_model_aliases }}"
    router: "{{ ai_platform_router }}"
    teams: "{{ ai_platform_teams }}"
    secrets: "{{ ai_platform_secrets }}"
  register: gateway_config

- name: Write it for a local proxy, without a database
  baremetal.ai_platform.litellm_config:
    providers: "{{ ai_platform_providers }}"
    model_aliases: "{{ ai_platform_model_aliases }}"
    router: "{{ ai_platform_router }}"
    secrets: "{{ ai_platform_secrets }}"
    database_url_env: ""
    dest: /etc/litellm/config.yaml
'''

RETURN = r'''
config:
  description: The config as YAML text.
  returned: always
  type: str
sha256:
  description: SHA-256 of the UTF-8 bytes of RV(config).
  returned: always
  type: str
  sample: 3f0c9d8e7b4a1c2d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5
model_ids:
  description: The deployment ids in model_list order.
  returned: always
  type: list
  elements: str
env_secrets:
  description:
    - The O(secrets) entries the config reads (provider keys, master key, database URL, Langfuse keys),
      which the proxy's env Secret must carry. Names where secrets are, holds none.
  returned: always
  type: list
  elements: dict
caps:
  description: Each deployment rpm/tpm with what it caps across O(replicas) (C(nominal), C(effective), C(how)).
  returned: always
  type: list
  elements: dict
'''

import hashlib
import os
import tempfile
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.text.converters import to_bytes, to_text

YAML_IMPORT_ERROR = None
try:
    from ansible_collections.baremetal.ai_platform.plugins.module_utils.manifests import dump_yaml
except ImportError:
    YAML_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.baremetal.ai_platform.plugins.module_utils.litellm_config import (
    build_config,
    check_gateway,
    required_envs,
    rpm_tpm_caps,
    secret_env_entries,
)


def read_text(path):
    if not path or not os.path.exists(path):
        return None
    with open(path, 'rb') as handle:
        return to_text(handle.read())


def write_text(module, path, text):
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        os.makedirs(folder)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.litellm-config-')
    with os.fdopen(fd, 'wb') as handle:
        handle.write(to_bytes(text))
    module.atomic_move(tmp, path)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            providers=dict(type='list', elements='dict', required=True),
            model_aliases=dict(type='list', elements='dict', required=True),
            router=dict(type='dict', default={}),
            teams=dict(type='list', elements='dict', default=[]),
            secrets=dict(type='list', elements='dict', required=True, no_log=False),
            master_key_env=dict(type='str', default='LITELLM_MASTER_KEY', no_log=False),
            database_url_env=dict(type='str', default='DATABASE_URL'),
            langfuse=dict(type='bool', default=True),
            tag_budgets=dict(type='bool', default=False),
            vllm_provider=dict(type='str', choices=['openai', 'hosted_vllm'], default='hosted_vllm'),
            metrics_require_auth=dict(type='bool', default=False),
            replicas=dict(type='int', default=1),
            redis_host=dict(type='str', default=''),
            redis_port=dict(type='int', default=6379),
            redis_password_env=dict(type='str', default='REDIS_PASSWORD', no_log=False),
            response_cache=dict(type='bool', default=False),
            response_cache_ttl=dict(type='int', default=600),
            dest=dict(type='path'),
            mode=dict(type='raw', default='0644'),
        ),
        supports_check_mode=True,
    )
    if YAML_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib('PyYAML'), exception=YAML_IMPORT_ERROR)

    params = module.params
    model = {
        'ai_platform_providers': params['providers'],
        'ai_platform_model_aliases': params['model_aliases'],
        'ai_platform_router': params['router'],
        'ai_platform_teams': params['teams'],
        'ai_platform_secrets': params['secrets'],
        'litellm_hpa_max_replicas': params['replicas'],
        'litellm_redis_enabled': bool(params['redis_host']),
    }
    errors = check_gateway(model, required_envs(params))
    if errors:
        module.fail_json(msg='The LiteLLM config cannot be built: %s' % '; '.join(errors), errors=errors)
    try:
        config, warnings = build_config(model, params)
    except ValueError as exc:
        module.fail_json(msg=to_text(exc), errors=[to_text(exc)])
    for warning in warnings:
        module.warn(warning)

    text = dump_yaml(config)
    result = dict(
        changed=False,
        config=text,
        sha256=hashlib.sha256(to_bytes(text)).hexdigest(),
        model_ids=[entry['model_info']['id'] for entry in config['model_list']],
        env_secrets=secret_env_entries(model, params),
        caps=rpm_tpm_caps(model, params),
    )
    dest = params['dest']
    if dest:
        before = read_text(dest)
        if before != text:
            result['changed'] = True
            if module._diff:
                result['diff'] = dict(before=before or '', after=text, before_header=dest, after_header=dest)
            if not module.check_mode:
                write_text(module, dest, text)
        file_args = module.load_file_common_arguments(dict(path=dest, mode=params['mode']))
        if not module.check_mode or before is not None:
            result['changed'] = module.set_fs_attributes_if_different(file_args, result['changed'])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
