"""Broken inventories stop `ansible-playbook site.yml` in the validate play, before any host is touched.

Each case is inventories/lab plus a small override: an extra-vars file (`-e @file`) replacing one
variable with a broken copy, or a copy of the inventory with a group changed. Every run must fail,
name the variable path and the offending value, and show no host but localhost in the stats. Every
machine is pointed at a container that does not exist, so a host that was tried would appear there
as unreachable (and a running lab is never converged by these tests).
"""

import copy
import glob
import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from helpers import REPO, run_playbook

LAB = os.path.join(REPO, 'inventories', 'lab')
MACHINES = {'nuc1', 'nuc2', 'nuc3', 'spark'}
# Points every machine at a container that does not exist: should validation wrongly pass, or a
# lab be up, a host that is tried shows as unreachable instead of being converged.
NOWHERE = ('-e', 'ansible_host=validate-test-no-such-host')


def _lab_vars():
    variables = {}
    for path in sorted(glob.glob(os.path.join(LAB, 'group_vars', 'all', '*.yml'))):
        with open(path) as handle:
            variables.update(yaml.safe_load(handle))
    return variables


LAB_VARS = _lab_vars()


def edit(var, change):
    """Override var with a deep copy of its lab value changed in place by change(value)."""
    def build(_tmp):
        value = copy.deepcopy(LAB_VARS[var])
        change(value)
        return {var: value}
    return build


def put(var, value):
    return lambda _tmp: {var: value}


def setter(*path_and_value):
    """change() setting value at a path of keys/indexes."""
    *path, value = path_and_value

    def change(target):
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def deleter(*path):
    def change(target):
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


def without_host(group, host):
    """A copy of the lab inventory (symlinks resolved) without host in group; returned as '-i' path."""
    def build(tmp):
        inventory = os.path.join(tmp, 'inventory')
        shutil.copytree(LAB, inventory)
        hosts_file = os.path.join(inventory, 'hosts.yml')
        with open(hosts_file) as handle:
            hosts = yaml.safe_load(handle)
        groups = hosts['all']['children']
        target = groups['k3s_cluster']['children'][group] if group in groups['k3s_cluster']['children'] else groups[group]
        del target['hosts'][host]
        with open(hosts_file, 'w') as handle:
            yaml.safe_dump(hosts, handle)
        return inventory
    return build


# id -> (override, [texts the failure must contain: the path and the offending value])
CASES = {
    'fallback-unknown-alias': (
        edit('ai_platform_model_aliases', setter(0, 'fallbacks', 0, 'lokal')),
        ["ai_platform_model_aliases[0] (fast).fallbacks[0]: 'lokal' is not a defined alias (defined: fast, local, reasoning)"]),
    'fallback-to-itself': (
        edit('ai_platform_model_aliases', setter(2, 'fallbacks', ['reasoning'])),
        ["ai_platform_model_aliases[2] (reasoning).fallbacks[0]: 'reasoning' is the alias itself"]),
    'alias-without-deployments': (
        edit('ai_platform_model_aliases', setter(1, 'deployments', [])),
        ['ai_platform_model_aliases[1] (local).deployments: is empty']),
    'deployment-unknown-provider': (
        edit('ai_platform_model_aliases', setter(0, 'deployments', 1, 'provider', 'antropic')),
        ["ai_platform_model_aliases[0] (fast).deployments[1] (fast-anthropic-claude-haiku).provider: 'antropic' "
         'is not a defined provider']),
    'duplicate-deployment-id': (
        edit('ai_platform_model_aliases', setter(2, 'deployments', 1, 'id', 'reasoning-anthropic-claude-sonnet')),
        ["ai_platform_model_aliases[2] (reasoning).deployments[1] (reasoning-anthropic-claude-sonnet).id: "
         "duplicate deployment id 'reasoning-anthropic-claude-sonnet'"]),
    'alias-name-not-a-label': (
        edit('ai_platform_model_aliases', setter(0, 'name', 'Fast_Model')),
        ["ai_platform_model_aliases[0] (Fast_Model).name: 'Fast_Model' is not a valid alias name"]),
    'agent-unknown-alias': (
        edit('ai_platform_agents', setter(3, 'model', 'o3')),
        ["ai_platform_agents[3] (web-researcher).model: 'o3' is not a defined alias"]),
    'agent-unknown-team': (
        edit('ai_platform_agents', setter(0, 'team', 'reserch')),
        ["ai_platform_agents[0] (doc-fetcher).team: 'reserch' is not a defined team"]),
    'agent-model-outside-team': (
        edit('ai_platform_agents', setter(5, 'model', 'reasoning')),
        ["ai_platform_agents[5] (ticket-triager).model: 'reasoning' is not in the models of team 'support'"]),
    'agent-name-not-a-label': (
        edit('ai_platform_agents', setter(0, 'name', 'Doc_Fetcher')),
        ["ai_platform_agents[0] (Doc_Fetcher).name: 'Doc_Fetcher' is not a valid agent name"]),
    'duplicate-agent': (
        edit('ai_platform_agents', setter(1, 'name', 'doc-fetcher')),
        ["ai_platform_agents[1] (doc-fetcher).name: duplicate agent name 'doc-fetcher'"]),
    'cpu-request-above-limit': (
        edit('ai_platform_agents', setter(0, 'resources', 'requests', 'cpu', '750m')),
        ["ai_platform_agents[0] (doc-fetcher).resources.requests.cpu: '750m' is more than the limit '500m'"]),
    'memory-not-a-quantity': (
        edit('ai_platform_agents', setter(1, 'resources', 'limits', 'memory', '512MB')),
        ["ai_platform_agents[1] (doc-chunker).resources.limits.memory: '512MB' is not a quantity"]),
    'min-above-max-replicas': (
        edit('ai_platform_agents', setter(2, 'scaling', 'min_replicas', 7)),
        ['ai_platform_agents[2] (doc-summariser).scaling.min_replicas: 7 is more than max_replicas 6']),
    'unknown-rbac-verb': (
        edit('ai_platform_agents', setter(13, 'permissions', 0, 'verbs', ['get', 'read'])),
        ["ai_platform_agents[13] (incident-summariser).permissions[0].verbs[1]: 'read' is not a Kubernetes verb"]),
    'team-unknown-model': (
        edit('ai_platform_teams', setter(1, 'models', ['fast', 'local', 'slow'])),
        ["ai_platform_teams[1] (support).models[2]: 'slow' is not a defined alias"]),
    'team-without-budget': (
        edit('ai_platform_teams', deleter(2, 'max_budget')),
        ['ai_platform_teams[2] (engineering).max_budget: is required']),
    'unlimited-team-with-budget': (
        edit('ai_platform_teams', setter(4, 'max_budget', 10.0)),
        ['ai_platform_teams[4] (platform): unlimited: true and max_budget are both set']),
    'negative-budget': (
        edit('ai_platform_teams', setter(3, 'max_budget', -15.0)),
        ['ai_platform_teams[3] (operations).max_budget: -15.0 must be >= 0']),
    'bad-budget-duration': (
        edit('ai_platform_teams', setter(0, 'budget_duration', '1 day')),
        ["ai_platform_teams[0] (research).budget_duration: '1 day' is not a duration"]),
    'zero-rpm-limit': (
        edit('ai_platform_teams', setter(1, 'rpm_limit', 0)),
        ['ai_platform_teams[1] (support).rpm_limit: 0 must be >= 1']),
    'provider-key-without-secret': (
        edit('ai_platform_secrets', deleter(2)),
        ["ai_platform_providers[2] (google).api_key_env: 'GEMINI_API_KEY' has no entry in ai_platform_secrets"]),
    'vllm-without-api-base': (
        edit('ai_platform_providers', deleter(3, 'api_base')),
        ['ai_platform_providers[3] (spark).api_base: is required']),
    'duplicate-secret-env': (
        edit('ai_platform_secrets', setter(5, 'env', 'LITELLM_MASTER_KEY')),
        ["ai_platform_secrets[5] (LITELLM_MASTER_KEY).env: duplicate env 'LITELLM_MASTER_KEY'"]),
    'even-k3s-servers': (
        without_host('k3s_servers', 'nuc3'),
        ["groups['k3s_servers']: 2 hosts (nuc1, nuc2): embedded etcd needs an odd number"]),
    'vllm-without-dgx': (
        without_host('dgx', 'spark'),
        ["groups['dgx']: is empty but alias(es) local use a vllm provider"]),
    'apply-without-kubeconfig': (
        lambda _tmp: {'ai_platform_apply': True, 'ai_platform_kubeconfig': ''},
        ['ai_platform_kubeconfig: is empty but ai_platform_apply is true']),
    'vip-not-an-ip': (
        put('k3s_api_vip', '10.89.7.300'),
        ["k3s_api_vip: '10.89.7.300' is not an IP address"]),
    'namespace-not-a-label': (
        edit('ai_platform_namespaces', setter('gateway', 'AI_Gateway')),
        ["ai_platform_namespaces.gateway: 'AI_Gateway' is not a valid namespace"]),
    # Caught by the role's argument_specs before any task. Ansible's type message names the
    # variable and field but not the value; its choices message names the value.
    'argspec-budget-not-a-number': (
        edit('ai_platform_teams', setter(0, 'max_budget', 'lots')),
        ["argument 'max_budget' is of type str found in 'ai_platform_teams'", 'unable to convert to float']),
    'argspec-unknown-provider-kind': (
        edit('ai_platform_providers', setter(0, 'kind', 'opneai')),
        ['value of kind must be one of: openai, anthropic, gemini, vllm, got: opneai found in ai_platform_providers']),
    'argspec-unknown-routing-strategy': (
        edit('ai_platform_router', setter('routing_strategy', 'round-robin')),
        ['value of routing_strategy must be one of: simple-shuffle', 'got: round-robin found in ai_platform_router']),
    'argspec-unknown-field': (
        edit('ai_platform_teams', setter(0, 'max_budgt', 40.0)),
        ['ai_platform_teams.max_budgt. Supported parameters include']),
    'argspec-missing-field': (
        edit('ai_platform_agents', deleter(4, 'scaling', 'max_replicas')),
        ['missing required arguments: max_replicas found in ai_platform_agents -> scaling']),
    'argspec-scaling-not-an-int': (
        edit('ai_platform_agents', setter(0, 'scaling', 'lag_threshold', 'twenty')),
        ["argument 'lag_threshold' is of type str found in 'ai_platform_agents -> scaling'", 'unable to convert to int']),
}

MULTI = 'several-errors-in-one-run'


def _several(tmp):
    aliases = copy.deepcopy(LAB_VARS['ai_platform_model_aliases'])
    aliases[0]['fallbacks'] = ['lokal']
    teams = copy.deepcopy(LAB_VARS['ai_platform_teams'])
    teams[0]['budget_duration'] = '1year'
    agents = copy.deepcopy(LAB_VARS['ai_platform_agents'])
    agents[6]['team'] = 'helpdesk'
    return {'ai_platform_model_aliases': aliases, 'ai_platform_teams': teams, 'ai_platform_agents': agents,
            'k3s_api_vip': 'vip.lab'}


MULTI_EXPECTED = [
    '4 problems in the inventory',
    "ai_platform_model_aliases[0] (fast).fallbacks[0]: 'lokal' is not a defined alias",
    "ai_platform_teams[0] (research).budget_duration: '1year' is not a duration",
    "ai_platform_agents[6] (reply-drafter).team: 'helpdesk' is not a defined team",
    "k3s_api_vip: 'vip.lab' is not an IP address",
]


def _run_case(tmp, build):
    os.makedirs(tmp)
    override = build(tmp)
    args, inventory = [], LAB
    if isinstance(override, dict):
        extra = os.path.join(tmp, 'override.yml')
        with open(extra, 'w') as handle:
            yaml.safe_dump(override, handle)
        args = ['-e', '@' + extra]
    else:
        inventory = override
    return run_playbook('site.yml', *(args + list(NOWHERE)), inventory=inventory, json_output=True, timeout=300)


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    """Every case run once, in parallel (each run is ~2 s, mostly Python start-up)."""
    root = tmp_path_factory.mktemp('broken')
    builds = dict((name, override) for name, (override, _texts) in CASES.items())
    builds[MULTI] = _several
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = dict((name, pool.submit(_run_case, str(root / name), build)) for name, build in builds.items())
        return dict((name, future.result()) for name, future in futures.items())


def _failures(result):
    """Messages of every failed task result in the json callback output."""
    messages = []
    for play in result['plays']:
        for task in play['tasks']:
            for outcome in task['hosts'].values():
                if outcome.get('failed'):
                    messages.append(outcome.get('msg', ''))
    return '\n'.join(messages)


def _assert_stopped_in_validation(proc):
    assert proc.returncode != 0
    assert proc.result is not None, proc.stderr[-3000:]
    # Only the validate play started, and no host but the controller has any result.
    assert [play['play']['name'] for play in proc.result['plays']] == ['Validate the inventory']
    assert set(proc.result['stats']) == {'localhost'}
    assert not MACHINES & set(proc.result['stats'])
    return _failures(proc.result)


def test_enough_cases():
    assert len(CASES) >= 25


@pytest.mark.parametrize('name', list(CASES))
def test_broken_inventory_stops_before_any_host(runs, name):
    message = _assert_stopped_in_validation(runs[name])
    for text in CASES[name][1]:
        assert text in message, message


def test_several_errors_reported_in_one_run(runs):
    message = _assert_stopped_in_validation(runs[MULTI])
    for text in MULTI_EXPECTED:
        assert text in message, message


@pytest.mark.parametrize('inventory, check', [('example', []), ('lab', ['--check'])])
def test_shipped_inventories_pass_validation(inventory, check):
    proc = run_playbook('playbooks/validate.yml', *check, inventory=os.path.join(REPO, 'inventories', inventory),
                        json_output=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert set(proc.result['stats']) == {'localhost'}
    assert proc.result['stats']['localhost']['failures'] == 0
    assert proc.result['stats']['localhost']['changed'] == 0
    routing = [outcome for play in proc.result['plays'] for task in play['tasks']
               for outcome in task['hosts'].values() if 'routing' in outcome]
    assert list(routing[0]['routing']) == ['fast', 'local', 'reasoning']


def test_valid_lab_goes_on_to_the_machines():
    """The same site.yml with the valid lab passes validation and tries nuc1..3 and spark (unreachable
    here by design), so their absence from the stats of the broken runs means something."""
    proc = run_playbook('site.yml', *NOWHERE, inventory=LAB, json_output=True, timeout=300)
    assert proc.result is not None, proc.stderr[-3000:]
    assert proc.result['stats']['localhost']['failures'] == 0
    for machine in MACHINES:
        assert proc.result['stats'][machine]['unreachable'] == 1, proc.result['stats']


def test_limit_without_localhost_stops_before_any_host():
    """--limit nuc1 skips the validate play; the guard play stops the run, delegated to the controller."""
    proc = run_playbook('site.yml', '--limit', 'nuc1', *NOWHERE, inventory=LAB, json_output=True, timeout=300)
    assert proc.returncode != 0
    assert 'include localhost in --limit' in _failures(proc.result)
    # The failure is the delegated assert: nuc1 was never contacted (it does not exist, so a
    # connection would have been unreachable), and no later play started.
    assert proc.result['stats']['nuc1']['unreachable'] == 0
    assert proc.result['stats']['nuc1']['failures'] == 1
    assert [play['play']['name'] for play in proc.result['plays']] == [
        'Validate the inventory', 'Refuse to go on without a validated inventory']


def test_tags_do_not_skip_validation():
    """`--tags base` still runs the checks (tagged always) and stops on a broken inventory."""
    proc = run_playbook('site.yml', '--tags', 'base', '-e', 'k3s_api_vip=10.89.7.300', *NOWHERE,
                        inventory=LAB, json_output=True, timeout=300)
    message = _assert_stopped_in_validation(proc)
    assert "k3s_api_vip: '10.89.7.300' is not an IP address" in message
