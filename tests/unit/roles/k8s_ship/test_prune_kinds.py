"""Apply mode finds what left the inventory by listing each kind in k8s_ship's __k8s_ship_prune_kinds:
a kind a role ships but the list lacks would never be pruned. Every kind in every role's templates
and the filters that build objects must be listed (Namespace excepted: never pruned)."""

import glob
import os
import re

import yaml

from helpers import REPO

# Kinds built in Python rather than templates (namespace_baseline, external_secret filters).
FILTER_KINDS = {('networking.k8s.io/v1', 'NetworkPolicy'), ('external-secrets.io/v1', 'ExternalSecret')}


def template_kinds():
    kinds = set()
    for path in glob.glob(os.path.join(REPO, 'roles', '*', 'templates', 'k8s', '*.j2')):
        # The gitops role's Flux objects exist in render mode only, where Flux prunes its own.
        if os.sep + 'gitops' + os.sep in path:
            continue
        text = open(path).read()
        # Each document's top-level apiVersion and kind (templates may hold several documents).
        for document in re.split(r'^---$', text, flags=re.M):
            version = re.search(r'^apiVersion: (\S+)', document, re.M)
            kind = re.search(r'^kind: (\S+)', document, re.M)
            if kind:
                kinds.add((version.group(1), kind.group(1)))
    return kinds


def test_every_kind_the_roles_ship_is_listed_for_pruning_namespaces_never():
    with open(os.path.join(REPO, 'roles', 'k8s_ship', 'vars', 'main.yml')) as handle:
        listed = set((k['api_version'], k['kind']) for k in yaml.safe_load(handle)['__k8s_ship_prune_kinds'])
    shipped = template_kinds() | FILTER_KINDS
    assert len(shipped) > 20
    assert sorted(shipped - listed) == []
    assert sorted(listed - shipped) == []
    assert not [kind for _version, kind in listed if kind == 'Namespace']
