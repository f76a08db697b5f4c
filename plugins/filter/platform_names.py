# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.module_utils import platform_names


def _wrap(function, *args):
    try:
        return function(*args)
    except ValueError as err:
        raise AnsibleFilterError('%s: %s' % (function.__name__, err))


def platform_endpoints(namespaces):
    """In-cluster addresses of the platform's services."""
    return _wrap(platform_names.platform_endpoints, namespaces)


def platform_secret_paths(vault_settings):
    """KV v2 paths of the secrets the collection generates."""
    return _wrap(platform_names.platform_secret_paths, vault_settings)


def agent_identity(agent, vault_settings):
    """Names one agent is known by in NATS, JetStream, Kubernetes and Vault."""
    return _wrap(platform_names.agent_identity, agent, vault_settings)


def agent_runtime_image(registry=''):
    """The reference agent runtime's image: what playbooks/agent_image.yml builds and the agents run."""
    return _wrap(platform_names.agent_runtime_image, registry)


def secret_reader(namespace, vault_settings):
    """Store, service account, Vault role and policy External Secrets reads one namespace's secrets through."""
    return _wrap(platform_names.secret_reader, namespace, vault_settings)


def apiserver_cidrs(servers, hostvars, vip, prefix=24):
    """The API server's addresses as pods reach them, from the k3s servers' inventory addresses and the VIP."""
    return _wrap(platform_names.apiserver_cidrs, vip,
                 [(host, hostvars[host].get('ansible_host')) for host in servers], prefix)


class FilterModule(object):
    def filters(self):
        return {
            'platform_endpoints': platform_endpoints,
            'platform_secret_paths': platform_secret_paths,
            'agent_identity': agent_identity,
            'secret_reader': secret_reader,
            'apiserver_cidrs': apiserver_cidrs,
            'agent_runtime_image': agent_runtime_image,
        }
