"""Live: every metric name the rendered alert rules and dashboards read exists where Prometheus scrapes it.

Names are parsed out of each PromQL expression (tests/tools/promql_names.py) of the PrometheusRule and
the Grafana dashboards the observability role renders for inventories/example, then checked by source:

- litellm_*: one real LiteLLM proxy (the example's gateway config, providers at loopback stand-ins) is
  scraped at /metrics after real traffic: successes, a fallback that succeeds and one that fails. Team
  budgets need LiteLLM's database, which cannot run here (conftest notes): a custom_auth stand-in puts
  each request in the research team with its inventory budget, so the proxy's own team gauges appear.
- nats_*: the chart's exporter (prometheus-nats-exporter 0.15.0, args -prefix=nats -jsz=all) cannot run
  here. Its collector (collector/jsz.go) turns fields of the server's /jsz?consumers=true&config=true into
  nats_consumer_<field>; the real nats-server is read at that URL after publishing, and each field the
  used names come from must be there for every agent's consumer, named after the agent (consumer_name).
- vllm:*: no vLLM here; checked against the metric names vLLM's documentation lists.
- up: Prometheus' own series for every target.

Ports: proxy 19400, provider stand-ins 19410-19413, Langfuse receiver 19420; NATS is the platform
fixture's (14222, monitor 18222).
"""

import asyncio
import importlib.util
import json
import os
import sys
import urllib.request

import pytest
import yaml

from helpers import REPO, run_playbook

sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
from promql_names import metric_names  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    'gateway_helpers', os.path.join(REPO, 'tests', 'integration', 'roles', 'litellm', 'conftest.py'))
gateway = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gateway)

PROXY_PORT, FAKES_PORT, RECEIVER_PORT = 19400, 19410, 19420
# prometheus-nats-exporter v0.15.0 collector/jsz.go with the NATS chart's -prefix=nats: metric name ->
# the field of each consumer in /jsz?consumers=true&config=true it reports.
EXPORTER_CONSUMER_FIELDS = {
    'nats_consumer_num_pending': 'num_pending',
    'nats_consumer_num_ack_pending': 'num_ack_pending',
    'nats_consumer_num_redelivered': 'num_redelivered',
    'nats_consumer_num_waiting': 'num_waiting',
    'nats_consumer_delivered_consumer_seq': 'delivered',
    'nats_consumer_delivered_stream_seq': 'delivered',
    'nats_consumer_ack_floor_stream_seq': 'ack_floor',
    'nats_consumer_ack_floor_consumer_seq': 'ack_floor',
}
# vLLM's documentation, "Metrics", the v1 engine's list (docs.vllm.ai/en/stable/design/metrics/; the
# Production Metrics page lists the same): the scheduler gauges, KV-cache use and the counters, as exposed.
VLLM_DOCUMENTED = {
    'vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:kv_cache_usage_perc',
    'vllm:num_preemptions_total', 'vllm:prompt_tokens_total', 'vllm:generation_tokens_total',
}
PROMETHEUS_SERIES = {'up'}
# Requests go through a stand-in for LiteLLM's key lookup (teams live in its database): every request
# is the research team's, with the team's budget from the inventory and nothing spent yet.
TEAM_AUTH = '''
from litellm.proxy._types import UserAPIKeyAuth

TEAM = %r


async def user_api_key_auth(request, api_key):
    return UserAPIKeyAuth(api_key=api_key, team_id=TEAM['name'] + '-id', team_alias=TEAM['name'],
                          team_max_budget=TEAM['max_budget'], team_spend=0.0)
'''


def _used_names(by_kind):
    """{metric name: [where]} over the PrometheusRule and every dashboard ConfigMap rendered."""
    exprs = []
    for name, rule_obj in by_kind['PrometheusRule'].items():
        for group in rule_obj['spec']['groups']:
            exprs += [('PrometheusRule %s %s' % (name, rule.get('alert')), rule['expr']) for rule in group['rules']]
    for name, config_map in by_kind['ConfigMap'].items():
        if config_map['metadata'].get('labels', {}).get('grafana_dashboard') != '1':
            continue
        for board in config_map['data'].values():
            for panel in json.loads(board)['panels']:
                exprs += [('dashboard %s: %s' % (name, panel['title']), t['expr']) for t in panel.get('targets', [])]
    used = {}
    for where, expr in exprs:
        for metric in metric_names(expr):
            used.setdefault(metric, []).append(where)
    return used


@pytest.fixture(scope='module')
def used(rendered_platform):
    _values, by_kind = rendered_platform
    names = _used_names(by_kind)
    assert len([n for n in by_kind['ConfigMap'] if n.endswith('-dashboard')]) == 6
    return names


def _series(exposition):
    """Sample names in a Prometheus text exposition (histograms as _bucket/_sum/_count)."""
    return {line.split('{')[0].split(' ')[0] for line in exposition.splitlines() if line and not line.startswith('#')}


@pytest.fixture(scope='module')
def litellm_series(tmp_path_factory):
    """Series names the real proxy exports after successes, a rescued fallback and a failed one."""
    gateway.need_litellm()
    work = tmp_path_factory.mktemp('metric-names')
    dump = work / 'model.json'
    proc = run_playbook('tests/integration/roles/litellm/playbooks/dump_model.yml', '-e', 'model_dest=%s' % dump,
                        inventory=gateway.INVENTORY)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    model = json.loads(dump.read_text())
    fakes = dict((name, gateway.FakeProvider(name, FAKES_PORT + i).start())
                 for i, name in enumerate(('openai', 'anthropic', 'google', 'spark')))
    receiver = gateway.LangfuseReceiver(RECEIVER_PORT)
    proxy = None
    try:
        gateway.render_config(gateway.with_loopback_providers(model, fakes), work, 'metrics')
        config = yaml.safe_load((work / 'metrics.yaml').read_text())
        team = next(t for t in model['ai_platform_teams'] if t['name'] == 'research')
        (work / 'team_auth_standin.py').write_text(TEAM_AUTH % {'name': team['name'], 'max_budget': team['max_budget']})
        config.setdefault('general_settings', {})['custom_auth'] = 'team_auth_standin.user_api_key_auth'
        (work / 'metrics.yaml').write_text(yaml.safe_dump(config))
        proxy = gateway.Proxy('metrics', PROXY_PORT, work / 'metrics.yaml', work, receiver.url)
        proxy.wait_alive()
        for _attempt in range(2):
            status, _headers, body = proxy.chat('fast')
            assert status == 200, body
        # The Spark fails: 'local' falls back to 'fast', which answers.
        fakes['spark'].fail_with = 500
        status, headers, body = proxy.chat('local')
        assert status == 200 and headers.get('x-litellm-attempted-fallbacks'), (status, body)
        # Everything fails: the fallback fails too and the request fails.
        for fake in fakes.values():
            fake.fail_with = 500
        status, _headers, body = proxy.chat('local')
        assert status >= 500, body
        status, _headers, body = proxy.request('GET', '/metrics/')
        assert status == 200, body
        return _series(body)
    finally:
        if proxy is not None:
            proxy.stop()
        receiver.stop()
        for fake in fakes.values():
            fake.stop()


def test_every_litellm_metric_in_rules_and_dashboards_is_in_a_real_proxy_scrape(used, litellm_series):
    litellm = dict((name, where) for name, where in used.items() if name.startswith('litellm_'))
    assert {'litellm_spend_metric_total', 'litellm_team_max_budget_metric', 'litellm_remaining_team_budget_metric',
            'litellm_request_queue_time_seconds_bucket', 'litellm_llm_api_latency_metric_bucket',
            'litellm_request_total_latency_metric_bucket', 'litellm_deployment_successful_fallbacks_total',
            'litellm_deployment_failed_fallbacks_total', 'litellm_proxy_failed_requests_metric_total'} <= set(litellm)
    missing = dict((name, where) for name, where in litellm.items() if name not in litellm_series)
    assert missing == {}, 'not exported by the proxy: %s\nexported: %s' % (
        missing, sorted(s for s in litellm_series if s.startswith('litellm_')))


def _jsz_consumers(server):
    url = '%s/jsz?consumers=true&config=true' % server['monitor']
    with urllib.request.urlopen(url, timeout=5) as response:
        jsz = json.load(response)
    return dict((consumer['name'], consumer) for account in jsz['account_details']
                for stream in account.get('stream_detail', []) for consumer in stream.get('consumer_detail', []))


def test_every_nats_metric_is_an_exporter_name_for_fields_the_real_server_reports_per_agent(used, nats_server):
    """Against the exporter's source list (it cannot run here) and the real server's /jsz fields."""
    nats_used = sorted(name for name in used if name.startswith('nats_'))
    assert nats_used and not [name for name in nats_used if name not in EXPORTER_CONSUMER_FIELDS], nats_used
    agent = 'kb-curator'
    deployment = nats_server['by_kind']['Deployment']['agent-' + agent]
    env = dict((e['name'], e.get('value')) for e in deployment['spec']['template']['spec']['containers'][0]['env'])
    before = _jsz_consumers(nats_server)[env['NATS_CONSUMER']]['num_pending']

    async def publish(count):
        import nats
        nc = await nats.connect(nats_server['url'], user=env['NATS_USER'],
                                password=nats_server['password'][env['NATS_USER']], inbox_prefix=env['NATS_INBOX_PREFIX'])
        for index in range(count):
            await nc.jetstream().publish(env['NATS_SUBJECT'], b'task %d' % index, stream=env['NATS_STREAM'])
        await nc.close()

    asyncio.run(publish(5))
    consumers = _jsz_consumers(nats_server)
    agents = sorted(a['name'] for a in yaml.safe_load(open(os.path.join(
        REPO, 'inventories', 'example', 'group_vars', 'all', 'agents.yml')))['ai_platform_agents'])
    # The dashboard groups by consumer_name: each agent's consumer carries the agent's name.
    assert sorted(consumers) == agents
    for name in nats_used:
        assert all(EXPORTER_CONSUMER_FIELDS[name] in consumer for consumer in consumers.values()), name
    assert consumers[env['NATS_CONSUMER']]['num_pending'] == before + 5


def test_every_vllm_metric_is_one_vllm_documents_checked_against_docs_only(used):
    vllm = sorted(name for name in used if name.startswith('vllm:'))
    assert set(vllm) == {'vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:kv_cache_usage_perc',
                         'vllm:generation_tokens_total', 'vllm:prompt_tokens_total'}
    assert not [name for name in vllm if name not in VLLM_DOCUMENTED]


def test_no_metric_comes_from_a_source_nothing_checks(used):
    unchecked = [name for name in used if not name.startswith(('litellm_', 'nats_', 'vllm:'))
                 and name not in PROMETHEUS_SERIES]
    assert unchecked == []
