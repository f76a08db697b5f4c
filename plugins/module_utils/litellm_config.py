# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build LiteLLM's proxy config from the inventory model (used by the litellm_config module).

The inventory's own rules (unknown fallback alias, alias without deployment, provider key without
a secret mapping, unknown strategy, negative budgets, bad durations, duplicate ids) come from
platform_model; this file adds what only the gateway needs: how rpm/tpm get enforced, per-deployment
budgets and timeouts, the shared Redis state and response cache, and the env vars the config reads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.baremetal.ai_platform.plugins.module_utils.platform_model import (
    REQUIRED_SECRET_ENVS,
    check_platform,
    format_errors,
    parse_int,
    parse_money,
    show,
)

# LiteLLM model prefix per inventory provider kind; vllm's is the vllm_provider option: 'openai'
# (an OpenAI-compatible endpoint) or 'hosted_vllm'. LiteLLM keys provider budgets by this prefix, so
# with 'openai' the Spark shares (and is capped by) the OpenAI provider's budget.
MODEL_PREFIX = {'openai': 'openai', 'anthropic': 'anthropic', 'gemini': 'gemini'}
# Strategies whose deployment filter refuses a deployment over its rpm/tpm (router_strategy/
# lowest_tpm_rpm_v2, lowest_latency, lowest_cost). simple-shuffle only uses them as weights and
# least-busy ignores them: under those the config turns on enable_pre_call_checks, which counts in
# each proxy's memory only.
RPM_TPM_STRATEGIES = ('usage-based-routing-v2', 'latency-based-routing', 'cost-based-routing')
# Inventory variables the gateway config is built from, plus the two gateway settings the shared-state
# rule reads; check_platform's findings on any other variable belong to the validate role, not here.
GATEWAY_VARS = ('ai_platform_providers', 'ai_platform_model_aliases', 'ai_platform_router',
                'ai_platform_teams', 'ai_platform_secrets', 'litellm_hpa_max_replicas', 'litellm_redis_enabled')
ROUTER_KEYS = ('routing_strategy', 'num_retries', 'allowed_fails', 'cooldown_time', 'timeout', 'stream_timeout')
DEPLOYMENT_TIMEOUT_KEYS = ('timeout', 'stream_timeout')
# A timed-out call is neither retried (num_retries would multiply the timeout) nor forgiven: the first
# timeout cools the deployment down at once, on every replica through Redis. allowed_fails alone cannot
# do this: its counter lives cooldown_time seconds, less than one slow timeout. A 429 (the provider's,
# or LiteLLM's own rpm check) is not retried either: the retry would sleep its Retry-After (60 s from
# the rpm check) on a one-deployment alias; the fallback answers instead.
RETRY_POLICY = {'TimeoutErrorRetries': 0, 'RateLimitErrorRetries': 0}
ALLOWED_FAILS_POLICY = {'TimeoutErrorAllowedFails': 0}
# Only self-hosted deployments are ever cooled down; a cloud deployment gets cooldown_time 0. LiteLLM
# 1.108.7 runs the failure callback of an alias's own "no deployments available" 429 (its only
# deployment is cooled down) after the fallback call has written its deployment into the shared
# request kwargs, so that 429 is counted against the fallback's deployment. Cooling those down turned
# a Spark outage into 429s for `fast` too. Cloud deployments fail fast and an alias has several.
COOLED_DOWN_KINDS = ('vllm',)


def litellm_provider(provider, vllm_provider):
    return vllm_provider if provider['kind'] == 'vllm' else MODEL_PREFIX[provider['kind']]


def team_tag(team_name):
    """The request tag a team's key carries; tag_budget_config is keyed by it."""
    return 'team:%s' % team_name


def _inventory_errors(model):
    return [(path, message) for path, message in check_platform(model)
            if path.split('[')[0].split('.')[0] in GATEWAY_VARS]


def _env_errors(model, required_envs):
    """Envs the config reads beyond those platform_model already requires (it reports those)."""
    mapped = set(entry.get('env') for entry in model.get('ai_platform_secrets') or [] if isinstance(entry, dict))
    mapped.update(env for env, _reader in REQUIRED_SECRET_ENVS)
    return [('ai_platform_secrets', '%s is read by the LiteLLM config (%s) but has no entry: add one with '
                                    'env: %s, path and key' % (show(env), why, env))
            for env, why in required_envs if env not in mapped]


def check_gateway(model, required_envs):
    """Every problem as 'path: message'; required_envs is a list of (env, what reads it)."""
    return format_errors(_inventory_errors(model) + _env_errors(model, required_envs))


def _number(value):
    """Money as a float so 200 and 200.0 serialise alike."""
    return float(parse_money(value))


def _deployment_entry(alias, deployment, provider, vllm_provider):
    params = {
        'model': '%s/%s' % (litellm_provider(provider, vllm_provider), deployment['model']),
        'api_key': 'os.environ/%s' % provider['api_key_env'],
    }
    if provider.get('api_base'):
        params['api_base'] = provider['api_base']
    for key in ('rpm', 'tpm'):
        if deployment.get(key) is not None:
            params[key] = parse_int(deployment[key])
    for key in DEPLOYMENT_TIMEOUT_KEYS:
        if deployment.get(key) is not None:
            params[key] = float(deployment[key])
    if deployment.get('max_budget') is not None:
        params['max_budget'] = _number(deployment['max_budget'])
        params['budget_duration'] = deployment['budget_duration']
    model_info = {'id': deployment['id']}
    if provider['kind'] not in COOLED_DOWN_KINDS:
        model_info['cooldown_time'] = 0
    return {'model_name': alias['name'], 'litellm_params': params, 'model_info': model_info}


def has_limits(model):
    return any(deployment.get(key) is not None for alias in model['ai_platform_model_aliases']
               for deployment in alias['deployments'] for key in ('rpm', 'tpm'))


def rpm_tpm_caps(model, options):
    """What each deployment rpm/tpm really caps across the proxies sharing this config (LiteLLM 1.108.7):
    a strategy that counts (RPM_TPM_STRATEGIES) keeps its counters in Redis, synced every 0.1 s, so paced
    traffic is capped at the nominal figure while a burst inside one sync can pass up to (limit - 1) per
    replica; enable_pre_call_checks (the other strategies) counts per proxy, so up to limit x replicas."""
    strategy = (model.get('ai_platform_router') or {}).get('routing_strategy', 'simple-shuffle')
    replicas = options['replicas']
    shared = strategy in RPM_TPM_STRATEGIES and bool(options['redis_host'])
    caps = []
    for alias in model['ai_platform_model_aliases']:
        for deployment in alias['deployments']:
            for key in ('rpm', 'tpm'):
                if deployment.get(key) is None:
                    continue
                nominal = parse_int(deployment[key])
                if replicas <= 1:
                    effective, how = nominal, 'one proxy'
                elif shared:
                    effective, how = max(nominal, (nominal - 1) * replicas), 'shared through Redis (paced: %d)' % nominal
                else:
                    effective, how = nominal * replicas, 'counted per proxy'
                caps.append({'id': deployment['id'], 'limit': key, 'nominal': nominal, 'effective': effective,
                             'how': how})
    return caps


def provider_budgets(providers, vllm_provider):
    """(provider_budget_config, warnings): LiteLLM keys budgets by its own provider id."""
    by_id = {}
    for provider in providers:
        by_id.setdefault(litellm_provider(provider, vllm_provider), []).append(provider)
    config, warnings = {}, []
    for litellm_id, members in sorted(by_id.items()):
        budgeted = [p for p in members if p.get('budget')]
        if not budgeted:
            continue
        if len(budgeted) > 1:
            raise ValueError('ai_platform_providers: %s all reach LiteLLM as provider %s and each has a budget; '
                             'LiteLLM keeps one budget per provider id: keep the budget on one of them'
                             % (', '.join(show(p['name']) for p in budgeted), show(litellm_id)))
        budget = budgeted[0]['budget']
        config[litellm_id] = {'budget_limit': _number(budget['max_budget']),
                              'time_period': budget['budget_duration']}
        others = [p['name'] for p in members if p is not budgeted[0]]
        if others:
            shared = ', '.join(show(name) for name in others)
            warnings.append('provider %s budget is LiteLLM provider %s budget, which also counts and caps %s '
                            '(same LiteLLM provider id): once it is spent those deployments stop too; '
                            'vllm_provider: hosted_vllm gives the vLLM endpoint its own id'
                            % (show(budgeted[0]['name']), show(litellm_id), shared))
    return config, warnings


def build_config(model, options):
    """The proxy config as a dict plus warnings. Call check_gateway first."""
    providers = dict((p['name'], p) for p in model['ai_platform_providers'])
    aliases = model['ai_platform_model_aliases']
    router = model.get('ai_platform_router') or {}

    model_list = [_deployment_entry(alias, deployment, providers[deployment['provider']], options['vllm_provider'])
                  for alias in aliases for deployment in alias['deployments']]

    router_settings = dict((key, router[key]) for key in ROUTER_KEYS if router.get(key) is not None)
    router_settings['retry_policy'] = dict(RETRY_POLICY)
    router_settings['allowed_fails_policy'] = dict(ALLOWED_FAILS_POLICY)
    if has_limits(model) and router_settings.get('routing_strategy', 'simple-shuffle') not in RPM_TPM_STRATEGIES:
        # simple-shuffle and least-busy read rpm/tpm only as weights; the pre-call check refuses a
        # deployment over its limit whatever the strategy.
        router_settings['enable_pre_call_checks'] = True
    fallbacks = [{alias['name']: list(alias['fallbacks'])} for alias in aliases if alias.get('fallbacks')]
    if fallbacks:
        router_settings['fallbacks'] = fallbacks
    budget_config, warnings = provider_budgets(model['ai_platform_providers'], options['vllm_provider'])
    if budget_config:
        router_settings['provider_budget_config'] = budget_config
    redis = _redis_settings(options)
    # Cooldowns, allowed_fails counters, rpm/tpm usage and provider spend live in the router's cache:
    # with Redis every replica sees the same ones.
    router_settings.update(redis)

    litellm_settings = {
        'callbacks': ['prometheus'],
        # /metrics is reached only from the monitoring namespace (NetworkPolicy); Prometheus has no key.
        'require_auth_for_metrics_endpoint': bool(options['metrics_require_auth']),
        'drop_params': True,
    }
    if options['response_cache']:
        # Identical requests are answered from the cache; a request opts out with cache: {no-cache: true}.
        params = dict((key[len('redis_'):], value) for key, value in redis.items()) if redis else {}
        params.update(type='redis' if redis else 'local', ttl=int(options['response_cache_ttl']))
        litellm_settings['cache'] = True
        litellm_settings['cache_params'] = params
    if options['langfuse']:
        # Host and keys come from LANGFUSE_HOST / LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY in env.
        litellm_settings['success_callback'] = ['langfuse']
        litellm_settings['failure_callback'] = ['langfuse']
    if options['tag_budgets']:
        tags = dict((team_tag(team['name']), {'max_budget': _number(team['max_budget']),
                                              'budget_duration': team['budget_duration']})
                    for team in model.get('ai_platform_teams') or [] if not team.get('unlimited'))
        if tags:
            litellm_settings['tag_budget_config'] = tags

    general_settings = {'master_key': 'os.environ/%s' % options['master_key_env']}
    if options['database_url_env']:
        general_settings['database_url'] = 'os.environ/%s' % options['database_url_env']

    for cap in rpm_tpm_caps(model, options):
        if cap['effective'] != cap['nominal']:
            warnings.append('deployment %s %s %d is %s: up to %d a minute across %d replicas'
                            % (show(cap['id']), cap['limit'], cap['nominal'], cap['how'], cap['effective'],
                               options['replicas']))

    config = {
        'model_list': model_list,
        'router_settings': router_settings,
        'litellm_settings': litellm_settings,
        'general_settings': general_settings,
    }
    return config, warnings


def _redis_settings(options):
    if not options['redis_host']:
        return {}
    settings = {'redis_host': options['redis_host'], 'redis_port': int(options['redis_port'])}
    if options['redis_password_env']:
        settings['redis_password'] = 'os.environ/%s' % options['redis_password_env']
    return settings


def secret_env_entries(model, options):
    """The ai_platform_secrets entries the config reads (provider keys and required_envs), in inventory
    order: what the proxy's env Secret must carry."""
    wanted = set(provider['api_key_env'] for provider in model['ai_platform_providers'])
    wanted.update(env for env, _why in required_envs(options))
    return [entry for entry in model.get('ai_platform_secrets') or [] if entry.get('env') in wanted]


def required_envs(options):
    """(env, reason) pairs the generated config makes LiteLLM read besides provider keys."""
    envs = [(options['master_key_env'], 'general_settings.master_key')]
    if options['database_url_env']:
        envs.append((options['database_url_env'], 'general_settings.database_url'))
    if options['langfuse']:
        envs += [('LANGFUSE_PUBLIC_KEY', 'langfuse callback'), ('LANGFUSE_SECRET_KEY', 'langfuse callback')]
    return envs
