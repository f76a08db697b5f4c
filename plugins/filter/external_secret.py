# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.baremetal.ai_platform.plugins.module_utils.platform_names import secret_reader

# Kubernetes Secret data keys, DNS-1123 subdomain names (object names) and labels (namespaces).
_SECRET_KEY = re.compile(r'^[-._a-zA-Z0-9]+$')
_DNS_SUBDOMAIN = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')
_DNS_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')

# Stakater Reloader's "search/match" mode: a workload annotated reloader.stakater.com/search="true"
# is rolled when a Secret it uses carries this annotation and changes. ESO copies the template
# metadata onto the Secret it writes, so every consumer Secret is matchable.
RELOAD_MATCH_ANNOTATION = 'reloader.stakater.com/match'


def _require(settings, key):
    value = settings.get(key) if isinstance(settings, dict) else None
    if not value:
        raise AnsibleFilterError("external_secret: vault_settings needs '%s' (see ai_platform_vault)" % key)
    return to_text(value)


def external_secret(entries, name, namespace, vault_settings):
    """An external-secrets.io/v1 ExternalSecret that builds Secret `name` from Vault KV v2 entries."""
    for label, value, pattern, limit in (('name', name, _DNS_SUBDOMAIN, 253), ('namespace', namespace, _DNS_LABEL, 63)):
        if not isinstance(value, str) or len(value) > limit or not pattern.match(value):
            raise AnsibleFilterError('external_secret: %s %r is not a valid Kubernetes name' % (label, value))
    if not isinstance(entries, (list, tuple)) or not entries:
        raise AnsibleFilterError('external_secret(%s): entries must be a non-empty list of {env, path, key}' % name)
    # The namespace's own store: its conditions admit only this namespace, its Vault role reads only
    # this namespace's paths.
    store = secret_reader(namespace, {'secret_store': _require(vault_settings, 'secret_store')})['store']
    refresh = _require(vault_settings, 'refresh_interval')

    data = []
    seen = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or any(not entry.get(field) for field in ('env', 'path', 'key')):
            raise AnsibleFilterError('external_secret(%s): entry %d needs env, path and key, got %r'
                                     % (name, index, sorted(entry) if isinstance(entry, dict) else entry))
        env = to_text(entry['env'])
        if not _SECRET_KEY.match(env):
            raise AnsibleFilterError('external_secret(%s): env %r is not a valid Secret key' % (name, env))
        if env in seen:
            raise AnsibleFilterError('external_secret(%s): env %r appears twice' % (name, env))
        seen.add(env)
        data.append({
            'secretKey': env,
            'remoteRef': {'key': to_text(entry['path']).strip('/'), 'property': to_text(entry['key'])},
        })

    return {
        'apiVersion': 'external-secrets.io/v1',
        'kind': 'ExternalSecret',
        'metadata': {
            'name': name,
            'namespace': namespace,
            'labels': {'app.kubernetes.io/part-of': 'ai-platform'},
        },
        'spec': {
            'refreshInterval': refresh,
            'secretStoreRef': {'kind': 'ClusterSecretStore', 'name': store},
            'target': {
                'name': name,
                'creationPolicy': 'Owner',
                'deletionPolicy': 'Retain',
                # Metadata only: without template data ESO writes the fetched keys as they are.
                'template': {
                    'engineVersion': 'v2',
                    'metadata': {
                        'labels': {'app.kubernetes.io/part-of': 'ai-platform'},
                        'annotations': {RELOAD_MATCH_ANNOTATION: 'true'},
                    },
                },
            },
            'data': data,
        },
    }


class FilterModule(object):
    def filters(self):
        return {'external_secret': external_secret}
