#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vault_kv_secrets
short_description: Ensure a set of Vault KV version 2 secrets hold the declared values
version_added: 0.1.0
description:
  - Reads every declared secret, compares it with the declared keys, and writes only the paths that differ.
    KV version 2 creates a new version on every write, even an identical one, so an unchanged secret is
    never written.
  - Every write carries check-and-set (C(cas)) set to the version that was read, so a change made by someone
    else between the read and the write is reported as an error instead of being overwritten.
  - Before anything is written the module checks that Vault is reachable and unsealed, that the token is
    valid, that every mount exists and is KV version 2, and that the token may read and write every path
    it needs; on any of those failures no path is touched.
  - Keys listed in O(secrets[].generate) get a random value only when the secret does not have them yet,
    so reruns keep the value.
  - Values never appear in the result or the diff; the result names the changed paths.
extends_documentation_fragment:
  - baremetal.ai_platform.vault
  - baremetal.ai_platform.vault.auth
  - baremetal.ai_platform.vault.check_mode
attributes:
  diff_mode:
    description: Shows the keys of each changed path with every value masked.
    support: full
options:
  secrets:
    description:
      - The secrets to ensure.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description:
          - Secret path inside the mount, for example V(ai-platform/providers/openai).
        type: str
        required: true
      mount:
        description:
          - KV version 2 mount. Defaults to O(mount).
        type: str
      data:
        description:
          - Keys and values the secret must hold.
        type: dict
        default: {}
      generate:
        description:
          - Keys to fill with a random URL-safe value when the secret does not have them.
          - A key cannot be both in O(secrets[].data) and here.
        type: list
        elements: str
        default: []
      generate_prefix:
        description:
          - Text put before each generated value of this secret, for example V(sk-) for LiteLLM keys.
        type: str
        default: ""
      generate_prefixes:
        description:
          - Per-key prefixes that replace O(secrets[].generate_prefix) for the keys they name.
        type: dict
        default: {}
      generate_hex:
        description:
          - Generated keys that get 256 random bits as 64 hex digits instead (for example an AES-256 key).
        type: list
        elements: str
        default: []
      seed:
        description:
          - Keys written from the given value only when the secret does not have them yet; an existing
            value is kept (so a key rotated in Vault is not reverted).
          - A key whose value is empty must already be in Vault; otherwise the module fails before
            writing any path, naming every missing key.
        type: dict
        default: {}
      seed_hint:
        description:
          - Where the operator puts a missing seeded key, added to the error naming it.
        type: str
        default: ""
      derive:
        description:
          - Keys built from the secret's other keys with Python format placeholders, for example
            V(postgresql://litellm:{postgres_password}@db:5432/litellm). They are recomputed on every
            run, so they follow the keys they are built from.
        type: dict
        default: {}
  mount:
    description:
      - Default KV version 2 mount for secrets that name none.
    type: str
    default: secret
  purge:
    description:
      - When V(true), keys a secret holds but does not declare (or generate) are removed.
      - When V(false), they are kept.
    type: bool
    default: false
  generate_length:
    description:
      - Length of each generated value, in letters and digits (after O(secrets[].generate_prefix)).
    type: int
    default: 32
author:
  - baremetal.ai_platform contributors (@baremetal)
"""

EXAMPLES = r"""
- name: Provider key and generated agent credentials
  baremetal.ai_platform.vault_kv_secrets:
    url: "{{ ai_platform_vault.address }}"
    token: "{{ vault_admin_token }}"
    mount: "{{ ai_platform_vault.kv_mount }}"
    secrets:
      - path: ai-platform/providers/openai
        data:
          api_key: "{{ openai_api_key }}"
      - path: ai-platform/agents/doc-fetcher
        generate: [litellm_key, nats_password]
      - path: ai-platform/litellm
        generate: [postgres_password]
        derive:
          database_url: "postgresql://litellm:{postgres_password}@litellm-postgresql:5432/litellm"

- name: Same, logging in with AppRole
  baremetal.ai_platform.vault_kv_secrets:
    url: https://vault.example.internal:8200
    auth_method: approle
    role_id: "{{ vault_role_id }}"
    secret_id: "{{ vault_secret_id }}"
    ca_cert: /etc/ssl/certs/internal-ca.pem
    secrets:
      - path: ai-platform/litellm
        generate: [master_key]
"""

RETURN = r"""
changed_paths:
  description: C(mount/path) of every secret written (or, in check mode, that would be written).
  returned: always
  type: list
  elements: str
  sample: [secret/ai-platform/providers/openai]
versions:
  description:
    - Current version of every declared secret after the run, keyed by C(mount/path).
    - V(0) means the path does not exist (in check mode, a path that would be created).
  returned: always
  type: dict
  sample: {secret/ai-platform/providers/openai: 3}
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.baremetal.ai_platform.plugins.module_utils import vault_kv
from ansible_collections.baremetal.ai_platform.plugins.module_utils.vault import (
    HVAC_IMPORT_ERROR, VAULT_REQUIRED_IF, Vault, VaultError, vault_argument_spec)


def main():
    argument_spec = vault_argument_spec()
    argument_spec.update(
        secrets=dict(type='list', elements='dict', required=True, no_log=False, options=dict(
            path=dict(type='str', required=True),
            mount=dict(type='str'),
            data=dict(type='dict', default={}, no_log=True),
            generate=dict(type='list', elements='str', default=[], no_log=False),
            generate_prefix=dict(type='str', default=''),
            generate_prefixes=dict(type='dict', default={}),
            generate_hex=dict(type='list', elements='str', default=[], no_log=False),
            seed=dict(type='dict', default={}, no_log=True),
            seed_hint=dict(type='str', default=''),
            derive=dict(type='dict', default={}, no_log=False),
        )),
        mount=dict(type='str', default='secret'),
        purge=dict(type='bool', default=False),
        generate_length=dict(type='int', default=32),
    )
    module = AnsibleModule(argument_spec=argument_spec, required_if=VAULT_REQUIRED_IF, supports_check_mode=True)
    if HVAC_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib('hvac'), exception=HVAC_IMPORT_ERROR)

    vault = Vault(module.params)
    result = dict(changed=False, changed_paths=[], versions={})
    plans = []
    try:
        vault.require_unsealed()
        vault.login()
        plans = vault_kv.plan(vault, module.params['secrets'], default_mount=module.params['mount'],
                              purge=module.params['purge'], generate_length=module.params['generate_length'],
                              on_generated=module.no_log_values.add)
        if module.check_mode:
            result['versions'] = dict((item.name, item.version) for item in plans)
        else:
            vault_kv.apply(vault, plans, result['versions'])
    except VaultError as exc:
        # Say exactly what was written before the failure: nothing, for every preflight error.
        written = [item.name for item in plans if item.needs_write and item.name in result['versions']]
        declared = ['%s/%s' % ((s['mount'] or module.params['mount']).strip('/'), s['path'].strip('/'))
                    for s in module.params['secrets']]
        if written:
            msg = '%s. Written before the error: %s' % (str(exc).rstrip('.'), ', '.join(written))
        else:
            msg = '%s. Nothing was written (declared: %s)' % (str(exc).rstrip('.'), ', '.join(declared))
        module.fail_json(msg=msg, changed=bool(written), changed_paths=written, versions=result['versions'])
    changed = [item for item in plans if item.needs_write]
    result['changed'] = bool(changed)
    result['changed_paths'] = [item.name for item in changed]
    if module._diff:
        diffs = [item.masked_diff() for item in changed]
        result['diff'] = dict(before=dict((item.name, diff[0]) for item, diff in zip(changed, diffs)),
                              after=dict((item.name, diff[1]) for item, diff in zip(changed, diffs)))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
