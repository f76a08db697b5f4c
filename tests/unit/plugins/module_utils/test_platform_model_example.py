"""Rules of plugins/module_utils/platform_model.py, on the example inventory and mutations of it."""

import os
from decimal import Decimal

import pytest
import yaml

from ansible_collections.baremetal.ai_platform.plugins.module_utils import platform_model as pm
from helpers import REPO


def _by_name(items, name, key='name'):
    return next(item for item in items if item[key] == name)


def errors_of(model):
    return pm.format_errors(pm.check_platform(model))


def test_example_inventory_is_valid(model):
    assert pm.check_platform(model) == []


def test_lab_inventory_platform_values_are_valid(model):
    with open(os.path.join(REPO, 'inventories', 'lab', 'group_vars', 'all', 'platform.yml')) as handle:
        model.update(yaml.safe_load(handle))
    model['ai_platform_render_dir'] = '/srv/build/lab'
    # The lab's hosts get their addresses from podman at make lab: the site checks need them.
    del model['hosts']
    assert pm.check_platform(model) == []


# (mutation, the whole expected error: the path, the value quoted, and the message with its advice)
def _set(path, value):
    """A mutation setting model[path...] = value; path is a tuple of keys and indexes."""
    def mutate(model):
        target = model
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def _delete(path):
    def mutate(model):
        target = model
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return mutate


CASES = {
    'unknown fallback': (
        _set(('ai_platform_model_aliases', 0, 'fallbacks', 0), 'lokal'),
        "ai_platform_model_aliases[0] (fast).fallbacks[0]: 'lokal' is not a defined alias (defined: fast, local, reasoning)"),
    'fallback to itself': (
        _set(('ai_platform_model_aliases', 1, 'fallbacks'), ['local']),
        "ai_platform_model_aliases[1] (local).fallbacks[0]: 'local' is the alias itself"),
    'duplicate fallback': (
        _set(('ai_platform_model_aliases', 2, 'fallbacks'), ['fast', 'fast']),
        "ai_platform_model_aliases[2] (reasoning).fallbacks[1]: duplicate fallback 'fast' (first at "
        'ai_platform_model_aliases[2] (reasoning).fallbacks[0])'),
    'self-hosted alias falling back to a self-hosted deployment': (
        _set(('ai_platform_model_aliases', 0, 'deployments'), [{'id': 'fast-spark', 'provider': 'spark', 'model': 'qwen3-8b'}]),
        "ai_platform_model_aliases[0] (fast).fallbacks[0]: 'local' has a self-hosted deployment, and so has every "
        "deployment of 'fast': when those are cooled down, LiteLLM 1.108.7 counts the failure against the "
        "fallback's deployment and cools it down too; fall back to an alias of cloud deployments"),
    'alias without deployments': (
        _set(('ai_platform_model_aliases', 0, 'deployments'), []),
        'ai_platform_model_aliases[0] (fast).deployments: is empty: an alias needs at least one deployment'),
    'deployment with unknown provider': (
        _set(('ai_platform_model_aliases', 0, 'deployments', 1, 'provider'), 'antropic'),
        "ai_platform_model_aliases[0] (fast).deployments[1] (fast-anthropic-claude-haiku).provider: 'antropic' "
        'is not a defined provider (defined: anthropic, google, openai, spark)'),
    'duplicate deployment id across aliases': (
        _set(('ai_platform_model_aliases', 2, 'deployments', 0, 'id'), 'fast-openai-gpt-4o-mini'),
        "ai_platform_model_aliases[2] (reasoning).deployments[0] (fast-openai-gpt-4o-mini).id: duplicate deployment id "
        "'fast-openai-gpt-4o-mini' (first at ai_platform_model_aliases[0] (fast).deployments[0] (fast-openai-gpt-4o-mini).id)"),
    'deployment rpm zero': (
        _set(('ai_platform_model_aliases', 0, 'deployments', 0, 'rpm'), 0),
        'ai_platform_model_aliases[0] (fast).deployments[0] (fast-openai-gpt-4o-mini).rpm: 0 must be >= 1'),
    'deployment budget without duration': (
        _set(('ai_platform_model_aliases', 0, 'deployments', 0, 'max_budget'), 5),
        'ai_platform_model_aliases[0] (fast).deployments[0] (fast-openai-gpt-4o-mini).budget_duration: is required'),
    'deployment id not a label': (
        _set(('ai_platform_model_aliases', 0, 'deployments', 0, 'id'), 'Fast_OpenAI'),
        "ai_platform_model_aliases[0] (fast).deployments[0] (Fast_OpenAI).id: 'Fast_OpenAI' is not a valid "
        'deployment id (DNS-1123 label: lowercase letters, digits and -, starting and ending with a letter or '
        'digit, at most 63)'),
    'alias name with uppercase': (
        _set(('ai_platform_model_aliases', 0, 'name'), 'Fast'),
        "ai_platform_model_aliases[0] (Fast).name: 'Fast' is not a valid alias name (DNS-1123 label: lowercase "
        'letters, digits and -, starting and ending with a letter or digit, at most 63)'),
    'duplicate alias': (
        _set(('ai_platform_model_aliases', 2, 'name'), 'fast'),
        "ai_platform_model_aliases[2] (fast).name: duplicate alias name 'fast' (first at ai_platform_model_aliases[0] (fast).name)"),
    'agent with unknown alias': (
        _set(('ai_platform_agents', 0, 'model'), 'gpt4'),
        "ai_platform_agents[0] (doc-fetcher).model: 'gpt4' is not a defined alias (defined: fast, local, reasoning)"),
    'agent with unknown team': (
        _set(('ai_platform_agents', 0, 'team'), 'reserch'),
        "ai_platform_agents[0] (doc-fetcher).team: 'reserch' is not a defined team "
        '(defined: engineering, operations, platform, research, support)'),
    'agent model outside its team': (
        _set(('ai_platform_agents', 5, 'model'), 'reasoning'),
        "ai_platform_agents[5] (ticket-triager).model: 'reasoning' is not in the models of team 'support' (fast, local)"),
    'agent name not a label': (
        _set(('ai_platform_agents', 0, 'name'), 'doc_fetcher'),
        "ai_platform_agents[0] (doc_fetcher).name: 'doc_fetcher' is not a valid agent name (DNS-1123 label: "
        'lowercase letters, digits and -, starting and ending with a letter or digit, at most 63)'),
    'agent name too long': (
        _set(('ai_platform_agents', 0, 'name'), 'a' * 64),
        "ai_platform_agents[0] (%s).name: '%s' is not a valid agent name (DNS-1123 label: lowercase letters, digits "
        "and -, starting and ending with a letter or digit, at most 63)" % ('a' * 64, 'a' * 64)),
    'duplicate agent': (
        _set(('ai_platform_agents', 1, 'name'), 'doc-fetcher'),
        "ai_platform_agents[1] (doc-fetcher).name: duplicate agent name 'doc-fetcher' (first at "
        'ai_platform_agents[0] (doc-fetcher).name)'),
    'agent image latest': (
        _set(('ai_platform_agents', 0, 'image'), 'registry.example.internal:5000/agent-runtime:latest'),
        "ai_platform_agents[0] (doc-fetcher).image: 'registry.example.internal:5000/agent-runtime:latest' is not a "
        'pinned image (name:tag or name@sha256:digest, tag not latest)'),
    'agent image without tag': (
        _set(('ai_platform_agents', 0, 'image'), 'registry.example.internal:5000/agent-runtime'),
        "ai_platform_agents[0] (doc-fetcher).image: 'registry.example.internal:5000/agent-runtime' is not a pinned "
        'image (name:tag or name@sha256:digest, tag not latest)'),
    'agent delegates to an unknown agent': (
        _set(('ai_platform_agents', 0, 'delegates'), ['doc-chunker', 'nobody']),
        "ai_platform_agents[0] (doc-fetcher).delegates[1]: 'nobody' is not another defined agent"),
    'agent delegates to itself': (
        _set(('ai_platform_agents', 0, 'delegates'), ['doc-fetcher']),
        "ai_platform_agents[0] (doc-fetcher).delegates[0]: 'doc-fetcher' is not another defined agent"),
    'cpu request above limit': (
        _set(('ai_platform_agents', 0, 'resources', 'requests', 'cpu'), '2'),
        "ai_platform_agents[0] (doc-fetcher).resources.requests.cpu: '2' is more than the limit '500m'"),
    'memory request above limit': (
        _set(('ai_platform_agents', 0, 'resources', 'requests', 'memory'), '1Gi'),
        "ai_platform_agents[0] (doc-fetcher).resources.requests.memory: '1Gi' is more than the limit '256Mi'"),
    'bad memory quantity': (
        _set(('ai_platform_agents', 0, 'resources', 'limits', 'memory'), '256MB'),
        "ai_platform_agents[0] (doc-fetcher).resources.limits.memory: '256MB' is not a quantity"),
    'min above max replicas': (
        _set(('ai_platform_agents', 0, 'scaling', 'min_replicas'), 5),
        'ai_platform_agents[0] (doc-fetcher).scaling.min_replicas: 5 is more than max_replicas 4'),
    'max replicas zero': (
        _set(('ai_platform_agents', 0, 'scaling', 'max_replicas'), 0),
        'ai_platform_agents[0] (doc-fetcher).scaling.max_replicas: 0 must be >= 1'),
    'lag threshold not a number': (
        _set(('ai_platform_agents', 0, 'scaling', 'lag_threshold'), 'many'),
        "ai_platform_agents[0] (doc-fetcher).scaling.lag_threshold: 'many' is not an integer"),
    'unknown verb': (
        _set(('ai_platform_agents', 13, 'permissions', 0, 'verbs'), ['get', 'read']),
        "ai_platform_agents[13] (incident-summariser).permissions[0].verbs[1]: 'read' is not a Kubernetes verb "
        '(allowed: get, list, watch, create, update, patch, delete, deletecollection, use, bind, escalate, '
        'impersonate, approve, sign)'),
    'wildcard verb': (
        _set(('ai_platform_agents', 13, 'permissions', 0, 'verbs'), ['*']),
        "ai_platform_agents[13] (incident-summariser).permissions[0].verbs[0]: '*' grants every verb, bind, "
        'escalate and impersonate included: list the verbs the agent needs'),
    'wildcard resource': (
        _set(('ai_platform_agents', 13, 'permissions', 0, 'resources'), ['*']),
        "ai_platform_agents[13] (incident-summariser).permissions[0].resources[0]: '*' grants every resource: list "
        'the resources the agent needs'),
    'team model unknown': (
        _set(('ai_platform_teams', 1, 'models'), ['fast', 'local', 'slow']),
        "ai_platform_teams[1] (support).models[2]: 'slow' is not a defined alias (defined: fast, local, reasoning)"),
    'team without models': (
        _set(('ai_platform_teams', 4, 'models'), []),
        'ai_platform_teams[4] (platform).models: is empty: a team needs at least one model alias'),
    'team without budget': (
        _delete(('ai_platform_teams', 0, 'max_budget')),
        'ai_platform_teams[0] (research).max_budget: is required'),
    'team without duration': (
        _delete(('ai_platform_teams', 0, 'budget_duration')),
        'ai_platform_teams[0] (research).budget_duration: is required'),
    'response_cache not a boolean': (
        _set(('ai_platform_teams', 0, 'response_cache'), 'no'),
        "ai_platform_teams[0] (research).response_cache: must be a boolean, got 'no'"),
    'unlimited team with budget': (
        _set(('ai_platform_teams', 4, 'max_budget'), 10),
        'ai_platform_teams[4] (platform): unlimited: true and max_budget are both set: drop one'),
    'negative budget': (
        _set(('ai_platform_teams', 0, 'max_budget'), -1),
        'ai_platform_teams[0] (research).max_budget: -1 must be > 0 (a budget of 0 refuses every request: remove '
        'the entry instead)'),
    'budget not money': (
        _set(('ai_platform_teams', 0, 'max_budget'), 'lots'),
        "ai_platform_teams[0] (research).max_budget: 'lots' is not an amount"),
    'bad duration': (
        _set(('ai_platform_teams', 0, 'budget_duration'), '1 day'),
        "ai_platform_teams[0] (research).budget_duration: '1 day' is not a duration (use <n>s, <n>m, <n>h or <n>d "
        'with n > 0: a week is 7d, a month 30d)'),
    'zero rpm': (
        _set(('ai_platform_teams', 0, 'rpm_limit'), 0),
        'ai_platform_teams[0] (research).rpm_limit: 0 must be >= 1'),
    'fractional tpm': (
        _set(('ai_platform_teams', 0, 'tpm_limit'), 1.5),
        'ai_platform_teams[0] (research).tpm_limit: 1.5 is not an integer'),
    'duplicate team': (
        _set(('ai_platform_teams', 1, 'name'), 'research'),
        "ai_platform_teams[1] (research).name: duplicate team name 'research' (first at ai_platform_teams[0] "
        '(research).name)'),
    'provider key without secret': (
        _set(('ai_platform_providers', 0, 'api_key_env'), 'OPENAI_KEY'),
        "ai_platform_providers[0] (openai).api_key_env: 'OPENAI_KEY' has no entry in ai_platform_secrets (add one "
        'with env: OPENAI_KEY, path and key)'),
    'vllm provider without api_base': (
        _delete(('ai_platform_providers', 3, 'api_base')),
        'ai_platform_providers[3] (spark).api_base: is required'),
    'unknown provider kind': (
        _set(('ai_platform_providers', 0, 'kind'), 'azure'),
        "ai_platform_providers[0] (openai).kind: 'azure' is not a provider kind (known: openai, anthropic, gemini, vllm)"),
    'provider budget duration': (
        _set(('ai_platform_providers', 0, 'budget', 'budget_duration'), '1y'),
        "ai_platform_providers[0] (openai).budget.budget_duration: '1y' is not a duration (use <n>s, <n>m, <n>h or "
        '<n>d with n > 0: a week is 7d, a month 30d)'),
    'duplicate provider': (
        _set(('ai_platform_providers', 1, 'name'), 'openai'),
        "ai_platform_providers[1] (openai).name: duplicate provider name 'openai' (first at "
        'ai_platform_providers[0] (openai).name)'),
    'duplicate secret env': (
        _set(('ai_platform_secrets', 1, 'env'), 'OPENAI_API_KEY'),
        "ai_platform_secrets[1] (OPENAI_API_KEY).env: duplicate env 'OPENAI_API_KEY' (first at ai_platform_secrets[0] (OPENAI_API_KEY).env)"),
    'bad env name': (
        _set(('ai_platform_secrets', 4, 'env'), 'LITELLM-MASTER-KEY'),
        "ai_platform_secrets[4] (LITELLM-MASTER-KEY).env: 'LITELLM-MASTER-KEY' is not an environment variable name"),
    'secret under the generated agents path': (
        _set(('ai_platform_secrets', 0, 'path'), 'ai-platform/agents/doc-fetcher'),
        "ai_platform_secrets[0] (OPENAI_API_KEY).path: 'ai-platform/agents/doc-fetcher' is under "
        "'ai-platform/agents/', where the collection writes the agents' generated secrets"),
    'unknown routing strategy': (
        _set(('ai_platform_router', 'routing_strategy'), 'round-robin'),
        "ai_platform_router.routing_strategy: 'round-robin' is not a LiteLLM routing strategy (known: "
        'simple-shuffle, least-busy, usage-based-routing-v2, latency-based-routing, cost-based-routing)'),
    'negative retries': (
        _set(('ai_platform_router', 'num_retries'), -1),
        'ai_platform_router.num_retries: -1 must be >= 0'),
    'zero timeout': (
        _set(('ai_platform_router', 'timeout'), 0),
        'ai_platform_router.timeout: 0 must be > 0'),
    'even servers': (
        _set(('groups', 'k3s_servers'), ['nuc1', 'nuc2']),
        "groups['k3s_servers']: 2 hosts (nuc1, nuc2): embedded etcd needs an odd number (1, 3, 5...) for quorum"),
    'no servers': (
        _set(('groups', 'k3s_servers'), []),
        "groups['k3s_servers']: 0 hosts (none): embedded etcd needs an odd number (1, 3, 5...) for quorum"),
    'vllm without dgx': (
        _set(('groups', 'dgx'), []),
        "groups['dgx']: is empty but alias(es) local use a vllm provider: add the inference host"),
    'apply without kubeconfig': (
        lambda model: (_set(('ai_platform_apply',), True)(model), _set(('ai_platform_kubeconfig',), '')(model)),
        "ai_platform_kubeconfig: is empty but ai_platform_apply is true: set the path of the cluster's kubeconfig, "
        'or set ai_platform_apply: false to render'),
    'vip not an ip': (
        _set(('k3s_api_vip',), '10.20.0.300'),
        "k3s_api_vip: '10.20.0.300' is not an IP address"),
    'vip a host name': (
        _set(('k3s_api_vip',), 'api.example'),
        "k3s_api_vip: 'api.example' is not an IP address"),
    'interface with space': (
        _set(('k3s_vip_interface',), 'eno 1'),
        "k3s_vip_interface: 'eno 1' is not a network interface name"),
    'site name': (
        _set(('ai_platform_site',), 'My Site'),
        "ai_platform_site: 'My Site' is not a valid site name (DNS-1123 label: lowercase letters, digits and -, "
        'starting and ending with a letter or digit, at most 63)'),
    'domain': (
        _set(('ai_platform_domain',), 'ai..example'),
        "ai_platform_domain: 'ai..example' is not a DNS name"),
    'kubernetes minor': (
        _set(('ai_platform_kubernetes_minor',), '1.33.2'),
        "ai_platform_kubernetes_minor: '1.33.2' is not a Kubernetes minor like '1.33'"),
    'namespace missing': (
        _delete(('ai_platform_namespaces', 'webui')),
        'ai_platform_namespaces.webui: is required'),
    'namespace invalid': (
        _set(('ai_platform_namespaces', 'gateway'), 'AI_Gateway'),
        "ai_platform_namespaces.gateway: 'AI_Gateway' is not a valid namespace (DNS-1123 label: lowercase letters, "
        'digits and -, starting and ending with a letter or digit, at most 63)'),
    'vault address': (
        _set(('ai_platform_vault', 'address'), 'vault:8200'),
        "ai_platform_vault.address: 'vault:8200' is not an http(s) URL"),
    'vault refresh interval': (
        _set(('ai_platform_vault', 'refresh_interval'), '1d'),
        "ai_platform_vault.refresh_interval: '1d' is not a duration like '1h' or '15m'"),
    'vault path prefix slash': (
        _set(('ai_platform_vault', 'path_prefix'), '/ai-platform/'),
        "ai_platform_vault.path_prefix: '/ai-platform/' has a leading or trailing /"),
    'agents not a list': (
        _set(('ai_platform_agents',), 'doc-fetcher'),
        "ai_platform_agents: must be a list, got 'doc-fetcher'"),
    'agent entry not a mapping': (
        _set(('ai_platform_agents', 0), 'doc-fetcher'),
        "ai_platform_agents[0]: must be a mapping, got 'doc-fetcher'"),
    'required variable missing': (
        _delete(('ai_platform_router',)),
        'ai_platform_router: is required'),
}


@pytest.mark.parametrize('mutate, expected', list(CASES.values()), ids=list(CASES))
def test_broken_model_names_path_and_value(model, mutate, expected):
    mutate(model)
    errors = errors_of(model)
    assert expected in errors, errors


def test_every_error_is_reported_at_once(model):
    model['ai_platform_model_aliases'][0]['fallbacks'] = ['lokal']
    model['ai_platform_teams'][0]['max_budget'] = -5
    model['ai_platform_agents'][0]['team'] = 'nobody'
    model['groups']['k3s_servers'] = ['nuc1', 'nuc2']
    paths = [path for path, _message in pm.check_platform(model)]
    assert paths == [
        'ai_platform_model_aliases[0] (fast).fallbacks[0]',
        'ai_platform_teams[0] (research).max_budget',
        'ai_platform_agents[0] (doc-fetcher).team',
        "groups['k3s_servers']",
    ]


def test_garbage_model_reports_instead_of_raising():
    garbage = {'ai_platform_providers': [{'name': 3, 'kind': None}], 'ai_platform_model_aliases': [
        {'name': 'x', 'deployments': 'nope', 'fallbacks': 'y'}], 'ai_platform_teams': [{}],
        'ai_platform_agents': [{'resources': [], 'scaling': 'fast', 'permissions': [1]}],
        'ai_platform_namespaces': [], 'groups': {}}
    errors = errors_of(garbage)
    assert "ai_platform_providers[0].name: must be a string, got 3" in errors
    assert "ai_platform_model_aliases[0] (x).deployments: must be a list, got 'nope'" in errors
    assert 'ai_platform_agents[0].permissions[0]: must be a mapping, got 1' in errors
    assert 'ai_platform_site: is required' in errors


@pytest.mark.parametrize('image', ['registry.example.internal:5000/agent-runtime:1.4.2', 'agent:2',
                                   'ghcr.io/x/agent@sha256:' + 'a' * 64])
def test_pinned_agent_images_pass(model, image):
    model['ai_platform_agents'][0]['image'] = image
    assert errors_of(model) == []


def test_team_with_both_unlimited_and_duration(model):
    model['ai_platform_teams'][4]['budget_duration'] = '1d'
    assert 'ai_platform_teams[4] (platform): unlimited: true and budget_duration are both set: drop one' in errors_of(model)


def test_alias_referencing_vllm_only_through_fallback_needs_no_dgx(model):
    # Only a deployment on a vllm provider needs the DGX; drop the local alias entirely.
    model['ai_platform_model_aliases'] = [a for a in model['ai_platform_model_aliases'] if a['name'] != 'local']
    for alias in model['ai_platform_model_aliases']:
        alias['fallbacks'] = [f for f in alias['fallbacks'] if f != 'local']
    for team in model['ai_platform_teams']:
        team['models'] = [m for m in team['models'] if m != 'local'] or ['fast']
    for agent in model['ai_platform_agents']:
        if agent['model'] == 'local':
            agent['model'] = 'fast'
    model['ai_platform_teams'][4]['models'] = ['fast', 'reasoning']
    model['groups']['dgx'] = []
    assert errors_of(model) == []


@pytest.mark.parametrize('text, seconds', [
    ('30s', 30), ('30m', 1800), ('1h', 3600), ('1d', 86400), ('7d', 604800), ('30d', 2592000),
])
def test_parse_duration(text, seconds):
    assert pm.parse_duration(text) == seconds


@pytest.mark.parametrize('text', ['', '1', '0d', '1y', '1 d', 'd', '-1d', '1.5h', None, 30, '1dd', '2w', '1mo', 'daily', '1D', ' 1h '])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError):
        pm.parse_duration(text)


@pytest.mark.parametrize('value, amount', [(0, 0.0), (40, 40.0), (12.5, 12.5), ('7.25', 7.25), ('0', 0.0)])
def test_parse_money(value, amount):
    assert pm.parse_money(value) == amount


@pytest.mark.parametrize('value', [-0.01, '-3', 'lots', '', None, True, float('nan'), float('inf'), [1]])
def test_parse_money_rejects(value):
    with pytest.raises(ValueError):
        pm.parse_money(value)


@pytest.mark.parametrize('value, base', [
    ('100m', Decimal('0.1')), ('1', 1), (1, 1), (0.5, Decimal('0.5')), ('128Mi', 128 * 2 ** 20),
    ('1Gi', 2 ** 30), ('1G', 10 ** 9), ('1.5Gi', Decimal('1.5') * 2 ** 30), ('2k', 2000),
])
def test_parse_quantity(value, base):
    assert pm.parse_quantity(value) == base


@pytest.mark.parametrize('value', ['256MB', '-1', '1 Gi', 'Gi', '', None, True, '1gi'])
def test_parse_quantity_rejects(value):
    with pytest.raises(ValueError):
        pm.parse_quantity(value)


@pytest.mark.parametrize('value, ok', [
    ('fast', True), ('doc-fetcher', True), ('a', True), ('0day', True), ('a' * 63, True),
    ('a' * 64, False), ('Fast', False), ('-fast', False), ('fast-', False), ('fa_st', False),
    ('fa.st', False), ('', False), (None, False), (7, False),
])
def test_is_dns1123_label(value, ok):
    assert pm.is_dns1123_label(value) is ok


@pytest.mark.parametrize('value, minimum, result', [(3, 1, 3), ('12', 1, 12), (0, 0, 0)])
def test_parse_int(value, minimum, result):
    assert pm.parse_int(value, minimum=minimum) == result


@pytest.mark.parametrize('value', [0, -1, True, 1.0, '1.0', 'x', None])
def test_parse_int_rejects(value):
    with pytest.raises(ValueError):
        pm.parse_int(value)


def test_routing_table_and_budgets(model):
    routing = pm.routing_table(model)
    assert list(routing) == ['fast', 'local', 'reasoning']
    assert routing['reasoning'] == {
        'deployments': [
            {'id': 'reasoning-anthropic-claude-sonnet', 'provider': 'anthropic', 'model': 'claude-sonnet-4-5'},
            {'id': 'reasoning-google-gemini-pro', 'provider': 'google', 'model': 'gemini-2.5-pro'},
        ],
        'fallbacks': ['fast', 'local'],
    }
    budgets = pm.team_budgets(model)
    assert budgets['research'] == {'unlimited': False, 'max_budget': 40.0, 'budget_duration': '1d',
                                   'budget_seconds': 86400, 'rpm_limit': 300, 'tpm_limit': 400000}
    assert budgets['platform']['unlimited'] is True and budgets['platform']['max_budget'] is None


def test_a_wrong_shape_is_reported_once(model):
    model['ai_platform_providers'] = 'openai'
    paths = [path for path, _message in pm.check_platform(model)]
    assert paths.count('ai_platform_providers') == 1
