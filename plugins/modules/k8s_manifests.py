#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: k8s_manifests
short_description: Write a component's Kubernetes objects as deterministic manifests
version_added: 0.1.0
description:
  - Writes one YAML file per object into O(dest), named after its kind, namespace and name, plus a
    C(kustomization.yaml) listing them in dependency order (namespaces, RBAC, config, workloads), so
    the folder can be applied with C(kubectl apply -k) or synced by a GitOps controller.
  - Same objects give the same bytes. Files in O(dest) that no longer correspond to an object are
    removed, so a folder always mirrors the inventory.
  - Refuses a C(Secret) that carries data; secret values reach the cluster through External
    Secrets, never through a rendered file.
options:
  dest:
    description: Folder for this component's manifests. Created when missing.
    type: path
    required: true
  objects:
    description: Kubernetes objects, each a mapping with apiVersion, kind and metadata.name.
    type: list
    elements: dict
    required: true
author:
  - baremetal.ai_platform contributors (@baremetal)
attributes:
  check_mode:
    support: full
    description: Reports which files would change and writes nothing.
  diff_mode:
    support: full
    description: Shows the old and new text of every file that changes.
'''

EXAMPLES = r'''
- name: Render the gateway's objects
  baremetal.ai_platform.k8s_manifests:
    dest: build/lab/litellm
    objects: "{{ litellm_objects }}"
'''

RETURN = r'''
files:
  description: File names written, in apply order.
  returned: always
  type: list
  elements: str
changed_files:
  description: Files created, changed or removed by this run.
  returned: always
  type: list
  elements: str
objects:
  description:
    - API version, kind, namespace and name of every object written, in apply order (the GitOps entry
      point orders the folders by them).
  returned: always
  type: list
  elements: dict
  sample:
    - {apiVersion: v1, kind: Namespace, metadata: {name: ai-gateway}}
'''

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.baremetal.ai_platform.plugins.module_utils.manifests import (
    HAS_YAML,
    YAML_IMPORT_ERROR,
    object_key,
    object_problems,
    object_summary,
    render_files,
)


def _read(path):
    try:
        with open(path, 'r') as handle:
            return handle.read()
    except IOError:
        return None


def _write_temp(module, dest, text):
    tmp = os.path.join(dest, '.%s.tmp' % os.getpid())
    with open(tmp, 'w') as handle:
        handle.write(text)
    return tmp


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dest=dict(type='path', required=True),
            objects=dict(type='list', elements='dict', required=True),
        ),
        supports_check_mode=True,
    )
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib('PyYAML'), exception=YAML_IMPORT_ERROR)
    dest = module.params['dest']
    objects = module.params['objects']

    errors = []
    for position, obj in enumerate(objects):
        name = '%s/%s' % (obj.get('kind', '?'), (obj.get('metadata') or {}).get('name', '?'))
        errors.extend('objects[%d] (%s) %s' % (position, name, problem) for problem in object_problems(obj))
    if errors:
        module.fail_json(msg='Refusing to render %s: %s' % (dest, '; '.join(errors)), errors=errors)

    try:
        wanted = render_files(objects)
    except ValueError as err:
        module.fail_json(msg='Refusing to render %s: %s' % (dest, err))
    existing = sorted(n for n in os.listdir(dest) if n.endswith('.yaml')) if os.path.isdir(dest) else []

    before, after, changed_files = [], [], []
    for name in sorted(set(existing) | set(wanted)):
        current = _read(os.path.join(dest, name)) if name in existing else None
        target = wanted.get(name)
        if current == target:
            continue
        changed_files.append(name)
        before.append('# %s\n%s' % (name, current or ''))
        after.append('# %s\n%s' % (name, target or ''))

    if changed_files and not module.check_mode:
        if not os.path.isdir(dest):
            os.makedirs(dest)
        for name in changed_files:
            path = os.path.join(dest, name)
            if name in wanted:
                module.atomic_move(_write_temp(module, dest, wanted[name]), path)
            else:
                os.remove(path)

    result = dict(changed=bool(changed_files), files=sorted(wanted), changed_files=changed_files,
                  objects=[object_summary(obj) for obj in sorted(objects, key=object_key)])
    if module._diff and changed_files:
        result['diff'] = dict(before_header=dest, after_header=dest,
                              before=''.join(before), after=''.join(after))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
