"""Every inventory validate.yml accepts renders: generated valid inventories through platform.yml.

A Hypothesis strategy builds inventories inside the rules of platform_model (names, namespaces,
budgets, durations, quantities, RBAC, Vault paths, router settings), starting from the example
inventory. Each example is one ansible-playbook run of playbooks/validate.yml then
playbooks/platform.yml in render mode; both must succeed and write manifests. Derandomized and few
examples, so the tier stays fast and a failure reproduces.
"""

import os
import string

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.baremetal.ai_platform.plugins.module_utils import platform_model as pm
from helpers import REPO, run_playbook

EXAMPLE = os.path.join(REPO, 'inventories', 'example')
PLAYBOOK = """---
- name: Validate the inventory
  ansible.builtin.import_playbook: {repo}/playbooks/validate.yml
- name: Render the platform
  ansible.builtin.import_playbook: {repo}/playbooks/platform.yml
"""
ALIASES = ('fast', 'local', 'reasoning')
# Read-only rules on objects that are not secrets: what an agent may be given.
SAFE_RULES = [
    {'api_groups': [''], 'resources': ['events'], 'verbs': ['get', 'list', 'watch']},
    {'api_groups': [''], 'resources': ['configmaps'], 'verbs': ['get']},
    {'api_groups': ['metrics.k8s.io'], 'resources': ['pods', 'nodes'], 'verbs': ['get', 'list']},
    {'api_groups': ['batch'], 'resources': ['jobs'], 'verbs': ['get', 'list', 'watch']},
]


def _label(max_size):
    """A DNS-1123 label of at most max_size characters."""
    inner = st.text(string.ascii_lowercase + string.digits + '-', max_size=max(max_size - 2, 0))
    edge = st.sampled_from(string.ascii_lowercase)
    return st.builds(lambda a, b, c: (a + b + c)[:max_size].rstrip('-') or a, edge, inner, edge)


durations = st.builds(lambda n, unit: '%d%s' % (n, unit), st.integers(1, 90), st.sampled_from('smhd'))
money = st.floats(0.5, 5000, allow_nan=False).map(lambda value: round(value, 2))
# Go durations of at least a second.
refresh = st.one_of(st.builds('{}m'.format, st.integers(1, 120)), st.builds('{}h'.format, st.integers(1, 24)),
                    st.builds('{}s'.format, st.integers(1, 3600)), st.just('1h30m'))
vault_path = st.lists(_label(12), min_size=1, max_size=3).map('/'.join)


@st.composite
def namespaces(draw):
    names = draw(st.lists(_label(30).filter(lambda n: n not in pm.RESERVED_NAMESPACES and not n.startswith('kube-')),
                          min_size=len(pm.NAMESPACE_KEYS), max_size=len(pm.NAMESPACE_KEYS), unique=True))
    return dict(zip(pm.NAMESPACE_KEYS, names))


@st.composite
def resources(draw):
    cpu_request = draw(st.integers(10, 1000))
    memory_request = draw(st.integers(32, 1024))
    return {'requests': {'cpu': '%dm' % cpu_request, 'memory': '%dMi' % memory_request},
            'limits': {'cpu': '%dm' % draw(st.integers(cpu_request, 4000)),
                       'memory': '%dMi' % draw(st.integers(memory_request, 4096))}}


@st.composite
def agents(draw, teams):
    names = draw(st.lists(_label(40).filter(lambda n: n not in pm.RESERVED_AGENT_NAMES), min_size=1, max_size=4,
                          unique=True))
    result = []
    for name in names:
        team = draw(st.sampled_from(teams))
        low = draw(st.integers(0, 3))
        result.append({
            'name': name, 'team': team['name'], 'model': draw(st.sampled_from(team['models'])),
            'tools': draw(st.lists(_label(12), max_size=2, unique=True)),
            'permissions': draw(st.lists(st.sampled_from(SAFE_RULES), max_size=2, unique_by=lambda r: r['resources'][0])),
            'resources': draw(resources()),
            'scaling': {'min_replicas': low, 'max_replicas': draw(st.integers(max(low, 1), 8)),
                        'lag_threshold': draw(st.integers(1, 500))},
        })
    return result


@st.composite
def teams(draw):
    names = draw(st.lists(_label(20), min_size=1, max_size=3, unique=True))
    result = []
    for name in names:
        team = {'name': name, 'models': draw(st.lists(st.sampled_from(ALIASES), min_size=1, unique=True))}
        if draw(st.booleans()):
            team['unlimited'] = True
        else:
            team.update(max_budget=draw(money), budget_duration=draw(durations))
        if draw(st.booleans()):
            team['rpm_limit'] = draw(st.integers(1, 10000))
        result.append(team)
    return result


@st.composite
def inventories(draw):
    """Variables overriding the example inventory, all within platform_model's rules."""
    with open(os.path.join(EXAMPLE, 'group_vars', 'all', 'models.yml')) as handle:
        models = yaml.safe_load(handle)
    with open(os.path.join(EXAMPLE, 'group_vars', 'all', 'secrets.yml')) as handle:
        secrets = yaml.safe_load(handle)
    strategy = draw(st.sampled_from(pm.ROUTING_STRATEGIES))
    router = {'routing_strategy': strategy, 'num_retries': draw(st.integers(0, 5)),
              'cooldown_time': draw(st.integers(0, 300)), 'timeout': draw(st.integers(1, 600))}
    for provider in models['ai_platform_providers']:
        if 'budget' in provider:
            provider['budget'] = {'max_budget': draw(money), 'budget_duration': draw(durations)}
    for alias in models['ai_platform_model_aliases']:
        for deployment in alias['deployments']:
            # rpm/tpm only where the strategy enforces them (the gateway refuses them elsewhere).
            if strategy in ('usage-based-routing-v2', 'latency-based-routing', 'cost-based-routing') and draw(st.booleans()):
                deployment['rpm'] = draw(st.integers(1, 5000))
    prefix = draw(vault_path)
    vault = dict(secrets['ai_platform_vault'], path_prefix=prefix, kv_mount=draw(vault_path),
                 refresh_interval=draw(refresh))
    for entry in secrets['ai_platform_secrets']:
        entry['path'] = '%s/%s' % (draw(vault_path.filter(lambda p: not p.startswith(('agents', 'nats')))),
                                   entry['path'].rsplit('/', 1)[-1])
    team_list = draw(teams())
    agent_list = draw(agents(team_list))
    return {
        'ai_platform_site': draw(_label(20)),
        'ai_platform_namespaces': draw(namespaces()),
        'ai_platform_providers': models['ai_platform_providers'],
        'ai_platform_model_aliases': models['ai_platform_model_aliases'],
        'ai_platform_router': router,
        'ai_platform_teams': team_list,
        'ai_platform_agents': agent_list,
        'ai_platform_vault': vault,
        'ai_platform_secrets': secrets['ai_platform_secrets'],
        # The workflows role's own setting names an agent; point it at a generated one.
        'argo_workflows_pipeline_agent': agent_list[0]['name'],
    }


@settings(max_examples=4, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(inventory=inventories())
def test_every_valid_inventory_renders(tmp_path_factory, inventory):
    work = tmp_path_factory.mktemp('valid')
    render_dir = work / 'build'
    extra = work / 'inventory.yml'
    extra.write_text(yaml.safe_dump(dict(inventory, ai_platform_render_dir=str(render_dir))))
    playbook = work / 'validate_and_render.yml'
    playbook.write_text(PLAYBOOK.format(repo=REPO))
    proc = run_playbook(str(playbook), '-e', '@%s' % extra, inventory=EXAMPLE, json_output=True, timeout=900)
    assert proc.result is not None, proc.stderr[-3000:]
    failures = [outcome.get('msg') for play in proc.result['plays'] for task in play['tasks']
                for outcome in task['hosts'].values() if outcome.get('failed')]
    assert proc.returncode == 0 and not failures, (failures, yaml.safe_dump(inventory))
    assert set(proc.result['stats']) == {'localhost'}
    rendered = [name for _root, _dirs, files in os.walk(str(render_dir)) for name in files if name.endswith('.yaml')]
    assert len(rendered) > 50, rendered
    for agent in inventory['ai_platform_agents']:
        assert any(agent['name'] in name for name in rendered), agent['name']


def _model(inventory):
    """The example inventory with the generated variables, as the validate role hands it to the module."""
    model = {}
    for name in ('platform.yml', 'models.yml', 'teams.yml', 'agents.yml', 'secrets.yml'):
        with open(os.path.join(EXAMPLE, 'group_vars', 'all', name)) as handle:
            model.update(yaml.safe_load(handle))
    model.update(inventory)
    model['ai_platform_render_dir'] = '/srv/build'
    model['ai_platform_vault']['address'] = 'https://vault.ai.example.internal:8200'
    for provider in model['ai_platform_providers']:
        if 'api_base' in provider:
            provider['api_base'] = 'http://10.20.0.20:8000/v1'
    model['groups'] = {'k3s_servers': ['nuc1', 'nuc2', 'nuc3'], 'k3s_agents': [], 'dgx': ['spark']}
    model['hosts'] = {'nuc1': '10.20.0.11', 'nuc2': '10.20.0.12', 'nuc3': '10.20.0.13', 'spark': '10.20.0.20'}
    return model


@settings(max_examples=40, derandomize=True, deadline=None, database=None)
@given(inventory=inventories())
def test_generated_inventories_are_within_the_rules(inventory):
    """The generator's own check, in Python (fast, many examples): the render test relies on it."""
    assert pm.format_errors(pm.check_platform(_model(inventory))) == []
