# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one owner of every name two components must agree on.

In-cluster addresses (derived from ai_platform_namespaces), the API server's addresses as pods
reach them (derived from the k3s servers and k3s_api_vip), Vault paths the collection generates
(derived from ai_platform_vault.path_prefix), each agent's NATS/JetStream identity, each
namespace's Vault reader identity (the store, service account, Vault role and policy External Secrets
reads that namespace's secrets through) and the image of the reference agent runtime. Roles read them
through the filters of the same names; an agent runtime can import this file as it is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

# The NATS account agents and the JetStream controller (NACK) share; KEDA reads lag from it.
NATS_ACCOUNT = 'AGENTS'
# Each agent owns <prefix>.<agent>.> and reads its tasks from <prefix>.<agent>.tasks.
SUBJECT_PREFIX = 'agents'
# The stream keeping every agent's results and dead letters, apart from the work queues KEDA reads.
OUTBOX_STREAM = 'agents-outbox'
# Each agent runtime serves Prometheus metrics on this container port (named `metrics`).
AGENT_METRICS_PORT = 9090
# The reference agent runtime (roles/agents/files/agent_runtime): image name and tag. The tag is the
# runtime's version, agent_runtime.__version__ (a unit test keeps the two equal).
AGENT_RUNTIME_NAME = 'ai-platform/agent-runtime'
AGENT_RUNTIME_VERSION = '1.0.0'
# External Secrets reads each namespace's secrets as that namespace's own identity: a service account
# (beside the operator, in the secrets namespace), a Vault Kubernetes auth role and a policy, all named
# <prefix><namespace>. The vault role deletes roles and policies with this prefix that no namespace uses.
SECRET_READER_PREFIX = 'eso-'


def _text(value, what):
    if not isinstance(value, str) or not value:
        raise ValueError('%s must be a non-empty string, got %r' % (what, value))
    return value


def platform_endpoints(namespaces):
    """In-cluster addresses of the services other components call, from ai_platform_namespaces."""
    if not isinstance(namespaces, dict):
        raise ValueError('ai_platform_namespaces must be a mapping, got %r' % (namespaces,))

    def ns(key):
        return _text(namespaces.get(key), 'ai_platform_namespaces.%s' % key)

    return {
        'gateway_url': 'http://litellm.%s.svc.cluster.local:4000' % ns('gateway'),
        'langfuse_url': 'http://langfuse-web.%s.svc.cluster.local:3000' % ns('observability'),
        'nats_url': 'nats://nats.%s.svc.cluster.local:4222' % ns('messaging'),
        # The account agents and the JetStream controller use on that server.
        'nats_account': NATS_ACCOUNT,
        # host:port: KEDA's nats-jetstream scaler takes the monitoring endpoint without a scheme.
        'nats_monitor_address': 'nats.%s.svc.cluster.local:8222' % ns('messaging'),
        # host:port: the scheme follows whether Vault's listener serves TLS.
        'vault_address': 'vault.%s.svc:8200' % ns('secrets'),
        # The stream of every agent's results and dead letters, and its subjects.
        'agents_outbox_stream': OUTBOX_STREAM,
        'agents_outbox_subjects': ['%s.*.results' % SUBJECT_PREFIX, '%s.*.dead' % SUBJECT_PREFIX],
        # Container port Prometheus scrapes on every agent pod.
        'agents_metrics_port': AGENT_METRICS_PORT,
        # Labels of the gateway's pods and Service, which its ServiceMonitor selects.
        'gateway_labels': {'app.kubernetes.io/name': 'litellm', 'app.kubernetes.io/part-of': 'ai-platform'},
    }


def _prefix(vault_settings):
    if not isinstance(vault_settings, dict):
        raise ValueError('ai_platform_vault must be a mapping, got %r' % (vault_settings,))
    return _text(vault_settings.get('path_prefix'), 'ai_platform_vault.path_prefix').strip('/')


def platform_secret_paths(vault_settings):
    """KV v2 paths (relative to the mount) of the secrets the collection generates itself."""
    prefix = _prefix(vault_settings)
    return {
        'agents': '%s/agents' % prefix,
        'backup': '%s/backup' % prefix,
        'backup_s3': '%s/backup/s3' % prefix,
        'backup_vault_snapshot': '%s/backup/vault-snapshot' % prefix,
        'grafana': '%s/grafana' % prefix,
        'litellm': '%s/litellm' % prefix,
        'langfuse': '%s/langfuse' % prefix,
        'nats_controller': '%s/nats/nack' % prefix,
        'open_webui': '%s/open-webui' % prefix,
    }


def agent_identity(agent, vault_settings):
    """Every name an agent is known by: workload, labels, NATS user, stream, subjects, consumer, Vault path.

    agent is an ai_platform_agents entry or just its name; with an entry the labels name its team.
    """
    entry = agent if isinstance(agent, dict) else {'name': agent}
    name = _text(entry.get('name'), 'agent name')
    stream = 'agent-%s' % name
    # Policies in other namespaces select agents by the ai-platform/agent label.
    selector = {'ai-platform/agent': name}
    labels = dict(selector, **{
        'app.kubernetes.io/part-of': 'ai-platform',
        'app.kubernetes.io/name': name,
        'app.kubernetes.io/component': 'agent',
    })
    if entry.get('team'):
        labels['ai-platform/team'] = entry['team']
    return {
        'name': name,
        # Kubernetes objects of the agent (Deployment, ServiceAccount, Secret, ...).
        'workload': 'agent-%s' % name,
        'selector': selector,
        'labels': labels,
        'account': NATS_ACCOUNT,
        'user': name,
        # NATS reads the user's password from this environment variable of the server.
        'password_env': 'AGENT_%s_PASSWORD' % name.upper().replace('-', '_'),
        'stream': stream,
        'consumer': name,
        'subject_prefix': SUBJECT_PREFIX,
        'tasks_subject': '%s.%s.tasks' % (SUBJECT_PREFIX, name),
        # In the outbox stream (agents_outbox_* of platform_endpoints).
        'results_subject': '%s.%s.results' % (SUBJECT_PREFIX, name),
        'dead_letter_subject': '%s.%s.dead' % (SUBJECT_PREFIX, name),
        'subjects': '%s.%s.>' % (SUBJECT_PREFIX, name),
        'inbox_prefix': '_INBOX.%s' % name,
        'secret_path': '%s/%s' % (platform_secret_paths(vault_settings)['agents'], name),
    }


def agent_runtime_image(registry=''):
    """The reference runtime's image as playbooks/agent_image.yml tags it, and so as the agents and the
    Argo pipeline run it: <registry>/ai-platform/agent-runtime:<version>, pushed there, or with no
    registry localhost/ai-platform/agent-runtime:<version>, imported into every k3s node's containerd."""
    if registry is None:
        registry = ''
    if not isinstance(registry, str):
        raise ValueError('the registry must be a string (host[:port]/path), got %r' % (registry,))
    if '://' in registry or registry.strip() != registry:
        raise ValueError('the registry is host[:port]/path, without a scheme or spaces, got %r' % (registry,))
    return '%s/%s:%s' % (registry.rstrip('/') or 'localhost', AGENT_RUNTIME_NAME, AGENT_RUNTIME_VERSION)


def secret_reader(namespace, vault_settings):
    """The names External Secrets reads one namespace's Vault paths through, and only that namespace's.

    store is a ClusterSecretStore whose conditions admit only this namespace; it logs in to Vault as
    service_account (in the secrets namespace, where no workload of this namespace can use it) with
    the Kubernetes auth role vault_role, whose one policy vault_policy reads this namespace's paths.
    """
    ns = _text(namespace, 'namespace')
    if not isinstance(vault_settings, dict):
        raise ValueError('ai_platform_vault must be a mapping, got %r' % (vault_settings,))
    identity = SECRET_READER_PREFIX + ns
    return {
        'namespace': ns,
        'store': '%s-%s' % (_text(vault_settings.get('secret_store'), 'ai_platform_vault.secret_store'), ns),
        'service_account': identity,
        'vault_role': identity,
        'vault_policy': identity,
    }


def _ip(value):
    try:
        return ipaddress.ip_address(u'%s' % value) if value else None
    except ValueError:
        return None


def apiserver_cidrs(vip, servers, prefix=24):
    """Where pods reach the Kubernetes API: k3s_api_vip and every server's address, each one host.

    servers is [(host, its ansible_host or None)] in inventory order. A pod's connection to the
    `kubernetes` Service is DNATed to a server's node address on 6443 before NetworkPolicy sees it,
    and k3s advertises the address of the server's default-route interface, which the inventory's
    ansible_host names (the k3s role refuses a server where the two differ). A server with no IP
    address in the inventory (the lab's containers get theirs at start) is covered by the servers'
    subnet instead: kube-vip's ARP mode needs k3s_api_vip on that subnet (k3s_api_vip_prefix).
    """
    address = _ip(vip)
    if address is None:
        raise ValueError('k3s_api_vip must be an IP address, got %r' % (vip,))
    cidrs = ['%s/%d' % (address, address.max_prefixlen)]
    for host, server in servers:
        server_ip = _ip(server)
        if server_ip is not None:
            cidrs.append('%s/%d' % (server_ip, server_ip.max_prefixlen))
        else:
            cidrs.append(str(ipaddress.ip_network(u'%s/%d' % (address, int(prefix)), strict=False)))
    # One entry per address, in inventory order: a byte-stable render.
    return list(dict.fromkeys(cidrs))
