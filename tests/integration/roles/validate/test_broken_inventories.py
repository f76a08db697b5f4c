"""Broken inventories stop `ansible-playbook site.yml` in the validate play, before any host is touched.

Each case is inventories/lab plus a small override: an extra-vars file (`-e @file`) replacing one
variable with a broken copy, or a copy of the inventory with a group or a host changed. Every run
must fail, name the variable path and the offending value, and show no host but localhost in the
stats. Every machine is pointed at a container that does not exist (each its own), so a host that
was tried would appear there as unreachable (and a running lab is never converged by these tests).

The cases that only replace variables localhost reads (RULE_CASES) run as one playbook: one play per
case, each running the validate role on localhost with the case's vars, so one Ansible start-up
serves them all; the site.yml cases above show that a failure of that role stops the run.
"""

import copy
import glob
import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from helpers import REPO, VENV_BIN, run_playbook

LAB = os.path.join(REPO, 'inventories', 'lab')
MACHINES = {'nuc1', 'nuc2', 'nuc3', 'spark'}


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


def without_env(env):
    """change() dropping the ai_platform_secrets entry of env."""
    def change(entries):
        entries[:] = [entry for entry in entries if entry['env'] != env]
    return change


def deleter(*path):
    def change(target):
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


def _group(hosts, group):
    groups = hosts['all']['children']
    return groups['k3s_cluster']['children'][group] if group in groups['k3s_cluster']['children'] else groups[group]


def nowhere_inventory(tmp, change=None):
    """A copy of the lab inventory (symlinks resolved) whose machines point at containers that do not
    exist, each its own: should validation wrongly pass, or a lab be up, a host that is tried shows
    as unreachable instead of being converged. change(hosts) edits hosts.yml first."""
    inventory = os.path.join(tmp, 'inventory')
    shutil.copytree(LAB, inventory)
    # The lab finds its controller-side files relative to the checkout; the copy keeps its own.
    with open(os.path.join(REPO, 'tests', 'fixtures', 'artifacts', 'lab-vault-password')) as handle:
        passphrase = handle.read().strip()
    with open(os.path.join(inventory, 'group_vars', 'all', 'vault.yml'), 'w') as handle:
        yaml.safe_dump({'vault_init_passphrase': passphrase,
                        'vault_init_file': os.path.join(tmp, 'controller', 'vault-init.vault')}, handle)
    hosts_file = os.path.join(inventory, 'hosts.yml')
    with open(hosts_file) as handle:
        hosts = yaml.safe_load(handle)
    for group in ('k3s_servers', 'dgx'):
        # The lab names its hosts without settings (SSH finds them through its config): add one.
        members = _group(hosts, group)['hosts']
        for name in members:
            members[name] = dict(members[name] or {}, ansible_host='validate-test-no-such-host-%s' % name)
    if change:
        change(hosts)
    with open(hosts_file, 'w') as handle:
        yaml.safe_dump(hosts, handle)
    return inventory


def hosts_edit(change):
    """A case on a copy of the lab inventory with hosts.yml changed by change(hosts)."""
    return lambda tmp: nowhere_inventory(tmp, change)


def without_host(group, host):
    def change(hosts):
        del _group(hosts, group)['hosts'][host]
    return hosts_edit(change)


def addresses(**by_host):
    """change() giving machines these ansible_host values."""
    def change(hosts):
        for group in ('k3s_servers', 'dgx'):
            members = _group(hosts, group)['hosts']
            for name in members:
                if name in by_host:
                    members[name] = dict(members[name] or {}, ansible_host=by_host[name])
    return change


def also_in(group, host):
    def change(hosts):
        _group(hosts, group).setdefault('hosts', {})[host] = {}
    return change


# The lab's servers on a /24 with the VIP, for the address rules (the lab itself names containers).
LAB_IPS = dict(nuc1='10.89.7.11', nuc2='10.89.7.12', nuc3='10.89.7.13', spark='10.89.7.20')


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
        ['ai_platform_teams[3] (operations).max_budget: -15.0 must be > 0']),
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
    # Rules on the machines: the hosts, their groups and addresses, and what is set on them.
    'vip-is-the-dgx-address': (
        hosts_edit(addresses(**{**LAB_IPS, 'spark': '10.89.7.10'})),
        ["k3s_api_vip: '10.89.7.10' is the address of host 'spark'"]),
    'vip-is-a-server-address': (
        hosts_edit(addresses(**{**LAB_IPS, 'nuc2': '10.89.7.10'})),
        ["k3s_api_vip: '10.89.7.10' is the address of host 'nuc2'"]),
    'vip-outside-the-servers-subnet': (
        hosts_edit(addresses(nuc1='10.89.9.11', nuc2='10.89.9.12', nuc3='10.89.9.13')),
        ["k3s_api_vip: '10.89.7.10' is outside the subnet of k3s server nuc1 (10.89.9.11/24)"]),
    'host-in-servers-and-dgx': (
        hosts_edit(also_in('dgx', 'nuc1')),
        ["groups['dgx']: 'nuc1' is also in k3s_servers"]),
    'host-in-servers-and-agents': (
        hosts_edit(also_in('k3s_agents', 'nuc3')),
        ["groups['k3s_agents']: 'nuc3' is also in k3s_servers"]),
    'controller-in-dgx': (
        hosts_edit(also_in('dgx', 'localhost')),
        ["groups['dgx']: 'localhost' is the controller"]),
    'one-machine-under-two-names': (
        hosts_edit(addresses(**{**LAB_IPS, 'spark': '10.89.7.13'})),
        ["hostvars['spark'].ansible_host: '10.89.7.13' is also the address of nuc3"]),
    'vllm-max-model-len-zero': (
        put('vllm_max_model_len', 0),
        ["hostvars['spark'].vllm_max_model_len: 0 must be >= 1"]),
    'vllm-gpu-memory-above-one': (
        put('vllm_gpu_memory_utilization', 1.5),
        ["hostvars['spark'].vllm_gpu_memory_utilization: 1.5 must be <= 1"]),
    'vllm-gpu-memory-zero': (
        put('vllm_gpu_memory_utilization', 0),
        ["hostvars['spark'].vllm_gpu_memory_utilization: 0 must be > 0"]),
    'vllm-tensor-parallel-zero': (
        put('vllm_extra_args', ['--tensor-parallel-size', '0']),
        ["hostvars['spark'].vllm_extra_args[0] (--tensor-parallel-size): '0' must be >= 1"]),
    'vllm-gpu-memory-above-the-role-maximum': (
        put('vllm_gpu_memory_utilization', 0.95),
        ["hostvars['spark'].vllm_gpu_memory_utilization: 0.95 must stay below vllm_gpu_memory_utilization_max 0.9"]),
    'vllm-model-does-not-fit': (
        put('vllm_max_model_len', 1000000),
        ["hostvars['spark'].vllm_max_model_len: 1000000 x vllm_max_num_seqs 8 needs about 1000.6 GB"]),
    'vllm-port-out-of-range': (
        put('vllm_port', 80000),
        ["hostvars['spark'].vllm_port: 80000 must be <= 65535"]),
    'vllm-max-num-seqs-zero': (
        put('vllm_max_num_seqs', 0),
        ["hostvars['spark'].vllm_max_num_seqs: 0 must be >= 1"]),
    'misspelt-teams-variable': (
        put('ai_platform_tems', []),
        ["ai_platform_tems: is not a known variable", "did you mean 'ai_platform_teams'?"]),
    'misspelt-namespaces-variable': (
        put('ai_platform_namespace', {'gateway': 'ai-gateway'}),
        ["ai_platform_namespace: is not a known variable", "did you mean 'ai_platform_namespaces'?"]),
    'misspelt-router-variable': (
        put('ai_platform_routers', {'timeout': 5}),
        ["ai_platform_routers: is not a known variable", "did you mean 'ai_platform_router'?"]),
}

AGENT_13 = 'ai_platform_agents[13] (incident-summariser)'


def rule(*rule_fields):
    """change() setting the first permission rule of agent 13 (incident-summariser)."""
    api_groups, resources, verbs = rule_fields
    return setter(13, 'permissions', 0, {'api_groups': api_groups, 'resources': resources, 'verbs': verbs})


LONG_41 = 'a' * 41
LONG_63 = 'b' * 63

# Rules on variables localhost reads: one playbook, one play per case (see the module docstring).
RULE_CASES = {
    # System namespaces and the platform's own.
    'namespace-kube-system': (
        edit('ai_platform_namespaces', setter('agents', 'kube-system')),
        ["ai_platform_namespaces.agents: 'kube-system' is the Kubernetes system namespace"]),
    'namespace-default': (
        edit('ai_platform_namespaces', setter('webui', 'default')),
        ["ai_platform_namespaces.webui: 'default' is the cluster's default namespace"]),
    'namespace-kube-node-lease': (
        edit('ai_platform_namespaces', setter('observability', 'kube-node-lease')),
        ["ai_platform_namespaces.observability: 'kube-node-lease' is a Kubernetes system namespace"]),
    'namespace-kube-public': (
        edit('ai_platform_namespaces', setter('workflows', 'kube-public')),
        ["ai_platform_namespaces.workflows: 'kube-public' is a Kubernetes system namespace"]),
    'namespace-keda': (
        edit('ai_platform_namespaces', setter('messaging', 'keda')),
        ["ai_platform_namespaces.messaging: 'keda' is KEDA's namespace"]),
    'namespace-kube-prefix': (
        edit('ai_platform_namespaces', setter('gateway', 'kube-gateway')),
        ["ai_platform_namespaces.gateway: 'kube-gateway' starts with 'kube-'"]),
    'two-namespaces-equal': (
        edit('ai_platform_namespaces', setter('workflows', 'ai-agents')),
        ["ai_platform_namespaces.agents: duplicate namespace", "'ai-agents' (first at ai_platform_namespaces.workflows)"]),
    # Agent RBAC that escalates.
    'rbac-secrets-in-shared-namespace': (
        edit('ai_platform_agents', rule([''], ['secrets'], ['get', 'list'])),
        [AGENT_13 + ".permissions[0].resources[0]: 'secrets' is refused for agents"]),
    'rbac-create-rolebindings': (
        edit('ai_platform_agents', rule(['rbac.authorization.k8s.io'], ['rolebindings'], ['create'])),
        [AGENT_13 + ".permissions[0].resources[0]: 'rolebindings' is refused for agents"]),
    'rbac-clusterroles': (
        edit('ai_platform_agents', rule(['rbac.authorization.k8s.io'], ['clusterroles'], ['get'])),
        [AGENT_13 + ".permissions[0].resources[0]: 'clusterroles' is refused for agents"]),
    'rbac-bind': (
        edit('ai_platform_agents', rule(['rbac.authorization.k8s.io'], ['clusterroles'], ['bind'])),
        [AGENT_13 + ".permissions[0].verbs[0]: 'bind' grants roles the agent does not hold"]),
    'rbac-escalate': (
        edit('ai_platform_agents', rule(['rbac.authorization.k8s.io'], ['roles'], ['escalate'])),
        [AGENT_13 + ".permissions[0].verbs[0]: 'escalate' raises its own roles"]),
    'rbac-impersonate': (
        edit('ai_platform_agents', rule([''], ['serviceaccounts'], ['impersonate'])),
        [AGENT_13 + ".permissions[0].verbs[0]: 'impersonate' acts as another user"]),
    'rbac-wildcard-api-group': (
        edit('ai_platform_agents', rule(['*'], ['events'], ['get'])),
        [AGENT_13 + ".permissions[0].api_groups[0]: '*' grants every API group"]),
    'rbac-wildcard-verb': (
        edit('ai_platform_agents', rule([''], ['events'], ['*'])),
        [AGENT_13 + ".permissions[0].verbs[0]: '*' grants every verb"]),
    'rbac-wildcard-subresource': (
        edit('ai_platform_agents', rule([''], ['pods/*'], ['get'])),
        [AGENT_13 + ".permissions[0].resources[0]: 'pods/*' grants every resource"]),
    'rbac-nodes-proxy': (
        edit('ai_platform_agents', rule([''], ['nodes/proxy'], ['get'])),
        [AGENT_13 + ".permissions[0].resources[0]: 'nodes/proxy' is refused for agents: is the kubelet API"]),
    'rbac-pods-exec': (
        edit('ai_platform_agents', rule([''], ['pods/exec'], ['create'])),
        [AGENT_13 + ".permissions[0].resources[0]: 'pods/exec' is refused for agents"]),
    'rbac-serviceaccount-token': (
        edit('ai_platform_agents', rule([''], ['serviceaccounts/token'], ['create'])),
        [AGENT_13 + ".permissions[0].resources[0]: 'serviceaccounts/token' is refused for agents"]),
    'rbac-create-pods': (
        edit('ai_platform_agents', rule([''], ['pods'], ['create', 'get'])),
        [AGENT_13 + ".permissions[0].resources[0]: 'pods' with create is refused for agents"]),
    'rbac-patch-deployments': (
        edit('ai_platform_agents', rule(['apps'], ['deployments'], ['patch'])),
        [AGENT_13 + ".permissions[0].resources[0]: 'deployments' with patch is refused for agents"]),
    # Agents named like an identity the platform uses.
    'agent-named-nack': (
        edit('ai_platform_agents', setter(0, 'name', 'nack')),
        ["ai_platform_agents[0] (nack).name: 'nack' is an identity the platform already uses"]),
    'agent-named-sys': (
        edit('ai_platform_agents', setter(1, 'name', 'sys')),
        ["ai_platform_agents[1] (sys).name: 'sys' is an identity the platform already uses"]),
    'agent-named-litellm': (
        edit('ai_platform_agents', setter(2, 'name', 'litellm')),
        ["ai_platform_agents[2] (litellm).name: 'litellm' is an identity the platform already uses"]),
    'agent-named-keda': (
        edit('ai_platform_agents', setter(3, 'name', 'keda')),
        ["ai_platform_agents[3] (keda).name: 'keda' is an identity the platform already uses"]),
    'agent-named-open-webui': (
        edit('ai_platform_agents', setter(4, 'name', 'open-webui')),
        ["ai_platform_agents[4] (open-webui).name: 'open-webui' is an identity the platform already uses"]),
    # Labels too long for the names controllers derive from them.
    'agent-name-too-long-for-pods': (
        edit('ai_platform_agents', setter(0, 'name', LONG_41)),
        ["ai_platform_agents[0] (%s).name: '%s' is too long: its pod name 'agent-%s-xxxxxxxxxx-xxxxx' would have "
         '64 characters' % (LONG_41, LONG_41, LONG_41)]),
    'agent-name-63-characters': (
        edit('ai_platform_agents', setter(0, 'name', LONG_63)),
        ["ai_platform_agents[0] (%s).name: '%s' is too long" % (LONG_63, LONG_63), 'keep agent names to 40']),
    # Vault paths that normalise into another path.
    'secret-path-dot-dot': (
        edit('ai_platform_secrets', setter(0, 'path', 'ai-platform/providers/../litellm')),
        ["ai_platform_secrets[0] (OPENAI_API_KEY).path: 'ai-platform/providers/../litellm' has a '.' or '..' segment"]),
    'secret-path-dot': (
        edit('ai_platform_secrets', setter(1, 'path', 'ai-platform/./anthropic')),
        ["ai_platform_secrets[1] (ANTHROPIC_API_KEY).path: 'ai-platform/./anthropic' has a '.' or '..' segment"]),
    'secret-path-double-slash': (
        edit('ai_platform_secrets', setter(2, 'path', 'ai-platform//google')),
        ["ai_platform_secrets[2] (GEMINI_API_KEY).path: 'ai-platform//google' has an empty segment"]),
    'secret-path-leading-slash': (
        edit('ai_platform_secrets', setter(3, 'path', '/ai-platform/providers/spark')),
        ["ai_platform_secrets[3] (SPARK_VLLM_API_KEY).path: '/ai-platform/providers/spark' has a leading or trailing /"]),
    'secret-path-trailing-slash': (
        edit('ai_platform_secrets', setter(4, 'path', 'ai-platform/litellm/')),
        ["ai_platform_secrets[4] (LITELLM_MASTER_KEY).path: 'ai-platform/litellm/' has a leading or trailing /"]),
    'path-prefix-dot-dot': (
        edit('ai_platform_vault', setter('path_prefix', 'ai-platform/..')),
        ["ai_platform_vault.path_prefix: 'ai-platform/..' has a '.' or '..' segment"]),
    'kv-mount-double-slash': (
        edit('ai_platform_vault', setter('kv_mount', 'secret//kv')),
        ["ai_platform_vault.kv_mount: 'secret//kv' has an empty segment"]),
    # Addresses and URLs that cannot work.
    'vip-unspecified': (
        put('k3s_api_vip', '0.0.0.0'),
        ["k3s_api_vip: '0.0.0.0' is the unspecified address"]),
    'vip-ipv6-unspecified': (
        put('k3s_api_vip', '::'),
        ["k3s_api_vip: '::' is the unspecified address"]),
    'vip-loopback': (
        put('k3s_api_vip', '127.0.0.1'),
        ["k3s_api_vip: '127.0.0.1' is a loopback address"]),
    'vip-multicast': (
        put('k3s_api_vip', '224.0.0.18'),
        ["k3s_api_vip: '224.0.0.18' is a multicast address"]),
    'spark-address-unspecified': (
        put('ai_platform_spark_address', '0.0.0.0'),
        ["ai_platform_spark_address: '0.0.0.0' is the unspecified address"]),
    'vault-url-without-host': (
        edit('ai_platform_vault', setter('address', 'https://:8200')),
        ["ai_platform_vault.address: 'https://:8200' has no host"]),
    'vault-url-port-out-of-range': (
        edit('ai_platform_vault', setter('address', 'https://vault.lab:99999')),
        ["ai_platform_vault.address: 'https://vault.lab:99999' has a port that is not a number from 1 to 65535"]),
    'vault-url-bad-scheme': (
        edit('ai_platform_vault', setter('address', 'vault://vault.lab:8200')),
        ["ai_platform_vault.address: 'vault://vault.lab:8200' is not an http(s) URL"]),
    'api-base-port-zero': (
        edit('ai_platform_providers', setter(3, 'api_base', 'http://spark:0/v1')),
        ["ai_platform_providers[3] (spark).api_base: 'http://spark:0/v1' has port 0"]),
    'api-base-loopback': (
        edit('ai_platform_providers', setter(3, 'api_base', 'http://127.0.0.1:8000/v1')),
        ["ai_platform_providers[3] (spark).api_base: 'http://127.0.0.1:8000/v1' points at 127.0.0.1, a loopback"]),
    # Budget durations: one grammar, the fixed-length part of LiteLLM's.
    'team-duration-month': (
        edit('ai_platform_teams', setter(0, 'budget_duration', '1mo')),
        ["ai_platform_teams[0] (research).budget_duration: '1mo' is not a duration", 'a month 30d']),
    'team-duration-week': (
        edit('ai_platform_teams', setter(1, 'budget_duration', '1w')),
        ["ai_platform_teams[1] (support).budget_duration: '1w' is not a duration", 'a week is 7d']),
    'team-duration-word': (
        edit('ai_platform_teams', setter(2, 'budget_duration', 'monthly')),
        ["ai_platform_teams[2] (engineering).budget_duration: 'monthly' is not a duration"]),
    'provider-duration-uppercase': (
        edit('ai_platform_providers', setter(0, 'budget', 'budget_duration', '1D')),
        ["ai_platform_providers[0] (openai).budget.budget_duration: '1D' is not a duration"]),
    'provider-duration-zero': (
        edit('ai_platform_providers', setter(1, 'budget', 'budget_duration', '0h')),
        ["ai_platform_providers[1] (anthropic).budget.budget_duration: '0h' is not a duration"]),
    # Zero or out-of-range model settings.
    'team-budget-zero': (
        edit('ai_platform_teams', setter(3, 'max_budget', 0)),
        ['ai_platform_teams[3] (operations).max_budget: 0 must be > 0']),
    'provider-budget-zero': (
        edit('ai_platform_providers', setter(2, 'budget', 'max_budget', 0.0)),
        ['ai_platform_providers[2] (google).budget.max_budget: 0.0 must be > 0']),
    'router-timeout-zero': (
        edit('ai_platform_router', setter('timeout', 0)),
        ['ai_platform_router.timeout: 0 must be > 0']),
    'deployment-tpm-zero': (
        edit('ai_platform_model_aliases', setter(0, 'deployments', 0, 'tpm', 0)),
        ['ai_platform_model_aliases[0] (fast).deployments[0] (fast-openai-gpt-4o-mini).tpm: 0 must be >= 1']),
    'lag-threshold-zero': (
        edit('ai_platform_agents', setter(0, 'scaling', 'lag_threshold', 0)),
        ['ai_platform_agents[0] (doc-fetcher).scaling.lag_threshold: 0 must be >= 1']),
    # Refresh intervals that mean never.
    'refresh-zero-seconds': (
        edit('ai_platform_vault', setter('refresh_interval', '0s')),
        ["ai_platform_vault.refresh_interval: '0s' is zero"]),
    'refresh-zero-compound': (
        edit('ai_platform_vault', setter('refresh_interval', '0h0m')),
        ["ai_platform_vault.refresh_interval: '0h0m' is zero"]),
    'refresh-bare-zero': (
        edit('ai_platform_vault', setter('refresh_interval', '0')),
        ["ai_platform_vault.refresh_interval: '0' is not a duration like '1h'"]),
    'refresh-negative': (
        edit('ai_platform_vault', setter('refresh_interval', '-1h')),
        ["ai_platform_vault.refresh_interval: '-1h' is not a duration like '1h'"]),
    'refresh-nanoseconds': (
        edit('ai_platform_vault', setter('refresh_interval', '500ms')),
        ["ai_platform_vault.refresh_interval: '500ms' is under a second"]),
    # Backups that could never run or never be read.
    'backup-schedule-out-of-range': (
        edit('ai_platform_backup', setter('schedule', 'vault', '61 */6 * * *')),
        ["ai_platform_backup.schedule.vault: '61 */6 * * *' is not a usable cron schedule: minute"]),
    'backup-schedule-never-runs': (
        edit('ai_platform_backup', setter('schedule', 'etcd', '0 0 31 2 *')),
        ["ai_platform_backup.schedule.etcd: '0 0 31 2 *' is not a usable cron schedule"]),
    'backup-retention-zero': (
        edit('ai_platform_backup', setter('retention', 0)),
        ['ai_platform_backup.retention: 0 must be >= 1']),
    'backup-nfs-relative-path': (
        edit('ai_platform_backup', setter('nfs', 'path', 'export/../etc')),
        ["ai_platform_backup.nfs.path: 'export/../etc' must be an absolute export path"]),
    'backup-s3-plain-http': (
        put('ai_platform_backup', {'target': 's3', 'retention': 7,
                                   's3': {'endpoint': 'http://s3.lab.internal', 'bucket': 'backups'}}),
        ["ai_platform_backup.s3.endpoint: 'http://s3.lab.internal' must be https"]),
    'backup-s3-bucket-name': (
        put('ai_platform_backup', {'target': 's3', 'retention': 7,
                                   's3': {'endpoint': 'https://s3.lab.internal', 'bucket': 'Backups_1'}}),
        ["ai_platform_backup.s3.bucket: 'Backups_1' is not a valid bucket name"]),
    # Quantities in the wrong unit.
    'memory-without-unit': (
        edit('ai_platform_agents', setter(0, 'resources', 'limits', 'memory', '512')),
        ["ai_platform_agents[0] (doc-fetcher).resources.limits.memory: '512' is not a memory quantity",
         'a bare number is bytes']),
    'memory-in-millibytes': (
        edit('ai_platform_agents', setter(1, 'resources', 'requests', 'memory', '128m')),
        ["ai_platform_agents[1] (doc-chunker).resources.requests.memory: '128m' is not a memory quantity"]),
    'cpu-in-bytes': (
        edit('ai_platform_agents', setter(2, 'resources', 'limits', 'cpu', '1Gi')),
        ["ai_platform_agents[2] (doc-summariser).resources.limits.cpu: '1Gi' is not a CPU quantity"]),
    'cpu-limit-zero': (
        edit('ai_platform_agents', setter(3, 'resources', 'limits', 'cpu', '0')),
        ["ai_platform_agents[3] (web-researcher).resources.limits.cpu: '0' must be more than 0"]),
    'memory-request-above-limit': (
        edit('ai_platform_agents', setter(4, 'resources', 'requests', 'memory', '1Gi')),
        ["ai_platform_agents[4] (citation-checker).resources.requests.memory: '1Gi' is more than the limit '256Mi'"]),
    # Secrets the platform's own components read.
    'langfuse-key-without-secret': (
        edit('ai_platform_secrets', without_env('LANGFUSE_PUBLIC_KEY')),
        ["ai_platform_secrets: has no entry for 'LANGFUSE_PUBLIC_KEY'"]),
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
    args = []
    if isinstance(override, dict):
        extra = os.path.join(tmp, 'override.yml')
        with open(extra, 'w') as handle:
            yaml.safe_dump(override, handle)
        args = ['-e', '@' + extra]
        inventory = nowhere_inventory(tmp)
    else:
        inventory = override
    return run_playbook('site.yml', *args, inventory=inventory, json_output=True, timeout=600)


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    """Every case run once, in parallel (each run is ~2 s, mostly Python start-up)."""
    root = tmp_path_factory.mktemp('broken')
    builds = dict((name, override) for name, (override, _texts) in CASES.items())
    builds[MULTI] = _several
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = dict((name, pool.submit(_run_case, str(root / name), build)) for name, build in builds.items())
        return dict((name, future.result()) for name, future in futures.items())


BATCH_PLAY = {'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
              # A failed case must not end the playbook: the next play is the next case.
              'ignore_errors': True, 'roles': ['baremetal.ai_platform.validate']}


@pytest.fixture(scope='module')
def rule_runs(tmp_path_factory):
    """Every RULE_CASES case as one play of one playbook on the lab; {case: failure messages}, and the stats."""
    root = tmp_path_factory.mktemp('rules')
    plays = []
    for name, (override, _texts) in RULE_CASES.items():
        case_vars = root / ('%s.yml' % name)
        case_vars.write_text(yaml.safe_dump(override(str(root))))
        plays.append(dict(BATCH_PLAY, name='case %s' % name, vars_files=[str(case_vars)]))
    playbook = root / 'cases.yml'
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
    proc = run_playbook(str(playbook), inventory=LAB, json_output=True, timeout=900)
    assert proc.result is not None, proc.stderr[-3000:]
    messages = {}
    for play in proc.result['plays']:
        name = play['play']['name'][len('case '):]
        messages[name] = [(task['task']['name'], outcome.get('msg', '')) for task in play['tasks']
                          for outcome in task['hosts'].values() if outcome.get('failed')]
    return messages, proc.result['stats']


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
    assert len(CASES) + len(RULE_CASES) >= 100


@pytest.mark.parametrize('name', list(RULE_CASES))
def test_broken_rule_refused_by_the_validate_role(rule_runs, name):
    messages, stats = rule_runs
    # The batch contacted no host but the controller, and the case failed in the validate role.
    assert set(stats) == {'localhost'}
    assert messages[name], 'case %s was accepted' % name
    assert all(task.startswith('baremetal.ai_platform.validate : ') for task, _msg in messages[name])
    text = '\n'.join(msg for _task, msg in messages[name])
    for expected in RULE_CASES[name][1]:
        assert expected in text, text


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


def test_valid_lab_goes_on_to_the_machines(tmp_path):
    """The same site.yml with the valid lab passes validation and tries nuc1..3 and spark (unreachable
    here by design), so their absence from the stats of the broken runs means something."""
    proc = run_playbook('site.yml', inventory=nowhere_inventory(str(tmp_path)), json_output=True, timeout=600)
    assert proc.result is not None, proc.stderr[-3000:]
    assert proc.result['stats']['localhost']['failures'] == 0
    for machine in MACHINES:
        assert proc.result['stats'][machine]['unreachable'] == 1, proc.result['stats']


def test_a_controller_without_podman_stops_before_any_host(tmp_path):
    """agents_image_build (the default) needs podman on the controller; here PATH has every command of
    /usr/bin but podman, so the run is refused in the validate play, naming the variable and both ways out."""
    tools = tmp_path / 'bin'
    tools.mkdir()
    for name in os.listdir('/usr/bin'):
        if name != 'podman':
            os.symlink(os.path.join('/usr/bin', name), str(tools / name))
    proc = run_playbook('site.yml', inventory=nowhere_inventory(str(tmp_path)), json_output=True, timeout=600,
                        env={'PATH': '%s:%s' % (VENV_BIN, tools)})
    message = _assert_stopped_in_validation(proc)
    assert 'agents_image_build is true' in message and 'podman does not run here' in message, message
    assert 'set agents_image_build: false' in message


def test_a_validate_play_that_cannot_run_stops_before_any_host(tmp_path):
    """With no shell commands on PATH the controller cannot even make Ansible's temporary folder: the
    check is unreachable, not passed, and the guard play stops the run before any machine."""
    proc = run_playbook('site.yml', inventory=nowhere_inventory(str(tmp_path)), json_output=True, timeout=600,
                        env={'PATH': VENV_BIN})
    assert proc.returncode != 0
    plays = proc.result['plays']
    assert [play['play']['name'] for play in plays[:2]] == [
        'Validate the inventory', 'Refuse to go on without a validated inventory']
    assert 'The inventory was not validated in this run' in _failures(proc.result)
    # The later plays are listed without a host left to run a task on; no machine got anything but the
    # guard's failure (reported under the host run_once picked).
    assert [play['play']['name'] for play in plays[2:] if play['tasks']] == []
    assert [host for host, stats in proc.result['stats'].items() if host in MACHINES and stats['ok']] == []


def test_limit_without_localhost_stops_before_any_host(tmp_path):
    """--limit nuc1 skips the validate play; the guard play stops the run, delegated to the controller."""
    proc = run_playbook('site.yml', '--limit', 'nuc1', inventory=nowhere_inventory(str(tmp_path)), json_output=True,
                        timeout=600)
    assert proc.returncode != 0
    assert 'include localhost in --limit' in _failures(proc.result)
    # The failure is the delegated assert: nuc1 was never contacted (it does not exist, so a
    # connection would have been unreachable), and no later play started.
    assert proc.result['stats']['nuc1']['unreachable'] == 0
    assert proc.result['stats']['nuc1']['failures'] == 1
    assert [play['play']['name'] for play in proc.result['plays']] == [
        'Validate the inventory', 'Refuse to go on without a validated inventory']


def test_tags_do_not_skip_validation(tmp_path):
    """`--tags base` still runs the checks (tagged always) and stops on a broken inventory."""
    proc = run_playbook('site.yml', '--tags', 'base', '-e', 'k3s_api_vip=10.89.7.300',
                        inventory=nowhere_inventory(str(tmp_path)), json_output=True, timeout=600)
    message = _assert_stopped_in_validation(proc)
    assert "k3s_api_vip: '10.89.7.300' is not an IP address" in message
