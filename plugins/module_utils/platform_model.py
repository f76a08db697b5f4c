# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory model's cross-field rules, shared by validate_platform and the gateway modules.

``check_platform(model)`` takes the inventory variables by their names (``ai_platform_teams``...)
plus ``groups`` (``{'k3s_servers': [...], 'dgx': [...]}``) and returns every problem at once as
``(path, message)`` pairs, where path names the variable, the list index and the entry's name,
e.g. ``ai_platform_model_aliases[0] (fast).fallbacks[0]``, and message quotes the offending value.
Types are checked too (not only by the role's argument_specs) so a caller that skips the role
still gets a readable error instead of a traceback.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import math
import re
from decimal import Decimal

PROVIDER_KINDS = ('openai', 'anthropic', 'gemini', 'vllm')
ROUTING_STRATEGIES = ('simple-shuffle', 'least-busy', 'usage-based-routing-v2',
                      'latency-based-routing', 'cost-based-routing')
NAMESPACE_KEYS = ('gateway', 'secrets', 'observability', 'messaging', 'workflows', 'agents', 'webui')
# RBAC verbs Kubernetes knows: the resource verbs plus the special ones. '*' is refused on
# purpose: an agent lists what it needs.
K8S_VERBS = ('get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection',
             'use', 'bind', 'escalate', 'impersonate', 'approve', 'sign')

_DNS1123_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
_ENV_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
# LiteLLM budget_duration: <n>s|m|h|d|w|mo, or one of its word aliases.
_DURATION = re.compile(r'^([0-9]+)(s|m|h|d|w|mo)$')
_DURATION_WORDS = {'hourly': '1h', 'daily': '24h', 'weekly': '7d', 'monthly': '30d'}
# A month counts as 30 days here; LiteLLM resets on calendar months, which only matters for display.
_UNIT_SECONDS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800, 'mo': 2592000}
# Go's time.ParseDuration format (External Secrets' refreshInterval).
_GO_DURATION = re.compile(r'^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$')
_QUANTITY = re.compile(r'^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$')
_QUANTITY_FACTOR = {
    None: 1, 'm': Decimal('0.001'), 'k': 10 ** 3, 'M': 10 ** 6, 'G': 10 ** 9, 'T': 10 ** 12,
    'P': 10 ** 15, 'E': 10 ** 18, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40,
    'Pi': 2 ** 50, 'Ei': 2 ** 60,
}
_INTERFACE = re.compile(r'^[^\s/:]{1,15}$')
_MINOR = re.compile(r'^1\.[0-9]+$')
_URL = re.compile(r'^https?://[^\s/]+(/\S*)?$')


def is_dns1123_label(value):
    """True for a Kubernetes object name that is a DNS-1123 label (lowercase, digits, '-', <= 63)."""
    return _is_str(value) and len(value) <= 63 and bool(_DNS1123_LABEL.match(value))


def is_dns1123_subdomain(value):
    """True for a DNS-1123 subdomain: dot-separated labels, <= 253 characters."""
    return (_is_str(value) and 0 < len(value) <= 253
            and all(_DNS1123_LABEL.match(part) for part in value.split('.')))


def parse_duration(value):
    """Seconds in a LiteLLM duration ('30s', '30m', '1h', '1d', '7d', '1mo', 'daily'); ValueError otherwise."""
    text = value.strip().lower() if _is_str(value) else None
    match = _DURATION.match(_DURATION_WORDS.get(text, text)) if text else None
    if not match or int(match.group(1)) == 0:
        raise ValueError('is not a duration (use <n>s, <n>m, <n>h, <n>d, <n>w or <n>mo, n > 0)')
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def parse_money(value):
    """An amount in USD as a float >= 0 (number or numeric string); ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError('is not an amount')
    try:
        amount = float(value)
    except ValueError:
        raise ValueError('is not an amount')
    if math.isnan(amount) or math.isinf(amount):
        raise ValueError('is not an amount')
    if amount < 0:
        raise ValueError('must be >= 0')
    return amount


def parse_quantity(value):
    """A Kubernetes quantity ('100m', '1', 0.5, '128Mi', '1Gi') as a Decimal in base units."""
    if isinstance(value, bool):
        raise ValueError('is not a quantity')
    match = _QUANTITY.match(str(value)) if isinstance(value, (int, float, str)) else None
    if not match:
        raise ValueError('is not a quantity')
    return Decimal(match.group(1)) * _QUANTITY_FACTOR[match.group(2)]


def parse_int(value, minimum=1):
    """An int >= minimum (an int or a string of digits, as Ansible templating may give)."""
    if isinstance(value, bool):
        raise ValueError('is not an integer')
    if _is_str(value) and re.match(r'^[0-9]+$', value.strip()):
        value = int(value)
    if not isinstance(value, int):
        raise ValueError('is not an integer')
    if value < minimum:
        raise ValueError('must be >= %d' % minimum)
    return value


def parse_number(value, minimum=0, strict=False):
    """A number >= minimum (> minimum when strict)."""
    if isinstance(value, bool):
        raise ValueError('is not a number')
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError('is not a number')
    if number < minimum or (strict and number == minimum):
        raise ValueError('must be %s %s' % ('>' if strict else '>=', minimum))
    return number


def show(value):
    """The value as the message quotes it: strings in single quotes, others as Python shows them."""
    if _is_str(value):
        return "'%s'" % value
    return repr(value)


def _is_str(value):
    return isinstance(value, str)


def _entry_path(var, index, entry, key='name'):
    label = entry.get(key) if isinstance(entry, dict) else None
    return '%s[%d] (%s)' % (var, index, label) if _is_str(label) and label else '%s[%d]' % (var, index)


class _Checker(object):
    def __init__(self, model):
        self.model = model
        self.errors = []

    def add(self, path, message):
        self.errors.append((path, message))

    # Typed access: report and return None when the value has the wrong shape.
    def typed(self, path, value, kind, required=True):
        if value is None:
            if required:
                self.add(path, 'is required')
            return None
        names = {list: 'a list', dict: 'a mapping', str: 'a string', bool: 'a boolean'}
        ok = _is_str(value) if kind is str else isinstance(value, kind)
        if not ok:
            self.add(path, 'must be %s, got %s' % (names[kind], show(value)))
            return None
        return value

    def entries(self, var, key='name'):
        """(path, entry) for each mapping of a list variable; reports non-mappings."""
        items = self.typed(var, self.model.get(var), list) or []
        result = []
        for index, entry in enumerate(items):
            path = _entry_path(var, index, entry, key)
            if self.typed(path, entry, dict) is not None:
                result.append((path, entry))
        return result

    def parsed(self, path, value, parser, required=True, **kwargs):
        if value is None:
            if required:
                self.add(path, 'is required')
            return None
        try:
            return parser(value, **kwargs)
        except ValueError as err:
            self.add(path, '%s %s' % (show(value), err))
            return None

    def matches(self, path, value, valid, problem, required=True):
        """A string that must pass valid(value); reports '<value> <problem>'. Returns it when a string."""
        if self.typed(path, value, str, required) is None:
            return None
        if not valid(value):
            self.add(path, '%s %s' % (show(value), problem))
        return value

    def label(self, path, value, what='name'):
        self.matches(path, value, is_dns1123_label, 'is not a valid %s (DNS-1123 label: lowercase letters, '
                     'digits and -, starting and ending with a letter or digit, at most 63)' % what)

    def unique(self, pairs, what):
        """pairs: (path, value); report every repeat of a value seen earlier."""
        seen = {}
        for path, value in pairs:
            if not _is_str(value):
                continue
            if value in seen:
                self.add(path, 'duplicate %s %s (first at %s)' % (what, show(value), seen[value]))
            else:
                seen[value] = path

    def string_list(self, path, value, required=True):
        items = self.typed(path, value, list, required) or []
        result = []
        for index, item in enumerate(items):
            if self.typed('%s[%d]' % (path, index), item, str) is not None:
                result.append(('%s[%d]' % (path, index), item))
        return result


def _names(entries, key='name'):
    return [entry.get(key) for _path, entry in entries if _is_str(entry.get(key))]


def _defined(names):
    return ', '.join(sorted(names)) or 'none'


def check_platform(model):
    """Every problem in the inventory model, as a list of (path, message)."""
    check = _Checker(model)
    _check_site(check)
    provider_entries = _check_providers(check)
    providers = dict((entry['name'], entry.get('kind')) for _path, entry in reversed(provider_entries)
                     if _is_str(entry.get('name')))
    aliases = _check_aliases(check, providers)
    _check_router(check)
    teams = _check_teams(check, aliases)
    _check_agents(check, aliases, teams)
    _check_secrets(check, provider_entries)
    _check_groups(check, providers, aliases)
    return check.errors


def format_errors(errors):
    return ['%s: %s' % pair for pair in errors]


def _check_site(check):
    model = check.model
    check.label('ai_platform_site', model.get('ai_platform_site'), 'site name')
    check.matches('ai_platform_domain', model.get('ai_platform_domain'), is_dns1123_subdomain, 'is not a DNS name')
    apply = model.get('ai_platform_apply', False)
    check.typed('ai_platform_apply', apply, bool)
    kubeconfig = check.typed('ai_platform_kubeconfig', model.get('ai_platform_kubeconfig', ''), str)
    if apply is True and not kubeconfig:
        check.add('ai_platform_kubeconfig', "is empty but ai_platform_apply is true: set the path of the "
                                            "cluster's kubeconfig, or set ai_platform_apply: false to render")
    check.matches('ai_platform_render_dir', model.get('ai_platform_render_dir'), str.strip, 'is empty')
    check.matches('ai_platform_kubernetes_minor', model.get('ai_platform_kubernetes_minor'), _MINOR.match,
                  "is not a Kubernetes minor like '1.33'")
    namespaces = check.typed('ai_platform_namespaces', model.get('ai_platform_namespaces'), dict)
    if namespaces is not None:
        for key in NAMESPACE_KEYS:
            path = 'ai_platform_namespaces.%s' % key
            if key in namespaces:
                check.label(path, namespaces[key], 'namespace')
            else:
                check.add(path, 'is required')
        for key in sorted(set(namespaces) - set(NAMESPACE_KEYS), key=str):
            check.add('ai_platform_namespaces.%s' % key, 'is not a known component (known: %s)' % ', '.join(NAMESPACE_KEYS))
    check.matches('ai_platform_spark_address', model.get('ai_platform_spark_address'),
                  lambda value: _is_ip(value) or is_dns1123_subdomain(value), 'is neither an IP address nor a host name')
    check.matches('k3s_api_vip', model.get('k3s_api_vip'), _is_ip, 'is not an IP address')
    check.matches('k3s_vip_interface', model.get('k3s_vip_interface'), _INTERFACE.match, 'is not a network interface name')
    _check_vault(check)


def _is_ip(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _check_vault(check):
    vault = check.typed('ai_platform_vault', check.model.get('ai_platform_vault'), dict)
    if vault is None:
        return
    check.matches('ai_platform_vault.address', vault.get('address'), _URL.match, 'is not an http(s) URL')
    for key in ('kv_mount', 'path_prefix'):
        check.matches('ai_platform_vault.%s' % key, vault.get(key), lambda value: value and value == value.strip('/ '),
                      'must be a non-empty path without leading or trailing slashes')
    check.matches('ai_platform_vault.secret_store', vault.get('secret_store'), is_dns1123_subdomain,
                  'is not a valid ClusterSecretStore name')
    check.matches('ai_platform_vault.refresh_interval', vault.get('refresh_interval'), _GO_DURATION.match,
                  "is not a duration like '1h' or '15m'")


def _check_budget(check, path, entry, required):
    """max_budget + budget_duration, both or neither (both when required)."""
    max_budget, duration = entry.get('max_budget'), entry.get('budget_duration')
    if required or max_budget is not None or duration is not None:
        check.parsed(path + '.max_budget', max_budget, parse_money)
        check.parsed(path + '.budget_duration', duration, parse_duration)


def _check_limits(check, path, entry, keys):
    """Optional per-minute limits: positive integers."""
    for key in keys:
        check.parsed(path + '.' + key, entry.get(key), parse_int, required=False)


def _check_providers(check):
    """Returns the provider entries as (path, entry)."""
    entries = check.entries('ai_platform_providers')
    for path, provider in entries:
        check.label(path + '.name', provider.get('name'), 'provider name')
        kind = provider.get('kind')
        if check.typed(path + '.kind', kind, str) is not None and kind not in PROVIDER_KINDS:
            check.add(path + '.kind', '%s is not a provider kind (known: %s)' % (show(kind), ', '.join(PROVIDER_KINDS)))
        check.matches(path + '.api_key_env', provider.get('api_key_env'), _ENV_NAME.match,
                      'is not an environment variable name')
        check.matches(path + '.api_base', provider.get('api_base'), _URL.match, 'is not an http(s) URL',
                      required=kind == 'vllm')
        budget = check.typed(path + '.budget', provider.get('budget'), dict, required=False)
        if budget is not None:
            _check_budget(check, path + '.budget', budget, required=True)
    check.unique([(p + '.name', e.get('name')) for p, e in entries], 'provider name')
    return entries


def _check_aliases(check, providers):
    """Returns the alias entries as (path, entry)."""
    entries = check.entries('ai_platform_model_aliases')
    names = set(_names(entries))
    deployment_ids = []
    for path, alias in entries:
        name = alias.get('name')
        check.label(path + '.name', name, 'alias name')
        deployments = check.typed(path + '.deployments', alias.get('deployments'), list)
        if deployments is not None and not deployments:
            check.add(path + '.deployments', 'is empty: an alias needs at least one deployment')
        for index, deployment in enumerate(deployments or []):
            dpath = _entry_path(path + '.deployments', index, deployment, 'id')
            if check.typed(dpath, deployment, dict) is None:
                continue
            check.label(dpath + '.id', deployment.get('id'), 'deployment id')
            deployment_ids.append((dpath + '.id', deployment.get('id')))
            provider = deployment.get('provider')
            if check.typed(dpath + '.provider', provider, str) is not None and provider not in providers:
                check.add(dpath + '.provider', '%s is not a defined provider (defined: %s)' % (show(provider), _defined(providers)))
            check.matches(dpath + '.model', deployment.get('model'), str.strip, 'is empty')
            _check_limits(check, dpath, deployment, ('rpm', 'tpm'))
            _check_budget(check, dpath, deployment, required=False)
        fallbacks = check.string_list(path + '.fallbacks', alias.get('fallbacks'), required=False)
        for fpath, fallback in fallbacks:
            if fallback == name:
                check.add(fpath, '%s is the alias itself' % show(fallback))
            elif fallback not in names:
                check.add(fpath, '%s is not a defined alias (defined: %s)' % (show(fallback), _defined(names)))
        check.unique(fallbacks, 'fallback')
    check.unique([(p + '.name', e.get('name')) for p, e in entries], 'alias name')
    check.unique(deployment_ids, 'deployment id')
    return entries


def _check_router(check):
    router = check.typed('ai_platform_router', check.model.get('ai_platform_router'), dict)
    if router is None:
        return
    strategy = router.get('routing_strategy')
    if check.typed('ai_platform_router.routing_strategy', strategy, str) is not None and strategy not in ROUTING_STRATEGIES:
        check.add('ai_platform_router.routing_strategy', '%s is not a LiteLLM routing strategy (known: %s)'
                  % (show(strategy), ', '.join(ROUTING_STRATEGIES)))
    for key in ('num_retries', 'allowed_fails'):
        check.parsed('ai_platform_router.' + key, router.get(key), parse_int, required=False, minimum=0)
    check.parsed('ai_platform_router.cooldown_time', router.get('cooldown_time'), parse_number, required=False)
    check.parsed('ai_platform_router.timeout', router.get('timeout'), parse_number, required=False, strict=True)


def _check_teams(check, aliases):
    """Returns {team name: set of its models}."""
    entries = check.entries('ai_platform_teams')
    alias_names = set(_names(aliases))
    teams = {}
    for path, team in entries:
        check.label(path + '.name', team.get('name'), 'team name')
        models = check.string_list(path + '.models', team.get('models'))
        if team.get('models') == []:
            check.add(path + '.models', 'is empty: a team needs at least one model alias')
        for mpath, model in models:
            if model not in alias_names:
                check.add(mpath, '%s is not a defined alias (defined: %s)' % (show(model), _defined(alias_names)))
        check.unique(models, 'model')
        unlimited = check.typed(path + '.unlimited', team.get('unlimited', False), bool)
        budget_keys = [key for key in ('max_budget', 'budget_duration') if team.get(key) is not None]
        if unlimited and budget_keys:
            check.add(path, 'unlimited: true and %s are both set: drop one' % ' and '.join(budget_keys))
        elif not unlimited:
            _check_budget(check, path, team, required=True)
        _check_limits(check, path, team, ('rpm_limit', 'tpm_limit'))
        if _is_str(team.get('name')):
            teams.setdefault(team['name'], set(model for _p, model in models))
    check.unique([(p + '.name', e.get('name')) for p, e in entries], 'team name')
    return teams


def _check_agents(check, aliases, teams):
    entries = check.entries('ai_platform_agents')
    alias_names = set(_names(aliases))
    for path, agent in entries:
        check.label(path + '.name', agent.get('name'), 'agent name')
        team, model = agent.get('team'), agent.get('model')
        if check.typed(path + '.team', team, str) is not None and team not in teams:
            check.add(path + '.team', '%s is not a defined team (defined: %s)' % (show(team), _defined(teams)))
        if check.typed(path + '.model', model, str) is not None:
            if model not in alias_names:
                check.add(path + '.model', '%s is not a defined alias (defined: %s)' % (show(model), _defined(alias_names)))
            elif team in teams and model not in teams[team]:
                check.add(path + '.model', '%s is not in the models of team %s (%s)' % (show(model), show(team), _defined(teams[team])))
        check.matches(path + '.image', agent.get('image'), _is_pinned_image,
                      'is not a pinned image (name:tag or name@sha256:digest, tag not latest)', required=False)
        check.string_list(path + '.tools', agent.get('tools'), required=False)
        _check_permissions(check, path + '.permissions', agent.get('permissions'))
        _check_resources(check, path + '.resources', agent.get('resources'))
        _check_scaling(check, path + '.scaling', agent.get('scaling'))
    check.unique([(p + '.name', e.get('name')) for p, e in entries], 'agent name')
    # NATS lets an agent publish sub-tasks only to the agents it delegates to.
    agent_names = set(_names(entries))
    for path, agent in entries:
        for item_path, name in check.string_list(path + '.delegates', agent.get('delegates'), required=False):
            if name not in agent_names or name == agent.get('name'):
                check.add(item_path, '%s is not another defined agent' % show(name))


def _is_pinned_image(image):
    if '@sha256:' in image:
        return True
    # The tag follows the last ':' after the last '/' (a registry may carry a port).
    name, _sep, tag = image.rpartition('/')[2].partition(':')
    return bool(name) and bool(tag) and tag != 'latest' and ' ' not in image


def _check_permissions(check, path, permissions):
    for index, rule in enumerate(check.typed(path, permissions, list, required=False) or []):
        rpath = '%s[%d]' % (path, index)
        if check.typed(rpath, rule, dict) is None:
            continue
        check.string_list(rpath + '.api_groups', rule.get('api_groups'))
        resources = check.string_list(rpath + '.resources', rule.get('resources'))
        if rule.get('resources') == []:
            check.add(rpath + '.resources', 'is empty')
        verbs = check.string_list(rpath + '.verbs', rule.get('verbs'))
        if rule.get('verbs') == []:
            check.add(rpath + '.verbs', 'is empty')
        for vpath, verb in verbs:
            if verb not in K8S_VERBS:
                check.add(vpath, '%s is not a Kubernetes verb (allowed: %s)' % (show(verb), ', '.join(K8S_VERBS)))
        for rspath, resource in resources:
            if resource == '*':
                check.add(rspath, "'*' grants every resource: list the resources the agent needs")


def _check_resources(check, path, resources):
    resources = check.typed(path, resources, dict)
    if resources is None:
        return
    amounts = {}
    for side in ('requests', 'limits'):
        values = check.typed('%s.%s' % (path, side), resources.get(side), dict)
        for key in ('cpu', 'memory'):
            if values is not None:
                amounts[side, key] = check.parsed('%s.%s.%s' % (path, side, key), values.get(key), parse_quantity)
    for key in ('cpu', 'memory'):
        request, limit = amounts.get(('requests', key)), amounts.get(('limits', key))
        if request is not None and limit is not None and request > limit:
            check.add('%s.requests.%s' % (path, key), '%s is more than the limit %s'
                      % (show(resources['requests'][key]), show(resources['limits'][key])))


def _check_scaling(check, path, scaling):
    scaling = check.typed(path, scaling, dict)
    if scaling is None:
        return
    low = check.parsed(path + '.min_replicas', scaling.get('min_replicas'), parse_int, minimum=0)
    high = check.parsed(path + '.max_replicas', scaling.get('max_replicas'), parse_int)
    check.parsed(path + '.lag_threshold', scaling.get('lag_threshold'), parse_int)
    if low is not None and high is not None and low > high:
        check.add(path + '.min_replicas', '%s is more than max_replicas %s' % (show(low), show(high)))


def _check_secrets(check, provider_entries):
    entries = check.entries('ai_platform_secrets', key='env')
    vault = check.model.get('ai_platform_vault')
    prefix = vault.get('path_prefix') if isinstance(vault, dict) else None
    reserved = '%s/agents/' % prefix.strip('/') if _is_str(prefix) and prefix.strip('/') else None
    for path, entry in entries:
        check.matches(path + '.env', entry.get('env'), _ENV_NAME.match, 'is not an environment variable name')
        for key in ('path', 'key'):
            check.matches('%s.%s' % (path, key), entry.get(key), lambda value: value.strip('/ '), 'is empty')
        secret_path = entry.get('path')
        if reserved and _is_str(secret_path) and (secret_path.strip('/') + '/').startswith(reserved):
            check.add(path + '.path', '%s is under %s, where the collection writes the agents\' generated '
                                      'secrets' % (show(secret_path), show(reserved)))
    check.unique([(p + '.env', e.get('env')) for p, e in entries], 'env')
    envs = set(_names(entries, 'env'))
    for path, provider in provider_entries:
        env = provider.get('api_key_env')
        if _is_str(env) and env not in envs:
            check.add(path + '.api_key_env', '%s has no entry in ai_platform_secrets (add one with env: %s, '
                                             'path and key)' % (show(env), env))


def _check_groups(check, providers, aliases):
    groups = check.typed('groups', check.model.get('groups', {}), dict) or {}
    servers = groups.get('k3s_servers') or []
    if len(servers) % 2 == 0:
        check.add("groups['k3s_servers']", '%d hosts (%s): embedded etcd needs an odd number (1, 3, 5...) '
                                           'for quorum' % (len(servers), ', '.join(servers) or 'none'))
    vllm_aliases = sorted(set(
        alias.get('name') for _path, alias in aliases
        for deployment in (alias.get('deployments') if isinstance(alias.get('deployments'), list) else [])
        if isinstance(deployment, dict) and providers.get(deployment.get('provider')) == 'vllm'
        and _is_str(alias.get('name'))))
    if vllm_aliases and not groups.get('dgx'):
        check.add("groups['dgx']", 'is empty but alias(es) %s use a vllm provider: add the inference host'
                  % ', '.join(vllm_aliases))


def routing_table(model):
    """{alias: {'deployments': [{id, provider, model}], 'fallbacks': [...]}} in inventory order."""
    table = {}
    for alias in model.get('ai_platform_model_aliases') or []:
        table[alias['name']] = {
            'deployments': [dict((key, deployment.get(key)) for key in ('id', 'provider', 'model'))
                            for deployment in alias.get('deployments') or []],
            'fallbacks': list(alias.get('fallbacks') or []),
        }
    return table


def team_budgets(model):
    """{team: {unlimited, max_budget, budget_duration, budget_seconds, rpm_limit, tpm_limit}}."""
    budgets = {}
    for team in model.get('ai_platform_teams') or []:
        unlimited = team.get('unlimited', False) is True
        budgets[team['name']] = {
            'unlimited': unlimited,
            'max_budget': None if unlimited else parse_money(team['max_budget']),
            'budget_duration': None if unlimited else team['budget_duration'],
            'budget_seconds': None if unlimited else parse_duration(team['budget_duration']),
            'rpm_limit': team.get('rpm_limit'),
            'tpm_limit': team.get('tpm_limit'),
        }
    return budgets
