# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build LiteLLM's proxy config from the inventory model (used by the litellm_config module).

The inventory's own rules (unknown fallback alias, alias without deployment, provider key without
a secret mapping, unknown strategy, negative budgets, bad durations, duplicate ids) come from
platform_model; this file adds what only the gateway needs: rpm/tpm only under a strategy that
enforces them, and the env vars the config itself reads.
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
# least-busy ignores them, so a limit there would be silently unenforced.
RPM_TPM_STRATEGIES = ('usage-based-routing-v2', 'latency-based-routing', 'cost-based-routing')
# Inventory variables the gateway config is built from; check_platform's findings on any other
# variable belong to the validate role, not here.
GATEWAY_VARS = ('ai_platform_providers', 'ai_platform_model_aliases', 'ai_platform_router',
                'ai_platform_teams', 'ai_platform_secrets')
ROUTER_KEYS = ('routing_strategy', 'num_retries', 'allowed_fails', 'cooldown_time', 'timeout')


def litellm_provider(provider, vllm_provider):
    return vllm_provider if provider['kind'] == 'vllm' else MODEL_PREFIX[provider['kind']]


def team_tag(team_name):
    """The request tag a team's key carries; tag_budget_config is keyed by it."""
    return 'team:%s' % team_name


def _inventory_errors(model):
    return [(path, message) for path, message in check_platform(model)
            if path.split('[')[0].split('.')[0] in GATEWAY_VARS]


def _deployment_errors(model):
    """rpm/tpm under a strategy that ignores them; their values and the budgets are platform_model's."""
    errors = []
    strategy = (model.get('ai_platform_router') or {}).get('routing_strategy', 'simple-shuffle')
    if strategy in RPM_TPM_STRATEGIES:
        return errors
    for a_index, alias in enumerate(model.get('ai_platform_model_aliases') or []):
        for d_index, deployment in enumerate(alias.get('deployments') or []):
            path = 'ai_platform_model_aliases[%d] (%s).deployments[%d] (%s)' % (
                a_index, alias.get('name'), d_index, deployment.get('id'))
            for key in ('rpm', 'tpm'):
                if deployment.get(key) is not None:
                    errors.append(('%s.%s' % (path, key),
                                   'is set but ai_platform_router.routing_strategy %s does not enforce it '
                                   '(simple-shuffle uses rpm/tpm only as weights); use one of %s'
                                   % (show(strategy), ', '.join(RPM_TPM_STRATEGIES))))
    return errors


def _env_errors(model, required_envs):
    """Envs the config reads beyond those platform_model already requires (it reports those)."""
    mapped = set(entry.get('env') for entry in model.get('ai_platform_secrets') or [] if isinstance(entry, dict))
    mapped.update(env for env, _reader in REQUIRED_SECRET_ENVS)
    return [('ai_platform_secrets', '%s is read by the LiteLLM config (%s) but has no entry: add one with '
                                    'env: %s, path and key' % (show(env), why, env))
            for env, why in required_envs if env not in mapped]


def check_gateway(model, required_envs):
    """Every problem as 'path: message'; required_envs is a list of (env, what reads it)."""
    return format_errors(_inventory_errors(model) + _deployment_errors(model) + _env_errors(model, required_envs))


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
    if deployment.get('max_budget') is not None:
        params['max_budget'] = _number(deployment['max_budget'])
        params['budget_duration'] = deployment['budget_duration']
    return {'model_name': alias['name'], 'litellm_params': params, 'model_info': {'id': deployment['id']}}


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
    fallbacks = [{alias['name']: list(alias['fallbacks'])} for alias in aliases if alias.get('fallbacks')]
    if fallbacks:
        router_settings['fallbacks'] = fallbacks
    budget_config, warnings = provider_budgets(model['ai_platform_providers'], options['vllm_provider'])
    if budget_config:
        router_settings['provider_budget_config'] = budget_config

    litellm_settings = {
        'callbacks': ['prometheus'],
        # /metrics is reached only from the monitoring namespace (NetworkPolicy); Prometheus has no key.
        'require_auth_for_metrics_endpoint': bool(options['metrics_require_auth']),
        'drop_params': True,
    }
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

    config = {
        'model_list': model_list,
        'router_settings': router_settings,
        'litellm_settings': litellm_settings,
        'general_settings': general_settings,
    }
    return config, warnings


def required_envs(options):
    """(env, reason) pairs the generated config makes LiteLLM read besides provider keys."""
    envs = [(options['master_key_env'], 'general_settings.master_key')]
    if options['database_url_env']:
        envs.append((options['database_url_env'], 'general_settings.database_url'))
    if options['langfuse']:
        envs += [('LANGFUSE_PUBLIC_KEY', 'langfuse callback'), ('LANGFUSE_SECRET_KEY', 'langfuse callback')]
    return envs
