# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The secret catalog (the vault role's list of every secret) turned into what vault_kv_secrets takes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

OWNERS = ('operator', 'generated', 'controller')


def _check(entry, index):
    where = 'secret catalog[%d] (%s)' % (index, entry.get('path') if isinstance(entry, dict) else entry)
    if not isinstance(entry, dict) or not entry.get('path') or not entry.get('keys'):
        raise AnsibleFilterError('%s: each entry needs a path and keys' % where)
    if entry.get('owner') not in OWNERS:
        raise AnsibleFilterError('%s: owner must be one of %s, got %r' % (where, ', '.join(OWNERS), entry.get('owner')))
    if entry['owner'] != 'generated' and (len(entry['keys']) != 1 or not entry.get('env')):
        raise AnsibleFilterError('%s: an %s secret has one key and the env name it is given under'
                                 % (where, entry['owner']))


def secret_catalog_kv(catalog, operator_values=None, controller_values=None, hint=''):
    """vault_kv_secrets' secrets list for the catalog.

    generated: keys not fixed or derived are generated once; operator: seeded from
    operator_values[env] (missing ones stop the run, with hint); controller: written from
    controller_values[env] (the controller's encrypted copy is the source), skipped when absent.
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
        else:
            fixed = dict(entry.get('fixed') or {})
            derive = dict(entry.get('derive') or {})
            secrets.append({'path': entry['path'], 'data': fixed, 'derive': derive,
                            'generate': [k for k in entry['keys'] if k not in fixed and k not in derive],
                            'generate_prefix': entry.get('prefix') or '',
                            'generate_prefixes': dict(entry.get('prefixes') or {}),
                            'generate_hex': list(entry.get('hex') or [])})
    return secrets


def secret_catalog_summary(catalog):
    """Path, owner, keys (env, derive templates) of every entry: what may be published (no value)."""
    summary = []
    for index, entry in enumerate(catalog or []):
        _check(entry, index)
        item = {'path': entry['path'], 'owner': entry['owner'], 'keys': sorted(entry['keys'])}
        if entry.get('env'):
            item['env'] = entry['env']
        if entry.get('derive'):
            item['derive'] = dict(entry['derive'])
        summary.append(item)
    return summary


class FilterModule(object):
    def filters(self):
        return {'secret_catalog_kv': secret_catalog_kv, 'secret_catalog_summary': secret_catalog_summary}
