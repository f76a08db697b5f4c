#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vault_sys_config
short_description: Ensure Vault secrets engines, auth methods, ACL policies and configuration endpoints
version_added: 0.1.0
description:
  - Enables the secrets engines in O(mounts) and the auth methods in O(auth_methods) that are missing,
    writes the ACL policies in O(policies) whose rules differ, and writes each configuration endpoint in
    O(endpoints) (an auth method's config or role, for example) whose declared fields differ from what
    Vault returns. Only the fields you declare are compared; everything already right is left alone, so a
    rerun makes no write calls.
  - Deletes what the configuration no longer wants, after the writes - each path in O(absent) that exists,
    and under each O(prune) collection every entry named with its prefix that this call does not declare.
  - A mount that exists with another type or KV version is an error; it is never remounted (that would
    destroy its data).
extends_documentation_fragment:
  - baremetal.ai_platform.vault
  - baremetal.ai_platform.vault.auth
  - baremetal.ai_platform.vault.check_mode
attributes:
  diff_mode:
    description: Before and after of every changed policy and endpoint field, and of every deleted path.
    support: full
options:
  mounts:
    description: Secrets engines to enable.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Mount path, for example V(secret).
        type: str
        required: true
      type:
        description: Engine type.
        type: str
        default: kv
      options:
        description: Engine options, for example C(version=2) for KV version 2.
        type: dict
        default: {}
  auth_methods:
    description: Auth methods to enable.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Mount path, for example V(kubernetes).
        type: str
        required: true
      type:
        description: Auth method type. Defaults to O(auth_methods[].path).
        type: str
  policies:
    description: ACL policies to write.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Policy name.
        type: str
        required: true
      rules:
        description: Policy text (HCL).
        type: str
        required: true
  endpoints:
    description:
      - Configuration endpoints to write when a declared field differs from what Vault returns.
      - Give fields in the form Vault returns them (durations in seconds, lists as lists).
      - Not for secrets (values are compared and shown in the diff).
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: API path without C(/v1/), for example V(auth/kubernetes/role/external-secrets).
        type: str
        required: true
      data:
        description: Fields to write.
        type: dict
        required: true
  prune:
    description:
      - Collections whose entries named with a prefix belong to this configuration. Each entry under O(prune[].path)
        whose name starts with O(prune[].prefix) and that this call does not declare (in O(policies) for
        V(sys/policies/acl), in O(endpoints) otherwise) is deleted.
      - Listed in order, so give roles before the policies they use.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: A collection Vault lists, for example V(auth/kubernetes/role) or V(sys/policies/acl).
        type: str
        required: true
      prefix:
        description: Names under O(prune[].path) that this configuration owns; must not be empty.
        type: str
        required: true
  absent:
    description: API paths to delete when they exist (a role or policy an earlier version created).
    type: list
    elements: str
    default: []
author:
  - baremetal.ai_platform contributors (@baremetal)
"""

EXAMPLES = r"""
- name: KV v2, Kubernetes auth, and a read-only role for External Secrets
  baremetal.ai_platform.vault_sys_config:
    url: https://vault.example.internal:8200
    token: "{{ vault_admin_token }}"
    mounts:
      - path: secret
        options: {version: "2"}
    auth_methods:
      - path: kubernetes
    policies:
      - name: external-secrets-read
        rules: |
          path "secret/data/ai-platform/*" { capabilities = ["read"] }
    endpoints:
      - path: auth/kubernetes/config
        data: {kubernetes_host: "https://kubernetes.default.svc:443"}
      - path: auth/kubernetes/role/external-secrets
        data:
          bound_service_account_names: [external-secrets]
          bound_service_account_namespaces: [external-secrets]
          token_policies: [external-secrets-read]
          token_ttl: 3600

- name: One reader role and policy per namespace; the ones no namespace uses any more are deleted
  baremetal.ai_platform.vault_sys_config:
    url: https://vault.example.internal:8200
    token: "{{ vault_admin_token }}"
    policies:
      - name: eso-ai-gateway
        rules: |
          path "secret/data/ai-platform/litellm" { capabilities = ["read"] }
    endpoints:
      - path: auth/kubernetes/role/eso-ai-gateway
        data: {bound_service_account_names: [eso-ai-gateway], bound_service_account_namespaces: [vault],
               token_policies: [eso-ai-gateway]}
    prune:
      - {path: auth/kubernetes/role, prefix: eso-}
      - {path: sys/policies/acl, prefix: eso-}
    absent:
      - auth/kubernetes/role/external-secrets
"""

RETURN = r"""
changes:
  description: What was changed (or would be, in check mode), one line each.
  returned: always
  type: list
  elements: str
  sample: ["enabled secrets engine secret/ (kv)", "wrote policy external-secrets-read", "deleted auth/kubernetes/role/old"]
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.six import string_types

from ansible_collections.baremetal.ai_platform.plugins.module_utils.vault import (
    HVAC_IMPORT_ERROR, VAULT_REQUIRED_IF, Vault, VaultError, vault_argument_spec)


def same(want, have):
    """Declared value equals what Vault returns (lists as sets, dicts on declared keys only)."""
    if isinstance(want, dict):
        return isinstance(have, dict) and all(same(value, have.get(key)) for key, value in want.items())
    if isinstance(want, (list, tuple)):
        if isinstance(have, string_types):
            have = [part.strip() for part in have.split(',') if part.strip()]
        return isinstance(have, (list, tuple)) and sorted(str(v) for v in want) == sorted(str(v) for v in have or [])
    if isinstance(want, bool) or isinstance(have, bool):
        return str(want).lower() == str(have).lower()
    return str(want) == str(have)


class Configurer(object):
    def __init__(self, module, vault):
        self.module = module
        self.vault = vault
        self.changes = []
        self.before = {}
        self.after = {}

    def change(self, line, write, *args):
        # Listed once done, so a failure lists exactly what was written before it.
        if not self.module.check_mode:
            write(*args)
        self.changes.append(line)

    def _listing(self, path):
        answer = self.vault.read(path) or {}
        return answer.get('data') or answer

    def mounts(self):
        current = self._listing('sys/mounts')
        for mount in self.module.params['mounts']:
            key = mount['path'].strip('/') + '/'
            want_options = dict((k, str(v)) for k, v in mount['options'].items())
            have = current.get(key)
            if have is None:
                self.change('enabled secrets engine %s (%s)' % (key, mount['type']), self.vault.write,
                            'sys/mounts/%s' % key.rstrip('/'), dict(type=mount['type'], options=want_options))
            elif have.get('type') != mount['type'] or not same(want_options, have.get('options') or {}):
                raise VaultError('Vault at %s: mount %s is %s %s, not %s %s; refusing to remount it'
                                 % (self.vault.url, key, have.get('type'), have.get('options'),
                                    mount['type'], want_options))

    def auth_methods(self):
        current = self._listing('sys/auth')
        for method in self.module.params['auth_methods']:
            key = method['path'].strip('/') + '/'
            kind = method['type'] or method['path'].strip('/')
            have = current.get(key)
            if have is None:
                self.change('enabled auth method %s (%s)' % (key, kind), self.vault.write,
                            'sys/auth/%s' % key.rstrip('/'), dict(type=kind))
            elif have.get('type') != kind:
                raise VaultError('Vault at %s: auth method %s is %s, not %s' % (self.vault.url, key, have.get('type'), kind))

    def policies(self):
        for policy in self.module.params['policies']:
            path = 'sys/policies/acl/%s' % policy['name']
            have = ((self.vault.read(path) or {}).get('data') or {}).get('policy')
            if (have or '').strip() != policy['rules'].strip():
                self.before[path] = have or ''
                self.after[path] = policy['rules']
                self.change('wrote policy %s' % policy['name'], self.vault.write, path, dict(policy=policy['rules']))

    def endpoints(self):
        for endpoint in self.module.params['endpoints']:
            path = endpoint['path'].strip('/')
            have = (self.vault.read(path) or {}).get('data') or {}
            differs = dict((k, v) for k, v in endpoint['data'].items() if not same(v, have.get(k)))
            if differs:
                self.before[path] = dict((k, have.get(k)) for k in differs)
                self.after[path] = differs
                self.change('wrote %s (%s)' % (path, ', '.join(sorted(differs))), self.vault.write,
                            path, endpoint['data'])

    def _remove(self, path):
        have = self.vault.read(path)
        if have is not None:
            data = have.get('data') or {}
            self.before[path] = data.get('policy', data) if path.startswith('sys/policies/acl/') else data
            self.after[path] = None
            self.change('deleted %s' % path, self.vault.delete, path)

    def prune(self):
        policies = set(policy['name'] for policy in self.module.params['policies'])
        endpoints = set(endpoint['path'].strip('/') for endpoint in self.module.params['endpoints'])
        for collection in self.module.params['prune']:
            base, prefix = collection['path'].strip('/'), collection['prefix']
            if not prefix:
                raise VaultError('prune %s: a prefix is required (an empty one would delete everything there)' % base)
            declared = policies if base == 'sys/policies/acl' else set(
                path[len(base) + 1:] for path in endpoints if path.startswith(base + '/'))
            for name in sorted(self.vault.list(base)):
                if name.startswith(prefix) and name not in declared:
                    self._remove('%s/%s' % (base, name))

    def absent(self):
        for path in self.module.params['absent']:
            self._remove(path.strip('/'))


def main():
    argument_spec = vault_argument_spec()
    argument_spec.update(
        mounts=dict(type='list', elements='dict', default=[], options=dict(
            path=dict(type='str', required=True),
            type=dict(type='str', default='kv'),
            options=dict(type='dict', default={}),
        )),
        auth_methods=dict(type='list', elements='dict', default=[], options=dict(
            path=dict(type='str', required=True),
            type=dict(type='str'),
        )),
        policies=dict(type='list', elements='dict', default=[], options=dict(
            name=dict(type='str', required=True),
            rules=dict(type='str', required=True),
        )),
        endpoints=dict(type='list', elements='dict', default=[], options=dict(
            path=dict(type='str', required=True),
            data=dict(type='dict', required=True),
        )),
        prune=dict(type='list', elements='dict', default=[], options=dict(
            path=dict(type='str', required=True),
            prefix=dict(type='str', required=True),
        )),
        absent=dict(type='list', elements='str', default=[]),
    )
    module = AnsibleModule(argument_spec=argument_spec, required_if=VAULT_REQUIRED_IF, supports_check_mode=True)
    if HVAC_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib('hvac'), exception=HVAC_IMPORT_ERROR)

    vault = Vault(module.params)
    configurer = Configurer(module, vault)
    try:
        vault.require_unsealed()
        vault.login()
        # Engines and methods first: policies and endpoints may refer to them.
        configurer.mounts()
        configurer.auth_methods()
        configurer.policies()
        configurer.endpoints()
        # Deletions last: what replaces an obsolete role or policy exists before it goes.
        configurer.prune()
        configurer.absent()
    except VaultError as exc:
        done = ('Already written before the error: %s' % '; '.join(configurer.changes) if configurer.changes
                else 'Nothing was written')
        module.fail_json(msg='%s. %s.' % (str(exc).rstrip('.'), done), changed=bool(configurer.changes),
                         changes=configurer.changes)
    result = dict(changed=bool(configurer.changes), changes=configurer.changes)
    if module._diff:
        result['diff'] = dict(before=configurer.before, after=configurer.after)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
