#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vault_bootstrap
short_description: Initialise a Vault cluster once and unseal every sealed replica
version_added: 0.1.0
description:
  - Initialises the Vault at O(url) with Shamir key shares when it is not initialised yet. Vault shows the
    unseal keys and root token of that one initialisation only in its answer.
  - With O(init_file) (the way to use it), the controller checks that it can write that file before it asks
    Vault, records the attempt in C(<init_file>.pending), and writes the answer ansible-vault encrypted
    (atomically, mode 0600) as soon as the module returns it, before anything else; the keys are never in
    the task result. A Vault that is initialised while O(init_file) does not exist is refused with what
    happened and what to do; the C(.pending) note tells a lost answer (this controller started the
    initialisation, the keys never arrived) from a Vault initialised elsewhere.
  - Without O(init_file) the keys are returned in RV(init); register the result with C(no_log) and store
    it at once.
  - Then unseals O(url) and every address in O(replicas) that is sealed, with O(unseal_keys) (or the keys
    just created). Unsealed replicas are left alone, so a rerun on an initialised, unsealed cluster
    changes nothing.
extends_documentation_fragment:
  - baremetal.ai_platform.vault
attributes:
  action:
    description: The action plugin stores the keys on the controller (O(init_file)).
    support: full
  check_mode:
    description: Reports whether it would initialise or unseal, and does neither.
    support: full
  diff_mode:
    description: Nothing to compare; no diff is returned.
    support: none
options:
  initialise:
    description:
      - Initialise Vault at O(url) when it is not initialised yet.
      - Run this with C(no_log) (its result may hold the new keys) and the unsealing as a separate task, so
        unseal errors stay readable.
    type: bool
    default: true
  unseal:
    description:
      - Unseal O(url) and O(replicas) where sealed.
    type: bool
    default: true
  replicas:
    description:
      - Addresses of the other replicas to unseal (for example each raft peer's own address).
    type: list
    elements: str
    default: []
  key_shares:
    description:
      - Number of unseal key shares created at initialisation.
    type: int
    default: 5
  key_threshold:
    description:
      - Number of shares needed to unseal. At most O(key_shares).
    type: int
    default: 3
  unseal_keys:
    description:
      - Unseal key shares (hex or base64) of an initialised Vault. At least the threshold is needed to unseal.
    type: list
    elements: str
    default: []
  init_file:
    description:
      - Path on the controller of the ansible-vault encrypted file that receives the unseal keys and root token
        (YAML with C(keys_base64) and C(root_token)) when this run initialises Vault. An existing file of an
        earlier Vault is kept as C(<init_file>.<time>~).
      - If it cannot be written, a copy goes to C(~/.ansible/vault-init-<time>.vault) and the task fails saying
        where the keys are.
    type: path
  init_passphrase:
    description:
      - Passphrase that encrypts O(init_file), 12 or more characters. Required with O(init_file).
    type: str
author:
  - baremetal.ai_platform contributors (@baremetal)
"""

EXAMPLES = r"""
- name: Initialise once; the keys go straight into an encrypted file on the controller
  baremetal.ai_platform.vault_bootstrap:
    url: https://vault-0.example.internal:8200
    init_file: "{{ inventory_dir }}/vault-init.vault"
    init_passphrase: "{{ vault_init_passphrase }}"
    unseal: false

- name: Initialise once, unseal what is sealed
  baremetal.ai_platform.vault_bootstrap:
    url: https://vault-0.example.internal:8200
    replicas:
      - https://vault-1.example.internal:8200
      - https://vault-2.example.internal:8200
    unseal_keys: "{{ vault_stored.keys_base64 | default([]) }}"
  register: bootstrap
  no_log: true
"""

RETURN = r"""
initialized_now:
  description: Whether this run initialised Vault.
  returned: always
  type: bool
unsealed:
  description: Addresses this run unsealed (or, in check mode, would unseal).
  returned: always
  type: list
  elements: str
init_file:
  description: Where the unseal keys and root token were written, when this run initialised Vault with O(init_file).
  returned: when initialized_now and init_file is set
  type: str
init_file_backup:
  description: Where the file of an earlier Vault was moved, if O(init_file) existed.
  returned: when initialized_now and init_file is set
  type: str
init:
  description:
    - The unseal keys and root token, only when this run initialised Vault without O(init_file). Secret; store
      them and never print them.
  returned: when initialized_now and init_file is not set
  type: dict
  contains:
    keys_base64:
      description: Unseal key shares.
      type: list
      elements: str
    root_token:
      description: The initial root token.
      type: str
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.baremetal.ai_platform.plugins.module_utils.vault import (
    HVAC_IMPORT_ERROR, Vault, VaultError, vault_argument_spec)


def unseal(module, vault, keys, threshold_hint):
    """Submit keys until the Vault at vault.url is unsealed; True when it had been sealed."""
    status = vault.seal_status()
    if not status.get('sealed'):
        return False
    if module.check_mode:
        return True
    if len(keys) < status.get('t', threshold_hint):
        raise VaultError('Vault at %s is sealed and needs %d unseal keys; %d were given'
                         % (vault.url, status.get('t', threshold_hint), len(keys)))
    vault.call('resetting a partial unseal', vault.client.sys.submit_unseal_key, reset=True)
    for key in keys:
        status = vault.call('submitting an unseal key', vault.client.sys.submit_unseal_key, key=key)
        if not status.get('sealed'):
            return True
    raise VaultError('Vault at %s is still sealed after %d keys: they do not belong to this Vault'
                     % (vault.url, len(keys)))


def main():
    argument_spec = vault_argument_spec(auth=False)
    argument_spec.update(
        replicas=dict(type='list', elements='str', default=[]),
        key_shares=dict(type='int', default=5, no_log=False),
        key_threshold=dict(type='int', default=3, no_log=False),
        unseal_keys=dict(type='list', elements='str', default=[], no_log=True),
        initialise=dict(type='bool', default=True),
        unseal=dict(type='bool', default=True),
        # Handled by the action plugin on the controller; declared so that the documentation matches.
        init_file=dict(type='path'),
        init_passphrase=dict(type='str', no_log=True),
    )
    module = AnsibleModule(argument_spec=argument_spec, required_by={'init_file': 'init_passphrase'},
                           supports_check_mode=True)
    if HVAC_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib('hvac'), exception=HVAC_IMPORT_ERROR)
    params = module.params
    if not 1 <= params['key_threshold'] <= params['key_shares']:
        module.fail_json(msg='key_threshold must be between 1 and key_shares (%d)' % params['key_shares'])

    result = dict(changed=False, initialized_now=False, unsealed=[])
    leader = Vault(params)
    keys = list(params['unseal_keys'])
    try:
        initialised = leader.seal_status().get('initialized')
        if not initialised and not params['initialise']:
            raise VaultError('Vault at %s is not initialised (initialise=false)' % leader.url)
        if not initialised:
            result['changed'] = result['initialized_now'] = True
            if module.check_mode:
                module.exit_json(**result)
            answer = leader.call('initialising', leader.client.sys.initialize,
                                 secret_shares=params['key_shares'], secret_threshold=params['key_threshold'])
            # Not added to no_log_values: that would mask them in the result too. The task's
            # no_log hides the whole result instead.
            keys = answer['keys_base64']
            result['init'] = dict(keys_base64=keys, root_token=answer['root_token'])
        for url in ([params['url']] + params['replicas']) if params['unseal'] else []:
            replica = Vault(dict(params, url=url))
            if unseal(module, replica, keys, params['key_threshold']):
                result['changed'] = True
                result['unsealed'].append(url)
    except VaultError as exc:
        module.fail_json(msg=str(exc), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
