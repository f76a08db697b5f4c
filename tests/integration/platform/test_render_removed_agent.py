"""playbooks/platform.yml in render mode, run again after an agent leaves the inventory: every file
of that agent is gone and no kustomization lists it, so a GitOps engine stops applying it."""

import glob
import json
import os

import pytest
import yaml

from helpers import REPO, run_playbook

INVENTORY = os.path.join(REPO, 'inventories', 'lab')
# An agent with RBAC (namespaced and cluster-wide) and API server egress: the most files of any agent.
GONE = 'capacity-reporter'


def tree(build):
    """{component/file: text} for every manifest under the render dir."""
    result = {}
    for path in sorted(glob.glob(os.path.join(str(build), '*', '*.yaml'))):
        with open(path) as handle:
            result[os.path.relpath(path, str(build))] = handle.read()
    return result


def render(build, *extra):
    proc = run_playbook('playbooks/platform.yml', '-e', 'ai_platform_render_dir=%s' % build, *extra,
                        inventory=INVENTORY)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]
    return tree(build)


@pytest.mark.offline
def test_offline_render_agent_removed_from_inventory_leaves_no_manifest_behind(tmp_path):
    with open(os.path.join(INVENTORY, 'group_vars', 'all', 'agents.yml')) as handle:
        agents = yaml.safe_load(handle)['ai_platform_agents']
    assert GONE in [agent['name'] for agent in agents]
    build = tmp_path / 'build'
    first = render(build)
    own = sorted(name for name in first if 'agent-%s' % GONE in name)
    assert len(own) >= 8, own  # Deployment, ServiceAccount, RBAC, stream, consumer, ScaledObject...

    remaining = tmp_path / 'agents.json'
    remaining.write_text(json.dumps({'ai_platform_agents': [a for a in agents if a['name'] != GONE]}))
    second = render(build, '-e', '@%s' % remaining)

    assert [name for name in own if name in second] == []
    assert [name for name, text in second.items() if GONE in text] == []
    for folder in sorted(set(os.path.dirname(name) for name in second)):
        listed = yaml.safe_load(second[folder + '/kustomization.yaml'])['resources']
        present = sorted(os.path.basename(n) for n in second if os.path.dirname(n) == folder)
        assert sorted(listed + ['kustomization.yaml']) == present, folder
    # Nothing else moved: the other agents' files are byte for byte the same.
    unchanged = dict((name, text) for name, text in first.items()
                     if name.startswith('agents/') and name not in own and not name.endswith('kustomization.yaml'))
    assert unchanged and all(second.get(name) == text for name, text in unchanged.items())
