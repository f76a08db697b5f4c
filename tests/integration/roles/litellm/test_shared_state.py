"""Two real LiteLLM proxies on one generated config and one real redis-server (the litellm role's two
replicas and its Valkey): caps, provider budgets, cooldowns and cached answers hold across both, and a
dead, refusing or hung Spark costs one timeout, not one per request. Providers are loopback stand-ins.
"""

import copy
import time
import uuid

import pytest

from conftest import Proxy, _fakes, need_litellm, render_config, with_loopback_providers
from langfuse_receiver import LangfuseReceiver

LOCAL_ID = 'local-spark-qwen3-32b'
FAST_IDS = {'fast-openai-gpt-4o-mini', 'fast-anthropic-claude-haiku'}
# Short settings so the tests take seconds; the example inventory's are in models.yml.
SPARK_TIMEOUT = 3
COOLDOWN = 5
CAPPED_RPM = 4


def shared_model(example_model, fakes):
    model = with_loopback_providers(example_model, fakes)
    model['ai_platform_router'].update(routing_strategy='usage-based-routing-v2', num_retries=1, allowed_fails=1,
                                       cooldown_time=COOLDOWN, timeout=10, stream_timeout=5)
    aliases = model['ai_platform_model_aliases']
    spark = next(a for a in aliases if a['name'] == 'local')['deployments'][0]
    spark.update(timeout=SPARK_TIMEOUT, stream_timeout=2)
    # Own aliases for the cap and the budget, so those tests do not disturb the others.
    aliases.append({'name': 'capped', 'fallbacks': ['fast'], 'deployments': [
        {'id': 'capped-openai', 'provider': 'openai', 'model': 'gpt-capped', 'rpm': CAPPED_RPM}]})
    aliases.append({'name': 'cached', 'deployments': [
        {'id': 'cached-openai', 'provider': 'openai', 'model': 'gpt-cached'}]})
    aliases.append({'name': 'budgeted', 'fallbacks': ['fast'], 'deployments': [
        {'id': 'budgeted-google', 'provider': 'google', 'model': 'gemini-2.5-flash'}]})
    for provider in model['ai_platform_providers']:
        if provider['name'] == 'google':
            provider['budget'] = {'max_budget': 0.00001, 'budget_duration': '1d'}
    return model


@pytest.fixture(scope='module')
def pair(example_model, tmp_path_factory, redis_server):
    need_litellm()
    workdir = tmp_path_factory.mktemp('pair')
    fakes = _fakes(15100)
    langfuse = LangfuseReceiver(15200)
    render_config(shared_model(example_model, fakes), workdir, 'pair', replicas=2, redis_host='127.0.0.1',
                  redis_port=redis_server.port, response_cache=True)
    proxies = []
    try:
        for index in range(2):
            proxies.append(Proxy('pair%d' % index, 15010 + index, workdir / 'pair.yaml', workdir,
                                 langfuse.url))
        for proxy in proxies:
            proxy.wait_alive()
            proxy.fakes = fakes
        yield proxies
    finally:
        for proxy in proxies:
            proxy.stop()
        for fake in fakes.values():
            fake.stop()
        langfuse.stop()


@pytest.fixture
def proxies(pair):
    for fake in pair[0].fakes.values():
        fake.reset()
    yield pair
    for fake in pair[0].fakes.values():
        fake.reset()


def unique():
    """A prompt no earlier request sent, so the response cache cannot answer it."""
    return 'prompt %s' % uuid.uuid4().hex


def served_by(headers):
    return headers.get('x-litellm-model-id')


def calls_for(fake, model):
    return [r for r in fake.requests if r['body'].get('model') == model]


def test_config_wires_redis_for_router_state_and_cache(pair):
    config = pair[0].config
    assert config['router_settings']['redis_host'] == '127.0.0.1'
    assert config['litellm_settings']['cache_params']['type'] == 'redis'
    assert config['router_settings']['allowed_fails_policy'] == {'TimeoutErrorAllowedFails': 0}


def test_deployment_rpm_cap_holds_across_both_proxies(proxies):
    # rpm is counted per minute: do not straddle a minute boundary.
    if time.gmtime().tm_sec > 40:
        time.sleep(61 - time.gmtime().tm_sec)
    openai = proxies[0].fakes['openai']
    answers = []
    for index in range(3 * CAPPED_RPM):
        # Paced a little over LiteLLM's 0.1 s Redis sync of its usage counters.
        answers.append(proxies[index % 2].chat('capped', content=unique(), timeout=15))
        time.sleep(0.15)
    capped = [served_by(headers) for _status, headers, _body in answers].count('capped-openai')
    assert capped == len(calls_for(openai, 'gpt-capped'))
    # LiteLLM admits rpm - 1 on one proxy; across two with Redis at most the nominal rpm.
    assert CAPPED_RPM - 1 <= capped <= CAPPED_RPM, answers
    for status, headers, body in answers:
        assert status == 200 and (served_by(headers) == 'capped-openai' or served_by(headers) in FAST_IDS), body


def test_provider_budget_spent_through_one_proxy_stops_the_other(proxies, redis_server):
    google = proxies[0].fakes['google']
    status, headers, body = proxies[0].chat('budgeted', content=unique())
    assert status == 200 and served_by(headers) == 'budgeted-google', body
    # The spend is recorded by a callback after the answer and pushed to Redis by a 1 s sync loop;
    # the other proxy pulls it by the same loop.
    deadline = time.time() + 15
    while redis_server.command('EXISTS', 'provider_spend:gemini:1d') != ':1':
        assert time.time() < deadline, 'the first proxy never wrote the provider spend to Redis'
        time.sleep(0.2)
    time.sleep(2.5)
    spent = google.count()
    for _attempt in range(4):
        status, headers, body = proxies[1].chat('budgeted', content=unique())
        assert status == 200 and served_by(headers) in FAST_IDS, body
    assert google.count() == spent


def test_deployment_cooled_down_by_one_proxy_is_skipped_by_the_other(proxies):
    spark = proxies[0].fakes['spark']
    spark.fail_with = 503
    for _attempt in range(2):  # allowed_fails 1: the second failure cools the Spark down
        status, headers, body = proxies[0].chat('local', content=unique())
        assert status == 200 and served_by(headers) in FAST_IDS, body
    spark.fail_with = None
    failed = spark.count()
    status, headers, body = proxies[1].chat('local', content=unique())
    assert status == 200 and served_by(headers) in FAST_IDS, body
    assert spark.count() == failed
    time.sleep(COOLDOWN + 0.5)
    status, headers, body = proxies[1].chat('local', content=unique())
    assert status == 200 and served_by(headers) == LOCAL_ID, body


def test_identical_requests_reach_the_provider_once_and_count_as_cache_hits(proxies):
    openai = proxies[0].fakes['openai']
    prompt = unique()
    hits_before = sum(proxy.metric('litellm_cache_hits_metric_total') for proxy in proxies)
    answers = [proxies[index % 2].chat('cached', content=prompt) for index in range(50)]
    assert [status for status, _headers, _body in answers] == [200] * 50
    assert len([r for r in openai.requests if r['body']['messages'][0]['content'] == prompt]) == 1
    time.sleep(1)  # metrics are written by a callback after the answer
    hits = sum(proxy.metric('litellm_cache_hits_metric_total') for proxy in proxies) - hits_before
    assert hits == 49


def test_request_opts_out_of_the_cache(proxies):
    openai = proxies[0].fakes['openai']
    prompt = unique()
    for _attempt in range(3):
        status, _headers, body = proxies[0].chat('cached', content=prompt, cache={'no-cache': True})
        assert status == 200, body
    assert len([r for r in openai.requests if r['body']['messages'][0]['content'] == prompt]) == 3


def _p95(values):
    ordered = sorted(values)
    return ordered[int(round(0.95 * (len(ordered) - 1)))]


def timed(proxy, model):
    start = time.time()
    status, headers, body = proxy.chat(model, content=unique(), timeout=120)
    return status, headers, body, time.time() - start


@pytest.mark.parametrize('failure', ['black-holed', 'refused', '503'])
def test_dead_spark_costs_one_timeout_then_the_fallback_answers_at_once(proxies, failure):
    spark = proxies[0].fakes['spark']
    time.sleep(COOLDOWN + 0.5)  # no cooldown left from an earlier test
    {'black-holed': spark.hang, 'refused': spark.refuse, '503': lambda: setattr(spark, 'fail_with', 503)}[failure]()
    try:
        status, headers, body, first = timed(proxies[0], 'local')
        assert status == 200 and served_by(headers) in FAST_IDS, body
        assert first < SPARK_TIMEOUT + 2, first
        rest = [timed(proxies[index % 2], 'local') for index in range(20)]
        strays = [(status, served_by(headers), body[:300]) for status, headers, body, _t in rest
                  if status != 200 or served_by(headers) not in FAST_IDS]
        assert not strays, strays
        assert _p95([seconds for _s, _h, _b, seconds in rest]) < 1.0, [round(r[3], 2) for r in rest]
    finally:
        if failure == 'refused':
            spark.accept()
        spark.reset()
    recovered_at = time.time()
    while True:
        status, headers, body, _seconds = timed(proxies[1], 'local')
        if served_by(headers) == LOCAL_ID:
            break
        assert time.time() - recovered_at < COOLDOWN + 2, 'the Spark was not used again within the cooldown'
        time.sleep(0.5)


def test_team_and_key_limits_shown_by_configuration_only_need_litellm_database(pair, tmp_path, example_model):
    # Team and key rpm/tpm limits and budgets live in LiteLLM's database, which cannot run here. What
    # can be shown: the config points LiteLLM's limiter at the shared Redis (so its counters are
    # fleet-wide), and the teams the role creates carry the inventory's limits.
    model = copy.deepcopy(example_model)
    text, _sha = render_config(model, tmp_path, 'teams', replicas=2, redis_host='valkey', redis_port=6379)
    assert 'redis_host: valkey' in text
    limited = [team for team in model['ai_platform_teams'] if team.get('rpm_limit')]
    assert limited, 'the example inventory sets a team rpm_limit'
