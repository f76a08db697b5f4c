# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Policy checks over rendered Kubernetes objects (no cluster needed).

Each check takes objects (and what it needs to know about the site) and returns a list of
violations, each a string naming the object and the rule; an empty list means compliant.

    python tests/tools/manifest_policy.py DIR    # print every violation, exit 1 if any
"""

import argparse
import ipaddress
import math
import os
import re
import sys

import yaml

# Kinds whose pod template sits at a known path.
_POD_SPEC_PATHS = {
    'Pod': ('spec',),
    'Deployment': ('spec', 'template', 'spec'),
    'StatefulSet': ('spec', 'template', 'spec'),
    'DaemonSet': ('spec', 'template', 'spec'),
    'ReplicaSet': ('spec', 'template', 'spec'),
    'Job': ('spec', 'template', 'spec'),
    'CronJob': ('spec', 'jobTemplate', 'spec', 'template', 'spec'),
}
# Pod Security Standards, restricted profile (Kubernetes 1.33).
_ALLOWED_VOLUME_TYPES = {'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim',
                         'projected', 'secret', 'name'}
_ALLOWED_SECCOMP = {'RuntimeDefault', 'Localhost'}
_ALLOWED_ADDED_CAPS = {'NET_BIND_SERVICE'}
_ALLOWED_SYSCTLS = {'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
                    'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
                    'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
                    'net.ipv4.tcp_keepalive_probes'}
_CONTAINER_LISTS = ('initContainers', 'containers', 'ephemeralContainers')

# Values that look like credentials. Generic high-entropy strings are judged separately.
_KEY_PATTERNS = (
    ('OpenAI/LiteLLM-style key', re.compile(r'\bsk-[A-Za-z0-9_-]{16,}')),
    ('Anthropic key', re.compile(r'\bsk-ant-[A-Za-z0-9_-]{16,}')),
    ('Google API key', re.compile(r'\bAIza[0-9A-Za-z_-]{30,}')),
    ('AWS access key', re.compile(r'\b(AKIA|ASIA)[0-9A-Z]{16}\b')),
    ('private key', re.compile(r'-----BEGIN [A-Z ]*PRIVATE KEY-----')),
    ('JWT', re.compile(r'\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}')),
    ('Vault token', re.compile(r'\bhv[sbr]\.[A-Za-z0-9_-]{20,}')),
    ('credentials in a URL', re.compile(r'[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@<$]{3,}@')),
)
_TOKENISH = re.compile(r'[A-Za-z0-9+/=_-]{32,}')
# Keys whose literal value is a credential (a reference such as valueFrom/secretKeyRef is a dict).
_SECRET_KEY_NAMES = re.compile(r'(?i)^(password|passwd|secret|token|api[_-]?key|master[_-]?key|salt|encryption[_-]?key)$')
_SECRET_ENV_NAMES = re.compile(r'(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|MASTER_KEY|_SALT|ENCRYPTION_KEY)$')
_PLACEHOLDER = re.compile(r'^(<<\s*\$[A-Z0-9_]+\s*>>|\$[A-Z0-9_]+|\$\{[A-Za-z0-9_]+\}|os\.environ/[A-Z0-9_]+)$')

# The test secrets set: sentinel values the policy tests put where a careless role could pick a
# secret up (the environment of the render); none may appear in any rendered file or output.
TEST_SECRETS = {
    'LITELLM_MASTER_KEY': 'sk-policy-master-9fT2xQ7vL1pZ',
    'OPENAI_API_KEY': 'sk-policy-openai-4hR8mW2kJ6nB',
    'ANTHROPIC_API_KEY': 'sk-ant-policy-7yU3eC5tG1aS',
    'GEMINI_API_KEY': 'policy-gemini-8Kd2Lq9Zr4Vw',
    'SPARK_VLLM_API_KEY': 'policy-spark-3Jm6Np1Xs8Tc',
    'VAULT_TOKEN': 'hvs.policyTestTokenNotReal0042',
    'NATS_PASSWORD': 'policy-nats-5Gb7Hc2Df9Ek',
}

_UNPINNED_VERSION = re.compile(r'(^$|latest|[*^~<>|x]|\s)', re.IGNORECASE)


# ---------------------------------------------------------------- helpers

def name_of(obj):
    meta = obj.get('metadata') or {}
    ns = meta.get('namespace')
    return '%s %s%s' % (obj.get('kind'), (ns + '/') if ns else '', meta.get('name'))


def _dig(node, path):
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def pod_specs(obj):
    """(label, pod spec) pairs of an object: workloads, and each template of an Argo WorkflowTemplate."""
    kind = obj.get('kind')
    if kind in _POD_SPEC_PATHS:
        spec = _dig(obj, _POD_SPEC_PATHS[kind])
        return [(name_of(obj), spec)] if isinstance(spec, dict) else []
    if kind in ('WorkflowTemplate', 'ClusterWorkflowTemplate', 'Workflow', 'CronWorkflow'):
        spec = obj.get('spec') or {}
        if kind == 'CronWorkflow':
            spec = spec.get('workflowSpec') or {}
        pods = []
        for template in spec.get('templates') or []:
            containers = [template[key] for key in ('container', 'script') if isinstance(template.get(key), dict)]
            if not containers:
                continue
            # Argo builds each step's pod from the workflow-level and template-level settings.
            pod = {
                'securityContext': template.get('securityContext', spec.get('securityContext')),
                'volumes': (spec.get('volumes') or []) + (template.get('volumes') or []),
                'containers': containers,
                'initContainers': template.get('initContainers') or [],
            }
            for field in ('hostNetwork',):
                if field in template or field in spec:
                    pod[field] = template.get(field, spec.get(field))
            pods.append(('%s template %s' % (name_of(obj), template.get('name')), pod))
        return pods
    return []


def containers_of(pod):
    for key in _CONTAINER_LISTS:
        for container in pod.get(key) or []:
            yield key, container


def load_objects(paths):
    """Every object in the YAML files under paths (kustomization files skipped)."""
    objects = []
    for path in paths:
        files = []
        if os.path.isdir(path):
            for root, _dirs, names in os.walk(path):
                files.extend(os.path.join(root, n) for n in names if n.endswith('.yaml'))
        else:
            files.append(path)
        for filename in sorted(files):
            if os.path.basename(filename) == 'kustomization.yaml':
                continue
            with open(filename) as handle:
                objects.extend(doc for doc in yaml.safe_load_all(handle) if doc)
    return objects


# ---------------------------------------------------------------- checks

def pss_restricted(obj, exceptions=None):
    """Pod Security Standards "restricted" violations of every pod the object creates.

    exceptions maps an object name (as name_of prints it) to the rules it is allowed to break.
    """
    allowed = set((exceptions or {}).get(name_of(obj), ()))
    problems = []
    for label, pod in pod_specs(obj):
        found = []
        pod_sc = pod.get('securityContext') or {}
        for field in ('hostNetwork', 'hostPID', 'hostIPC', 'hostUsers'):
            value = pod.get(field)
            if (field != 'hostUsers' and value) or (field == 'hostUsers' and value is True):
                found.append(('host-namespaces', '%s is set' % field))
        for volume in pod.get('volumes') or []:
            bad = set(volume) - _ALLOWED_VOLUME_TYPES
            if bad:
                found.append(('volume-types', 'volume %s is of type %s' % (volume.get('name'), ', '.join(sorted(bad)))))
        for sysctl in (pod_sc.get('sysctls') or []):
            if sysctl.get('name') not in _ALLOWED_SYSCTLS:
                found.append(('sysctls', 'sysctl %s' % sysctl.get('name')))
        if pod_sc.get('runAsUser') == 0:
            found.append(('run-as-non-root', 'pod runAsUser is 0'))
        # Explicit pod-level settings count even where every container overrides them.
        if pod_sc.get('runAsNonRoot') is False:
            found.append(('run-as-non-root', 'pod sets runAsNonRoot: false'))
        pod_seccomp = (pod_sc.get('seccompProfile') or {}).get('type')
        if pod_seccomp is not None and pod_seccomp not in _ALLOWED_SECCOMP:
            found.append(('seccomp', 'pod seccompProfile is %s' % pod_seccomp))
        for group, container in containers_of(pod):
            cname = '%s %s' % (group[:-1], container.get('name', '?'))
            sc = container.get('securityContext') or {}
            if sc.get('privileged'):
                found.append(('privileged', '%s is privileged' % cname))
            if sc.get('allowPrivilegeEscalation') is not False:
                found.append(('privilege-escalation', '%s does not set allowPrivilegeEscalation: false' % cname))
            caps = sc.get('capabilities') or {}
            if 'ALL' not in (caps.get('drop') or []):
                found.append(('capabilities', '%s does not drop ALL capabilities' % cname))
            added = set(caps.get('add') or []) - _ALLOWED_ADDED_CAPS
            if added:
                found.append(('capabilities', '%s adds %s' % (cname, ', '.join(sorted(added)))))
            non_root = sc.get('runAsNonRoot', pod_sc.get('runAsNonRoot'))
            if non_root is not True:
                found.append(('run-as-non-root', '%s does not set runAsNonRoot: true' % cname))
            if sc.get('runAsUser', pod_sc.get('runAsUser')) == 0:
                found.append(('run-as-non-root', '%s runs as UID 0' % cname))
            seccomp = (sc.get('seccompProfile') or pod_sc.get('seccompProfile') or {}).get('type')
            if seccomp not in _ALLOWED_SECCOMP:
                found.append(('seccomp', '%s seccompProfile is %s' % (cname, seccomp or 'unset')))
            if sc.get('procMount') not in (None, 'Default'):
                found.append(('proc-mount', '%s procMount %s' % (cname, sc.get('procMount'))))
            for port in container.get('ports') or []:
                if port.get('hostPort'):
                    found.append(('host-ports', '%s uses hostPort %s' % (cname, port['hostPort'])))
        problems.extend('%s: [%s] %s' % (label, rule, text) for rule, text in found if rule not in allowed)
    return problems


def resources_set(obj):
    """Containers without CPU and memory requests and limits."""
    problems = []
    for label, pod in pod_specs(obj):
        for group, container in containers_of(pod):
            if group == 'ephemeralContainers':
                continue
            resources = container.get('resources') or {}
            for section in ('requests', 'limits'):
                missing = [r for r in ('cpu', 'memory') if not (resources.get(section) or {}).get(r)]
                if missing:
                    problems.append('%s: container %s has no %s %s'
                                    % (label, container.get('name', '?'), section, '/'.join(missing)))
    return problems


def _is_default_deny(policy):
    spec = policy.get('spec') or {}
    return (spec.get('podSelector') in ({}, None) or spec.get('podSelector') == {'matchLabels': {}}) \
        and set(spec.get('policyTypes') or []) >= {'Ingress', 'Egress'} \
        and not spec.get('ingress') and not spec.get('egress')


def default_deny(objects, owned_namespaces):
    """Owned namespaces (plus every Namespace rendered) without a default-deny policy for both directions."""
    namespaces = set(owned_namespaces) | {(o.get('metadata') or {}).get('name') for o in objects
                                          if o.get('kind') == 'Namespace'}
    covered = {(o.get('metadata') or {}).get('namespace') for o in objects
               if o.get('kind') == 'NetworkPolicy' and _is_default_deny(o)}
    return ['namespace %s has no default-deny NetworkPolicy (ingress and egress, all pods)' % ns
            for ns in sorted(namespaces - covered)]


def _peer_is(peer, namespace, labels):
    ns_labels = (peer.get('namespaceSelector') or {}).get('matchLabels') or {}
    pod_labels = (peer.get('podSelector') or {}).get('matchLabels') or {}
    return (set(peer) == {'namespaceSelector', 'podSelector'}
            and ns_labels == {'kubernetes.io/metadata.name': namespace}
            and all(pod_labels.get(k) == v for k, v in labels.items()) and bool(pod_labels))


def _ports_are(rule, allowed):
    ports = rule.get('ports') or []
    return bool(ports) and all((p.get('protocol', 'TCP'), p.get('port')) in allowed for p in ports)


def _selects(policy, labels):
    selector = (policy.get('spec') or {}).get('podSelector') or {}
    for key, value in (selector.get('matchLabels') or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get('matchExpressions') or []:
        key, op, values = expr.get('key'), expr.get('operator'), expr.get('values') or []
        if (op == 'Exists' and key not in labels) or (op == 'DoesNotExist' and key in labels) \
                or (op == 'In' and labels.get(key) not in values) or (op == 'NotIn' and labels.get(key) in values):
            return False
    return True


def agent_egress(objects, namespaces, api_allowed_agents=(), apiserver_port=6443):
    """Egress rules that let an agent pod reach anything but LiteLLM, NATS and DNS.

    Agents that declare RBAC (api_allowed_agents) may also reach the API server port: the one
    written exception, since their permissions are useless without it.
    """
    agents_ns = namespaces['agents']
    allowed = [
        ('LiteLLM', lambda peer: _peer_is(peer, namespaces['gateway'], {'app.kubernetes.io/name': 'litellm'}),
         {('TCP', 4000)}),
        ('NATS', lambda peer: _peer_is(peer, namespaces['messaging'], {'app.kubernetes.io/name': 'nats'}),
         {('TCP', 4222)}),
        ('DNS', lambda peer: _peer_is(peer, 'kube-system', {'k8s-app': 'kube-dns'}), {('UDP', 53), ('TCP', 53)}),
    ]
    pods = []
    for obj in objects:
        for label, _pod in pod_specs(obj):
            meta = _dig(obj, ('spec', 'template', 'metadata')) or {}
            if (obj.get('metadata') or {}).get('namespace') == agents_ns and 'ai-platform/agent' in (meta.get('labels') or {}):
                pods.append((label, meta['labels']))
    problems = []
    policies = [o for o in objects if o.get('kind') == 'NetworkPolicy'
                and (o.get('metadata') or {}).get('namespace') == agents_ns]
    for label, labels in pods:
        for policy in policies:
            spec = policy.get('spec') or {}
            if not _selects(policy, labels) or 'Egress' not in (spec.get('policyTypes') or []):
                continue
            for rule in spec.get('egress') or []:
                peers = rule.get('to') or []
                ok = bool(peers) and all(any(match(peer) for _n, match, _p in allowed) for peer in peers) \
                    and any(_ports_are(rule, ports) and all(match(peer) for peer in peers) for _n, match, ports in allowed)
                if not ok and labels['ai-platform/agent'] in api_allowed_agents:
                    ok = bool(peers) and all(set(peer) == {'ipBlock'} for peer in peers) \
                        and _ports_are(rule, {('TCP', apiserver_port)})
                if not ok:
                    problems.append('%s: %s allows egress %s beyond LiteLLM, NATS and DNS'
                                    % (label, name_of(policy), yaml.safe_dump(rule, default_flow_style=True).strip()))
    return problems


def covers_port(rule, port):
    """Whether a NetworkPolicy rule lets TCP traffic to port through (no ports: every port)."""
    entries = rule.get('ports') or []
    if not entries:
        return True
    for entry in entries:
        if entry.get('protocol', 'TCP') != 'TCP':
            continue
        if 'port' not in entry:
            return True
        # A named port matches a pod's container port only, never an address outside the pod network.
        if isinstance(entry['port'], int) and entry['port'] <= port <= entry.get('endPort', entry['port']):
            return True
    return False


def apiserver_egress(objects, api_cidrs, port=6443, subnets=()):
    """Egress to the API port anywhere but the cluster's API addresses (api_cidrs).

    Every rule that lets the API port through must name its destinations, each an ipBlock in
    api_cidrs or a pod/namespace selector. An ipBlock wider than one host is reported even when
    api_cidrs lists it, unless it is one of subnets (a documented stand-in for servers whose
    addresses the inventory does not give).
    """
    problems = []
    for policy in objects:
        if policy.get('kind') != 'NetworkPolicy' or 'Egress' not in ((policy.get('spec') or {}).get('policyTypes') or []):
            continue
        for rule in (policy.get('spec') or {}).get('egress') or []:
            if not covers_port(rule, port):
                continue
            peers = rule.get('to') or []
            if not peers:
                problems.append('%s: lets port %d through to every destination' % (name_of(policy), port))
            for peer in peers:
                cidr = (peer.get('ipBlock') or {}).get('cidr')
                if cidr is None:
                    continue
                network = ipaddress.ip_network(cidr, strict=False)
                if cidr not in api_cidrs:
                    problems.append('%s: allows port %d to %s, not an API address (%s)'
                                    % (name_of(policy), port, cidr, ', '.join(sorted(api_cidrs))))
                elif network.prefixlen < network.max_prefixlen and cidr not in subnets:
                    problems.append('%s: allows port %d to %s, wider than one host' % (name_of(policy), port, cidr))
    return problems


def _entropy(text):
    counts = {c: text.count(c) for c in set(text)}
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _strings(node, path=()):
    """(path, key, string) for every string in a nested structure; YAML in valuesContent is parsed too."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, path + (str(key),))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, path + (str(index),))
    elif isinstance(node, str):
        yield path, node
        if path and path[-1] == 'valuesContent':
            try:
                parsed = yaml.safe_load(node)
            except yaml.YAMLError:
                parsed = None
            if isinstance(parsed, (dict, list)):
                yield from _strings(parsed, path)


def secret_values(obj, known_values=()):
    """Secret material in an object: Secret data, key-like strings, literal passwords, known test values."""
    problems = []
    if obj.get('kind') == 'Secret' and (obj.get('data') or obj.get('stringData')):
        problems.append('%s: a Secret with data (ship an ExternalSecret)' % name_of(obj))
    for label, pod in pod_specs(obj):
        for _group, container in containers_of(pod):
            for env in container.get('env') or []:
                value = env.get('value')
                if _SECRET_ENV_NAMES.search(env.get('name', '')) and value and not _PLACEHOLDER.match(value.strip()):
                    problems.append('%s: container %s env %s is a literal credential (use secretKeyRef)'
                                    % (label, container.get('name', '?'), env['name']))
    for path, text in _strings(obj):
        where = '%s: %s' % (name_of(obj), '.'.join(path))
        for value in known_values:
            if value and value in text:
                problems.append('%s holds a value of the test secrets set' % where)
        for label, pattern in _KEY_PATTERNS:
            if pattern.search(text):
                problems.append('%s looks like a %s' % (where, label))
        # A sibling 'secret' makes the value a key name inside that Secret (NACK, KEDA auth).
        is_reference = isinstance(_dig(obj, path[:-1]), dict) and 'secret' in _dig(obj, path[:-1])
        if path and _SECRET_KEY_NAMES.match(path[-1]) and text and not is_reference \
                and not _PLACEHOLDER.match(text.strip()):
            problems.append('%s is a literal credential' % where)
        for token in _TOKENISH.findall(text):
            classes = sum(bool(re.search(p, token)) for p in ('[a-z]', '[A-Z]', '[0-9]'))
            if classes == 3 and _entropy(token) > 4.0 and not token.startswith(('http', 'sha256')):
                problems.append('%s has a high-entropy token %s...' % (where, token[:6]))
    return problems


def _image_pinned(image):
    if not isinstance(image, str) or not image:
        return False
    if '@sha256:' in image:
        return True
    last = image.rsplit('/', 1)[-1]
    return ':' in last and last.rsplit(':', 1)[1] not in ('', 'latest')


def pinned(obj):
    """Unpinned images (no tag, latest) and HelmChart versions (empty, latest, ranges)."""
    problems = []
    for label, pod in pod_specs(obj):
        for _group, container in containers_of(pod):
            if not _image_pinned(container.get('image')):
                problems.append('%s: container %s image %r is not pinned'
                                % (label, container.get('name', '?'), container.get('image')))
    if obj.get('kind') == 'HelmChart':
        spec = obj.get('spec') or {}
        version = str(spec.get('version') or '')
        if _UNPINNED_VERSION.search(version):
            problems.append('%s: chart version %r is not pinned' % (name_of(obj), version))
        values = yaml.safe_load(spec.get('valuesContent') or '') or {}
        for path, text in _strings(values):
            if path and path[-1] in ('tag', 'image') and (text in ('', 'latest') or text.endswith(':latest')):
                problems.append('%s: values %s is %r' % (name_of(obj), '.'.join(path), text))
    return problems


_DIGEST_REF = re.compile(r'^[^\s@]+@sha256:[0-9a-f]{64}$')


def image_pin(ref):
    """'digest' for <image>@sha256:<64 hex> (a tag before it is allowed), 'tag' for <repo>:<tag>
    with a tag other than latest, None for anything else (no tag, latest, a malformed digest)."""
    if not isinstance(ref, str):
        return None
    if '@' in ref:
        return 'digest' if _DIGEST_REF.match(ref) else None
    return 'tag' if _image_pinned(ref) and not any(c.isspace() for c in ref) else None


# A chart's default image, named in a reference when the values give only its digest (or only its tag).
CHART_DEFAULT = '<chart-default>'


def image_refs(obj):
    """(where, image reference) for each container of an object and each image a HelmChart's values set
    (at an image key, or a key under it) as {repository, tag}, a tag alone, or a chart's own digest field
    ({digest}: <chart-default>@<digest>).
    Charts that keep their own default images show none: they are not visible offline."""
    refs = [('%s: container %s' % (label, container.get('name', '?')), container.get('image'))
            for label, pod in pod_specs(obj) for _group, container in containers_of(pod)]
    if obj.get('kind') == 'HelmChart':
        values = yaml.safe_load((obj.get('spec') or {}).get('valuesContent') or '') or {}
        stack = [((), values)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, dict):
                # image, or one of several under image (KEDA's image.keda, image.webhooks, ...).
                if 'image' in path[-2:] and set(node) & {'repository', 'tag', 'digest'}:
                    ref = '%s:%s' % (node.get('repository') or CHART_DEFAULT, node.get('tag', ''))
                    if node.get('digest'):
                        ref = '%s@%s' % (ref if node.get('tag') else node.get('repository') or CHART_DEFAULT,
                                         node['digest'])
                    refs.append(('%s: values %s' % (name_of(obj), '.'.join(path)), ref))
                stack.extend((path + (str(k),), v) for k, v in node.items())
    return refs


def chart_values(obj, expectations):
    """Chart values that must set resources and a restricted security context.

    expectations maps a chart name to {'resources': [paths], 'securityContext': [paths]}, each
    path a dotted key path into the HelmChart's valuesContent.
    """
    if obj.get('kind') != 'HelmChart':
        return []
    chart = (obj.get('spec') or {}).get('chart')
    wanted = expectations.get(chart)
    if wanted is None:
        return ['%s: chart %s has no values expectations (add it to the policy)' % (name_of(obj), chart)]
    values = yaml.safe_load((obj.get('spec') or {}).get('valuesContent') or '') or {}
    problems = []
    for path in wanted.get('resources', ()):
        node = _dig(values, path.split('.')) or {}
        for section in ('requests', 'limits'):
            if not all((node.get(section) or {}).get(r) for r in ('cpu', 'memory')):
                problems.append('%s: values %s.%s lack cpu/memory' % (name_of(obj), path, section))
    for path in wanted.get('securityContext', ()):
        sc = _dig(values, path.split('.')) or {}
        # runAsNonRoot and seccomp may come from the pod security context, which is checked below.
        if not (sc.get('runAsNonRoot') is not False and sc.get('allowPrivilegeEscalation') is False
                and 'ALL' in ((sc.get('capabilities') or {}).get('drop') or [])
                and (sc.get('seccompProfile') or {}).get('type', 'RuntimeDefault') in _ALLOWED_SECCOMP):
            problems.append('%s: values %s is not a restricted security context' % (name_of(obj), path))
    for path in wanted.get('podSecurityContext', ()):
        sc = _dig(values, path.split('.')) or {}
        if not (sc.get('runAsNonRoot') is True and (sc.get('seccompProfile') or {}).get('type') in _ALLOWED_SECCOMP):
            problems.append('%s: values %s is not a restricted pod security context' % (name_of(obj), path))
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('paths', nargs='+')
    args = parser.parse_args(argv)
    objects = load_objects(args.paths)
    problems = []
    for obj in objects:
        problems += pss_restricted(obj) + resources_set(obj) + secret_values(obj) + pinned(obj)
    for problem in problems:
        print(problem)
    print('%d objects, %d violations' % (len(objects), len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
