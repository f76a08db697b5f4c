# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deterministic serialisation of Kubernetes objects, shared by the render path and the tests.

Same objects in, same bytes out: keys sorted, multi-line strings as literal blocks, one file per
object named after its kind, namespace and name, and a stable apply order.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import traceback

try:
    import yaml
except ImportError:
    HAS_YAML = False
    YAML_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_YAML = True
    YAML_IMPORT_ERROR = None

# Objects other objects depend on come first, so a directory applied in file order converges.
_KIND_ORDER = (
    'Namespace',
    'CustomResourceDefinition',
    'PriorityClass',
    'StorageClass',
    'ServiceAccount',
    'ClusterRole',
    'ClusterRoleBinding',
    'Role',
    'RoleBinding',
    'ConfigMap',
    'Secret',
    'ClusterSecretStore',
    'SecretStore',
    'ExternalSecret',
    'PersistentVolumeClaim',
    'HelmChart',
    'HelmChartConfig',
    'Service',
    'Deployment',
    'StatefulSet',
    'DaemonSet',
    'Job',
    'CronJob',
)


def _represent_str(dumper, value):
    style = '|' if '\n' in value else None
    return dumper.represent_scalar('tag:yaml.org,2002:str', value, style=style)


def dump_yaml(data):
    """Serialise one document deterministically."""
    dumper = type('_ManifestDumper', (yaml.SafeDumper,), {})
    # Templated values may arrive as str subclasses, so register for the whole family.
    dumper.add_representer(str, _represent_str)
    dumper.add_multi_representer(str, _represent_str)
    return yaml.dump(data, Dumper=dumper, sort_keys=True, default_flow_style=False,
                     allow_unicode=True, width=120, explicit_start=True)


def _slug(value):
    return re.sub(r'[^a-z0-9.-]+', '-', str(value).lower()).strip('-')


def object_key(obj):
    """Sort key: dependency order of the kind, then namespace, then name."""
    kind = obj.get('kind', '')
    rank = _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)
    meta = obj.get('metadata') or {}
    return (rank, kind, meta.get('namespace', ''), meta.get('name', ''))


def object_filename(obj):
    """Stable name from kind, namespace and name: adding an object never renames the others."""
    meta = obj.get('metadata') or {}
    parts = [obj.get('kind', 'object'), meta.get('namespace', ''), meta.get('name', '')]
    return '%s.yaml' % '-'.join(_slug(p) for p in parts if p)


def object_problems(obj):
    """Reasons an object may not be shipped; empty when it is fine."""
    problems = []
    if not isinstance(obj, dict):
        return ['is not a mapping']
    for field in ('apiVersion', 'kind'):
        if not obj.get(field):
            problems.append('has no %s' % field)
    if not (obj.get('metadata') or {}).get('name'):
        problems.append('has no metadata.name')
    # Secret values come from External Secrets at run time; a rendered manifest never holds one.
    if obj.get('kind') == 'Secret' and (obj.get('data') or obj.get('stringData')):
        problems.append('is a Secret with data; ship an ExternalSecret instead')
    return problems


def object_summary(obj):
    """What other folders may depend on in an object: API version, kind, namespace and name."""
    meta = obj.get('metadata') or {}
    return {'apiVersion': obj.get('apiVersion'), 'kind': obj.get('kind'),
            'metadata': dict((key, meta[key]) for key in ('name', 'namespace') if meta.get(key))}


def render_files(objects):
    """Map file name -> YAML text for a component's objects; kustomization.yaml gives apply order."""
    files = {}
    for obj in sorted(objects, key=object_key):
        name = object_filename(obj)
        if name in files:
            raise ValueError('two objects would both be written to %s' % name)
        files[name] = dump_yaml(obj)
    files['kustomization.yaml'] = dump_yaml({
        'apiVersion': 'kustomize.config.k8s.io/v1beta1',
        'kind': 'Kustomization',
        'resources': list(files),
    })
    return files


# Label k8s_ship puts on every object it ships: which component shipped it. Apply mode prunes by it.
COMPONENT_LABEL = 'ai-platform/component'
# Never pruned, even when labelled: deleting a Namespace deletes everything in it, chart-made objects
# and volumes included, and a namespace may be shared.
NEVER_PRUNED = ('Namespace',)


def with_component_label(objects, component):
    """Copies of the objects labelled with the component that ships them."""
    labelled = []
    for obj in objects:
        meta = dict(obj.get('metadata') or {})
        meta['labels'] = dict(meta.get('labels') or {}, **{COMPONENT_LABEL: component})
        labelled.append(dict(obj, metadata=meta))
    return labelled


def component_selector(components):
    """Label selector for the objects of these components."""
    return '%s in (%s)' % (COMPONENT_LABEL, ','.join(sorted(components)))


def object_id(obj):
    """kind/namespace/name: one object whatever API version it is read through."""
    meta = obj.get('metadata') or {}
    return '%s/%s/%s' % (obj.get('kind', ''), meta.get('namespace') or '', meta.get('name', ''))


def prune_selection(live, shipped, field_manager):
    """The live objects to delete, in reverse apply order: labelled by a component shipped in this run
    (shipped: component -> object ids it shipped), applied by field_manager, and not shipped again.
    Objects without the label, of a component this run did not ship, or written only by others
    (controllers, people) are never selected."""
    selected = {}
    for obj in live:
        meta = obj.get('metadata') or {}
        component = (meta.get('labels') or {}).get(COMPONENT_LABEL)
        if component not in shipped or obj.get('kind') in NEVER_PRUNED or meta.get('deletionTimestamp'):
            continue
        if not any(entry.get('manager') == field_manager for entry in meta.get('managedFields') or []):
            continue
        if object_id(obj) not in shipped[component]:
            selected[object_id(obj)] = obj
    return sorted(selected.values(), key=object_key, reverse=True)
