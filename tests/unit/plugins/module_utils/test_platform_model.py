"""platform_model's rules that keep a cluster whole: each refused input names its path and value."""

import os

import pytest
import yaml

from ansible_collections.baremetal.ai_platform.plugins.module_utils import litellm_config as lc
from ansible_collections.baremetal.ai_platform.plugins.module_utils import platform_model as pm
from helpers import REPO


def errors(model):
    return pm.format_errors(pm.check_platform(model))


def refused(model, expected):
    found = errors(model)
    assert any(expected in error for error in found), found


def test_example_passes(model):
    assert errors(model) == []


# --- namespaces ---------------------------------------------------------------------------------

@pytest.mark.parametrize('value, why', [
    ('kube-system', 'the Kubernetes system namespace'), ('kube-public', 'a Kubernetes system namespace'),
    ('kube-node-lease', 'a Kubernetes system namespace'), ('default', "the cluster's default namespace"),
    ('keda', "KEDA's namespace"), ('ai-ingress', "the ingress controller's and cert-manager's namespace"),
    ('kube-flannel', "starts with 'kube-'"),
])
def test_reserved_namespace_refused(model, value, why):
    model['ai_platform_namespaces']['gateway'] = value
    refused(model, "ai_platform_namespaces.gateway: '%s' " % value)
    refused(model, why)


def test_duplicate_namespace_found_past_a_value_that_is_not_a_string(model):
    model['ai_platform_namespaces']['gateway'] = 5
    model['ai_platform_namespaces']['webui'] = model['ai_platform_namespaces']['agents']
    refused(model, 'ai_platform_namespaces.webui: duplicate namespace')


def test_two_components_in_one_namespace_refused(model):
    model['ai_platform_namespaces']['webui'] = 'ai-gateway'
    refused(model, "ai_platform_namespaces.webui: duplicate namespace")


# --- agent RBAC ---------------------------------------------------------------------------------

def _permission(model, api_groups, resources, verbs):
    model['ai_platform_agents'][0]['permissions'] = [
        {'api_groups': api_groups, 'resources': resources, 'verbs': verbs}]
    return 'ai_platform_agents[0] (doc-fetcher).permissions[0].'


@pytest.mark.parametrize('resource', sorted(pm.ESCALATING_RESOURCES))
def test_escalating_resource_refused_whatever_the_verb(model, resource):
    path = _permission(model, [''], [resource], ['get'])
    refused(model, "%sresources[0]: '%s' is refused for agents" % (path, resource))


@pytest.mark.parametrize('verb', sorted(pm.ESCALATING_VERBS))
def test_escalating_verb_refused(model, verb):
    path = _permission(model, ['rbac.authorization.k8s.io'], ['events'], [verb])
    refused(model, "%sverbs[0]: '%s' %s" % (path, verb, pm.ESCALATING_VERBS[verb]))


@pytest.mark.parametrize('field, value', [('api_groups', '*'), ('verbs', '*'), ('resources', '*'),
                                          ('resources', 'deployments/*')])
def test_wildcards_refused(model, field, value):
    rule = {'api_groups': [''], 'resources': ['events'], 'verbs': ['get']}
    rule[field] = [value]
    path = _permission(model, rule['api_groups'], rule['resources'], rule['verbs'])
    refused(model, "%s%s[0]: '%s' grants every" % (path, field, value))


@pytest.mark.parametrize('resource', pm.WORKLOAD_RESOURCES)
def test_workload_writes_refused_reads_allowed(model, resource):
    path = _permission(model, ['', 'apps', 'batch'], [resource], ['get', 'list', 'watch'])
    assert errors(model) == []
    _permission(model, ['', 'apps', 'batch'], [resource], ['get', 'create'])
    refused(model, "%sresources[0]: '%s' with create is refused" % (path, resource))


def test_read_only_rules_of_the_example_pass(model):
    _permission(model, ['metrics.k8s.io'], ['pods', 'nodes'], ['get', 'list'])
    assert errors(model) == []


# --- agent names --------------------------------------------------------------------------------

@pytest.mark.parametrize('name', pm.RESERVED_AGENT_NAMES)
def test_reserved_agent_name_refused(model, name):
    model['ai_platform_agents'][0]['name'] = name
    refused(model, "ai_platform_agents[0] (%s).name: '%s' is an identity the platform already uses" % (name, name))


def test_nats_controller_user_is_reserved():
    with open(os.path.join(REPO, 'roles', 'nats', 'defaults', 'main.yml')) as handle:
        assert yaml.safe_load(handle)['nats_nack_user'] in pm.RESERVED_AGENT_NAMES


def test_longest_agent_name_that_fits_every_derived_name(model):
    model['ai_platform_agents'][0]['name'] = 'a' * 40
    assert errors(model) == []
    model['ai_platform_agents'][0]['name'] = 'a' * 41
    refused(model, "is too long: its pod name 'agent-%s-xxxxxxxxxx-xxxxx' would have 64 characters" % ('a' * 41))


# --- Vault paths --------------------------------------------------------------------------------

@pytest.mark.parametrize('path, problem', [
    ('a/../b', "'.' or '..' segment"), ('a/./b', "'.' or '..' segment"), ('..', "'.' or '..' segment"),
    ('a//b', 'empty segment'), ('/a/b', 'leading or trailing /'), ('a/b/', 'leading or trailing /'),
    (' a/b', 'leading or trailing spaces'), ('', 'is empty'),
    # A namespace's Vault policy grants its paths by name: these would widen it to other paths.
    ('ai-platform/providers/*', 'wildcard'), ('ai-platform/+/openai', 'wildcard'), ('a"b', 'wildcard'),
])
def test_vault_path_that_normalises_elsewhere_refused(model, path, problem):
    assert problem in pm.vault_path_problem(path)
    model['ai_platform_secrets'][0]['path'] = path
    refused(model, "ai_platform_secrets[0] (OPENAI_API_KEY).path: '%s' " % path)


@pytest.mark.parametrize('key', ['kv_mount', 'path_prefix'])
def test_vault_settings_paths_checked_alike(model, key):
    model['ai_platform_vault'][key] = 'x/../y'
    refused(model, "ai_platform_vault.%s: 'x/../y' has a '.' or '..' segment" % key)


def test_canonical_vault_paths_pass():
    assert pm.vault_path_problem('ai-platform/providers/openai') is None
    assert pm.vault_path_problem('a.b/c..d') is None


# --- addresses ----------------------------------------------------------------------------------

@pytest.mark.parametrize('vip, why', [('0.0.0.0', 'unspecified'), ('::', 'unspecified'), ('127.0.0.1', 'loopback'),
                                      ('::1', 'loopback'), ('239.1.1.1', 'multicast'), ('169.254.1.1', 'link-local'),
                                      ('255.255.255.255', 'broadcast')])
def test_unusable_vip_refused(model, vip, why):
    model['k3s_api_vip'] = vip
    refused(model, "k3s_api_vip: '%s' is " % vip)
    refused(model, why)


@pytest.mark.parametrize('host', ['nuc1', 'spark'])
def test_vip_equal_to_a_host_address_refused(model, host):
    model['k3s_api_vip'] = model['hosts'][host]
    refused(model, "k3s_api_vip: '%s' is the address of host '%s'" % (model['hosts'][host], host))


def test_vip_outside_the_servers_subnet_refused_and_prefix_widens_it(model):
    model['k3s_api_vip'] = '10.20.1.10'
    refused(model, "k3s_api_vip: '10.20.1.10' is outside the subnet of k3s server nuc1 (10.20.0.11/24)")
    model['k3s_api_vip_prefix'] = 16
    assert errors(model) == []


def test_subnet_not_checked_for_servers_named_by_host_name(model):
    model['hosts'].update(nuc1='nuc1.lan', nuc2='nuc2.lan', nuc3='nuc3.lan')
    model['k3s_api_vip'] = '192.168.50.10'
    assert errors(model) == []


@pytest.mark.parametrize('first, second', [('k3s_servers', 'dgx'), ('k3s_servers', 'k3s_agents')])
def test_host_in_two_roles_refused(model, first, second):
    model['groups'][second] = model['groups'][second] + ['nuc1']
    refused(model, "groups['%s']: 'nuc1' is also in %s" % (second, first))


@pytest.mark.parametrize('group', ['k3s_servers', 'k3s_agents', 'dgx'])
def test_localhost_in_any_group_refused(model, group):
    model['groups'][group] = model['groups'][group] + ['localhost']
    refused(model, "groups['%s']: 'localhost' is the controller" % group)


def test_every_alias_on_the_spark_is_named_when_there_is_no_dgx(model):
    model['ai_platform_model_aliases'][0]['deployments'].append({'id': 'fast-spark', 'provider': 'spark',
                                                                 'model': 'qwen3-32b'})
    model['groups']['dgx'] = []
    refused(model, "groups['dgx']: is empty but alias(es) fast, local use a vllm provider")


def test_dgx_may_be_a_k3s_agent(model):
    model['groups']['k3s_agents'] = ['spark']
    assert errors(model) == []


def test_two_names_for_one_machine_refused(model):
    model['hosts']['spark'] = '10.20.0.12'
    refused(model, "hostvars['spark'].ansible_host: '10.20.0.12' is also the address of nuc2")


@pytest.mark.parametrize('url, problem', [
    ('https://:8200', 'has no host'), ('https://vault:0', 'has port 0'),
    ('https://vault:70000', 'not a number from 1 to 65535'), ('https://vault:http', 'not a number from 1 to 65535'),
    ('ftp://vault', 'is not an http(s) URL'), ('vault:8200', 'is not an http(s) URL'),
    ('http://0.0.0.0:8200', 'the unspecified address'),
])
def test_url_that_cannot_work_refused(model, url, problem):
    model['ai_platform_vault']['address'] = url
    refused(model, "ai_platform_vault.address: '%s' " % url)
    refused(model, problem)


def test_url_parts():
    assert pm.parse_url('https://vault.example:8200/v1') == ('https', 'vault.example', 8200)
    assert pm.parse_url('http://[fd00::1]/v1') == ('http', 'fd00::1', None)


# --- durations ----------------------------------------------------------------------------------

@pytest.mark.parametrize('text', ['1w', '1mo', 'daily', 'monthly', '1D', '0d', ' 1d'])
def test_budget_duration_outside_the_one_grammar_refused(model, text):
    model['ai_platform_teams'][0]['budget_duration'] = text
    refused(model, "ai_platform_teams[0] (research).budget_duration: '%s' is not a duration" % text)


def test_budget_durations_the_observability_role_can_measure():
    from ansible_collections.baremetal.ai_platform.plugins.filter.team_budget_alerts import _UNITS as units
    for text in ('45s', '30m', '12h', '7d', '30d'):
        assert pm.parse_duration(text) == int(text[:-1]) * units[text[-1]]


@pytest.mark.parametrize('text, seconds', [('1h', 3600), ('15m', 900), ('1h30m', 5400), ('1s', 1), ('1.5h', 5400)])
def test_refresh_interval_parses(text, seconds):
    assert pm.parse_go_duration(text) == seconds


@pytest.mark.parametrize('text, problem', [('0s', 'is zero'), ('0h0m', 'is zero'), ('0', 'is not a duration'),
                                           ('-1h', 'is not a duration'), ('999ms', 'is under a second'), ('', 'is not')])
def test_refresh_interval_that_means_never_refused(model, text, problem):
    model['ai_platform_vault']['refresh_interval'] = text
    refused(model, "ai_platform_vault.refresh_interval: '%s' %s" % (text, problem))


# --- model and vLLM settings --------------------------------------------------------------------

@pytest.mark.parametrize('setting, value, problem', [
    ('vllm_max_model_len', 0, 'must be >= 1'), ('vllm_max_num_seqs', '0', 'must be >= 1'),
    ('vllm_gpu_memory_utilization', 0, 'must be > 0'), ('vllm_gpu_memory_utilization', 1.01, 'must be <= 1'),
    ('vllm_port', 65536, 'must be <= 65535'), ('vllm_port', 0, 'must be >= 1'),
    ('vllm_memory_total_gb', -1, 'must be > 0'), ('vllm_health_timeout', 0, 'must be >= 1'),
])
def test_vllm_setting_out_of_range_refused(model, setting, value, problem):
    model['vllm']['spark'][setting] = value
    refused(model, "hostvars['spark'].%s: %r %s" % (setting, value, problem) if not isinstance(value, str)
            else "hostvars['spark'].%s: '%s' %s" % (setting, value, problem))


@pytest.mark.parametrize('args, index', [(['--tensor-parallel-size', '0'], 0), (['--enforce-eager', '-tp=0'], 1),
                                         (['--pipeline-parallel-size'], 0)])
def test_parallelism_flags_checked(model, args, index):
    model['vllm']['spark']['vllm_extra_args'] = args
    refused(model, "hostvars['spark'].vllm_extra_args[%d] (%s)" % (index, args[index].split('=')[0]))


def test_vllm_settings_within_range_pass(model):
    model['vllm']['spark'] = {'vllm_max_model_len': 8192, 'vllm_gpu_memory_utilization': 1,
                              'vllm_extra_args': ['--tensor-parallel-size', '2'], 'vllm_port': '8000'}
    assert errors(model) == []


def _vllm_defaults():
    with open(os.path.join(REPO, 'roles', 'vllm', 'defaults', 'main.yml')) as handle:
        defaults = yaml.safe_load(handle)
    return dict((name, defaults[name]) for name, _kind, _kw in pm.VLLM_SETTINGS)


def test_gpu_share_at_the_vllm_role_s_maximum_refused(model):
    model['vllm']['spark'] = dict(_vllm_defaults(), vllm_gpu_memory_utilization=0.9)
    refused(model, "hostvars['spark'].vllm_gpu_memory_utilization: 0.9 must stay below vllm_gpu_memory_utilization_max 0.9")


def test_model_that_does_not_fit_the_memory_share_refused(model):
    model['vllm']['spark'] = dict(_vllm_defaults(), vllm_memory_total_gb=128)
    assert errors(model) == []
    model['vllm']['spark']['vllm_max_model_len'] = 131072
    refused(model, "hostvars['spark'].vllm_max_model_len: 131072 x vllm_max_num_seqs 8 needs about 152.0 GB")
    refused(model, 'gives 89.6 GB')


def test_defaults_computed_from_host_facts_are_left_to_the_role(model):
    model['vllm']['spark'] = _vllm_defaults()
    assert '{{' in model['vllm']['spark']['vllm_memory_total_gb']
    assert errors(model) == []


def test_the_validate_role_passes_every_vllm_setting_the_model_checks():
    with open(os.path.join(REPO, 'roles', 'validate', 'vars', 'main.yml')) as handle:
        names = yaml.safe_load(handle)['__validate_vllm_names']
    assert sorted(names) == sorted([name for name, _kind, _kw in pm.VLLM_SETTINGS] + ['vllm_extra_args'])
    with open(os.path.join(REPO, 'roles', 'vllm', 'defaults', 'main.yml')) as handle:
        assert set(names) <= set(yaml.safe_load(handle))


@pytest.mark.parametrize('where, value, problem', [
    (('ai_platform_teams', 0, 'max_budget'), 0, 'must be > 0'),
    (('ai_platform_providers', 0, 'budget', 'max_budget'), 0, 'must be > 0'),
    (('ai_platform_router', 'timeout'), 0, 'must be > 0'),
    (('ai_platform_model_aliases', 0, 'deployments', 0, 'rpm'), 0, 'must be >= 1'),
    (('ai_platform_agents', 0, 'scaling', 'max_replicas'), 0, 'must be >= 1'),
])
def test_zero_model_settings_refused(model, where, value, problem):
    target = model
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    refused(model, problem)


# --- quantities ---------------------------------------------------------------------------------

@pytest.mark.parametrize('side, key, value, problem', [
    ('limits', 'memory', '512', 'a bare number is bytes'), ('limits', 'memory', 512, 'a bare number is bytes'),
    ('requests', 'memory', '128m', "'m' means thousandths of a byte"),
    ('limits', 'cpu', '1Gi', 'is not a CPU quantity'), ('limits', 'cpu', '2k', 'is not a CPU quantity'),
    ('limits', 'cpu', '0', 'must be more than 0'), ('limits', 'memory', '0Mi', 'must be more than 0'),
    ('limits', 'memory', '1 Gi', 'is not a quantity'),
])
def test_quantity_in_the_wrong_unit_refused(model, side, key, value, problem):
    model['ai_platform_agents'][0]['resources'][side][key] = value
    refused(model, 'ai_platform_agents[0] (doc-fetcher).resources.%s.%s: ' % (side, key))
    refused(model, problem)


def test_cpu_as_a_number_passes(model):
    model['ai_platform_agents'][0]['resources'] = {'requests': {'cpu': 0.25, 'memory': '1Gi'},
                                                   'limits': {'cpu': 1, 'memory': '1.5Gi'}}
    assert errors(model) == []


# --- optional settings --------------------------------------------------------------------------

def _remove(model, path):
    """Delete path ('*' matches every list entry) wherever it exists; how many were deleted."""
    *parents, key = path
    targets = [model]
    for step in parents:
        if step == '*':
            targets = [child for target in targets if isinstance(target, list) for child in target]
        else:
            targets = [target.get(step) for target in targets if isinstance(target, dict)]
    found = [target for target in targets if isinstance(target, dict) and key in target]
    for target in found:
        del target[key]
    return len(found)


# Each entry: the paths left out together (a receiver's login is both or neither).
OPTIONAL_SETTINGS = [
    [('ai_platform_alerting',)], [('ai_platform_backup',)], [('ai_platform_apply',), ('ai_platform_kubeconfig',)],
    [('ai_platform_backup', 'retention')], [('ai_platform_backup', 'schedule')],
    [('ai_platform_gitops', 'branch')], [('ai_platform_gitops', 'path')],
    [('ai_platform_model_aliases', '*', 'fallbacks')],
    [('ai_platform_model_aliases', '*', 'deployments', '*', 'timeout'),
     ('ai_platform_model_aliases', '*', 'deployments', '*', 'stream_timeout')],
    [('ai_platform_providers', '*', 'budget')],
    [('ai_platform_teams', '*', 'rpm_limit'), ('ai_platform_teams', '*', 'tpm_limit')],
    [('ai_platform_alerting', 'receivers', '*', 'areas')], [('ai_platform_alerting', 'receivers', '*', 'severities')],
    [('ai_platform_alerting', 'receivers', '*', 'email', 'username'),
     ('ai_platform_alerting', 'receivers', '*', 'email', 'password_env')],
] + [[('ai_platform_router', key)] for key in ('num_retries', 'allowed_fails', 'cooldown_time', 'timeout', 'stream_timeout')] \
  + [[('ai_platform_agents', '*', key)] for key in ('tools', 'delegates', 'permissions')]


@pytest.mark.parametrize('paths', OPTIONAL_SETTINGS, ids=lambda paths: '+'.join('.'.join(path) for path in paths))
def test_optional_setting_left_out_passes(model, paths):
    for path in paths:
        assert _remove(model, path), 'the example has no %s to leave out' % '.'.join(path)
    assert errors(model) == []


# --- variable names -----------------------------------------------------------------------------

@pytest.mark.parametrize('typo, known', [('ai_platform_tems', 'ai_platform_teams'),
                                         ('ai_platform_agent', 'ai_platform_agents'),
                                         ('ai_platform_kubeconfg', 'ai_platform_kubeconfig'),
                                         ('ai_platform_secret', 'ai_platform_secrets')])
def test_misspelt_variable_refused_with_the_closest_name(model, typo, known):
    model['variables']['localhost'].append(typo)
    refused(model, "%s: is not a known variable (set for localhost); did you mean '%s'?" % (typo, known))


@pytest.mark.parametrize('hosts, where', [
    (['nuc1', 'nuc2'], 'nuc1, nuc2'),
    (['nuc1', 'nuc2', 'nuc3'], 'nuc1, nuc2, nuc3'),
    (['nuc1', 'nuc2', 'nuc3', 'spark'], 'nuc1, nuc2, nuc3 and 1 more hosts'),
    (['localhost', 'nuc1', 'nuc2', 'nuc3', 'spark'], 'localhost, nuc1, nuc2 and 2 more hosts'),
])
def test_misspelt_variable_names_the_hosts_it_is_set_for(model, hosts, where):
    for host in hosts:
        model['variables'][host].append('ai_platform_tems')
    refused(model, 'ai_platform_tems: is not a known variable (set for %s);' % where)


def test_misspelt_variable_found_past_a_name_of_another_prefix(model):
    model['variables']['localhost'] = ['aaa_other'] + model['variables']['localhost'] + ['ai_platform_tems']
    refused(model, "ai_platform_tems: is not a known variable (set for localhost); did you mean 'ai_platform_teams'?")


def test_unrelated_platform_variable_lists_the_known_ones(model):
    model['variables']['nuc1'].append('ai_platform_zzz')
    refused(model, 'ai_platform_zzz: is not a known variable (set for nuc1): the platform reads only ai_platform_site')


def test_known_variables_are_the_validate_role_s():
    with open(os.path.join(REPO, 'roles', 'validate', 'meta', 'argument_specs.yml')) as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    assert sorted(pm.KNOWN_VARIABLES) == sorted(name for name in options if name.startswith('ai_platform_'))


# --- secrets the components read ----------------------------------------------------------------

@pytest.mark.parametrize('env', [env for env, _reader in pm.REQUIRED_SECRET_ENVS])
def test_component_secret_without_entry_refused(model, env):
    model['ai_platform_secrets'] = [s for s in model['ai_platform_secrets'] if s['env'] != env]
    refused(model, "ai_platform_secrets: has no entry for '%s'" % env)


# --- one owner: the gateway module reports an inventory rule once ---------------------------------

def test_gateway_reports_each_inventory_problem_once(model):
    deployment = model['ai_platform_model_aliases'][0]['deployments'][0]
    deployment.update(rpm=0, max_budget=-1, budget_duration='1y')
    model['ai_platform_secrets'] = [s for s in model['ai_platform_secrets'] if s['env'] != 'LANGFUSE_SECRET_KEY']
    options = dict(master_key_env='LITELLM_MASTER_KEY', database_url_env='DATABASE_URL', langfuse=True)
    found = lc.check_gateway(dict((key, model.get(key)) for key in lc.GATEWAY_VARS), lc.required_envs(options))
    assert len(found) == len(set(found)), found
    for problem in ('.rpm: 0 must be', '.max_budget: -1 must be', ".budget_duration: '1y' is not"):
        assert len([error for error in found if problem in error]) == 1, found
    assert len([error for error in found if 'LANGFUSE_SECRET_KEY' in error]) == 1, found
