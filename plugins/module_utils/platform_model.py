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

import difflib
import ipaddress
import math
import re
from decimal import Decimal

from ansible_collections.baremetal.ai_platform.plugins.module_utils.cron import CronError, max_interval_seconds

try:
    from urllib.parse import urlsplit
except ImportError:  # Python 2 (ansible-test sanity imports module_utils under it)
    from urlparse import urlsplit

PROVIDER_KINDS = ('openai', 'anthropic', 'gemini', 'vllm')
ROUTING_STRATEGIES = ('simple-shuffle', 'least-busy', 'usage-based-routing-v2',
                      'latency-based-routing', 'cost-based-routing')
NAMESPACE_KEYS = ('gateway', 'secrets', 'observability', 'messaging', 'workflows', 'agents', 'webui')
# ai_platform_vault.secret_store prefixes each namespace's store name: <store>-<namespace> fits 253.
SECRET_STORE_MAX = 253 - 1 - 63
# Every inventory variable with the platform's prefix; anything else starting with it is a typo.
KNOWN_VARIABLES = ('ai_platform_site', 'ai_platform_domain', 'ai_platform_apply', 'ai_platform_kubeconfig',
                   'ai_platform_render_dir', 'ai_platform_kubernetes_minor', 'ai_platform_namespaces',
                   'ai_platform_spark_address', 'ai_platform_providers', 'ai_platform_model_aliases',
                   'ai_platform_router', 'ai_platform_teams', 'ai_platform_agents', 'ai_platform_vault',
                   'ai_platform_secrets', 'ai_platform_backup', 'ai_platform_litellm_url',
                   'ai_platform_alerting', 'ai_platform_gitops')
_PREFIX = 'ai_platform_'
# Namespaces the cluster or a shipped component already owns: a platform namespace there would get
# the restricted Pod Security label and a default-deny policy on top of what runs in it.
RESERVED_NAMESPACES = {
    'kube-system': 'the Kubernetes system namespace (k3s, kube-vip and the HelmCharts run there)',
    'kube-public': 'a Kubernetes system namespace',
    'kube-node-lease': 'a Kubernetes system namespace',
    'default': "the cluster's default namespace",
    'keda': "KEDA's namespace (keda role)",
    'ai-ingress': "the ingress controller's and cert-manager's namespace (ingress role)",
}
# NATS users and service identities the platform already uses (roles/nats: the NACK controller's
# user, the server's system account; the components that talk to NATS or own a ServiceAccount).
RESERVED_AGENT_NAMES = ('nack', 'sys', 'system', 'keda', 'nats', 'litellm', 'open-webui', 'langfuse',
                        'vault', 'external-secrets', 'argo', 'prometheus', 'default', 'agents')
# Names Kubernetes controllers derive from an agent name, each a DNS-1123 label (<= 63): the
# Deployment's pods (ReplicaSet hash up to 10 + pod suffix 5), KEDA's HPA for the ScaledObject,
# the agent's ClusterRole.
AGENT_DERIVED_NAMES = (('pod', 'agent-%s-xxxxxxxxxx-xxxxx'), ('KEDA HPA', 'keda-hpa-agent-%s'),
                       ('ClusterRole', 'ai-platform-agent-%s'))
# ai_platform_secrets entries the platform's own components read (fixed env names in the roles).
REQUIRED_SECRET_ENVS = (('LITELLM_MASTER_KEY', 'the LiteLLM master key (litellm, agents)'),
                        ('DATABASE_URL', "LiteLLM's database (litellm)"),
                        ('LANGFUSE_PUBLIC_KEY', 'the Langfuse project key (langfuse, litellm)'),
                        ('LANGFUSE_SECRET_KEY', 'the Langfuse project key (langfuse, litellm)'))
# Agents share one namespace: these rules would let one agent take another's keys or widen its own
# rights. (resource, why); a rule naming one of them is refused whatever its verbs.
ESCALATING_RESOURCES = {
    'secrets': "every agent's LiteLLM key and NATS password are Secrets in the shared agents namespace",
    'serviceaccounts/token': "mints tokens for any ServiceAccount, another agent's included",
    'roles': 'lets the agent grant itself rights',
    'rolebindings': 'lets the agent grant itself rights',
    'clusterroles': 'lets the agent grant itself rights',
    'clusterrolebindings': 'lets the agent grant itself cluster-wide rights',
    'pods/exec': "runs commands in other agents' pods",
    'pods/attach': "attaches to other agents' pods",
    'pods/portforward': "reaches other agents' pods",
    'pods/proxy': "reaches other agents' pods",
    'services/proxy': 'reaches every Service through the API server',
    'nodes/proxy': "is the kubelet API: commands in any pod on the node",
    'certificatesigningrequests/approval': 'approves client certificates for any identity',
    'mutatingwebhookconfigurations': 'rewrites every object the cluster admits',
    'validatingwebhookconfigurations': 'changes what the cluster admits',
}
# Creating or changing workloads in the shared namespace runs a pod as any ServiceAccount there.
WORKLOAD_RESOURCES = ('pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs',
                      'replicationcontrollers')
WRITE_VERBS = ('create', 'update', 'patch')
ESCALATING_VERBS = {'bind': 'grants roles the agent does not hold', 'escalate': 'raises its own roles',
                    'impersonate': 'acts as another user, group or ServiceAccount'}
# vLLM settings an inventory may set on the dgx hosts (the vllm role's tunables): how each parses.
VLLM_SETTINGS = (('vllm_max_model_len', 'int', {}), ('vllm_max_num_seqs', 'int', {}),
                 ('vllm_gpu_memory_utilization', 'number', {'strict': True, 'maximum': 1}),
                 ('vllm_gpu_memory_utilization_max', 'number', {'strict': True, 'maximum': 1}),
                 ('vllm_port', 'int', {'maximum': 65535}), ('vllm_memory_total_gb', 'number', {'strict': True}),
                 ('vllm_model_weights_gb', 'number', {'strict': True}),
                 ('vllm_kv_cache_bytes_per_token', 'int', {}), ('vllm_runtime_overhead_gb', 'number', {}),
                 ('vllm_health_timeout', 'int', {}), ('vllm_pull_timeout', 'int', {}))
_TENSOR_PARALLEL_FLAGS = ('--tensor-parallel-size', '-tp', '--pipeline-parallel-size', '-pp')
# RBAC verbs Kubernetes knows: the resource verbs plus the special ones. '*' is refused on
# purpose: an agent lists what it needs.
K8S_VERBS = ('get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection',
             'use', 'bind', 'escalate', 'impersonate', 'approve', 'sign')

_DNS1123_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
_ENV_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
# Budget durations: the part of LiteLLM's grammar (litellm_core_utils/duration_parser: <n>s|m|h|d|w|mo,
# hourly/daily/weekly/monthly) that is a fixed period, so the observability role can turn it into a
# Prometheus burn-rate window: <n>s, <n>m, <n>h or <n>d, lowercase, n > 0. A week is 7d, a month 30d.
_DURATION = re.compile(r'^([0-9]+)(s|m|h|d)$')
_UNIT_SECONDS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400}
# Go's time.ParseDuration format (External Secrets' refreshInterval), one term at a time.
_GO_DURATION = re.compile(r'^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$')
_GO_TERM = re.compile(r'([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h)')
_GO_UNIT_SECONDS = {'ns': Decimal('1e-9'), 'us': Decimal('1e-6'), 'ms': Decimal('0.001'), 's': 1, 'm': 60, 'h': 3600}
_QUANTITY = re.compile(r'^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$')
_QUANTITY_FACTOR = {
    None: 1, 'm': Decimal('0.001'), 'k': 10 ** 3, 'M': 10 ** 6, 'G': 10 ** 9, 'T': 10 ** 12,
    'P': 10 ** 15, 'E': 10 ** 18, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40,
    'Pi': 2 ** 50, 'Ei': 2 ** 60,
}
_INTERFACE = re.compile(r'^[^\s/:]{1,15}$')
# Alert groups the platform's rules carry as their `area` label (observability and backup roles),
# the severities they use, and the receiver kinds Alertmanager gets from ai_platform_alerting.
ALERT_AREAS = ('budget', 'gateway', 'spark', 'backup')
ALERT_SEVERITIES = ('critical', 'warning')
RECEIVER_KINDS = ('webhook', 'email')
# Alertmanager's own receiver for alerts nobody is meant to see (the chart's default route).
RESERVED_RECEIVERS = ('null',)
_HOST_PORT = re.compile(r'^([A-Za-z0-9.-]+):([0-9]{1,5})$')
_EMAIL = re.compile(r'^[^@\s]+@[A-Za-z0-9.-]+$')
_MINOR = re.compile(r'^1\.[0-9]+$')
_IMAGE_DIGEST = re.compile(r'[^@\s]@sha256:[0-9a-f]{64}$')
_URL = re.compile(r'^https?://[^\s/]+(/\S*)?$')


def is_dns1123_label(value):
    """True for a Kubernetes object name that is a DNS-1123 label (lowercase, digits, '-', <= 63)."""
    return _is_str(value) and len(value) <= 63 and bool(_DNS1123_LABEL.match(value))


def is_dns1123_subdomain(value):
    """True for a DNS-1123 subdomain: dot-separated labels, <= 253 characters."""
    return (_is_str(value) and 0 < len(value) <= 253
            and all(_DNS1123_LABEL.match(part) for part in value.split('.')))


def parse_duration(value):
    """Seconds in a budget duration ('30s', '30m', '1h', '1d', '7d', '30d'); ValueError otherwise."""
    match = _DURATION.match(value) if _is_str(value) else None
    if not match or int(match.group(1)) == 0:
        raise ValueError('is not a duration (use <n>s, <n>m, <n>h or <n>d with n > 0: a week is 7d, '
                         'a month 30d)')
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def parse_go_duration(value):
    """Seconds in a Go duration ('1h', '15m', '1h30m') that is at least a second; ValueError otherwise."""
    if not _is_str(value) or not _GO_DURATION.match(value):
        raise ValueError("is not a duration like '1h' or '15m'")
    seconds = sum(Decimal(number) * _GO_UNIT_SECONDS[unit] for number, unit in _GO_TERM.findall(value))
    if seconds < 1:
        raise ValueError('is %s: re-reading Vault less than a second apart (0 means never) is refused; '
                         "use at least '1s', for example '1h'" % ('zero' if seconds == 0 else 'under a second'))
    return seconds


def parse_url(value):
    """(scheme, host, port) of an http(s) URL with a host and a usable port; ValueError otherwise."""
    if not _is_str(value) or not _URL.match(value):
        raise ValueError('is not an http(s) URL')
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        raise ValueError('has a port that is not a number from 1 to 65535')
    if not parts.hostname:
        raise ValueError('has no host')
    if port is not None and not 0 < port <= 65535:
        raise ValueError('has port %d, which is not a number from 1 to 65535' % port)
    if _is_ip(parts.hostname) and _unusable_ip(parts.hostname):
        raise ValueError('points at %s, %s' % (parts.hostname, _unusable_ip(parts.hostname)))
    return parts.scheme, parts.hostname, port


def vault_path_problem(value):
    """Why a Vault path would not stay where it is written (it normalises elsewhere), or None."""
    if not value.strip():
        return 'is empty'
    if value != value.strip():
        return 'has leading or trailing spaces'
    if value.startswith('/') or value.endswith('/'):
        return 'has a leading or trailing /'
    segments = value.split('/')
    if '' in segments:
        return "has an empty segment ('//')"
    if '.' in segments or '..' in segments:
        return "has a '.' or '..' segment, so it resolves to another path"
    if any(char in value for char in '*+"'):
        return "has '*', '+' or '\"', which a Vault policy granting the path would read as a wildcard or its end"
    return None


def parse_money(value, strict=False):
    """An amount in USD as a float >= 0 (> 0 when strict; number or numeric string); ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError('is not an amount')
    try:
        amount = float(value)
    except ValueError:
        raise ValueError('is not an amount')
    if math.isnan(amount) or math.isinf(amount):
        raise ValueError('is not an amount')
    if amount < 0 or (strict and amount == 0):
        raise ValueError('must be > 0 (a budget of 0 refuses every request: remove the entry instead)'
                         if strict else 'must be >= 0')
    return amount


def parse_quantity(value, unit=None):
    """A Kubernetes quantity ('100m', '1', 0.5, '128Mi', '1Gi') as a Decimal in base units, > 0.

    unit='cpu' allows only cores or millicores; unit='memory' requires a byte suffix (a bare number
    is bytes, and 'm' is thousandths of a byte: both are slips for Mi).
    """
    if isinstance(value, bool):
        raise ValueError('is not a quantity')
    match = _QUANTITY.match(str(value)) if isinstance(value, (int, float, str)) else None
    if not match:
        raise ValueError('is not a quantity')
    suffix = match.group(2)
    if unit == 'cpu' and suffix not in (None, 'm'):
        raise ValueError("is not a CPU quantity: use cores ('1', '0.5') or millicores ('500m')")
    if unit == 'memory' and suffix in (None, 'm'):
        raise ValueError("is not a memory quantity: give a unit, for example '256Mi' or '1Gi' (%s)"
                         % ('a bare number is bytes' if suffix is None else "'m' means thousandths of a byte"))
    amount = Decimal(match.group(1)) * _QUANTITY_FACTOR[suffix]
    if amount <= 0:
        raise ValueError('must be more than 0')
    return amount


def parse_int(value, minimum=1, maximum=None):
    """An int >= minimum and <= maximum when given (an int or a string of digits, as templating may give)."""
    if isinstance(value, bool):
        raise ValueError('is not an integer')
    if _is_str(value) and re.match(r'^[0-9]+$', value.strip()):
        value = int(value)
    if not isinstance(value, int):
        raise ValueError('is not an integer')
    if value < minimum:
        raise ValueError('must be >= %d' % minimum)
    if maximum is not None and value > maximum:
        raise ValueError('must be <= %d' % maximum)
    return value


def parse_number(value, minimum=0, strict=False, maximum=None):
    """A number >= minimum (> minimum when strict), and <= maximum when given."""
    if isinstance(value, bool):
        raise ValueError('is not a number')
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError('is not a number')
    if math.isnan(number) or math.isinf(number):
        raise ValueError('is not a number')
    if number < minimum or (strict and number == minimum):
        raise ValueError('must be %s %s' % ('>' if strict else '>=', minimum))
    if maximum is not None and number > maximum:
        raise ValueError('must be <= %s' % maximum)
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

    def label(self, path, value, what):
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


# The longest agent name every derived name still fits.
_AGENT_NAME_MAX = min(63 - len(pattern % '') for _what, pattern in AGENT_DERIVED_NAMES)


def check_platform(model):
    """Every problem in the inventory model, as a list of (path, message).

    Besides the variables, model may carry what the inventory says about hosts: ``groups`` (host
    names per group), ``hosts`` ({host: its ansible_host, None for none}), ``variables`` ({host:
    [the ai_platform_* names in its hostvars]}), ``vllm`` ({dgx host: {vllm_* settings the
    inventory sets}}) and ``k3s_api_vip_prefix`` (the servers' subnet length, 24 when absent).
    """
    check = _Checker(model)
    _check_variable_names(check)
    _check_site(check)
    provider_entries = _check_providers(check)
    providers = dict((entry['name'], entry.get('kind')) for _path, entry in reversed(provider_entries)
                     if _is_str(entry.get('name')))
    aliases = _check_aliases(check, providers)
    _check_router(check)
    teams = _check_teams(check, aliases)
    _check_agents(check, aliases, teams)
    _check_secrets(check, provider_entries)
    _check_alerting(check)
    _check_groups(check, providers, aliases)
    _check_gateway_timeouts(check, aliases)
    _check_fallback_cooldowns(check, providers, aliases)
    _check_gateway_shared_state(check)
    return check.errors


def format_errors(errors):
    return ['%s: %s' % pair for pair in errors]


def _check_variable_names(check):
    """An ai_platform_* variable nobody reads is a typo whose intended value silently stays default."""
    variables = {}
    for host, names in sorted((check.model.get('variables') or {}).items()):
        for name in names or []:
            variables.setdefault(name, []).append(host)
    for name in sorted(set(variables) - set(KNOWN_VARIABLES)):
        if not name.startswith(_PREFIX):
            continue
        # Compared without the shared prefix, which would make every name look close.
        close = difflib.get_close_matches(name[len(_PREFIX):], [known[len(_PREFIX):] for known in KNOWN_VARIABLES],
                                          n=1, cutoff=0.6)
        close = [_PREFIX + suffix for suffix in close]
        hosts = variables[name]
        where = ', '.join(hosts) if len(hosts) <= 3 else '%s and %d more hosts' % (', '.join(hosts[:3]), len(hosts) - 3)
        check.add(name, 'is not a known variable (set for %s)%s' % (
            where, "; did you mean '%s'?" % close[0] if close else ': the platform reads only %s' % ', '.join(KNOWN_VARIABLES)))


def _check_namespaces(check, namespaces):
    for key in NAMESPACE_KEYS:
        path = 'ai_platform_namespaces.%s' % key
        if key not in namespaces:
            check.add(path, 'is required')
            continue
        value = namespaces[key]
        check.label(path, value, 'namespace')
        if not _is_str(value):
            continue
        if value in RESERVED_NAMESPACES:
            check.add(path, '%s is %s: the platform labels its namespaces restricted and puts a default-deny '
                            'policy in them; pick a namespace of its own' % (show(value), RESERVED_NAMESPACES[value]))
        elif value.startswith('kube-'):
            check.add(path, "%s starts with 'kube-', which Kubernetes reserves for its system namespaces" % show(value))
    for key in sorted(set(namespaces) - set(NAMESPACE_KEYS), key=str):
        check.add('ai_platform_namespaces.%s' % key, 'is not a known component (known: %s)' % ', '.join(NAMESPACE_KEYS))
    check.unique([('ai_platform_namespaces.%s' % key, namespaces.get(key)) for key in NAMESPACE_KEYS],
                 'namespace (each component group needs its own: their policies and quotas differ)')


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
        _check_namespaces(check, namespaces)
    spark = check.matches('ai_platform_spark_address', model.get('ai_platform_spark_address'),
                          lambda value: _is_ip(value) or is_dns1123_subdomain(value),
                          'is neither an IP address nor a host name')
    if spark and _is_ip(spark) and _unusable_ip(spark):
        check.add('ai_platform_spark_address', '%s is %s' % (show(spark), _unusable_ip(spark)))
    check.matches('k3s_vip_interface', model.get('k3s_vip_interface'), _INTERFACE.match, 'is not a network interface name')
    _check_vault(check)
    _check_backup(check)
    _check_gitops(check, apply)


def _is_ip(value):
    try:
        ipaddress.ip_address(u'%s' % value)
    except ValueError:
        return False
    return True


def _unusable_ip(value):
    """Why an IP address cannot be where a service listens for other machines, or None."""
    address = ipaddress.ip_address(u'%s' % value)
    for test, why in (('is_unspecified', 'the unspecified address (any interface), not one machine'),
                      ('is_loopback', 'a loopback address: each machine would reach itself'),
                      ('is_multicast', 'a multicast address'),
                      ('is_link_local', 'a link-local address')):
        if getattr(address, test):
            return why
    if address.version == 4 and value == '255.255.255.255':
        return 'the broadcast address'
    return None


def _check_vault(check):
    vault = check.typed('ai_platform_vault', check.model.get('ai_platform_vault'), dict)
    if vault is None:
        return
    check.parsed('ai_platform_vault.address', vault.get('address'), parse_url)
    for key in ('kv_mount', 'path_prefix'):
        _check_vault_path(check, 'ai_platform_vault.%s' % key, vault.get(key))
    # Each namespace reads through its own store, <secret_store>-<namespace> (platform_names.secret_reader):
    # room for a 63-character namespace.
    check.matches('ai_platform_vault.secret_store', vault.get('secret_store'),
                  lambda value: is_dns1123_subdomain(value) and len(value) <= SECRET_STORE_MAX,
                  'is not a valid ClusterSecretStore name prefix (DNS-1123 subdomain of at most %d characters: '
                  '<secret_store>-<namespace> names each namespace\'s store)' % SECRET_STORE_MAX)
    check.parsed('ai_platform_vault.refresh_interval', vault.get('refresh_interval'), parse_go_duration)


def _cron_schedule(value):
    if not _is_str(value):
        raise ValueError('is not a cron schedule')
    try:
        max_interval_seconds(value)
    except CronError as err:
        raise ValueError('is not a usable cron schedule: %s' % err)
    return value


def _check_backup(check):
    backup = check.typed('ai_platform_backup', check.model.get('ai_platform_backup'), dict, required=False)
    if not backup:
        return
    target = backup.get('target')
    if target not in ('nfs', 's3', 'none'):
        check.add('ai_platform_backup.target', '%s must be one of nfs, s3, none' % show(target))
        return
    if target == 'nfs':
        nfs = check.typed('ai_platform_backup.nfs', backup.get('nfs'), dict) or {}
        check.matches('ai_platform_backup.nfs.server', nfs.get('server'), lambda v: bool(v.strip()) and ' ' not in v,
                      'is not a host name or address')
        check.matches('ai_platform_backup.nfs.path', nfs.get('path'),
                      lambda v: v.startswith('/') and '..' not in v.split('/') and '//' not in v,
                      'must be an absolute export path without .. or //')
    if target == 's3':
        s3 = check.typed('ai_platform_backup.s3', backup.get('s3'), dict) or {}
        url = check.parsed('ai_platform_backup.s3.endpoint', s3.get('endpoint'), parse_url)
        if url is not None and not str(s3.get('endpoint')).startswith('https://'):
            check.add('ai_platform_backup.s3.endpoint', '%s must be https: credentials travel with each request'
                      % show(s3.get('endpoint')))
        check.matches('ai_platform_backup.s3.bucket', s3.get('bucket'), is_dns1123_subdomain,
                      'is not a valid bucket name (lowercase letters, digits, . and -)')
    check.parsed('ai_platform_backup.retention', backup.get('retention'), parse_int, required=False)
    schedule = check.typed('ai_platform_backup.schedule', backup.get('schedule'), dict, required=False) or {}
    for component in sorted(schedule):
        if component not in ('etcd', 'vault', 'postgres'):
            check.add('ai_platform_backup.schedule.%s' % component, 'is not a component (etcd, vault, postgres)')
        else:
            check.parsed('ai_platform_backup.schedule.%s' % component, schedule[component], _cron_schedule)


# What Flux's GitRepository accepts (spec.url) and a Git branch name it can check out.
_GIT_URL = re.compile(r'^(https?|ssh)://[^\s/]+(/\S*)?$')
_GIT_BRANCH = re.compile(r'^(?!/)(?!.*(\.\.|//|@\{|\.lock$|/$))[^\s~^:?*\[\\]+$')


def _repository_path_problem(value):
    parts = value.strip('/').split('/')
    if value.startswith('/'):
        return 'must be relative to the repository root (clusters/<site>), not an absolute path'
    if not value.strip('./') or '..' in parts or '' in parts:
        return 'must name a folder inside the repository, without .., // or an empty path'
    return None


def _check_gitops(check, apply):
    """The Git repository Flux syncs a rendered site from; required when rendering."""
    if check.model.get('ai_platform_gitops') is None:
        if apply is False:
            check.add('ai_platform_gitops', 'is required when ai_platform_apply is false: the url (and branch, path) '
                                            'of the Git repository Flux syncs ai_platform_render_dir from')
        return
    gitops = check.typed('ai_platform_gitops', check.model['ai_platform_gitops'], dict)
    if gitops is None:
        return
    for key in sorted(set(gitops) - {'url', 'branch', 'path', 'secret'}, key=str):
        check.add('ai_platform_gitops.%s' % key, 'is not a setting (known: url, branch, path, secret)')
    check.matches('ai_platform_gitops.url', gitops.get('url'), _GIT_URL.match,
                  'is not an http(s):// or ssh:// URL (ssh://git@host/org/repo.git; Flux refuses scp-like git@host:repo)')
    check.matches('ai_platform_gitops.branch', gitops.get('branch'), _GIT_BRANCH.match, 'is not a Git branch name',
                  required=False)
    path = check.typed('ai_platform_gitops.path', gitops.get('path'), str, required=False)
    if path is not None and _repository_path_problem(path):
        check.add('ai_platform_gitops.path', '%s %s' % (show(path), _repository_path_problem(path)))
    if gitops.get('secret'):
        check.matches('ai_platform_gitops.secret', gitops.get('secret'), is_dns1123_subdomain,
                      'is not a Secret name (DNS-1123 subdomain)')


def _check_vault_path(check, path, value):
    if check.typed(path, value, str) is not None and vault_path_problem(value):
        check.add(path, '%s %s' % (show(value), vault_path_problem(value)))


def _check_budget(check, path, entry, required):
    """max_budget + budget_duration, both or neither (both when required)."""
    max_budget, duration = entry.get('max_budget'), entry.get('budget_duration')
    if required or max_budget is not None or duration is not None:
        check.parsed(path + '.max_budget', max_budget, parse_money, strict=True)
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
        check.parsed(path + '.api_base', provider.get('api_base'), parse_url, required=kind == 'vllm')
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
        # false: the team's agents' keys opt out of the gateway's response cache (a team whose
        # identical prompts must reach the model every time).
        check.typed(path + '.response_cache', team.get('response_cache', True), bool)
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
        _check_agent_name(check, path + '.name', agent.get('name'))
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


def _check_agent_name(check, path, name):
    check.label(path, name, 'agent name')
    if not is_dns1123_label(name):
        return
    if name in RESERVED_AGENT_NAMES:
        check.add(path, '%s is an identity the platform already uses (NATS user, ServiceAccount or component: %s); '
                        'two would share credentials' % (show(name), ', '.join(RESERVED_AGENT_NAMES)))
    for what, pattern in AGENT_DERIVED_NAMES:
        derived = pattern % name
        if len(derived) > 63:
            check.add(path, '%s is too long: its %s name %s would have %d characters (at most 63); keep agent names '
                            'to %d' % (show(name), what, show(derived), len(derived), _AGENT_NAME_MAX))
            break


def _is_pinned_image(image):
    if ' ' in image:
        return False
    if '@' in image:
        # A digest is 64 lowercase hex digits (what the image_ref filter writes too).
        return bool(_IMAGE_DIGEST.search(image))
    # The tag follows the ':' after the last '/' (a registry may carry a port; a tag has no ':').
    name, _sep, tag = image.rpartition('/')[2].partition(':')
    return bool(name) and bool(tag) and tag != 'latest'


def _check_permissions(check, path, permissions):
    for index, rule in enumerate(check.typed(path, permissions, list, required=False) or []):
        rpath = '%s[%d]' % (path, index)
        if check.typed(rpath, rule, dict) is None:
            continue
        for gpath, group in check.string_list(rpath + '.api_groups', rule.get('api_groups')):
            if group == '*':
                check.add(gpath, "'*' grants every API group, present and future: list the groups the agent needs")
        resources = check.string_list(rpath + '.resources', rule.get('resources'))
        if rule.get('resources') == []:
            check.add(rpath + '.resources', 'is empty')
        verbs = check.string_list(rpath + '.verbs', rule.get('verbs'))
        if rule.get('verbs') == []:
            check.add(rpath + '.verbs', 'is empty')
        verb_names = set(verb for _vpath, verb in verbs)
        for vpath, verb in verbs:
            if verb == '*':
                check.add(vpath, "'*' grants every verb, bind, escalate and impersonate included: list the verbs "
                                 "the agent needs")
            elif verb in ESCALATING_VERBS:
                check.add(vpath, '%s %s: an agent may not escalate its rights' % (show(verb), ESCALATING_VERBS[verb]))
            elif verb not in K8S_VERBS:
                check.add(vpath, '%s is not a Kubernetes verb (allowed: %s)' % (show(verb), ', '.join(K8S_VERBS)))
        for rspath, resource in resources:
            base = resource.split('/')[0]
            if resource == '*' or resource.endswith('/*'):
                check.add(rspath, '%s grants every resource: list the resources the agent needs' % show(resource))
            elif resource in ESCALATING_RESOURCES or base in ('secrets', 'roles', 'rolebindings', 'clusterroles',
                                                              'clusterrolebindings'):
                check.add(rspath, '%s is refused for agents: %s' % (
                    show(resource), ESCALATING_RESOURCES.get(resource, ESCALATING_RESOURCES.get(base))))
            elif base in WORKLOAD_RESOURCES and verb_names & set(WRITE_VERBS + ('*',)):
                check.add(rspath, '%s with %s is refused for agents: a workload it starts in the shared namespace can '
                                  "run as any agent's ServiceAccount and mount its secrets" % (
                                      show(resource), ', '.join(sorted(verb_names & set(WRITE_VERBS + ('*',))))))


def _check_resources(check, path, resources):
    resources = check.typed(path, resources, dict)
    if resources is None:
        return
    amounts = {}
    for side in ('requests', 'limits'):
        values = check.typed('%s.%s' % (path, side), resources.get(side), dict)
        for key in ('cpu', 'memory'):
            if values is not None:
                amounts[side, key] = check.parsed('%s.%s.%s' % (path, side, key), values.get(key), parse_quantity,
                                                  unit=key)
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
        _check_vault_path(check, path + '.path', entry.get('path'))
        check.matches(path + '.key', entry.get('key'), lambda value: value.strip('/ '), 'is empty')
        secret_path = entry.get('path')
        if reserved and _is_str(secret_path) and (secret_path.strip('/') + '/').startswith(reserved):
            check.add(path + '.path', '%s is under %s, where the collection writes the agents\' generated '
                                      'secrets' % (show(secret_path), show(reserved)))
    check.unique([(p + '.env', e.get('env')) for p, e in entries], 'env')
    envs = set(_names(entries, 'env'))
    for env, reader in REQUIRED_SECRET_ENVS:
        if check.model.get('ai_platform_secrets') is not None and env not in envs:
            check.add('ai_platform_secrets', 'has no entry for %s, %s: add one with env: %s, path and key'
                      % (show(env), reader, env))
    for path, provider in provider_entries:
        env = provider.get('api_key_env')
        if _is_str(env) and env not in envs:
            check.add(path + '.api_key_env', '%s has no entry in ai_platform_secrets (add one with env: %s, '
                                             'path and key)' % (show(env), env))


def alert_secret_envs(alerting):
    """The ai_platform_secrets envs the alert receivers read (webhook URLs, SMTP passwords), in order."""
    envs = []
    for receiver in (alerting or {}).get('receivers') or []:
        for kind, key in (('webhook', 'url_env'), ('email', 'password_env')):
            env = (receiver.get(kind) or {}).get(key) if isinstance(receiver, dict) else None
            if _is_str(env) and env not in envs:
                envs.append(env)
    return envs


def _check_alerting(check):
    alerting = check.typed('ai_platform_alerting', check.model.get('ai_platform_alerting'), dict, required=False)
    if not alerting:
        return
    for key in sorted(set(alerting) - {'receivers'}):
        check.add('ai_platform_alerting.%s' % key, 'is not a setting (known: receivers)')
    entries = []
    for index, receiver in enumerate(check.typed('ai_platform_alerting.receivers', alerting.get('receivers'), list) or []):
        path = _entry_path('ai_platform_alerting.receivers', index, receiver)
        if check.typed(path, receiver, dict) is not None:
            entries.append((path, receiver))
    for path, receiver in entries:
        check.label(path + '.name', receiver.get('name'), 'receiver name')
        if receiver.get('name') in RESERVED_RECEIVERS:
            check.add(path + '.name', "%s is Alertmanager's receiver for alerts sent nowhere" % show(receiver.get('name')))
        for field, known in (('areas', ALERT_AREAS), ('severities', ALERT_SEVERITIES)):
            for item_path, item in check.string_list(path + '.' + field, receiver.get(field), required=False):
                if item not in known:
                    check.add(item_path, '%s is not one of %s' % (show(item), ', '.join(known)))
        kinds = [kind for kind in RECEIVER_KINDS if kind in receiver]
        if not kinds:
            check.add(path, 'has neither webhook nor email: a receiver needs at least one')
        for key in sorted(set(receiver) - {'name', 'areas', 'severities'} - set(RECEIVER_KINDS)):
            check.add('%s.%s' % (path, key), 'is not a receiver setting (known: name, areas, severities, %s)'
                      % ', '.join(RECEIVER_KINDS))
        webhook = check.typed(path + '.webhook', receiver.get('webhook'), dict, required=False)
        if webhook is not None:
            check.matches(path + '.webhook.url_env', webhook.get('url_env'), _ENV_NAME.match,
                          'is not an environment variable name')
            check.parsed(path + '.webhook.port', webhook.get('port'), parse_int, required=False, maximum=65535)
        email = check.typed(path + '.email', receiver.get('email'), dict, required=False)
        if email is not None:
            _check_email(check, path + '.email', email)
    check.unique([(p + '.name', e.get('name')) for p, e in entries], 'receiver name')
    secrets = check.model.get('ai_platform_secrets')
    envs = set(entry.get('env') for entry in secrets if isinstance(entry, dict)) if isinstance(secrets, list) else set()
    for path, receiver in entries:
        for kind, key in (('webhook', 'url_env'), ('email', 'password_env')):
            env = (receiver.get(kind) or {}).get(key) if isinstance(receiver.get(kind), dict) else None
            if _is_str(env) and env not in envs:
                check.add('%s.%s.%s' % (path, kind, key), '%s has no entry in ai_platform_secrets (add one with '
                                                          'env: %s, path and key)' % (show(env), env))


def _check_email(check, path, email):
    for item_path, item in check.string_list(path + '.to', email.get('to')):
        if not _EMAIL.match(item):
            check.add(item_path, '%s is not an e-mail address' % show(item))
    check.matches(path + '.from', email.get('from'), _EMAIL.match, 'is not an e-mail address')
    smarthost = check.matches(path + '.smarthost', email.get('smarthost'), _HOST_PORT.match,
                              'is not host:port (the SMTP server and its port, e.g. smtp.example.org:587)')
    if smarthost and _HOST_PORT.match(smarthost) and not 0 < int(_HOST_PORT.match(smarthost).group(2)) <= 65535:
        check.add(path + '.smarthost', '%s has a port that is not a number from 1 to 65535' % show(smarthost))
    username = check.typed(path + '.username', email.get('username'), str, required=False)
    password = email.get('password_env')
    if password is not None:
        check.matches(path + '.password_env', password, _ENV_NAME.match, 'is not an environment variable name')
    if (username is None) != (password is None):
        check.add(path, 'sets %s without %s: SMTP login needs both or neither'
                  % (('username', 'password_env') if password is None else ('password_env', 'username')))


def _check_groups(check, providers, aliases):
    groups = check.typed('groups', check.model.get('groups', {}), dict) or {}
    servers = groups.get('k3s_servers') or []
    _check_host_roles(check, groups)
    _check_vip(check, servers)
    _check_vllm(check)
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


def _check_fallback_cooldowns(check, providers, aliases):
    """Only self-hosted (vllm) deployments are cooled down. When every deployment of an alias is cooled
    down, LiteLLM 1.108.7 may count the alias's own 429 against the deployment its fallback picks: a
    self-hosted deployment there would be cooled down by another alias's outage."""
    def self_hosted(alias):
        deployments = alias.get('deployments') if isinstance(alias.get('deployments'), list) else []
        return [providers.get(d.get('provider')) == 'vllm' for d in deployments if isinstance(d, dict)]

    by_name = dict((alias.get('name'), alias) for _path, alias in aliases if _is_str(alias.get('name')))
    for path, alias in aliases:
        kinds = self_hosted(alias)
        if not kinds or not all(kinds) or not isinstance(alias.get('fallbacks'), list):
            continue
        for index, fallback in enumerate(alias['fallbacks']):
            if _is_str(fallback) and fallback in by_name and any(self_hosted(by_name[fallback])):
                check.add('%s.fallbacks[%d]' % (path, index),
                          '%s has a self-hosted deployment, and so has every deployment of %s: when those '
                          'are cooled down, LiteLLM 1.108.7 counts the failure against the fallback\'s '
                          'deployment and cools it down too; fall back to an alias of cloud deployments'
                          % (show(fallback), show(alias.get('name'))))


def _check_gateway_timeouts(check, aliases):
    """Seconds the router waits: positive numbers."""
    router = check.model.get('ai_platform_router')
    if isinstance(router, dict):
        check.parsed('ai_platform_router.stream_timeout', router.get('stream_timeout'), parse_number,
                     required=False, strict=True)
    for path, alias in aliases:
        deployments = alias.get('deployments') if isinstance(alias.get('deployments'), list) else []
        for index, deployment in enumerate(deployments):
            if not isinstance(deployment, dict):
                continue
            dpath = _entry_path(path + '.deployments', index, deployment, 'id')
            for key in ('timeout', 'stream_timeout'):
                check.parsed('%s.%s' % (dpath, key), deployment.get(key), parse_number, required=False, strict=True)


def _check_gateway_shared_state(check):
    """More than one LiteLLM proxy needs the shared Redis: without it each keeps its own rpm counters,
    provider budgets, cooldowns and cache, so every cap is multiplied by the replica count."""
    replicas = check.model.get('litellm_hpa_max_replicas')
    if replicas is None:
        return
    replicas = check.parsed('litellm_hpa_max_replicas', replicas, parse_int)
    redis = check.typed('litellm_redis_enabled', check.model.get('litellm_redis_enabled', False), bool)
    if replicas is not None and replicas > 1 and redis is False:
        check.add('litellm_redis_enabled', 'is false but up to %d LiteLLM proxies (litellm_hpa_max_replicas) '
                                           'share the config: without Redis each keeps its own rate-limit '
                                           'counters, provider budgets, cooldowns and cache, so every cap is '
                                           'multiplied by %d; set litellm_redis_enabled: true' % (replicas, replicas))


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


# Groups a host may not share: a k3s server is not also an agent or the inference host (vLLM's
# container runtime and memory share would fight the control plane). A dgx host may be a k3s agent.
_EXCLUSIVE_GROUPS = (('k3s_servers', 'k3s_agents'), ('k3s_servers', 'dgx'))


def _check_host_roles(check, groups):
    for first, second in _EXCLUSIVE_GROUPS:
        for host in sorted(set(groups.get(first) or []) & set(groups.get(second) or [])):
            check.add("groups['%s']" % second, '%s is also in %s: a host has one role (%s or %s)'
                      % (show(host), first, first, second))
    for group in ('k3s_servers', 'k3s_agents', 'dgx'):
        if 'localhost' in (groups.get(group) or []):
            check.add("groups['%s']" % group, "'localhost' is the controller the platform plays run on, not a machine "
                                              'of the cluster: list the machine under its own name')
    hosts = check.model.get('hosts') or {}
    machines = sorted(set(host for group in ('k3s_servers', 'k3s_agents', 'dgx') for host in groups.get(group) or []))
    seen = {}
    for host in machines:
        address = hosts.get(host) or host
        if address in seen:
            check.add("hostvars['%s'].ansible_host" % host, '%s is also the address of %s: one machine in two roles'
                      % (show(address), seen[address]))
        seen.setdefault(address, host)


def _check_vip(check, servers):
    vip = check.matches('k3s_api_vip', check.model.get('k3s_api_vip'), _is_ip, 'is not an IP address')
    if not vip or not _is_ip(vip):
        return
    if _unusable_ip(vip):
        check.add('k3s_api_vip', '%s is %s' % (show(vip), _unusable_ip(vip)))
        return
    hosts = check.model.get('hosts') or {}
    for host, address in sorted(hosts.items()):
        if address == vip:
            check.add('k3s_api_vip', '%s is the address of host %s: kube-vip would announce a machine\'s own '
                                     'address and the API would follow whoever answers ARP' % (show(vip), show(host)))
    prefix = check.parsed('k3s_api_vip_prefix', check.model.get('k3s_api_vip_prefix', 24), parse_int,
                          minimum=1, maximum=128)
    server_ips = [(host, hosts.get(host)) for host in servers if _is_ip(hosts.get(host))]
    if prefix is None or not server_ips:
        return
    for host, address in server_ips:
        ip = ipaddress.ip_address(u'%s' % address)
        if ip.version != ipaddress.ip_address(u'%s' % vip).version or prefix > ip.max_prefixlen:
            network = None
        else:
            network = ipaddress.ip_network(u'%s/%d' % (address, prefix), strict=False)
        if network is None or ipaddress.ip_address(u'%s' % vip) not in network:
            check.add('k3s_api_vip', '%s is outside the subnet of k3s server %s (%s/%d): kube-vip announces it by ARP, '
                                     'so it must be on the servers\' LAN (k3s_api_vip_prefix sets the subnet length)'
                      % (show(vip), host, address, prefix))
            return


def _check_vllm(check):
    settings = check.model.get('vllm') or {}
    for host in sorted(settings):
        # A value still holding a template (a default computed from host facts) is the role's to check.
        values = dict((name, value) for name, value in (settings[host] or {}).items()
                      if not (_is_str(value) and '{{' in value))
        parsed = {}
        for name, kind, kwargs in VLLM_SETTINGS:
            path = "hostvars['%s'].%s" % (host, name)
            parsed[name] = check.parsed(path, values.get(name), parse_int if kind == 'int' else parse_number,
                                        required=False, **kwargs)
        _check_vllm_memory(check, host, parsed)
        extra = values.get('vllm_extra_args')
        args = [str(arg) for arg in extra] if isinstance(extra, list) else []
        for index, arg in enumerate(args):
            flag, _sep, inline = arg.partition('=')
            if flag in _TENSOR_PARALLEL_FLAGS:
                value = inline if _sep else (args[index + 1] if index + 1 < len(args) else None)
                check.parsed("hostvars['%s'].vllm_extra_args[%d] (%s)" % (host, index, flag), value, parse_int)


def _check_vllm_memory(check, host, parsed):
    """The vllm role's two memory rules, here so they fail before hosts.yml changes any machine."""
    share, share_max = parsed['vllm_gpu_memory_utilization'], parsed['vllm_gpu_memory_utilization_max']
    path = "hostvars['%s'].vllm_gpu_memory_utilization" % host
    if share is not None and share_max is not None and share >= share_max:
        check.add(path, '%s must stay below vllm_gpu_memory_utilization_max %s: the GPU shares its memory with the '
                        'OS, the container runtime and k3s' % (show(share), show(share_max)))
        return
    names = ('vllm_model_weights_gb', 'vllm_kv_cache_bytes_per_token', 'vllm_max_model_len', 'vllm_max_num_seqs',
             'vllm_runtime_overhead_gb', 'vllm_memory_total_gb')
    if share is None or any(parsed[name] is None for name in names):
        return
    kv_cache = parsed['vllm_kv_cache_bytes_per_token'] * parsed['vllm_max_model_len'] * parsed['vllm_max_num_seqs'] / 1024.0 ** 3
    needed = parsed['vllm_model_weights_gb'] + kv_cache + parsed['vllm_runtime_overhead_gb']
    budget = parsed['vllm_memory_total_gb'] * share
    if needed > budget:
        check.add("hostvars['%s'].vllm_max_model_len" % host,
                  '%s x vllm_max_num_seqs %s needs about %.1f GB (weights %s + KV cache %.1f + overhead %s) but '
                  'vllm_gpu_memory_utilization %s x vllm_memory_total_gb %s gives %.1f GB: lower one of them'
                  % (show(parsed['vllm_max_model_len']), show(parsed['vllm_max_num_seqs']), needed,
                     show(parsed['vllm_model_weights_gb']), kv_cache, show(parsed['vllm_runtime_overhead_gb']),
                     show(share), show(parsed['vllm_memory_total_gb']), budget))
