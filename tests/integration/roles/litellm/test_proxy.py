"""The gateway's behaviour, shown against the real LiteLLM proxy (pinned 1.108.7) running the config
litellm_config builds from inventories/example. Only the providers are loopback stand-ins; they
speak OpenAI (openai, spark/vLLM), Anthropic messages and Gemini generateContent, so the provider
kinds stay as in the inventory.
"""

import base64
import copy
import json
import time

from conftest import LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY, render_config

FAST_IDS = {'fast-openai-gpt-4o-mini', 'fast-anthropic-claude-haiku'}
LOCAL_ID = 'local-spark-qwen3-32b'


def served_by(headers):
    return headers.get('x-litellm-model-id')


def test_fast_spreads_over_both_deployments_openai_and_anthropic_api_on_loopback(routing):
    seen = []
    for _attempt in range(20):
        status, headers, body = routing.chat('fast')
        assert status == 200, body
        seen.append(served_by(headers))
    assert set(seen) == FAST_IDS, seen
    assert routing.fakes['openai'].count() > 0 and routing.fakes['anthropic'].count() > 0


def test_both_cloud_deployments_failing_openai_429_anthropic_api_500_served_by_local(routing):
    routing.fakes['openai'].fail_with = 429
    routing.fakes['anthropic'].fail_with = 500
    for _attempt in range(3):
        status, headers, body = routing.chat('fast')
        assert status == 200, body
        assert served_by(headers) == LOCAL_ID
        assert int(headers.get('x-litellm-attempted-fallbacks', '0')) >= 1
        assert 'answer from spark' in body
    assert routing.fakes['openai'].count() + routing.fakes['anthropic'].count() >= 3


def test_spark_failing_503_local_falls_back_to_fast(routing):
    routing.fakes['spark'].fail_with = 503
    for _attempt in range(3):
        status, headers, body = routing.chat('local')
        assert status == 200, body
        assert served_by(headers) in FAST_IDS
    assert routing.fakes['spark'].count() >= 1


def test_metrics_carry_spend_per_deployment(routing):
    for _attempt in range(4):
        assert routing.chat('fast')[0] == 200
    # Prometheus scrapes without a key (require_auth_for_metrics_endpoint: false in the config).
    status, _headers, body = routing.request('GET', '/metrics/')
    assert status == 200
    spend = [line for line in body.splitlines() if line.startswith('litellm_spend_metric_total{')]
    assert spend, body[:2000]
    ids = set(line.split('model_id="')[1].split('"')[0] for line in spend)
    assert ids & FAST_IDS
    assert any(float(line.rsplit(' ', 1)[1]) > 0 for line in spend)


def test_langfuse_callback_reaches_receiver_with_configured_key(routing, langfuse_receiver):
    assert routing.config['litellm_settings']['success_callback'] == ['langfuse']
    assert routing.chat('fast')[0] == 200
    expected = 'Basic ' + base64.b64encode(('%s:%s' % (LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY)).encode()).decode()
    deadline = time.time() + 45
    while time.time() < deadline:
        hits = [r for r in langfuse_receiver.snapshot()
                if r['method'] == 'POST' and r['headers'].get('Authorization') == expected]
        if hits:
            break
        time.sleep(1)
    assert hits, [(r['method'], r['path']) for r in langfuse_receiver.snapshot()]
    assert hits[0]['path'].startswith('/api/public/')
    assert hits[0]['size'] > 0


def test_anthropic_provider_over_budget_stops_being_used_anthropic_api_on_loopback(limits):
    anthropic = limits.fakes['anthropic']
    # Until Anthropic has served one call its tiny budget (1e-5 USD) is not yet spent.
    for _attempt in range(30):
        status, headers, body = limits.chat('fast')
        assert status == 200, body
        if served_by(headers) == 'fast-anthropic-claude-haiku':
            break
    assert anthropic.count() >= 1
    spent_calls = anthropic.count()
    time.sleep(0.5)  # spend is recorded by a callback after the answer
    for _attempt in range(8):
        status, headers, body = limits.chat('fast')
        assert status == 200, body
        assert served_by(headers) == 'fast-openai-gpt-4o-mini'
    assert anthropic.count() == spent_calls


def test_spark_keeps_serving_when_openai_budget_spent_with_hosted_vllm(openai_budget):
    assert openai_budget.config['model_list'][2]['litellm_params']['model'] == 'hosted_vllm/qwen3-32b'
    for _attempt in range(30):
        status, headers, body = openai_budget.chat('fast')
        assert status == 200, body
        if served_by(headers) == 'fast-openai-gpt-4o-mini':
            break
    time.sleep(0.5)
    for _attempt in range(4):
        status, headers, body = openai_budget.chat('fast')
        assert status == 200 and served_by(headers) == 'fast-anthropic-claude-haiku', body
    spark = openai_budget.fakes['spark']
    before = spark.count()
    for _attempt in range(3):
        status, headers, body = openai_budget.chat('local')
        assert status == 200 and served_by(headers) == LOCAL_ID, body
    assert spark.count() - before == 3


def test_team_over_tag_budget_refused_other_team_served_enterprise_gate_lifted(limits):
    # In production the tag comes from the team's key metadata (litellm_key); the master key here
    # sends it in the request. One call spends more than the team's 1e-5 USD.
    status, _headers, body = limits.chat('fast', tags=['team:research'])
    assert status == 200, body
    time.sleep(0.5)
    status, _headers, body = limits.chat('fast', tags=['team:research'])
    assert status == 429, body
    assert "Exceeded budget for tag='team:research'" in body
    status, headers, body = limits.chat('fast', tags=['team:platform'])  # unlimited team
    assert status == 200, body
    status, headers, body = limits.chat('fast')  # untagged traffic is not capped by a team
    assert status == 200, body


def test_rpm_limit_on_spark_deployment_enforced(limits):
    # rpm is counted per minute: do not straddle a minute boundary.
    if time.gmtime().tm_sec > 45:
        time.sleep(61 - time.gmtime().tm_sec)
    spark = limits.fakes['spark']
    before = spark.count()
    answers = [limits.chat('local') for _attempt in range(5)]
    served = [served_by(headers) for _status, headers, _body in answers]
    # rpm: 2 on the Spark deployment. LiteLLM 1.108.7 admits rpm - 1 calls a minute: its deployment
    # filter drops a deployment once current + 1 >= rpm (router_strategy/lowest_tpm_rpm_v2.py). The
    # rest go to the fallback alias or, once that is out of budget too, get LiteLLM's rate-limit
    # error naming the limit.
    assert served[0] == LOCAL_ID
    assert spark.count() - before == 1
    assert served.count(LOCAL_ID) == spark.count() - before
    for status, headers, body in answers[served.count(LOCAL_ID):]:
        if status == 200:
            assert served_by(headers) in FAST_IDS
        else:
            assert status == 429 and "'rpm_limit': 2" in body, body


def test_config_checksum_stable_and_changes_with_inventory(example_model, tmp_path):
    text_a, sha_a = render_config(example_model, tmp_path / 'a', 'same')
    text_b, sha_b = render_config(copy.deepcopy(example_model), tmp_path / 'b', 'same')
    assert (text_a, sha_a) == (text_b, sha_b)
    changed = json.loads(json.dumps(example_model))
    changed['ai_platform_router']['cooldown_time'] = 45
    text_c, sha_c = render_config(changed, tmp_path / 'c', 'changed')
    assert sha_c != sha_a and text_c != text_a
