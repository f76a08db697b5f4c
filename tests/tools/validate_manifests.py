# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate rendered Kubernetes manifests without a cluster.

Core kinds are checked with kubernetes-validate in strict mode (unknown fields are errors) for the
pinned Kubernetes minor. Custom resources are checked against the openAPIV3Schema of their CRD,
read from a folder given on the command line (CI points it at ../shared/crds) and from
tests/fixtures/crds (CRDs of components whose schemas ../shared lacks, with their sources); objects
without a schema in any of these places are errors, not warnings. Every field a CRD schema does not declare is
refused too, as a typo would otherwise pass.

    python tests/tools/validate_manifests.py DIR [DIR ...] --crds CRD_DIR --kubernetes 1.33
"""

import argparse
import copy
import glob
import os
import sys

import jsonschema
import kubernetes_validate
import yaml

# The CRD files are large (Argo's are ~3 MB each); libyaml parses them an order of magnitude faster.
_Loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)


def _closed(schema):
    """Copy of a CRD schema where objects with declared properties allow no others."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if ('properties' in node and 'additionalProperties' not in node
                    and not node.get('x-kubernetes-preserve-unknown-fields')):
                node['additionalProperties'] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    # metadata is validated by the API server's own rules, not the CRD schema.
    schema.get('properties', {}).pop('metadata', None)
    schema.get('properties', {})['metadata'] = {'type': 'object'}
    # Some CRDs (NACK) leave apiVersion/kind undeclared; every object carries them.
    for field in ('apiVersion', 'kind'):
        schema.get('properties', {}).setdefault(field, {'type': 'string'})
    return schema


# CRDs the collection keeps itself (see its SOURCES.md), read besides the folder given.
OWN_CRD_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'fixtures', 'crds')


def load_crd_schemas(crd_dir):
    """Map (apiVersion, kind) -> closed JSON schema, from every CRD file under crd_dir and OWN_CRD_DIR."""
    schemas = {}
    paths = sorted(path for folder in (crd_dir, OWN_CRD_DIR) if folder
                   for path in glob.glob(os.path.join(folder, '**', '*.y*ml'), recursive=True))
    for path in paths:
        with open(path) as handle:
            for doc in yaml.load_all(handle, Loader=_Loader):
                if not doc or doc.get('kind') != 'CustomResourceDefinition':
                    continue
                spec = doc['spec']
                for version in spec['versions']:
                    if not version.get('served', True):
                        continue
                    schema = (version.get('schema') or {}).get('openAPIV3Schema')
                    if schema:
                        key = ('%s/%s' % (spec['group'], version['name']), spec['names']['kind'])
                        schemas[key] = _closed(schema)
    return schemas


def load_objects(paths):
    """(file, object) for every document in the given files or folders (kustomization files skipped)."""
    files = []
    for path in paths:
        if os.path.isdir(path):
            files.extend(sorted(glob.glob(os.path.join(path, '**', '*.yaml'), recursive=True)))
        else:
            files.append(path)
    for path in files:
        if os.path.basename(path) == 'kustomization.yaml':
            continue
        with open(path) as handle:
            for doc in yaml.load_all(handle, Loader=_Loader):
                if doc:
                    yield path, doc


class Validator:
    def __init__(self, crd_dir, kubernetes_minor):
        self.crd_schemas = load_crd_schemas(crd_dir)
        self.kubernetes_minor = kubernetes_minor

    def errors(self, obj):
        """Validation errors of one object; empty when it is valid."""
        key = (obj.get('apiVersion'), obj.get('kind'))
        schema = self.crd_schemas.get(key)
        if schema is not None:
            validator = jsonschema.Draft7Validator(schema)
            return ['%s: %s' % ('.'.join(str(p) for p in err.absolute_path) or '<root>', err.message)
                    for err in sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))]
        try:
            kubernetes_validate.validate(obj, self.kubernetes_minor, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            return ['no schema for %s %s (not a Kubernetes %s kind, no CRD found)'
                    % (key[0], key[1], self.kubernetes_minor)]
        except kubernetes_validate.ValidationError as err:
            return ['%s: %s' % ('.'.join(str(p) for p in err.path) or '<root>', err.message)]
        return []


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('paths', nargs='+')
    parser.add_argument('--crds', default=os.environ.get('AI_PLATFORM_CRD_DIR', ''),
                        help='folder of CRD files (default: $AI_PLATFORM_CRD_DIR)')
    parser.add_argument('--kubernetes', default='1.33', help='Kubernetes minor to validate against')
    args = parser.parse_args(argv)

    validator = Validator(args.crds, args.kubernetes)
    count, failures = 0, 0
    for path, obj in load_objects(args.paths):
        count += 1
        for error in validator.errors(obj):
            failures += 1
            name = '%s/%s' % (obj.get('kind'), (obj.get('metadata') or {}).get('name'))
            print('%s: %s: %s' % (path, name, error))
    print('validated %d objects: %d errors' % (count, failures))
    return 1 if failures or not count else 0


if __name__ == '__main__':
    sys.exit(main())
