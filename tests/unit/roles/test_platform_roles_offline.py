"""The platform roles rendered offline: stable output, and wrong inventories stopped early."""

import glob
import json
import os
import re

import pytest
import yaml

from helpers import REPO, render_roles

ROLES = ('langfuse', 'open_webui', 'nats', 'argo_workflows', 'keda', 'agents', 'observability')


def _render(tmp_path, *extra, roles=ROLES):
    return render_roles(roles, tmp_path, *extra, inventory='inventories/lab')


@pytest.fixture(scope='module')
def build(tmp_path_factory):
    """The seven roles rendered once for the lab; (work dir, first run)."""
    work = tmp_path_factory.mktemp('platform-roles')
    proc = _render(work)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return work, proc


def _load(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


@pytest.mark.offline
def test_render_is_stable_and_a_rerun_changes_nothing_offline(build):
    tmp_path, _first = build
    files = {p: open(p).read() for p in glob.glob(str(tmp_path / 'build' / '*' / '*.yaml'))}
    assert {os.path.basename(os.path.dirname(p)) for p in files} == {
        'langfuse', 'open-webui', 'nats', 'argo-workflows', 'keda', 'agents', 'observability',
        # The charts' own custom resources, applied once the charts' CRDs exist (docs/gitops.md).
        'argo-workflows-resources', 'observability-resources'}
    second = _render(tmp_path)
    assert second.returncode == 0
    assert re.search(r'localhost\s*:\s*ok=\d+\s+changed=0\b', second.stdout), second.stdout[-1500:]
    assert {p: open(p).read() for p in files} == files


@pytest.mark.offline
def test_open_webui_talks_only_to_the_gateway_offline(build, tmp_path):
    chart = _load(build[0] / 'build' / 'open-webui' / 'helmchart-kube-system-open-webui.yaml')
    values = yaml.safe_load(chart['spec']['valuesContent'])
    assert values['openaiBaseApiUrl'] == 'http://litellm.ai-gateway.svc.cluster.local:4000/v1'
    assert values['ollama'] == {'enabled': False}
    assert values['persistence']['enabled'] is True
    assert values['websocket']['redis']['enabled'] is False
    many = _render(tmp_path, '-e', 'open_webui_replicas=2', '-e', 'open_webui_storage_class=nfs', roles=['open_webui'])
    assert many.returncode == 0, many.stdout[-2000:]
    chart = _load(tmp_path / 'build' / 'open-webui' / 'helmchart-kube-system-open-webui.yaml')
    values = yaml.safe_load(chart['spec']['valuesContent'])
    assert values['websocket'] == {'enabled': True, 'manager': 'redis', 'redis': {'enabled': True}}
    assert values['persistence']['accessModes'] == ['ReadWriteMany']


@pytest.mark.offline
def test_langfuse_secrets_all_come_from_vault_offline(build):
    tmp_path = build[0]
    external = _load(tmp_path / 'build' / 'langfuse' / 'externalsecret-ai-observability-langfuse.yaml')
    keys = {d['secretKey']: d['remoteRef'] for d in external['spec']['data']}
    assert keys['SALT'] == {'key': 'ai-platform/langfuse', 'property': 'salt'}
    assert keys['ENCRYPTION_KEY']['property'] == 'encryption_key'
    assert keys['LANGFUSE_SECRET_KEY'] == {'key': 'ai-platform/langfuse', 'property': 'secret_key'}
    values = yaml.safe_load(_load(tmp_path / 'build' / 'langfuse' / 'helmchart-kube-system-langfuse.yaml')
                            ['spec']['valuesContent'])
    refs = [values['langfuse']['salt'], values['langfuse']['encryptionKey'], values['langfuse']['nextauth']['secret']]
    assert all(set(r) == {'secretKeyRef'} and r['secretKeyRef']['name'] == 'langfuse' for r in refs)


@pytest.mark.offline
def test_spark_endpoint_follows_the_inventory_address_offline(build, tmp_path):
    """The lab names the Spark by host name (FQDN slice), the example by address (IPv4 slice)."""
    lab = _load(build[0] / 'build' / 'observability' / 'endpointslice-ai-observability-spark-vllm.yaml')
    assert (lab['addressType'], lab['endpoints'][0]['addresses']) == ('FQDN', ['spark'])
    assert _render(tmp_path, '-e', 'ai_platform_spark_address=10.20.0.20', roles=['observability']).returncode == 0
    example = _load(tmp_path / 'build' / 'observability' / 'endpointslice-ai-observability-spark-vllm.yaml')
    assert (example['addressType'], example['endpoints'][0]['addresses']) == ('IPv4', ['10.20.0.20'])


# Role settings only: inventory rules are platform_model's, refused by playbooks/validate.yml before
# any role runs (tests/integration/roles/validate/test_broken_inventories.py).
BROKEN = {
    'open webui replicas without shared storage': ({'open_webui_replicas': 2}, 'open_webui_storage_class', 'open_webui'),
    'pipeline charged to an unknown agent': ({'argo_workflows_pipeline_agent': 'ghost'},
                                             'argo_workflows_pipeline_agent', 'argo_workflows'),
}


@pytest.mark.offline
@pytest.mark.parametrize('case', sorted(BROKEN))
def test_wrong_inventory_stops_before_rendering_offline(tmp_path, case):
    extra, message, role = BROKEN[case]
    proc = _render(tmp_path, '-e', json.dumps(extra), roles=[role])
    assert proc.returncode != 0
    assert message in proc.stdout + proc.stderr
    assert not glob.glob(str(tmp_path / 'build' / '*' / '*.yaml'))


@pytest.mark.offline
def test_alerts_use_metrics_the_installed_litellm_exports_offline(build):
    """The metric names and labels the rules and dashboard use exist in LiteLLM's Prometheus integration."""
    venv = os.environ.get('AI_PLATFORM_LITELLM_VENV', os.path.join(REPO, '.cache', 'litellm-venv'))
    sources = glob.glob(os.path.join(venv, 'lib', 'python3*', 'site-packages', 'litellm', 'types', 'integrations',
                                     'prometheus.py'))
    if not sources:
        pytest.skip('LiteLLM venv not installed (make litellm-venv)')
    source = open(sources[0]).read()
    tmp_path = build[0]
    rules = open(tmp_path / 'build' / 'observability-resources' / 'prometheusrule-ai-observability-ai-platform.yaml').read()
    dashboard = open(tmp_path / 'build' / 'observability' / 'configmap-ai-observability-ai-platform-cost-dashboard.yaml').read()
    used = set(re.findall(r'(litellm_[a-z_]+)_total\b', rules + dashboard))
    assert used == {'litellm_spend_metric', 'litellm_proxy_total_requests_metric', 'litellm_proxy_failed_requests_metric',
                    'litellm_deployment_successful_fallbacks', 'litellm_deployment_failed_fallbacks'}
    for metric in used:
        assert '"%s"' % metric in source, metric
    spend_labels = source[source.index('    litellm_spend_metric = ['):].split(']')[0]
    assert 'TEAM_ALIAS' in spend_labels and 'v1_LITELLM_MODEL_NAME' in spend_labels
    assert 'v1_LITELLM_MODEL_NAME = "model"' in source and 'TEAM_ALIAS = "team_alias"' in source
