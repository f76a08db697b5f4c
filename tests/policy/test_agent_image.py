"""The agents and the Argo document pipeline are rendered with the image site.yml builds and brings to
the k3s nodes (playbooks/agent_image.yml, between the hosts and the platform), on both inventories, and
the lab builds it FROM its own local base image.

Render-level: the names are compared as Ansible evaluates them with each inventory; podman and the
nodes' containerd are not run here. The lab run does that (lab.sh up: a real podman build, imported
into the lab nodes by the STAND-IN k3s, which records `ctr images import` and lists what it imported).
"""

import os

import pytest
import yaml

import manifest_policy as policy
from helpers import REPO, run_playbook

AGENTS_TASKS = os.path.join(REPO, 'roles', 'agents', 'tasks')
BUILT = 'localhost/ai-platform/agent-runtime:'


def _load(*path):
    with open(os.path.join(REPO, *path)) as handle:
        return yaml.safe_load(handle)


def _import_tasks(play):
    """(tasks_from, when) of each agents-role import in a play of playbooks/agent_image.yml."""
    return [(task['ansible.builtin.import_role']['tasks_from'], task.get('when'))
            for task in play['tasks'] if task.get('ansible.builtin.import_role', {}).get('name') ==
            'baremetal.ai_platform.agents']


IMAGE_PLAYS = _load('playbooks', 'agent_image.yml')
# What each play of playbooks/agent_image.yml sees: the image name and its own condition, evaluated
# with the agents role's defaults and vars loaded the way that play loads them (import_role).
_PROBE = [{
    'name': 'probe %s' % play['hosts'], 'hosts': play['hosts'], 'gather_facts': False,
    'tasks': [
        {'ansible.builtin.import_role': {'name': 'baremetal.ai_platform.agents', 'tasks_from': tasks_from},
         'when': False},
        {'ansible.builtin.debug': {'msg': {
            'image': '{{ __agents_runtime_image }}', 'runs': '{{ %s }}' % when,
            'base': '{{ agents_image_base }}'}}},
    ]} for play in IMAGE_PLAYS for tasks_from, when in _import_tasks(play)]


@pytest.fixture(scope='module')
def probed(tmp_path_factory):
    """inventory -> {host: what the agent_image.yml play on that host builds or imports, and whether it runs}."""
    playbook = tmp_path_factory.mktemp('agent-image') / 'probe.yml'
    playbook.write_text(yaml.safe_dump(_PROBE, sort_keys=False))
    out = {}
    for inventory in ('example', 'lab'):
        proc = run_playbook(str(playbook), inventory=os.path.join('inventories', inventory), json_output=True)
        assert proc.returncode == 0 and proc.result, proc.stdout[-3000:] + proc.stderr[-3000:]
        out[inventory] = dict((host, outcome['msg']) for play in proc.result['plays'] for task in play['tasks']
                              for host, outcome in task['hosts'].items() if 'msg' in outcome)
    return out


def test_site_builds_and_imports_the_image_between_the_hosts_and_the_platform():
    order = [play['ansible.builtin.import_playbook'] for play in _load('playbooks', 'site.yml')]
    assert order.index('hosts.yml') < order.index('agent_image.yml') < order.index('platform.yml'), order


def test_the_build_runs_on_the_controller_and_the_import_on_every_k3s_node():
    plays = [(play['hosts'], _import_tasks(play)) for play in IMAGE_PLAYS]
    assert [(hosts, [tasks_from for tasks_from, _when in imports]) for hosts, imports in plays] == [
        ('localhost', ['image.yml']), ('k3s_cluster', ['image_import.yml'])]
    for _hosts, imports in plays:
        assert all('agents_image_build' in when for _tasks_from, when in imports), imports


def test_build_archive_and_import_all_name_the_runtime_image():
    """The tag podman builds, the archive it saves and the name the nodes' import is checked by are one var,
    the one the probe below evaluates."""
    build = dict((task['name'], task) for task in _flatten(_load('roles', 'agents', 'tasks', 'image.yml')))
    assert '--tag {{ __agents_runtime_image }}' in build['Image | podman build']['ansible.builtin.command']['cmd']
    save = build['Image | podman save']['ansible.builtin.command']['cmd']
    assert save.endswith(' {{ __agents_runtime_image }}'), save
    imports = dict((task['name'], task) for task in _load('roles', 'agents', 'tasks', 'image_import.yml'))
    assert '__agents_runtime_image not in __agents_image_listed.stdout_lines' in (
        imports['Image import | k3s ctr images import']['when'])


def _flatten(tasks):
    for task in tasks:
        yield task
        yield from _flatten(task.get('block', []))


def test_the_lab_builds_from_its_own_base_and_imports_it_on_every_node(probed):
    with open(os.path.join(REPO, 'tests', 'lab', 'hosts.yml')) as handle:
        lab_image = yaml.safe_load(handle)['platforms'][0]['image']
    lab = probed['lab']
    nodes = set(lab) - {'localhost'}
    assert nodes == {'nuc1', 'nuc2', 'nuc3'}
    assert lab['localhost']['runs'] is True and lab['localhost']['base'] == lab_image
    assert all(lab[node]['runs'] is True for node in nodes), lab


@pytest.mark.parametrize('inventory', ['example', 'lab'])
def test_agents_and_pipeline_run_the_image_that_is_built_and_imported(probed, rendered, inventory):
    seen = probed[inventory]
    built = seen['localhost']['image']
    assert built.startswith(BUILT), built
    # The nodes import the image the controller built, under the same name.
    assert set(outcome['image'] for outcome in seen.values()) == {built}, seen
    site = rendered[inventory]
    deployments = dict((obj['metadata']['name'], obj) for obj in site['objects'] if obj['kind'] == 'Deployment'
                       and obj['metadata']['namespace'] == site['namespaces']['agents'])
    default_agents = [agent['name'] for agent in site['agents'] if 'image' not in agent]
    assert default_agents
    for name in default_agents:
        refs = [ref for _where, ref in policy.image_refs(deployments['agent-%s' % name])]
        assert refs == [built], (name, refs)
    [pipeline] = [obj for obj in site['objects'] if obj['kind'] == 'WorkflowTemplate'
                  and obj['metadata']['name'] == 'document-pipeline']
    refs = [ref for _where, ref in policy.image_refs(pipeline)]
    assert len(refs) == 3 and set(refs) == {built}, refs
