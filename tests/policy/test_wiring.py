"""The wiring check (tests/tools/wiring_check.py) on both rendered inventories, and on broken fixtures.

The render and the vault role's secret catalog come from the same playbook run (conftest.py), so the
check sees what the bootstrap really owns, not a list kept in the test.
"""

import glob
import os
import re
import subprocess
import sys

import pytest
import yaml

from helpers import REPO

sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import wiring_check  # noqa: E402
from ansible_collections.baremetal.ai_platform.plugins.filter.secret_catalog import (  # noqa: E402
    secret_catalog_readers, secret_reader_vault_config)

TOOL = os.path.join(REPO, 'tests', 'tools', 'wiring_check.py')
FIXTURES = sorted(glob.glob(os.path.join(REPO, 'tests', 'fixtures', 'wiring', '*.yml')))


def _apply_order(site):
    """Folders in the order the playbook shipped them (k8s_ship reports each folder it renders), bar
    the Flux entry point, which only render mode writes."""
    shipped = [f for f in re.findall(re.escape(site['dir']) + r'/([a-z0-9-]+): ', site['output']) if f != 'flux']
    return sorted(set(shipped), key=shipped.index)


def _findings(site, flux=True):
    """Render mode's findings (the order of the Flux entry point), or apply mode's (the playbook's order)."""
    with open(site['catalog']) as handle:
        catalog = yaml.safe_load(handle)
    return wiring_check.check(site['dir'], catalog, None if flux else _apply_order(site),
                              external=[site['platform']['ai_platform_spark_address']], flux=flux)


def test_catalog_lists_every_secret_with_its_owner(site):
    with open(site['catalog']) as handle:
        catalog = yaml.safe_load(handle)
    owners = dict((entry['path'], entry['owner']) for entry in catalog)
    assert owners['ai-platform/providers/openai'] == 'operator'
    assert owners['ai-platform/providers/spark'] == 'controller'
    assert owners['ai-platform/langfuse'] == 'generated'
    assert len([entry for entry in catalog if entry['path'].startswith('ai-platform/agents/')]) == len(site['agents'])
    assert not [entry for entry in catalog if set(entry) - {'path', 'owner', 'keys', 'env', 'derive', 'namespaces'}]


def _render(site):
    return wiring_check.Render(wiring_check.load(site['dir'], sorted(os.listdir(site['dir']))))


def test_every_external_secret_reads_through_a_store_only_its_namespace_may_use(site):
    render = _render(site)
    externals = wiring_check._external_secrets(render)
    assert externals and wiring_check.check_stores(render) == []
    # One store per reading namespace, each admitting that namespace alone.
    namespaces = set(obj['metadata']['namespace'] for obj in externals)
    stores = dict((name, store) for (kind, _ns, name), store in render.stores.items() if kind == 'ClusterSecretStore')
    assert sorted(wiring_check._admitted(store).pop() for store in stores.values()) == sorted(namespaces)


def test_each_namespace_vault_policy_grants_only_what_its_external_secrets_read(site):
    """The policies the vault role writes (built from the published catalog by the role's own filters),
    reached through each namespace's store and Vault role, read exactly that namespace's remote refs."""
    with open(site['catalog']) as handle:
        catalog = yaml.safe_load(handle)
    secrets_ns = site['namespaces']['secrets']
    config = secret_reader_vault_config(secret_catalog_readers(catalog), {'secret_store': 'vault'}, 'secret',
                                        'kubernetes', secrets_ns, 3600)
    roles = dict((endpoint['path'].rpartition('/')[2], endpoint['data']) for endpoint in config['endpoints'])
    policies = dict((policy['name'], re.findall(r'path "secret/data/([^"]+)"', policy['rules']))
                    for policy in config['policies'])
    render = _render(site)
    read = {}
    for obj in wiring_check._external_secrets(render):
        read.setdefault(obj['metadata']['namespace'], set()).update(
            item['remoteRef']['key'] for item in obj['spec']['data'])
    granted = {}
    for (_kind, _ns, _name), store in render.stores.items():
        [ns] = wiring_check._admitted(store)
        role_name, (account_ns, account) = wiring_check._store_identity(store)
        role = roles[role_name]
        # The role takes only this store's service account, beside the operator.
        assert (role['bound_service_account_names'], role['bound_service_account_namespaces']) == ([account], [secrets_ns])
        assert account_ns == secrets_ns
        granted[ns] = set(path for policy in role['token_policies'] for path in policies[policy])
    assert granted == read


def test_every_secret_key_service_and_flow_is_wired(site):
    assert [f for f in _findings(site) if not f.startswith('crd:')] == []


def test_every_custom_resource_comes_after_the_component_delivering_its_crd(site):
    assert [f for f in _findings(site) if f.startswith('crd:')] == []


# Apply mode ships the roles one after the other (the order of playbooks/platform.yml); render mode is
# ordered by the Flux graph instead (the test above).
def test_apply_mode_ships_every_crd_before_the_custom_resources_that_need_it(site):
    assert [f for f in _findings(site, flux=False) if f.startswith('crd:')] == []


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
    if 'flux' in case:
        # The entry point's Kustomizations: one per folder, dependsOn as the case gives it.
        (tmp_path / 'render' / 'flux').mkdir()
        kustomizations = [{'apiVersion': 'kustomize.toolkit.fluxcd.io/v1', 'kind': 'Kustomization',
                           'metadata': {'name': 'site-%s' % folder, 'namespace': 'flux-system'},
                           'spec': {'path': './clusters/site/%s' % folder,
                                    'dependsOn': [{'name': 'site-%s' % dep} for dep in deps]}}
                          for folder, deps in case['flux'].items()]
        (tmp_path / 'render' / 'flux' / 'kustomizations.yaml').write_text(yaml.safe_dump_all(kustomizations))
        how = ['--flux']
    else:
        how = ['--order', ','.join(order)]
    proc = subprocess.run([sys.executable, TOOL, str(tmp_path / 'render'), '--catalog', str(tmp_path / 'catalog.yml')]
                          + how, capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert case['expect'] in proc.stdout.splitlines(), proc.stdout
