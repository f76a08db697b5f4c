# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The secret catalog (the vault role's list of every secret) turned into what vault_kv_secrets takes,
and into what each namespace may read (its External Secrets identity's Vault policy)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.module_utils.platform_model import vault_path_problem
from ansible_collections.baremetal.ai_platform.plugins.module_utils.platform_names import (
    SECRET_READER_PREFIX, secret_reader)

# site: the operator writes it into Vault by hand (an S3 target's credentials); the bootstrap neither
# writes nor asks for it, the catalog lists it so its readers are granted it.
OWNERS = ('operator', 'generated', 'controller', 'site')


def _check(entry, index):
    where = 'secret catalog[%d] (%s)' % (index, entry.get('path') if isinstance(entry, dict) else entry)
    if not isinstance(entry, dict) or not entry.get('path') or not entry.get('keys'):
        raise AnsibleFilterError('%s: each entry needs a path and keys' % where)
    if entry.get('owner') not in OWNERS:
        raise AnsibleFilterError('%s: owner must be one of %s, got %r' % (where, ', '.join(OWNERS), entry.get('owner')))
    if entry['owner'] in ('operator', 'controller') and (len(entry['keys']) != 1 or not entry.get('env')):
        raise AnsibleFilterError('%s: an %s secret has one key and the env name it is given under'
                                 % (where, entry['owner']))
    namespaces = entry.get('namespaces', [])
    if not isinstance(namespaces, list) or not all(isinstance(ns, str) and ns for ns in namespaces):
        raise AnsibleFilterError('%s: namespaces must be a list of the namespaces that read it, got %r'
                                 % (where, namespaces))


def secret_catalog_kv(catalog, operator_values=None, controller_values=None, hint=''):
    """vault_kv_secrets' secrets list for the catalog.

    generated: keys not fixed or derived are generated once; operator: seeded from
    operator_values[env] (missing ones stop the run, with hint); controller: written from
    controller_values[env] (the controller's encrypted copy is the source), skipped when absent;
    site: left to the operator.
    """
    operator_values = operator_values or {}
    controller_values = controller_values or {}
    secrets = []
    for index, entry in enumerate(catalog or []):
        _check(entry, index)
        key = entry['keys'][0]
        if entry['owner'] == 'operator':
            secrets.append({'path': entry['path'], 'seed': {key: operator_values.get(entry['env']) or ''},
                            'seed_hint': hint % {'env': entry['env']} if hint else ''})
        elif entry['owner'] == 'controller':
            if controller_values.get(entry['env']):
                secrets.append({'path': entry['path'], 'data': {key: controller_values[entry['env']]}})
        elif entry['owner'] == 'generated':
            fixed = dict(entry.get('fixed') or {})
            derive = dict(entry.get('derive') or {})
            secrets.append({'path': entry['path'], 'data': fixed, 'derive': derive,
                            'generate': [k for k in entry['keys'] if k not in fixed and k not in derive],
                            'generate_prefix': entry.get('prefix') or '',
                            'generate_prefixes': dict(entry.get('prefixes') or {}),
                            'generate_hex': list(entry.get('hex') or [])})
    return secrets


def secret_catalog_summary(catalog):
    """Path, owner, keys (env, derive templates), readers of every entry: what may be published (no value)."""
    summary = []
    for index, entry in enumerate(catalog or []):
        _check(entry, index)
        item = {'path': entry['path'], 'owner': entry['owner'], 'keys': sorted(entry['keys']),
                'namespaces': sorted(set(entry.get('namespaces', [])))}
        if entry.get('env'):
            item['env'] = entry['env']
        if entry.get('derive'):
            item['derive'] = dict(entry['derive'])
        summary.append(item)
    return summary


def secret_catalog_readers(catalog):
    """{namespace: sorted paths}: what each namespace's ExternalSecrets may read, from the catalog's namespaces."""
    readers = {}
    for index, entry in enumerate(catalog or []):
        _check(entry, index)
        for namespace in entry.get('namespaces', []):
            readers.setdefault(namespace, set()).add(entry['path'].strip('/'))
    return dict((namespace, sorted(paths)) for namespace, paths in sorted(readers.items()))


def secret_reader_policy(paths, kv_mount):
    """HCL of a reader's policy: read on each KV v2 path, nothing else (no list, no metadata, no glob)."""
    mount = kv_mount.strip('/')
    for path in paths:
        if vault_path_problem(path.strip('/')):
            raise AnsibleFilterError('secret_reader_vault_config: path %r %s' % (path, vault_path_problem(path.strip('/'))))
    return ''.join('path "%s/data/%s" {\n  capabilities = ["read"]\n}\n' % (mount, path.strip('/'))
                   for path in sorted(set(paths)))


def secret_reader_vault_config(readers, vault_settings, kv_mount, auth_path, service_account_namespace, token_ttl):
    """vault_sys_config's policies, endpoints and prune for {namespace: paths}: per namespace, a policy
    reading exactly its paths and a Kubernetes auth role bound to its reader service account alone; the
    readers' roles and policies no namespace uses any more are pruned by their name prefix."""
    if not isinstance(readers, dict):
        raise AnsibleFilterError('secret_reader_vault_config: readers must be {namespace: paths}, got %r' % (readers,))
    policies, endpoints = [], []
    for namespace, paths in sorted(readers.items()):
        if not paths:
            continue
        try:
            names = secret_reader(namespace, vault_settings)
        except ValueError as err:
            raise AnsibleFilterError('secret_reader_vault_config: %s' % err)
        policies.append({'name': names['vault_policy'], 'rules': secret_reader_policy(paths, kv_mount)})
        endpoints.append({'path': 'auth/%s/role/%s' % (auth_path.strip('/'), names['vault_role']),
                          'data': {'bound_service_account_names': [names['service_account']],
                                   'bound_service_account_namespaces': [service_account_namespace],
                                   'token_policies': [names['vault_policy']],
                                   'token_ttl': int(token_ttl)}})
    auth = auth_path.strip('/')
    return {'policies': policies, 'endpoints': endpoints, 'prefix': SECRET_READER_PREFIX,
            # Roles before the policies they use.
            'prune': [{'path': 'auth/%s/role' % auth, 'prefix': SECRET_READER_PREFIX},
                      {'path': 'sys/policies/acl', 'prefix': SECRET_READER_PREFIX}]}


class FilterModule(object):
    def filters(self):
        return {'secret_catalog_kv': secret_catalog_kv, 'secret_catalog_summary': secret_catalog_summary,
                'secret_catalog_readers': secret_catalog_readers,
                'secret_reader_vault_config': secret_reader_vault_config}
