# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wiring check: the rendered platform is internally consistent (no cluster needed).

Reads the rendered objects (one folder per component, in apply order) and the vault role's secret
catalog (vault_secrets_catalog_file: path, owner, keys of every secret) and reports every dangling
wire, one line each:

  secret-key   a secretKeyRef / envFrom / chart value names a Secret key no ExternalSecret produces, or
               reads a file of a Secret the chart does not mount
  remote-ref   an ExternalSecret reads a Vault path/property the bootstrap neither writes nor lists
  store        an ExternalSecret reads through a store that is not its own namespace's: a SecretStore of
               another namespace, a ClusterSecretStore whose conditions admit other namespaces (or
               every one), one with no service account of its own (it would log in as the operator), or
               one whose Vault role or service account another namespace's store uses too
  grant        a namespace's Vault policy (the catalog's namespaces, which the vault role grants) and what
               its ExternalSecrets read differ: a path read but not granted, or granted but never read
  service      an in-cluster URL or host:port resolves to no Service and port in the render
  flow         a client -> server flow is not allowed by the NetworkPolicies at both ends, or an
               agent's egress allows something the agent does not use (an Ingress is a flow from
               the ingress controller's pods to its backend Service)
  ingress      an Ingress names a class no ingress controller in the render answers for
  crd          a custom resource's CRD comes from no earlier component in apply order; with --flux, from
               no folder its Flux Kustomization depends on (directly or through others)

    python tests/tools/wiring_check.py DIR --catalog CATALOG.yml --order vault,external-secrets,...
    python tests/tools/wiring_check.py DIR --catalog CATALOG.yml --flux

--order is apply mode's order (the playbook's roles, one after the other; a component's chart is
applied and its CRDs waited for before its own custom resources). --flux reads the order of render
mode from the rendered entry point (DIR/flux): Flux applies each folder as a whole once the folders
in its dependsOn are Ready, so a custom resource beside the chart that installs its CRD never applies.

Exit 1 with the findings, 0 when there are none. Third-party charts' Services, pods, clients and
CRDs cannot be read from a render: each is declared once, with its chart, in CHARTS below.
"""

import argparse
import os
import re
import sys

import yaml

# HelmChart name -> what the chart brings: services (name -> ports, or {'ports': {port: the pods'
# port}, 'pods': labels} when they differ from the chart's), the labels of the pods behind them, the
# pods that act as clients of URLs in its values, and the CRD groups it installs. An ingress
# controller names the values key holding the IngressClass it answers for.
CHARTS = {
    'vault': {'services': {'vault': [8200, 8201], 'vault-internal': [8200, 8201]},
              'pods': {'app.kubernetes.io/name': 'vault', 'app.kubernetes.io/instance': 'vault'}},
    'external-secrets': {'crds': ['external-secrets.io', 'generators.external-secrets.io'],
                         'pods': {'app.kubernetes.io/name': 'external-secrets'}},
    'reloader': {},
    'litellm-postgres': {'services': {'litellm-postgresql': [5432]},
                         'pods': {'app.kubernetes.io/name': 'postgresql', 'app.kubernetes.io/instance': 'litellm-postgres'}},
    'langfuse': {'services': {'langfuse-web': [3000],
                              # The Bitnami sub-charts' pods (the MinIO one is aliased s3).
                              'langfuse-clickhouse': {'ports': {8123: 8123, 9000: 9000},
                                                      'pods': {'app.kubernetes.io/name': 'clickhouse',
                                                               'app.kubernetes.io/instance': 'langfuse'}},
                              'langfuse-s3': {'ports': {9000: 9000},
                                              'pods': {'app.kubernetes.io/name': 's3',
                                                       'app.kubernetes.io/instance': 'langfuse'}}},
                 'pods': {'app.kubernetes.io/instance': 'langfuse', 'app': 'web'}},
    'open-webui': {'services': {'open-webui': {'ports': {80: 8080}}},
                   'pods': {'app.kubernetes.io/instance': 'open-webui', 'app.kubernetes.io/component': 'open-webui'}},
    'nats': {'services': {'nats': [4222, 8222, 7777], 'nats-headless': [4222, 6222, 8222]},
             'pods': {'app.kubernetes.io/name': 'nats', 'app.kubernetes.io/instance': 'nats'}},
    'nack': {'crds': ['jetstream.nats.io'], 'pods': {'app.kubernetes.io/name': 'nack'}},
    'argo-workflows': {'crds': ['argoproj.io'], 'services': {'argo-workflows-server': [2746]},
                       'pods': {'app.kubernetes.io/name': 'argo-workflows-server'}},
    'keda': {'crds': ['keda.sh', 'eventing.keda.sh'], 'pods': {'app': 'keda-operator'}},
    'kube-prometheus-stack': {'crds': ['monitoring.coreos.com'],
                              'services': {'kube-prometheus-stack-grafana': {
                                  'ports': {80: 3000},
                                  'pods': {'app.kubernetes.io/name': 'grafana',
                                           'app.kubernetes.io/instance': 'kube-prometheus-stack'}}},
                              'pods': {'app.kubernetes.io/name': 'prometheus'},
                              # alertmanagerSpec.secrets: each Secret mounted as files under this folder.
                              'secret_mounts': {('alertmanager', 'alertmanagerSpec', 'secrets'):
                                                '/etc/alertmanager/secrets/'}},
    'cert-manager': {'crds': ['cert-manager.io', 'acme.cert-manager.io'],
                     'pods': {'app.kubernetes.io/instance': 'cert-manager'}},
    'ingress-traefik': {'pods': {'app.kubernetes.io/name': 'traefik'}, 'ingress_class': ('ingressClass', 'name')},
}
# KEDA's operator is the client of a ScaledObject's trigger addresses.
KEDA_OPERATOR = ('keda', {'app': 'keda-operator', 'app.kubernetes.io/name': 'keda-operator'})
# API groups every cluster serves (no CRD needed); k3s adds helm.cattle.io.
_BUILTIN_GROUPS = {'', 'apps', 'batch', 'policy', 'autoscaling', 'networking.k8s.io', 'rbac.authorization.k8s.io',
                   'storage.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io',
                   'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'node.k8s.io', 'certificates.k8s.io',
                   'helm.cattle.io'}
_POD_SPEC_PATHS = {'Deployment': ('spec', 'template'), 'StatefulSet': ('spec', 'template'),
                   'DaemonSet': ('spec', 'template'), 'Job': ('spec', 'template'),
                   'CronJob': ('spec', 'jobTemplate', 'spec', 'template')}
_DEFAULT_PORTS = {'http': 80, 'https': 443, 'nats': 4222, 'postgresql': 5432, 'postgres': 5432, 'redis': 6379}
# scheme://[user[:password]@]host[:port]
_URL = re.compile(r'\b([a-z][a-z0-9+.-]*)://(?:[^@/\s"\']*@)?([A-Za-z0-9.-]+)(?::(\d+))?')
_SVC_HOST_PORT = re.compile(r'(?<![/\w.-])([a-z0-9-]+(?:\.[a-z0-9-]+)*\.svc(?:\.cluster\.local)?)(?::(\d+))?')
_IP = re.compile(r'^\d{1,3}(\.\d{1,3}){3}$')
DNS_PORT = 53


# ---------------------------------------------------------------- loading

def load(render_dir, order):
    """[(component, index in apply order, object)] in apply order (each folder's kustomization order)."""
    objects = []
    for index, component in enumerate(order):
        folder = os.path.join(render_dir, component)
        if not os.path.isdir(folder):
            continue
        with open(os.path.join(folder, 'kustomization.yaml')) as handle:
            files = yaml.safe_load(handle).get('resources') or []
        for name in files:
            with open(os.path.join(folder, name)) as handle:
                for obj in yaml.safe_load_all(handle):
                    if obj:
                        objects.append((component, index, obj))
    return objects


def _dig(node, path):
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _name(obj):
    meta = obj.get('metadata') or {}
    return '%s %s/%s' % (obj.get('kind'), meta.get('namespace', ''), meta.get('name'))


def _strings(node, path=()):
    """(path, string) for every string under node."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, path + (str(key),))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, path + (str(index),))
    elif isinstance(node, str):
        yield path, node


def chart_values(obj):
    try:
        return yaml.safe_load(obj['spec'].get('valuesContent') or '') or {}
    except yaml.YAMLError:
        return {}


# ---------------------------------------------------------------- the model of the render

class Pod(object):
    """A kind of pod the render runs: where, its labels, its containers (or chart values)."""

    def __init__(self, origin, namespace, labels, body, chart=None):
        self.origin = origin
        self.namespace = namespace
        self.labels = labels or {}
        self.body = body
        self.chart = chart


class Render(object):
    def __init__(self, objects):
        self.objects = objects
        self.services = {}      # (ns, name) -> {'ports': set, 'targets': {port: pod port}, 'selector': labels}
        self.secrets = {}       # (ns, secret name) -> set of keys (None: any key)
        self.policies = []      # NetworkPolicy objects
        self.pods = []
        self.crd_groups = {}    # group -> [(component index, position, chart name, component)]
        self.configmap_users = {}
        self.ingresses = []     # Ingress objects
        self.controllers = []   # (ingress class, controller Pod)
        self.stores = {}        # (kind, namespace or None, name) -> SecretStore / ClusterSecretStore
        for position, (component, index, obj) in enumerate(objects):
            self._add(component, index, position, obj)

    def _add(self, component, index, position, obj):
        kind = obj.get('kind')
        meta = obj.get('metadata') or {}
        ns = meta.get('namespace')
        if kind == 'Service':
            ports = obj['spec'].get('ports') or []
            self.services[(ns, meta['name'])] = {
                'ports': set(p.get('port') for p in ports),
                'targets': dict((p.get('port'), p.get('targetPort', p.get('port'))) for p in ports),
                'selector': obj['spec'].get('selector')}
        elif kind == 'Ingress':
            self.ingresses.append(obj)
        elif kind in ('SecretStore', 'ClusterSecretStore'):
            self.stores[(kind, ns if kind == 'SecretStore' else None, meta['name'])] = obj
        elif kind == 'ExternalSecret':
            target = (obj['spec'].get('target') or {}).get('name') or meta['name']
            keys = set(item['secretKey'] for item in obj['spec'].get('data') or [])
            keys |= set(((obj['spec'].get('target') or {}).get('template') or {}).get('data') or {})
            self.secrets[(ns, target)] = None if obj['spec'].get('dataFrom') else keys
        elif kind == 'NetworkPolicy':
            self.policies.append(obj)
        elif kind == 'HelmChart':
            chart = CHARTS.get(meta['name'], {})
            target = obj['spec'].get('targetNamespace')
            for service, ports in (chart.get('services') or {}).items():
                spec = ports if isinstance(ports, dict) else {'ports': dict((port, port) for port in ports)}
                self.services[(target, service)] = {'ports': set(spec['ports']), 'targets': spec['ports'],
                                                    'selector': spec.get('pods', chart.get('pods'))}
            for group in chart.get('crds') or []:
                self.crd_groups.setdefault(group, []).append((index, position, meta['name'], component))
            self.pods.append(Pod(_name(obj), target, chart.get('pods'), chart_values(obj), chart=meta['name']))
            if 'ingress_class' in chart:
                self.controllers.append((_dig(self.pods[-1].body, chart['ingress_class']), self.pods[-1]))
        elif kind in _POD_SPEC_PATHS:
            template = _dig(obj, _POD_SPEC_PATHS[kind]) or {}
            self.pods.append(Pod(_name(obj), ns, _dig(template, ('metadata', 'labels')), template.get('spec') or {}))
            for volume in _dig(template, ('spec', 'volumes')) or []:
                if 'configMap' in volume:
                    self.configmap_users.setdefault((ns, volume['configMap']['name']), []).append(self.pods[-1])
        elif kind == 'WorkflowTemplate':
            common = _dig(obj, ('spec', 'podMetadata', 'labels')) or {}
            for template in obj['spec'].get('templates') or []:
                if 'container' in template or 'script' in template:
                    labels = dict(common, **(_dig(template, ('metadata', 'labels')) or {}))
                    self.pods.append(Pod('%s template %s' % (_name(obj), template['name']), ns, labels,
                                         {'containers': [template.get('container') or template.get('script')]}))
        elif kind == 'ScaledObject':
            self.pods.append(Pod(_name(obj) + ' (KEDA operator)', KEDA_OPERATOR[0], KEDA_OPERATOR[1],
                                 {'triggers': obj['spec'].get('triggers')}))


# ---------------------------------------------------------------- secret keys

def _secret_refs(pod):
    """(secret name, key or None for envFrom, where) named by a pod's containers or chart values."""
    refs = []
    if pod.chart is None:
        for container in (pod.body.get('initContainers') or []) + (pod.body.get('containers') or []):
            for env in container.get('env') or []:
                ref = _dig(env, ('valueFrom', 'secretKeyRef'))
                if ref and not ref.get('optional'):
                    refs.append((ref['name'], ref['key'], 'env %s' % env['name']))
            for source in container.get('envFrom') or []:
                if 'secretRef' in source and not source['secretRef'].get('optional'):
                    refs.append((source['secretRef']['name'], None, 'envFrom'))
        return refs
    _chart_secret_refs(pod.body, (), refs)
    for list_path, folder in (CHARTS.get(pod.chart, {}).get('secret_mounts') or {}).items():
        _mounted_secret_refs(pod.body, list_path, folder, refs)
    return refs


def _mounted_files(values, folder):
    """(values path, Secret name, key) of every file path under folder that chart values name."""
    for path, text in _strings(values):
        if text.startswith(folder):
            name, _sep, key = text[len(folder):].partition('/')
            yield '.'.join(path), name, key


def _mounted_secret_refs(values, list_path, folder, refs):
    """Secrets a chart mounts as files (listed at list_path), and the files of them its values read."""
    mounted = _dig(values, list_path) or []
    refs.extend((name, None, 'values %s' % '.'.join(list_path)) for name in mounted)
    refs.extend((name, key, 'values %s' % where) for where, name, key in _mounted_files(values, folder)
                if name in mounted)


def check_secret_mounts(render):
    """A file path under a chart's secret folder whose Secret the chart is not told to mount."""
    findings = []
    for pod in render.pods:
        for list_path, folder in (CHARTS.get(pod.chart, {}).get('secret_mounts') or {}).items():
            mounted = _dig(pod.body, list_path) or []
            for where, name, _key in _mounted_files(pod.body, folder):
                if name not in mounted:
                    findings.append('secret-key: %s (values %s) reads a file of Secret %s/%s, which %s does not mount'
                                    % (pod.origin, where, pod.namespace, name, '.'.join(list_path)))
    return findings


def _chart_secret_refs(node, path, refs):
    """secretKeyRef {name, key} anywhere; existingSecret with sibling *Key / secretKeys entries."""
    if isinstance(node, list):
        for index, value in enumerate(node):
            _chart_secret_refs(value, path + (str(index),), refs)
        return
    if not isinstance(node, dict):
        return
    where = '.'.join(path)
    ref = node.get('secretKeyRef')
    if isinstance(ref, dict) and ref.get('name') and ref.get('key'):
        refs.append((ref['name'], ref['key'], 'values %s' % where))
    if isinstance(node.get('existingSecret'), str) and node['existingSecret']:
        keys = dict((k, v) for k, v in node.items() if k.endswith('Key') and isinstance(v, str))
        keys.update((k, v) for k, v in (node.get('secretKeys') or {}).items() if isinstance(v, str))
        for field, key in sorted(keys.items()):
            refs.append((node['existingSecret'], key, 'values %s.%s' % (where, field)))
    for key, value in node.items():
        if key != 'secretKeyRef':
            _chart_secret_refs(value, path + (key,), refs)


def check_secret_keys(render):
    findings = []
    for pod in render.pods:
        for name, key, where in _secret_refs(pod):
            keys = render.secrets.get((pod.namespace, name), set())
            if (pod.namespace, name) not in render.secrets:
                findings.append('secret-key: %s (%s) reads Secret %s/%s, which no ExternalSecret produces'
                                % (pod.origin, where, pod.namespace, name))
            elif key is not None and keys is not None and key not in keys:
                findings.append('secret-key: %s (%s) reads key %s of Secret %s/%s; its ExternalSecret makes only %s'
                                % (pod.origin, where, key, pod.namespace, name, ', '.join(sorted(keys))))
    return findings


def check_remote_refs(render, catalog):
    owned = {}
    for entry in catalog:
        owned.setdefault(entry['path'], set()).update(entry['keys'])
    findings = []
    for _component, _index, obj in render.objects:
        if obj.get('kind') != 'ExternalSecret':
            continue
        for item in obj['spec'].get('data') or []:
            path, prop = item['remoteRef']['key'], item['remoteRef'].get('property')
            if path not in owned:
                findings.append('remote-ref: %s reads %s, a path the bootstrap never writes' % (_name(obj), path))
            elif prop and prop not in owned[path]:
                findings.append('remote-ref: %s reads %s property %s; the bootstrap writes only %s'
                                % (_name(obj), path, prop, ', '.join(sorted(owned[path]))))
        for item in obj['spec'].get('dataFrom') or []:
            path = _dig(item, ('extract', 'key'))
            if path and path not in owned:
                findings.append('remote-ref: %s extracts %s, a path the bootstrap never writes' % (_name(obj), path))
    return findings


def _external_secrets(render):
    return [obj for _component, _index, obj in render.objects if obj.get('kind') == 'ExternalSecret']


def _admitted(store):
    """Namespaces a ClusterSecretStore's conditions admit: a set, or None for 'any' (no conditions, or a
    selector or regex, which a render cannot resolve)."""
    conditions = store['spec'].get('conditions') or []
    if not conditions or any(set(condition) - {'namespaces'} for condition in conditions):
        return None
    return set(ns for condition in conditions for ns in condition.get('namespaces') or [])


def _store_identity(store):
    kubernetes = _dig(store, ('spec', 'provider', 'vault', 'auth', 'kubernetes')) or {}
    account = kubernetes.get('serviceAccountRef') or {}
    return kubernetes.get('role'), (account.get('namespace'), account.get('name')) if account.get('name') else None


def check_stores(render):
    """Each ExternalSecret reads through a store only its own namespace may use, with an identity of its own."""
    findings, users = [], {}
    for obj in _external_secrets(render):
        ns = obj['metadata'].get('namespace')
        ref = obj['spec'].get('secretStoreRef') or {}
        kind = ref.get('kind') or 'SecretStore'
        store = render.stores.get((kind, ns if kind == 'SecretStore' else None, ref.get('name')))
        where = '%s reads through %s %s' % (_name(obj), kind, ref.get('name'))
        if store is None:
            findings.append('store: %s, which the render does not have%s'
                            % (where, ' in namespace %s' % ns if kind == 'SecretStore' else ''))
            continue
        if kind == 'ClusterSecretStore':
            admitted = _admitted(store)
            if admitted is None:
                findings.append('store: %s, whose conditions admit every namespace (or ones a selector picks)' % where)
            elif admitted != {ns}:
                findings.append('store: %s, whose conditions admit %s' % (where, ', '.join(sorted(admitted))))
        role, account = _store_identity(store)
        if account is None:
            findings.append('store: %s, which has no serviceAccountRef: it would log in to Vault as the operator '
                            'itself' % where)
        for identity in (('Vault role', role), ('service account', '/'.join(account or ('', '')))):
            users.setdefault(identity, set()).add(ns)
    for (what, name), namespaces in sorted(users.items()):
        if name and name != '/' and len(namespaces) > 1:
            findings.append('store: the stores of namespaces %s all log in as %s %s'
                            % (', '.join(sorted(namespaces)), what, name))
    return findings


def check_grants(render, catalog):
    """Each namespace's ExternalSecrets read exactly what the catalog grants that namespace."""
    granted = {}
    for entry in catalog:
        for ns in entry.get('namespaces') or []:
            granted.setdefault(ns, set()).add(entry['path'])
    read, findings = {}, []
    for obj in _external_secrets(render):
        ns = obj['metadata'].get('namespace')
        paths = [item['remoteRef']['key'] for item in obj['spec'].get('data') or []]
        paths += [_dig(item, ('extract', 'key')) for item in obj['spec'].get('dataFrom') or [] if _dig(item, ('extract', 'key'))]
        for path in sorted(set(paths)):
            read.setdefault(ns, set()).add(path)
            if path not in granted.get(ns, ()):
                findings.append('grant: %s reads %s, which the secret catalog does not grant namespace %s (its Vault '
                                'policy refuses it)' % (_name(obj), path, ns))
    for ns, paths in sorted(granted.items()):
        for path in sorted(paths - read.get(ns, set())):
            findings.append('grant: namespace %s is granted %s, which none of its ExternalSecrets read' % (ns, path))
    return findings


# ---------------------------------------------------------------- addresses and flows

# Hosts outside the cluster that a render may name by a short name (the lab's Spark is `spark`).
EXTERNAL_HOSTS = set()


def _in_cluster(host):
    if _IP.match(host) or host == 'localhost' or host in EXTERNAL_HOSTS:
        return False
    return host.endswith('.svc') or host.endswith('.svc.cluster.local') or host.count('.') <= 1


def _resolve(host, namespace):
    """(namespace, service) a cluster DNS name points at, seen from a pod in namespace."""
    labels = host.split('.')
    if '.svc' in '.' + host + '.' and 'svc' in labels:
        at = labels.index('svc')
        return labels[at - 1], labels[at - 2]
    # <service> or <pod>.<headless service> in the client's own namespace.
    return namespace, labels[-1]


def addresses(pod):
    """(host, port, where) of every in-cluster address in a pod's spec (or its chart's values)."""
    found = []
    for path, text in _strings(pod.body):
        for scheme, host, port in _URL.findall(text):
            if _in_cluster(host):
                found.append((host, int(port) if port else _DEFAULT_PORTS.get(scheme), '.'.join(path)))
        for host, port in _SVC_HOST_PORT.findall(text):
            if port and '://' + host not in text:
                found.append((host, int(port), '.'.join(path)))
    return found


def _config_addresses(render):
    """ConfigMap data addresses, attributed to the pods that mount the ConfigMap."""
    found = []
    for _component, _index, obj in render.objects:
        if obj.get('kind') != 'ConfigMap':
            continue
        meta = obj['metadata']
        users = render.configmap_users.get((meta.get('namespace'), meta['name']), [])
        probe = Pod(_name(obj), meta.get('namespace'), {}, obj.get('data') or {})
        for host, port, where in addresses(probe):
            for pod in users:
                found.append((pod, host, port, '%s %s' % (_name(obj), where)))
    return found


def _derived_addresses(render, catalog):
    """URLs the bootstrap builds into secrets (catalog derive), attributed to the pods reading them."""
    found = []
    templates = dict(((entry['path'], key), value) for entry in catalog
                     for key, value in (entry.get('derive') or {}).items())
    for _component, _index, obj in render.objects:
        if obj.get('kind') != 'ExternalSecret':
            continue
        ns = obj['metadata'].get('namespace')
        target = (obj['spec'].get('target') or {}).get('name') or obj['metadata']['name']
        for item in obj['spec'].get('data') or []:
            text = templates.get((item['remoteRef']['key'], item['remoteRef'].get('property')))
            if not text:
                continue
            for scheme, host, port in _URL.findall(text):
                for pod in render.pods:
                    if pod.namespace == ns and any(name == target and key in (None, item['secretKey'])
                                                   for name, key, _w in _secret_refs(pod)):
                        where = 'Vault %s.%s via Secret %s' % (item['remoteRef']['key'],
                                                               item['remoteRef'].get('property'), target)
                        found.append((pod, host, int(port) if port else _DEFAULT_PORTS.get(scheme), where))
    return found


def _ingress_backends(render):
    """(controller pod, ns, service, port, where) for every Ingress backend, and ingress findings."""
    found, findings = [], []
    for obj in render.ingresses:
        spec, ns = obj['spec'], obj['metadata'].get('namespace')
        controllers = [pod for name, pod in render.controllers if name == spec.get('ingressClassName')]
        if not controllers:
            findings.append('ingress: %s names class %s, which no ingress controller in the render answers for '
                            '(it has: %s)' % (_name(obj), spec.get('ingressClassName'),
                                              ', '.join(sorted(str(name) for name, _pod in render.controllers)) or 'none'))
            continue
        backends = [('defaultBackend', spec['defaultBackend'])] if spec.get('defaultBackend') else []
        for rule in spec.get('rules') or []:
            for path in _dig(rule, ('http', 'paths')) or []:
                backends.append(('host %s path %s' % (rule.get('host'), path.get('path')), path.get('backend')))
        for where, backend in backends:
            service = (backend or {}).get('service') or {}
            port = service.get('port') or {}
            for pod in controllers:
                found.append((pod, ns, service.get('name'), port.get('number', port.get('name')),
                              '%s %s' % (_name(obj), where)))
    return found, findings


def _pod_port(render, ns, found, port):
    """The port the pods behind a Service listen on (what NetworkPolicies see) for one of its ports."""
    target = found['targets'].get(port, port)
    if not isinstance(target, str):
        return target
    # A named targetPort: the container port of that name in a rendered pod the Service selects.
    for pod in render.pods:
        if pod.chart is None and pod.namespace == ns and _selects({'matchLabels': found['selector'] or {}}, pod.labels):
            for container in pod.body.get('containers') or []:
                for container_port in container.get('ports') or []:
                    if container_port.get('name') == target:
                        return container_port['containerPort']
    return port


def flows(render, catalog):
    """[(client pod, server (ns, name, port), server labels, where, pod port)] and service findings."""
    candidates = [(pod, host, port, where) for pod in render.pods for host, port, where in addresses(pod)]
    candidates += _config_addresses(render) + _derived_addresses(render, catalog)
    resolved = [(pod, host) + _resolve(host, pod.namespace) + (port, where)
                for pod, host, port, where in candidates if _in_cluster(host)]
    backends, findings = _ingress_backends(render)
    resolved += [(pod, '%s.%s.svc' % (service, ns), ns, service, port, where)
                 for pod, ns, service, port, where in backends]
    result = []
    for pod, host, ns, service, port, where in resolved:
        found = render.services.get((ns, service))
        if found is None:
            findings.append('service: %s (%s) points at %s:%s, but the render has no Service %s/%s'
                            % (pod.origin, where, host, port, ns, service))
        elif port not in found['ports']:
            findings.append('service: %s (%s) points at %s:%s; Service %s/%s serves ports %s'
                            % (pod.origin, where, host, port, ns, service, sorted(found['ports'])))
        else:
            result.append((pod, (ns, service, port), found['selector'] or {}, where, _pod_port(render, ns, found, port)))
    return result, findings


def _selects(selector, labels):
    if selector is None:
        return False
    for key, value in (selector.get('matchLabels') or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get('matchExpressions') or []:
        key, op, values = expr['key'], expr['operator'], expr.get('values') or []
        if op == 'Exists' and key not in labels:
            return False
        if op == 'DoesNotExist' and key in labels:
            return False
        if op == 'In' and labels.get(key) not in values:
            return False
        if op == 'NotIn' and labels.get(key) in values:
            return False
    return True


def _peer_matches(peer, own_ns, ns, labels):
    if 'ipBlock' in peer:
        return False  # pod-to-pod traffic is judged by selectors
    if 'namespaceSelector' in peer:
        if not _selects(peer['namespaceSelector'], {'kubernetes.io/metadata.name': ns}):
            return False
    elif ns != own_ns:
        return False
    return _selects(peer.get('podSelector', {}), labels) if 'podSelector' in peer else True


def _port_matches(ports, port):
    return not ports or any(p.get('port') in (None, port) for p in ports)


def _allowed(render, direction, ns, labels, peer_ns, peer_labels, port):
    """Is traffic allowed for a pod (ns, labels) in one direction, given the policies selecting it."""
    kind, rules_key, peers_key = (('Egress', 'egress', 'to') if direction == 'egress' else ('Ingress', 'ingress', 'from'))
    selecting = [p for p in render.policies if p['metadata'].get('namespace') == ns
                 and kind in (p['spec'].get('policyTypes') or ['Ingress'])
                 and _selects(p['spec'].get('podSelector', {}), labels)]
    if not selecting:
        return True  # isolated by nothing: everything is allowed (the baseline makes this rare)
    for policy in selecting:
        for rule in policy['spec'].get(rules_key) or []:
            peers = rule.get(peers_key)
            if _port_matches(rule.get('ports'), port) and (
                    not peers or any(_peer_matches(peer, ns, peer_ns, peer_labels) for peer in peers)):
                return True
    return False


def check_flows(render, found_flows):
    findings = []
    for pod, (ns, service, port), server_labels, where, pod_port in found_flows:
        # Policies see the pods' own port, which a Service may map its port to.
        target = '%s/%s:%s%s' % (ns, service, port, '' if pod_port == port else ' (pod port %s)' % pod_port)
        if not _allowed(render, 'egress', pod.namespace, pod.labels, ns, server_labels, pod_port):
            findings.append('flow: %s -> %s (%s) is not allowed by the egress policies of %s'
                            % (pod.origin, target, where, pod.namespace))
        if not _allowed(render, 'ingress', ns, server_labels, pod.namespace, pod.labels, pod_port):
            findings.append('flow: %s -> %s (%s) is not allowed by the ingress policies of %s'
                            % (pod.origin, target, where, ns))
    return findings


def check_agent_egress(render, found_flows):
    """Every egress rule that applies to an agent pod is used by one of its flows (or is DNS/the API)."""
    findings = []
    for pod in render.pods:
        if 'ai-platform/agent' not in pod.labels or pod.chart:
            continue
        used = [(ns, labels, port) for client, (ns, _svc, _port), labels, _w, port in found_flows if client is pod]
        for policy in render.policies:
            if policy['metadata'].get('namespace') != pod.namespace or \
                    'Egress' not in (policy['spec'].get('policyTypes') or []) or \
                    not _selects(policy['spec'].get('podSelector', {}), pod.labels):
                continue
            for rule in policy['spec'].get('egress') or []:
                ports = [p.get('port') for p in rule.get('ports') or []]
                peers = rule.get('to') or []
                if ports and set(ports) <= {DNS_PORT}:
                    continue
                if peers and all('ipBlock' in peer for peer in peers) and ports:
                    continue  # the Kubernetes API for agents with RBAC: an address range, checked by policy tests
                useful = ports and peers and all(
                    any(_peer_matches(peer, pod.namespace, ns, labels) and port in ports for ns, labels, port in used)
                    for peer in peers)
                if not useful:
                    findings.append('flow: %s may reach %s (NetworkPolicy %s), which it never uses'
                                    % (pod.origin, yaml.safe_dump(rule, default_flow_style=True).strip(),
                                       policy['metadata']['name']))
    return findings


# ---------------------------------------------------------------- CRDs

def check_crds(render, ancestors=None):
    """Every custom resource after its CRD: in apply order, or (ancestors: folder -> the folders it
    depends on, transitively) behind a Flux dependsOn chain."""
    findings = []
    for position, (component, index, obj) in enumerate(render.objects):
        group = obj.get('apiVersion', '').rpartition('/')[0]
        if group in _BUILTIN_GROUPS or obj.get('kind') == 'CustomResourceDefinition':
            continue
        providers = render.crd_groups.get(group, [])
        charts = ', '.join(p[2] for p in providers)
        if not providers:
            findings.append('crd: %s (%s) needs a CRD of group %s that no component delivers'
                            % (_name(obj), component, group))
        elif ancestors is not None:
            if any(p[3] == component for p in providers):
                findings.append('crd: %s (%s) is in the same Flux Kustomization as the chart delivering the CRDs '
                                'of group %s (HelmChart %s)' % (_name(obj), component, group, charts))
            elif not any(p[3] in ancestors.get(component, ()) for p in providers):
                findings.append('crd: %s (%s) does not depend on %s, which delivers the CRDs of group %s (HelmChart %s)'
                                % (_name(obj), component, ', '.join(sorted(set(p[3] for p in providers))), group,
                                   charts))
        elif not any(p_index < index or (p_index == index and p_position < position)
                     for p_index, p_position, _chart, _component in providers):
            findings.append('crd: %s (%s) comes before the CRDs of group %s (HelmChart %s) in apply order'
                            % (_name(obj), component, group, charts))
    return findings


def flux_graph(render_dir):
    """{folder: set of folders it depends on, transitively} from the Flux Kustomizations in DIR/flux."""
    by_name, direct = {}, {}
    for path in sorted(os.listdir(os.path.join(render_dir, 'flux'))):
        if not path.endswith('.yaml') or path == 'kustomization.yaml':
            continue
        with open(os.path.join(render_dir, 'flux', path)) as handle:
            for obj in yaml.safe_load_all(handle):
                if not obj or obj.get('kind') != 'Kustomization':
                    continue
                folder = os.path.basename(obj['spec']['path'].rstrip('/'))
                if os.path.isfile(os.path.join(render_dir, folder, 'kustomization.yaml')):
                    by_name[obj['metadata']['name']] = folder
                    direct[folder] = [d['name'] for d in obj['spec'].get('dependsOn') or []]
    graph = dict((folder, set(by_name.get(name, name) for name in names)) for folder, names in direct.items())
    closed = {}
    for folder in graph:
        found, todo = set(), list(graph[folder])
        while todo:
            dep = todo.pop()
            if dep not in found:
                found.add(dep)
                todo.extend(graph.get(dep, ()))
        closed[folder] = found
    return closed


# ---------------------------------------------------------------- entry points

def check(render_dir, catalog, order=None, external=(), flux=False):
    """Findings; the order is apply mode's (a list of components) or, with flux, the rendered entry point's."""
    EXTERNAL_HOSTS.clear()
    EXTERNAL_HOSTS.update(external)
    ancestors = flux_graph(render_dir) if flux else None
    render = Render(load(render_dir, sorted(ancestors) if flux else order))
    found_flows, service_findings = flows(render, catalog)
    return (check_secret_keys(render) + check_secret_mounts(render) + check_remote_refs(render, catalog)
            + check_stores(render) + check_grants(render, catalog) + service_findings + check_flows(render, found_flows)
            + check_agent_egress(render, found_flows) + check_crds(render, ancestors))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('render_dir')
    parser.add_argument('--catalog', required=True, help='the vault role\'s vault_secrets_catalog_file')
    order = parser.add_mutually_exclusive_group(required=True)
    order.add_argument('--order', help='components in apply order, comma separated (apply mode)')
    order.add_argument('--flux', action='store_true', help='the order of the rendered Flux entry point (render mode)')
    parser.add_argument('--external', action='append', default=[],
                        help='a host outside the cluster the render names by a short name (repeatable)')
    args = parser.parse_args(argv)
    with open(args.catalog) as handle:
        catalog = yaml.safe_load(handle) or []
    findings = check(args.render_dir, catalog, args.order.split(',') if args.order else None, args.external, args.flux)
    for finding in findings:
        print(finding)
    print('%d finding(s)' % len(findings), file=sys.stderr)
    return 1 if findings else 0


if __name__ == '__main__':
    sys.exit(main())
