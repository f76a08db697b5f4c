"""Policy checks over everything playbooks/platform.yml renders for inventories/example and lab.

Chart-internal pods (k3s HelmChart) are not visible offline: for them the values passed to the
chart are checked (resources, restricted security contexts); their pods are checked only on a
live cluster, where every owned namespace enforces Pod Security "restricted".
"""

import os
import sys

import pytest
import yaml

import manifest_policy as policy
from helpers import REPO
from manifest_policy import TEST_SECRETS

HERE = os.path.dirname(os.path.abspath(__file__))

with open(os.path.join(HERE, 'pss_exceptions.yml')) as _handle:
    PSS_EXCEPTIONS = yaml.safe_load(_handle)['exceptions'] or {}

# Where each chart takes resources and security contexts; every shipped chart must be listed.
CHART_VALUES = {
    'nats': {
        'resources': ['container.merge.resources', 'reloader.merge.resources', 'promExporter.merge.resources'],
        'securityContext': ['container.merge.securityContext', 'reloader.merge.securityContext',
                            'promExporter.merge.securityContext'],
        'podSecurityContext': ['podTemplate.merge.spec.securityContext'],
    },
    'nack': {'resources': ['resources'], 'securityContext': ['containerSecurityContext'],
             'podSecurityContext': ['securityContext']},
    'keda': {
        'resources': ['resources.operator', 'resources.metricServer', 'resources.webhooks'],
        'securityContext': ['securityContext.operator', 'securityContext.metricServer', 'securityContext.webhooks'],
        'podSecurityContext': ['podSecurityContext.operator', 'podSecurityContext.metricServer',
                               'podSecurityContext.webhooks'],
    },
    'argo-workflows': {
        'resources': ['controller.resources', 'server.resources', 'executor.resources'],
        'securityContext': ['controller.securityContext', 'server.securityContext', 'executor.securityContext'],
        'podSecurityContext': ['controller.podSecurityContext', 'server.podSecurityContext'],
    },
    'langfuse': {
        'resources': ['langfuse.web.resources', 'langfuse.worker.resources', 'postgresql.primary.resources',
                      'clickhouse.resources', 'clickhouse.zookeeper.resources', 'redis.primary.resources',
                      's3.resources'],
        'securityContext': ['langfuse.securityContext', 'postgresql.primary.containerSecurityContext',
                            'clickhouse.containerSecurityContext', 'redis.primary.containerSecurityContext',
                            's3.containerSecurityContext'],
        'podSecurityContext': ['langfuse.podSecurityContext', 'postgresql.primary.podSecurityContext',
                               'clickhouse.podSecurityContext', 'redis.primary.podSecurityContext',
                               's3.podSecurityContext'],
    },
    'vault': {'resources': ['server.resources'], 'securityContext': ['server.statefulSet.securityContext.container'],
              'podSecurityContext': ['server.statefulSet.securityContext.pod']},
    'external-secrets': {
        'resources': ['resources', 'webhook.resources', 'certController.resources'],
        'securityContext': ['securityContext', 'webhook.securityContext', 'certController.securityContext'],
        'podSecurityContext': ['podSecurityContext', 'webhook.podSecurityContext', 'certController.podSecurityContext'],
    },
    'reloader': {'resources': ['reloader.deployment.resources'],
                 'securityContext': ['reloader.deployment.containerSecurityContext'],
                 'podSecurityContext': ['reloader.deployment.securityContext']},
    # LiteLLM's database (gateway role): resources only; the Bitnami chart's default pod and container
    # security contexts already meet "restricted" (checked live only).
    'postgresql': {'resources': ['primary.resources']},
    # The gateway's shared state (litellm role): the official Valkey chart.
    'valkey': {'resources': ['resources', 'initResources'], 'securityContext': ['securityContext'],
               'podSecurityContext': ['podSecurityContext']},
    'open-webui': {'resources': ['resources'], 'securityContext': ['containerSecurityContext'],
                   'podSecurityContext': ['podSecurityContext']},
    # The ingress role's controller and certificate manager.
    'traefik': {'resources': ['resources'], 'securityContext': ['securityContext'],
                'podSecurityContext': ['podSecurityContext']},
    'cert-manager': {
        'resources': ['resources', 'webhook.resources', 'cainjector.resources', 'startupapicheck.resources'],
        'securityContext': ['containerSecurityContext', 'webhook.containerSecurityContext',
                            'cainjector.containerSecurityContext', 'startupapicheck.containerSecurityContext'],
        'podSecurityContext': ['securityContext', 'webhook.securityContext', 'cainjector.securityContext',
                               'startupapicheck.securityContext'],
    },
    'kube-prometheus-stack': {
        'resources': ['prometheus.prometheusSpec.resources', 'prometheusOperator.resources', 'grafana.resources',
                      'alertmanager.alertmanagerSpec.resources', 'kube-state-metrics.resources'],
        'securityContext': ['prometheusOperator.containerSecurityContext', 'grafana.containerSecurityContext',
                            'kube-state-metrics.containerSecurityContext'],
        'podSecurityContext': ['prometheus.prometheusSpec.securityContext', 'prometheusOperator.securityContext',
                               'grafana.securityContext', 'alertmanager.alertmanagerSpec.securityContext',
                               'kube-state-metrics.securityContext'],
    },
}


def _all(check, objects, *args):
    return [problem for obj in objects for problem in check(obj, *args)]


def _api_agents(site):
    return {a['name'] for a in site['agents'] if a.get('permissions')}


# ------------------------------------------------------------------ the rendered platform

def test_every_rendered_object_validates(site, manifest_validator):
    errors = ['%s: %s' % (policy.name_of(o), e) for o in site['objects'] for e in manifest_validator.errors(o)]
    assert len(site['objects']) > 100
    assert errors == []


def test_every_pod_meets_the_restricted_profile(site):
    assert _all(policy.pss_restricted, site['objects'], PSS_EXCEPTIONS) == []


def test_pss_exceptions_are_all_still_needed(site):
    """A written exception that no longer matches a violation is stale and must go."""
    for name, rules in PSS_EXCEPTIONS.items():
        obj = next((o for o in site['objects'] if policy.name_of(o) == name), None)
        assert obj is not None, 'exception for %s, which is not rendered' % name
        raw = policy.pss_restricted(obj)
        for rule in rules:
            assert any('[%s]' % rule in p for p in raw), 'exception %s/%s is not needed' % (name, rule)


def test_every_container_has_requests_and_limits(site):
    assert _all(policy.resources_set, site['objects']) == []


def test_every_owned_namespace_is_default_deny(site):
    assert policy.default_deny(site['objects'], site['namespaces'].values()) == []


def test_agents_egress_only_to_litellm_nats_and_dns(site):
    assert policy.agent_egress(site['objects'], site['namespaces'], _api_agents(site)) == []


def test_no_secret_value_in_any_manifest(site):
    assert _all(policy.secret_values, site['objects'], list(TEST_SECRETS.values())) == []
    for root, _dirs, files in os.walk(site['dir']):
        for name in files:
            with open(os.path.join(root, name)) as handle:
                text = handle.read()
            assert not [k for k, v in TEST_SECRETS.items() if v in text], name
    assert not [k for k, v in TEST_SECRETS.items() if v in site['output']]


def test_every_image_and_chart_version_is_pinned(site):
    charts = [o for o in site['objects'] if o['kind'] == 'HelmChart']
    assert charts
    assert _all(policy.pinned, site['objects']) == []


def test_chart_values_set_resources_and_restricted_security(site):
    assert _all(policy.chart_values, site['objects'], CHART_VALUES) == []


def test_every_agent_has_its_workload_stream_consumer_and_scaler(site):
    by_kind = {}
    for obj in site['objects']:
        if obj['metadata'].get('namespace') == site['namespaces']['agents']:
            by_kind.setdefault(obj['kind'], {})[obj['metadata']['name']] = obj
    assert len(site['agents']) == 18
    for agent in site['agents']:
        name = 'agent-' + agent['name']
        deployment = by_kind['Deployment'][name]
        # Reloader reads the workload's own annotations: a rotated key in Vault restarts the agent.
        assert deployment['metadata']['annotations']['reloader.stakater.com/search'] == 'true'
        assert 'replicas' not in deployment['spec']  # the ScaledObject owns the count
        container = deployment['spec']['template']['spec']['containers'][0]
        env = {e['name']: e for e in container['env']}
        assert env['LITELLM_MODEL']['value'] == agent['model']
        assert env['OPENAI_BASE_URL']['value'] == 'http://litellm.%s.svc.cluster.local:4000/v1' % site['namespaces']['gateway']
        assert env['LITELLM_API_KEY']['valueFrom']['secretKeyRef'] == {'name': name, 'key': 'LITELLM_API_KEY'}
        assert env['NATS_PASSWORD']['valueFrom']['secretKeyRef'] == {'name': name, 'key': 'NATS_PASSWORD'}
        assert container['resources'] == agent['resources']
        remote = {d['secretKey']: d['remoteRef'] for d in by_kind['ExternalSecret'][name]['spec']['data']}
        assert remote == {'LITELLM_API_KEY': {'key': 'ai-platform/agents/' + agent['name'], 'property': 'litellm_key'},
                          'NATS_PASSWORD': {'key': 'ai-platform/agents/' + agent['name'], 'property': 'nats_password'}}
        stream, consumer = by_kind['Stream'][name]['spec'], by_kind['Consumer'][name]['spec']
        assert consumer['streamName'] == stream['name'] and consumer['filterSubject'] in stream['subjects']
        scaler = by_kind['ScaledObject'][name]['spec']
        trigger = scaler['triggers'][0]
        assert trigger['type'] == 'nats-jetstream'
        assert (trigger['metadata']['stream'], trigger['metadata']['consumer']) == (stream['name'], consumer['durableName'])
        assert (scaler['minReplicaCount'], scaler['maxReplicaCount'], trigger['metadata']['lagThreshold']) == (
            agent['scaling']['min_replicas'], agent['scaling']['max_replicas'], str(agent['scaling']['lag_threshold']))


def test_agents_get_only_the_rbac_they_declare(site):
    ns = site['namespaces']['agents']
    rbac = [o for o in site['objects'] if o['kind'] in ('Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding')
            and o['metadata'].get('labels', {}).get('ai-platform/agent')]
    for agent in site['agents']:
        mine = [o for o in rbac if o['metadata']['labels']['ai-platform/agent'] == agent['name']]
        sa = next(o for o in site['objects'] if o['kind'] == 'ServiceAccount'
                  and o['metadata'] == {**o['metadata'], 'name': 'agent-' + agent['name'], 'namespace': ns})
        declared = sorted((tuple(r['api_groups']), res, tuple(r['verbs']))
                          for r in agent['permissions'] for res in r['resources'])
        granted = sorted((tuple(r['apiGroups']), res, tuple(r['verbs']))
                         for o in mine if o['kind'] in ('Role', 'ClusterRole') for r in o['rules'] for res in r['resources'])
        assert granted == declared, agent['name']
        assert sa['automountServiceAccountToken'] is bool(declared)
        for obj in mine:
            if obj['kind'] == 'ClusterRole':
                assert all(res in ('nodes',) for r in obj['rules'] for res in r['resources'])


def test_nats_users_may_touch_only_their_own_subjects(site):
    """Each agent's NATS permissions name its own subjects, stream and consumer, and nobody else's."""
    chart = next(o for o in site['objects'] if o['kind'] == 'HelmChart' and o['metadata']['name'] == 'nats')
    values = yaml.safe_load(chart['spec']['valuesContent'])
    users = {u['user']: u for acc in values['config']['merge']['accounts'].values() for u in acc['users']}
    names = [a['name'] for a in site['agents']]
    delegates = {a['name']: a.get('delegates', []) for a in site['agents']}
    for name in names:
        perms = users[name]['permissions']
        # Sub-tasks: publish to the tasks subject of each agent it delegates to, nothing more of theirs.
        handed = ['agents.%s.tasks' % d for d in delegates[name]]
        assert [s for s in perms['publish']['allow'] if s in handed] == handed
        subjects = [s for s in perms['publish']['allow'] if s not in handed] + perms['subscribe']['allow']
        assert users[name]['password'].startswith('<< $')
        for other in names:
            if other != name and not other.startswith(name) and not name.startswith(other):
                assert not [s for s in subjects if other in s], (name, other)
        assert 'agents.%s.>' % name in perms['publish']['allow']
        assert '$JS.API.CONSUMER.MSG.NEXT.agent-%s.%s' % (name, name) in perms['publish']['allow']
        assert not [s for s in subjects if s in ('>', '*', '$JS.API.>', '_INBOX.>')]


def test_prometheus_scrapes_every_agent_runtime_and_the_policies_allow_it(site):
    """ServiceMonitor -> Service -> each agent pod's `metrics` port, allowed by Prometheus' egress and
    the agents' ingress policies (no URL names this flow, so the wiring check cannot see it)."""
    sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
    import wiring_check
    objects = site['objects']
    ns = site['namespaces']
    render = wiring_check.Render([('all', 0, o) for o in objects])
    monitor = next(o for o in objects if o['kind'] == 'ServiceMonitor' and o['metadata']['name'] == 'agents')
    assert monitor['spec']['namespaceSelector']['matchNames'] == [ns['agents']]
    service = next(o for o in objects if o['kind'] == 'Service' and o['metadata']['namespace'] == ns['agents']
                   and wiring_check._selects(monitor['spec']['selector'], o['metadata']['labels']))
    assert [p['name'] for p in service['spec']['ports']] == [monitor['spec']['endpoints'][0]['port']]
    prometheus = {'app.kubernetes.io/name': 'prometheus'}
    agents = [o for o in objects if o['kind'] == 'Deployment' and o['metadata']['namespace'] == ns['agents']]
    assert len(agents) == len(site['agents'])
    for deployment in agents:
        labels = deployment['spec']['template']['metadata']['labels']
        assert wiring_check._selects({'matchLabels': service['spec']['selector']}, labels)
        port = next(p['containerPort'] for c in deployment['spec']['template']['spec']['containers']
                    for p in c.get('ports', []) if p['name'] == 'metrics')
        assert service['spec']['ports'][0]['port'] == port
        assert wiring_check._allowed(render, 'egress', ns['observability'], prometheus, ns['agents'], labels, port)
        assert wiring_check._allowed(render, 'ingress', ns['agents'], labels, ns['observability'], prometheus, port)


def test_document_pipeline_retries_only_the_fetch(site):
    template = next(o for o in site['objects'] if o['kind'] == 'WorkflowTemplate')
    retried = [t['name'] for t in template['spec']['templates'] if 'retryStrategy' in t]
    assert retried == ['fetch']
    assert 'retryStrategy' not in template['spec']


def test_document_pipeline_steps_are_the_agent_runtime_commands_offline(site):
    """Each container step runs `python3 -m agent_runtime <step>` with arguments the runtime's own
    parser accepts (Argo placeholders stand in for values), on the image the agents run."""
    sys.path.insert(0, os.path.join(REPO, 'roles', 'agents', 'files', 'agent_runtime'))
    from agent_runtime.__main__ import build_parser
    template = next(o for o in site['objects'] if o['kind'] == 'WorkflowTemplate')
    steps = {t['name']: t['container'] for t in template['spec']['templates'] if 'container' in t}
    assert sorted(steps) == ['chunk', 'fetch', 'summarise']
    images = {c['image'] for o in site['objects'] if o['kind'] == 'Deployment'
              and o['metadata']['labels'].get('app.kubernetes.io/component') == 'agent'
              for c in o['spec']['template']['spec']['containers']}
    for name, container in steps.items():
        assert container['command'] == ['python3', '-m', 'agent_runtime'], name
        assert container['args'][0] == name
        build_parser().parse_args(container['args'])
        assert container['image'] in images, name
    env = {e['name'] for e in steps['summarise']['env']}
    assert {'AGENT_NAME', 'AGENT_TEAM', 'LITELLM_BASE_URL', 'LITELLM_MODEL', 'LITELLM_API_KEY'} <= env
    steps = next(t for t in template['spec']['templates'] if t['name'] == template['spec']['entrypoint'])['steps']
    assert [s[0]['template'] for s in steps] == ['fetch', 'chunk', 'summarise']
    assert steps[2][0]['withParam']


# ------------------------------------------------------------------ each check fails on a broken object

def _agent_deployment():
    return {
        'apiVersion': 'apps/v1', 'kind': 'Deployment',
        'metadata': {'name': 'agent-a', 'namespace': 'ai-agents'},
        'spec': {
            'selector': {'matchLabels': {'ai-platform/agent': 'a'}},
            'template': {
                'metadata': {'labels': {'ai-platform/agent': 'a', 'ai-platform/team': 't'}},
                'spec': {
                    'securityContext': {'runAsNonRoot': True, 'seccompProfile': {'type': 'RuntimeDefault'}},
                    'containers': [{
                        'name': 'agent', 'image': 'registry.example/agent:1.0.0',
                        'resources': {'requests': {'cpu': '100m', 'memory': '64Mi'},
                                      'limits': {'cpu': '1', 'memory': '128Mi'}},
                        'securityContext': {'allowPrivilegeEscalation': False, 'runAsNonRoot': True,
                                            'capabilities': {'drop': ['ALL']},
                                            'seccompProfile': {'type': 'RuntimeDefault'}},
                        'env': [{'name': 'LITELLM_API_KEY',
                                 'valueFrom': {'secretKeyRef': {'name': 'agent-a', 'key': 'LITELLM_API_KEY'}}}],
                    }],
                    'volumes': [{'name': 'tmp', 'emptyDir': {}}],
                },
            },
        },
    }


def _container(obj):
    return obj['spec']['template']['spec']['containers'][0]


def _pod(obj):
    return obj['spec']['template']['spec']


PSS_BREAKS = {
    'runAsNonRoot false': lambda o: _container(o)['securityContext'].update(runAsNonRoot=False),
    'runAsUser 0': lambda o: _container(o)['securityContext'].update(runAsUser=0),
    'privilege escalation allowed': lambda o: _container(o)['securityContext'].pop('allowPrivilegeEscalation'),
    'capabilities not dropped': lambda o: _container(o)['securityContext'].pop('capabilities'),
    'capability SYS_ADMIN added': lambda o: _container(o)['securityContext']['capabilities'].update(add=['SYS_ADMIN']),
    'seccomp Unconfined': lambda o: _pod(o)['securityContext'].update(seccompProfile={'type': 'Unconfined'}),
    'seccomp unset': lambda o: (_pod(o)['securityContext'].pop('seccompProfile'),
                                _container(o)['securityContext'].pop('seccompProfile')),
    'privileged': lambda o: _container(o)['securityContext'].update(privileged=True),
    'hostNetwork': lambda o: _pod(o).update(hostNetwork=True),
    'hostPID': lambda o: _pod(o).update(hostPID=True),
    'hostIPC': lambda o: _pod(o).update(hostIPC=True),
    'hostPath volume': lambda o: _pod(o)['volumes'].append({'name': 'h', 'hostPath': {'path': '/'}}),
    'hostPort': lambda o: _container(o).update(ports=[{'containerPort': 80, 'hostPort': 80}]),
    'unsafe sysctl': lambda o: _pod(o)['securityContext'].update(sysctls=[{'name': 'kernel.msgmax', 'value': '1'}]),
    'init container as root': lambda o: _pod(o).update(initContainers=[{'name': 'init', 'image': 'x:1'}]),
}


def test_restricted_check_passes_the_good_object_offline():
    assert policy.pss_restricted(_agent_deployment()) == []
    assert policy.resources_set(_agent_deployment()) == []
    assert policy.pinned(_agent_deployment()) == []
    assert policy.secret_values(_agent_deployment()) == []


@pytest.mark.offline
@pytest.mark.parametrize('case', sorted(PSS_BREAKS))
def test_restricted_check_fails_offline(case):
    obj = _agent_deployment()
    PSS_BREAKS[case](obj)
    assert policy.pss_restricted(obj)


@pytest.mark.offline
def test_restricted_exception_is_honoured_and_limited_offline():
    obj = _agent_deployment()
    _pod(obj).update(hostNetwork=True)
    _container(obj)['securityContext'].update(privileged=True)
    exceptions = {'Deployment ai-agents/agent-a': ['host-namespaces']}
    problems = policy.pss_restricted(obj, exceptions)
    assert problems and all('[privileged]' in p for p in problems)


@pytest.mark.offline
def test_restricted_check_covers_argo_templates_offline():
    template = {'apiVersion': 'argoproj.io/v1alpha1', 'kind': 'WorkflowTemplate',
                'metadata': {'name': 'w', 'namespace': 'ai-workflows'},
                'spec': {'templates': [{'name': 'fetch', 'container': {'name': 'main', 'image': 'x:1'}}]}}
    assert any('[run-as-non-root]' in p for p in policy.pss_restricted(template))
    assert policy.resources_set(template) and not policy.pinned(template)


RESOURCE_BREAKS = {
    'no limits': lambda o: _container(o)['resources'].pop('limits'),
    'no requests': lambda o: _container(o)['resources'].pop('requests'),
    'no cpu request': lambda o: _container(o)['resources']['requests'].pop('cpu'),
    'no memory limit': lambda o: _container(o)['resources']['limits'].pop('memory'),
}


@pytest.mark.offline
@pytest.mark.parametrize('case', sorted(RESOURCE_BREAKS))
def test_resources_check_fails_offline(case):
    obj = _agent_deployment()
    RESOURCE_BREAKS[case](obj)
    assert policy.resources_set(obj)


def _policy(name, namespace, spec):
    return {'apiVersion': 'networking.k8s.io/v1', 'kind': 'NetworkPolicy',
            'metadata': {'name': name, 'namespace': namespace}, 'spec': spec}


def _deny(namespace):
    return _policy('default-deny', namespace, {'podSelector': {}, 'policyTypes': ['Ingress', 'Egress']})


DENY_BREAKS = {
    'no policy at all': lambda ps: ps.clear(),
    'ingress only': lambda ps: ps[0]['spec'].update(policyTypes=['Ingress']),
    'selects some pods only': lambda ps: ps[0]['spec'].update(podSelector={'matchLabels': {'a': 'b'}}),
    'allows something': lambda ps: ps[0]['spec'].update(egress=[{}]),
}


@pytest.mark.offline
@pytest.mark.parametrize('case', sorted(DENY_BREAKS))
def test_default_deny_check_fails_offline(case):
    policies = [_deny('ai-agents')]
    assert policy.default_deny(policies, ['ai-agents']) == []
    DENY_BREAKS[case](policies)
    assert policy.default_deny(policies, ['ai-agents'])


@pytest.mark.offline
def test_default_deny_check_covers_rendered_namespaces_offline():
    namespace = {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'keda'}}
    assert policy.default_deny([namespace, _deny('ai-agents')], ['ai-agents']) == [
        'namespace keda has no default-deny NetworkPolicy (ingress and egress, all pods)']


NAMESPACES = {'gateway': 'ai-gateway', 'messaging': 'ai-messaging', 'agents': 'ai-agents'}
_LITELLM = {'namespaceSelector': {'matchLabels': {'kubernetes.io/metadata.name': 'ai-gateway'}},
            'podSelector': {'matchLabels': {'app.kubernetes.io/name': 'litellm'}}}
_NATS = {'namespaceSelector': {'matchLabels': {'kubernetes.io/metadata.name': 'ai-messaging'}},
         'podSelector': {'matchLabels': {'app.kubernetes.io/name': 'nats'}}}


def _agent_egress_policy(*rules):
    return _policy('agents-egress', 'ai-agents', {
        'podSelector': {'matchExpressions': [{'key': 'ai-platform/agent', 'operator': 'Exists'}]},
        'policyTypes': ['Egress'], 'egress': list(rules)})


_GOOD_RULES = ({'to': [_LITELLM], 'ports': [{'protocol': 'TCP', 'port': 4000}]},
               {'to': [_NATS], 'ports': [{'protocol': 'TCP', 'port': 4222}]})
EGRESS_BREAKS = {
    'anywhere': {'to': [{'ipBlock': {'cidr': '0.0.0.0/0'}}]},
    'no peers (all destinations)': {'ports': [{'protocol': 'TCP', 'port': 4000}]},
    'litellm on another port': {'to': [_LITELLM], 'ports': [{'protocol': 'TCP', 'port': 8080}]},
    'litellm on any port': {'to': [_LITELLM]},
    'nats on the monitor port': {'to': [_NATS], 'ports': [{'protocol': 'TCP', 'port': 8222}]},
    'whole gateway namespace': {'to': [{'namespaceSelector': _LITELLM['namespaceSelector']}],
                                'ports': [{'protocol': 'TCP', 'port': 4000}]},
    'api server without declared rbac': {'to': [{'ipBlock': {'cidr': '10.0.0.1/32'}}],
                                         'ports': [{'protocol': 'TCP', 'port': 6443}]},
}


@pytest.mark.offline
@pytest.mark.parametrize('case', sorted(EGRESS_BREAKS))
def test_agent_egress_check_fails_offline(case):
    objects = [_agent_deployment(), _agent_egress_policy(*_GOOD_RULES)]
    assert policy.agent_egress(objects, NAMESPACES) == []
    objects.append(_policy('extra', 'ai-agents', {'podSelector': {}, 'policyTypes': ['Egress'],
                                                  'egress': [EGRESS_BREAKS[case]]}))
    assert policy.agent_egress(objects, NAMESPACES)


@pytest.mark.offline
def test_agent_egress_api_exception_only_for_declared_rbac_offline():
    rule = {'to': [{'ipBlock': {'cidr': '10.0.0.1/32'}}], 'ports': [{'protocol': 'TCP', 'port': 6443}]}
    objects = [_agent_deployment(), _agent_egress_policy(*(_GOOD_RULES + (rule,)))]
    assert policy.agent_egress(objects, NAMESPACES, api_allowed_agents={'a'}) == []
    assert policy.agent_egress(objects, NAMESPACES, api_allowed_agents={'b'})


SECRET_BREAKS = {
    'Secret with data': ({'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 's'}, 'data': {'k': 'dg=='}}, ()),
    'Secret with stringData': ({'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 's'},
                                'stringData': {'k': 'v'}}, ()),
    'OpenAI key in a ConfigMap': ({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c'},
                                   'data': {'config': 'api_key: sk-proj-abcdefghijklmnop1234'}}, ()),
    'private key': ({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c'},
                     'data': {'k': '-----BEGIN RSA PRIVATE KEY-----\nMIIB'}}, ()),
    'password in chart values': ({'apiVersion': 'helm.cattle.io/v1', 'kind': 'HelmChart', 'metadata': {'name': 'h'},
                                  'spec': {'valuesContent': 'auth:\n  password: hunter2hunter2\n'}}, ()),
    'credentials in a URL': ({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c'},
                              'data': {'url': 'postgres://app:s3cr3tpw@db:5432/x'}}, ()),
    'high-entropy token': ({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c'},
                            'data': {'k': 'Zx8Qp2Lm7Vn4Tb9Rw3Ks6Hd1Jf5Gc0YaEu'}}, ()),
    'a test secret value': ({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c'},
                             'data': {'k': 'prefix-%s' % TEST_SECRETS['NATS_PASSWORD']}},
                            (TEST_SECRETS['NATS_PASSWORD'],)),
    'literal env password': (None, ()),
}


@pytest.mark.offline
@pytest.mark.parametrize('case', sorted(SECRET_BREAKS))
def test_secret_check_fails_offline(case):
    obj, known = SECRET_BREAKS[case]
    if obj is None:
        obj = _agent_deployment()
        _container(obj)['env'].append({'name': 'DB_PASSWORD', 'value': 'hunter2'})
    assert policy.secret_values(obj, known)


@pytest.mark.offline
def test_secret_check_accepts_references_offline():
    nats_values = 'users:\n- user: a\n  password: << $AGENT_A_PASSWORD >>\n'
    chart = {'apiVersion': 'helm.cattle.io/v1', 'kind': 'HelmChart', 'metadata': {'name': 'nats'},
             'spec': {'valuesContent': nats_values}}
    account = {'apiVersion': 'jetstream.nats.io/v1beta2', 'kind': 'Account', 'metadata': {'name': 'n'},
               'spec': {'user': {'secret': {'name': 'nats-nack'}, 'user': 'user', 'password': 'password'}}}
    assert policy.secret_values(chart) == [] and policy.secret_values(account) == []


PIN_BREAKS = {
    'image latest': lambda o: _container(o).update(image='registry.example/agent:latest'),
    'image without tag': lambda o: _container(o).update(image='registry.example:5000/agent'),
    'image empty': lambda o: _container(o).update(image=''),
}
CHART_PIN_BREAKS = {
    'no version': lambda s: s.pop('version'),
    'empty version': lambda s: s.update(version=''),
    'latest': lambda s: s.update(version='latest'),
    'range': lambda s: s.update(version='>=1.2.0'),
    'wildcard': lambda s: s.update(version='1.2.x'),
    'image tag latest in values': lambda s: s.update(valuesContent='image:\n  tag: latest\n'),
}


@pytest.mark.offline
@pytest.mark.parametrize('case', sorted(PIN_BREAKS))
def test_image_pin_check_fails_offline(case):
    obj = _agent_deployment()
    PIN_BREAKS[case](obj)
    assert policy.pinned(obj)


def _chart():
    return {'apiVersion': 'helm.cattle.io/v1', 'kind': 'HelmChart', 'metadata': {'name': 'nack', 'namespace': 'kube-system'},
            'spec': {'chart': 'nack', 'version': '0.36.0', 'repo': 'https://x',
                     'valuesContent': yaml.safe_dump({
                         'resources': {'requests': {'cpu': '1', 'memory': '1Mi'}, 'limits': {'cpu': '1', 'memory': '1Mi'}},
                         'containerSecurityContext': {'runAsNonRoot': True, 'allowPrivilegeEscalation': False,
                                                      'capabilities': {'drop': ['ALL']},
                                                      'seccompProfile': {'type': 'RuntimeDefault'}},
                         'securityContext': {'runAsNonRoot': True, 'seccompProfile': {'type': 'RuntimeDefault'}}})}}


@pytest.mark.offline
@pytest.mark.parametrize('case', sorted(CHART_PIN_BREAKS))
def test_chart_pin_check_fails_offline(case):
    chart = _chart()
    assert policy.pinned(chart) == []
    CHART_PIN_BREAKS[case](chart['spec'])
    assert policy.pinned(chart)


CHART_VALUE_BREAKS = {
    'no resources': lambda v: v.pop('resources'),
    'no limits': lambda v: v['resources'].pop('limits'),
    'root allowed': lambda v: v['containerSecurityContext'].update(runAsNonRoot=False),
    'capabilities kept': lambda v: v['containerSecurityContext'].pop('capabilities'),
    'pod may run as root': lambda v: v['securityContext'].pop('runAsNonRoot'),
    'escalation allowed': lambda v: v['containerSecurityContext'].pop('allowPrivilegeEscalation'),
    'pod seccomp missing': lambda v: v['securityContext'].pop('seccompProfile'),
    'unknown chart': None,
}


@pytest.mark.offline
@pytest.mark.parametrize('case', sorted(CHART_VALUE_BREAKS))
def test_chart_values_check_fails_offline(case):
    chart = _chart()
    assert policy.chart_values(chart, CHART_VALUES) == []
    if CHART_VALUE_BREAKS[case] is None:
        chart['spec']['chart'] = 'mystery'
    else:
        values = yaml.safe_load(chart['spec']['valuesContent'])
        CHART_VALUE_BREAKS[case](values)
        chart['spec']['valuesContent'] = yaml.safe_dump(values)
    assert policy.chart_values(chart, CHART_VALUES)


VALIDATION_BREAKS = {
    'unknown Deployment field': lambda o: o['spec'].update(replica=1),
    'wrong type': lambda o: _container(o).update(image=['a']),
    'missing selector': lambda o: o['spec'].pop('selector'),
}


@pytest.mark.offline
@pytest.mark.parametrize('case', sorted(VALIDATION_BREAKS))
def test_validation_fails_on_broken_core_object_offline(case, manifest_validator):
    obj = _agent_deployment()
    assert manifest_validator.errors(obj) == []
    VALIDATION_BREAKS[case](obj)
    assert manifest_validator.errors(obj)


CRD_BREAKS = {
    'ScaledObject typo': {'apiVersion': 'keda.sh/v1alpha1', 'kind': 'ScaledObject', 'metadata': {'name': 'a'},
                          'spec': {'scaleTargetRef': {'name': 'a'}, 'minReplicas': 0,
                                   'triggers': [{'type': 'nats-jetstream', 'metadata': {}}]}},
    'Stream bad storage': {'apiVersion': 'jetstream.nats.io/v1beta2', 'kind': 'Stream', 'metadata': {'name': 'a'},
                           'spec': {'name': 'a', 'subjects': ['a.>'], 'storage': 'disk'}},
    'Consumer unknown field': {'apiVersion': 'jetstream.nats.io/v1beta2', 'kind': 'Consumer', 'metadata': {'name': 'a'},
                               'spec': {'streamName': 'a', 'durableName': 'a', 'ackPolicy': 'explicit', 'lag': 1}},
    'unknown kind': {'apiVersion': 'example.com/v1', 'kind': 'Widget', 'metadata': {'name': 'a'}},
}


@pytest.mark.offline
@pytest.mark.parametrize('case', sorted(CRD_BREAKS))
def test_validation_fails_on_broken_custom_resource_offline(case, manifest_validator):
    assert manifest_validator.errors(CRD_BREAKS[case])
