"""The litellm role in render mode (no Kubernetes API runs here): every object validates against the
Kubernetes 1.33 schemas and the CRDs, the pod template carries the config's checksum, a rerun
changes nothing, a changed inventory rolls the pods, and nothing calls the management API."""

import glob
import hashlib
import json
import os

import pytest
import yaml

from conftest import INVENTORY
from helpers import run_playbook

PLAYBOOK = 'tests/integration/roles/litellm/playbooks/render_role.yml'


def render(out, *extra):
    proc = run_playbook(PLAYBOOK, '-e', 'ai_platform_render_dir=%s' % out, *extra, inventory=INVENTORY)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    objects = {}
    for path in sorted(glob.glob(str(out / 'litellm' / '*.yaml'))):
        if os.path.basename(path) == 'kustomization.yaml':
            continue
        obj = yaml.safe_load(open(path))
        objects[(obj['kind'], obj['metadata']['name'])] = obj
    return proc, objects


@pytest.fixture(scope='module')
def rendered(tmp_path_factory, standin_server):
    """Rendered once with the management API pointed at the stand-in, which must see no call."""
    standin_server.control('reset')
    out = tmp_path_factory.mktemp('role') / 'build'
    proc, objects = render(out, '-e', 'litellm_api_url=%s' % standin_server.url)
    proc.out = out
    return proc, objects


@pytest.mark.offline
def test_offline_render_every_object_validates(rendered, manifest_validator):
    _proc, objects = rendered
    problems = dict((key, manifest_validator.errors(obj)) for key, obj in objects.items())
    assert {key: errs for key, errs in problems.items() if errs} == {}
    kinds = set(kind for kind, _name in objects)
    # The gateway's ServiceMonitor ships with observability (after the chart that brings its CRD).
    assert kinds >= {'Namespace', 'ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service',
                     'HorizontalPodAutoscaler', 'NetworkPolicy', 'ExternalSecret', 'HelmChart'}
    assert 'ServiceMonitor' not in kinds
    assert not any(kind == 'Secret' for kind, _name in objects)


@pytest.mark.offline
def test_offline_render_deployment_pinned_probed_restricted_and_checksummed(rendered):
    _proc, objects = rendered
    config = objects[('ConfigMap', 'litellm-config')]['data']['config.yaml']
    deployment = objects[('Deployment', 'litellm')]
    pod = deployment['spec']['template']
    assert pod['metadata']['annotations']['checksum/config'] == hashlib.sha256(config.encode()).hexdigest()
    assert deployment['spec']['replicas'] >= 2
    container = pod['spec']['containers'][0]
    assert container['image'] == 'ghcr.io/berriai/litellm:v1.108.7'
    assert container['livenessProbe']['httpGet']['path'] == '/health/liveliness'
    assert container['readinessProbe']['httpGet']['path'] == '/health/readiness'
    assert container['resources']['requests'] and container['resources']['limits']
    restricted = {'runAsNonRoot': True, 'allowPrivilegeEscalation': False, 'capabilities': {'drop': ['ALL']},
                  'seccompProfile': {'type': 'RuntimeDefault'}}
    assert container['securityContext'] == restricted
    assert container['envFrom'] == [{'secretRef': {'name': 'litellm-env'}}]
    env = objects[('ExternalSecret', 'litellm-env')]['spec']['data']
    assert sorted(item['secretKey'] for item in env) == sorted([
        'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'SPARK_VLLM_API_KEY', 'LITELLM_MASTER_KEY',
        'LITELLM_SALT_KEY', 'DATABASE_URL', 'LANGFUSE_PUBLIC_KEY', 'LANGFUSE_SECRET_KEY'])
    service = objects[('Service', 'litellm')]['spec']['ports'][0]
    assert (service['port'], objects[('Service', 'litellm')]['metadata']['namespace']) == (4000, 'ai-gateway')
    chart = objects[('HelmChart', 'litellm-postgres')]['spec']
    values = yaml.safe_load(chart['valuesContent'])
    assert chart['version'] == '16.7.27' and values['primary']['persistence']['size'] == '10Gi'


@pytest.mark.offline
def test_offline_render_network_policies_admit_only_agents_webui_workflows_monitoring(rendered):
    _proc, objects = rendered
    ingress = objects[('NetworkPolicy', 'litellm-ingress')]['spec']['ingress']
    sources = sorted(peer['namespaceSelector']['matchLabels']['kubernetes.io/metadata.name']
                     for rule in ingress for peer in rule['from'])
    # The document pipeline's summarise step runs in the workflows namespace.
    assert sources == ['ai-agents', 'ai-observability', 'ai-webui', 'ai-workflows']
    egress = objects[('NetworkPolicy', 'litellm-egress')]['spec']['egress']
    cidrs = [peer['ipBlock']['cidr'] for rule in egress for peer in rule['to'] if 'ipBlock' in peer]
    assert '10.20.0.20/32' in cidrs and '0.0.0.0/0' in cidrs


@pytest.mark.offline
def test_offline_render_rerun_unchanged_changed_inventory_rolls_pods_no_api_call(rendered, standin_server):
    proc, first = rendered
    again_proc, again = render(proc.out, '-e', 'litellm_api_url=%s' % standin_server.url)
    assert 'changed=0' in again_proc.stdout.split('PLAY RECAP')[1]
    assert again == first
    assert standin_server.control('stats')['calls'] == []
    router = {'routing_strategy': 'simple-shuffle', 'num_retries': 1, 'allowed_fails': 3, 'cooldown_time': 30,
              'timeout': 120}
    _proc, changed = render(proc.out, '-e', json.dumps({'ai_platform_router': router}))
    old = first[('Deployment', 'litellm')]['spec']['template']['metadata']['annotations']['checksum/config']
    new = changed[('Deployment', 'litellm')]['spec']['template']['metadata']['annotations']['checksum/config']
    assert old != new
