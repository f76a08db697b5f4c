"""The wiring check (tests/tools/wiring_check.py) on both rendered inventories, and on broken fixtures.

The render and the vault role's secret catalog come from the same playbook run (conftest.py), so the
check sees what the bootstrap really owns, not a list kept in the test.
"""

import glob
import os
import subprocess
import sys

import pytest
import yaml

from helpers import REPO

sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import wiring_check  # noqa: E402

TOOL = os.path.join(REPO, 'tests', 'tools', 'wiring_check.py')
FIXTURES = sorted(glob.glob(os.path.join(REPO, 'tests', 'fixtures', 'wiring', '*.yml')))


def _apply_order():
    """Components in the order playbooks/platform.yml ships them (each role's k8s_ship_component)."""
    with open(os.path.join(REPO, 'playbooks', 'platform.yml')) as handle:
        plays = yaml.safe_load(handle)
    return [r['role'].split('.')[-1].replace('_', '-') for play in plays for r in play.get('roles', [])]


def _findings(site):
    with open(site['catalog']) as handle:
        catalog = yaml.safe_load(handle)
    return wiring_check.check(site['dir'], catalog, _apply_order(),
                              external=[site['platform']['ai_platform_spark_address']])


def test_catalog_lists_every_secret_with_its_owner(site):
    with open(site['catalog']) as handle:
        catalog = yaml.safe_load(handle)
    owners = dict((entry['path'], entry['owner']) for entry in catalog)
    assert owners['ai-platform/providers/openai'] == 'operator'
    assert owners['ai-platform/providers/spark'] == 'controller'
    assert owners['ai-platform/langfuse'] == 'generated'
    assert len([entry for entry in catalog if entry['path'].startswith('ai-platform/agents/')]) == len(site['agents'])
    assert not [entry for entry in catalog if set(entry) - {'path', 'owner', 'keys', 'env', 'derive'}]


def test_every_secret_key_service_and_flow_is_wired(site):
    assert [f for f in _findings(site) if not f.startswith('crd:')] == []


# Known: the External Secrets store ships in the same folder as the chart bringing its CRD, and
# LiteLLM's ServiceMonitor before kube-prometheus-stack. Ordering the rendered folders (CRDs first)
# is the GitOps entry-point work; strict, so the marker must go once that lands.
@pytest.mark.xfail(strict=True, reason='CRDs are not yet ordered before the resources that need them')
def test_every_custom_resource_comes_after_the_component_delivering_its_crd(site):
    assert [f for f in _findings(site) if f.startswith('crd:')] == []


@pytest.mark.parametrize('fixture', FIXTURES, ids=[os.path.basename(p)[:-4] for p in FIXTURES])
def test_broken_wiring_fixture_fails_with_its_finding(fixture, tmp_path):
    with open(fixture) as handle:
        case = yaml.safe_load(handle)
    order = case.get('order') or list(case['components'])
    for component, objects in case['components'].items():
        folder = tmp_path / 'render' / component
        folder.mkdir(parents=True)
        names = []
        for index, obj in enumerate(objects):
            names.append('%02d-%s.yaml' % (index, obj['kind'].lower()))
            (folder / names[-1]).write_text(yaml.safe_dump(obj))
        (folder / 'kustomization.yaml').write_text(yaml.safe_dump({'resources': names}))
    (tmp_path / 'catalog.yml').write_text(yaml.safe_dump(case['catalog']))
    proc = subprocess.run([sys.executable, TOOL, str(tmp_path / 'render'), '--catalog', str(tmp_path / 'catalog.yml'),
                           '--order', ','.join(order)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert case['expect'] in proc.stdout.splitlines(), proc.stdout
