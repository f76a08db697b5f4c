#!/usr/bin/env python
"""Benchmark (not a timed test): the LiteLLM gateway on the real proxy, loopback stand-in providers.

Prints, in one run:
- proxy overhead: p50/p95 of sequential calls through one proxy vs the same calls straight to the stand-in;
- throughput (requests/s) at concurrency 1, 8 and 32 through one proxy and through two sharing Redis;
- the failover table: what a `local` call waits when the Spark is black-holed (accepts, never answers),
  refuses connections or answers 503, with the router settings the example inventory had before
  (timeout 120, num_retries 2, allowed_fails 3, cooldown_time 30, no per-deployment timeout) and with
  the generated config now (example inventory's settings, two proxies and Redis).

The 'before' black-holed case costs minutes per call, so it is measured on --hung-calls calls only,
in the background while the rest runs.

    .venv/bin/python tests/bench/bench_gateway.py [--hung-calls 1]
"""

import argparse
import concurrent.futures
import copy
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
# The gateway tests' conftest (proxies, stand-ins, redis-server) first: tests/ has its own conftest.
sys.path[:0] = [str(REPO / 'tests' / 'integration' / 'roles' / 'litellm'), str(REPO / 'tests'), str(REPO / 'collections')]

from conftest import PROVIDER_PATHS, Proxy, RedisServer  # noqa: E402
from fake_provider import FakeProvider  # noqa: E402
from langfuse_receiver import LangfuseReceiver  # noqa: E402

from ansible_collections.baremetal.ai_platform.plugins.module_utils import litellm_config as lc  # noqa: E402
from ansible_collections.baremetal.ai_platform.plugins.module_utils.manifests import dump_yaml  # noqa: E402

BEFORE_ROUTER = {'routing_strategy': 'simple-shuffle', 'num_retries': 2, 'allowed_fails': 3, 'cooldown_time': 30,
                 'timeout': 120}
OPTIONS = dict(master_key_env='LITELLM_MASTER_KEY', database_url_env='', langfuse=False, tag_budgets=False,
               metrics_require_auth=False, vllm_provider='hosted_vllm', replicas=2, redis_host='127.0.0.1',
               redis_port=15001, redis_password_env='REDIS_PASSWORD', response_cache=True, response_cache_ttl=600)


def example_model():
    folder = REPO / 'inventories' / 'example' / 'group_vars' / 'all'
    data = {}
    for name in ('models.yml', 'teams.yml', 'secrets.yml'):
        data.update(yaml.safe_load((folder / name).read_text()))
    return dict((key, data[key]) for key in lc.GATEWAY_VARS if key in data)


def write_config(model, options, path):
    errors = lc.check_gateway(dict(model, litellm_hpa_max_replicas=options['replicas'],
                                   litellm_redis_enabled=bool(options['redis_host'])), lc.required_envs(options))
    assert errors == [], errors
    config, _warnings = lc.build_config(model, options)
    path.write_text(dump_yaml(config))
    return config


def before_config(model, path):
    """The config as generated before: old router settings, no timeouts or policies, no Redis."""
    model = copy.deepcopy(model)
    model['ai_platform_router'] = dict(BEFORE_ROUTER)
    for alias in model['ai_platform_model_aliases']:
        for deployment in alias['deployments']:
            deployment.pop('timeout', None)
            deployment.pop('stream_timeout', None)
    config = write_config(model, dict(OPTIONS, replicas=1, redis_host='', response_cache=False), path)
    for key in ('retry_policy', 'allowed_fails_policy'):
        config['router_settings'].pop(key)
    path.write_text(dump_yaml(config))


def chat(url, model, content=None, timeout=900):
    body = {'model': model, 'messages': [{'role': 'user', 'content': content or uuid.uuid4().hex}]}
    req = urllib.request.Request(url + '/v1/chat/completions', data=json.dumps(body).encode(), method='POST',
                                 headers={'Authorization': 'Bearer sk-gateway-test-master',
                                          'Content-Type': 'application/json'})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            answer.read()
            served = answer.headers.get('x-litellm-model-id') or 'direct'
            status = answer.status
    except urllib.error.HTTPError as exc:
        exc.read()
        served, status = None, exc.code
    return status, served, time.perf_counter() - start


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def ms(seconds):
    return '%.1f ms' % (seconds * 1000) if seconds < 1 else '%.1f s' % seconds


def overhead(proxy_url, direct_url, calls):
    direct = [chat(direct_url, 'gpt-4o-mini')[2] for _call in range(calls)]
    proxied = [chat(proxy_url, 'bench')[2] for _call in range(calls)]
    return direct, proxied


def throughput(urls, concurrency, calls):
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda i: chat(urls[i % len(urls)], 'bench'), range(calls)))
    wall = time.perf_counter() - start
    assert all(status == 200 for status, _s, _t in results), results[:3]
    return calls / wall


def break_spark(spark, mode):
    {'black-holed': spark.hang, 'refused': spark.refuse, '503': lambda: setattr(spark, 'fail_with', 503)}[mode]()


def heal_spark(spark, mode):
    if mode == 'refused':
        spark.accept()
    spark.reset()


def failover(urls, spark, mode, calls, cooldown):
    """First call, then `calls` more spread over urls; and seconds until the Spark serves again."""
    break_spark(spark, mode)
    try:
        first = chat(urls[0], 'local')
        rest = [chat(urls[i % len(urls)], 'local') for i in range(calls)]
    finally:
        heal_spark(spark, mode)
    healed = time.perf_counter()
    recovered = None
    while time.perf_counter() - healed < cooldown + 10:
        if chat(urls[-1], 'local')[1] == 'local-spark-qwen3-32b':
            recovered = time.perf_counter() - healed
            break
        time.sleep(0.25)
    if recovered is None:
        time.sleep(cooldown + 0.5)  # leave no cooldown behind for the next mode
    return first, rest, recovered


def start_fakes(base):
    return dict((name, FakeProvider(name, base + index).start())
                for index, name in enumerate(('openai', 'anthropic', 'google', 'spark')))


def loopback(model, fakes):
    model = copy.deepcopy(model)
    for provider in model['ai_platform_providers']:
        # By name: validation refuses a loopback IP in a provider URL (a pod would reach itself).
        url = fakes[provider['name']].url.replace('//127.0.0.1:', '//localhost:')
        provider['api_base'] = url + PROVIDER_PATHS[provider['name']]
    model['ai_platform_model_aliases'].append({'name': 'bench', 'deployments': [
        {'id': 'bench-openai', 'provider': 'openai', 'model': 'gpt-4o-mini'}]})
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--calls', type=int, default=200, help='calls per overhead/throughput measurement')
    parser.add_argument('--failover-calls', type=int, default=20)
    parser.add_argument('--hung-calls', type=int, default=1, help="'before' black-holed calls (minutes each)")
    args = parser.parse_args()
    os.environ.setdefault('AI_PLATFORM_LITELLM_VENV', str(REPO / '.cache' / 'litellm-venv'))
    work = Path(tempfile.mkdtemp(prefix='bench-gateway-'))
    model = example_model()
    after_fakes, before_fakes = start_fakes(15150), start_fakes(15160)
    redis = RedisServer(OPTIONS['redis_port'], work)
    receiver = LangfuseReceiver(15170)
    write_config(loopback(model, after_fakes), OPTIONS, work / 'after.yaml')
    before_config(loopback(model, before_fakes), work / 'before.yaml')
    after_router = model['ai_platform_router']
    proxies = [Proxy('after%d' % i, 15020 + i, work / 'after.yaml', work, receiver.url) for i in range(2)]
    proxies.append(Proxy('before', 15022, work / 'before.yaml', work, receiver.url))
    try:
        for proxy in proxies:
            proxy.wait_alive()
        after = [proxy.url for proxy in proxies[:2]]
        before = [proxies[2].url]
        chat(after[0], 'bench')
        chat(before[0], 'bench')

        hung_before = []
        before_fakes['spark'].hang()
        hung_thread = threading.Thread(target=lambda: hung_before.extend(
            chat(before[0], 'local') for _call in range(args.hung_calls)))
        hung_thread.start()

        direct, proxied = overhead(after[0], after_fakes['openai'].url, args.calls)
        rates = dict(((label, c), throughput(urls, c, args.calls if c == 1 else 2 * args.calls))
                     for label, urls in (('1 proxy', after[:1]), ('2 proxies + Redis', after))
                     for c in (1, 8, 32))
        rows = []
        for mode in ('black-holed', 'refused', '503'):
            rows.append(('after', mode) + failover(after, after_fakes['spark'], mode, args.failover_calls,
                                                   after_router['cooldown_time']))
        for mode in ('refused', '503'):
            rows.append(('before', mode) + failover(before, before_fakes['spark'], mode, 3,
                                                    BEFORE_ROUTER['cooldown_time']))
        hung_thread.join()
        before_fakes['spark'].reset()
        rows.insert(3, ('before', 'black-holed', hung_before[0], hung_before[1:], None))
    finally:
        for proxy in proxies:
            proxy.stop()
        for fake in list(after_fakes.values()) + list(before_fakes.values()):
            fake.stop()
        redis.stop()
        receiver.stop()

    print('## Proxy overhead (%d sequential calls, cache misses)' % args.calls)
    print('| path | p50 | p95 |\n|---|---|---|')
    print('| direct to the stand-in | %s | %s |' % (ms(statistics.median(direct)), ms(pct(direct, 0.95))))
    print('| through the proxy | %s | %s |' % (ms(statistics.median(proxied)), ms(pct(proxied, 0.95))))
    print('\n## Throughput (requests/s, unique prompts)')
    print('| proxies | c=1 | c=8 | c=32 |\n|---|---|---|---|')
    for label in ('1 proxy', '2 proxies + Redis'):
        print('| %s | %s |' % (label, ' | '.join('%.0f' % rates[label, c] for c in (1, 8, 32))))
    print('\n## Failover: a `local` call while the Spark is down')
    print('before: %s; after: %s, Spark timeout %ss' % (
        ', '.join('%s %s' % item for item in BEFORE_ROUTER.items()),
        ', '.join('%s %s' % item for item in after_router.items()),
        next(d for a in model['ai_platform_model_aliases'] if a['name'] == 'local' for d in a['deployments'])['timeout']))
    print('| config | Spark | first call | next calls p50 | next calls p95 | Spark serves again after |')
    print('|---|---|---|---|---|---|')
    for config, mode, first, rest, recovered in rows:
        times = [seconds for _status, _served, seconds in rest]
        ok = all(status == 200 for status, _served, _s in [first] + rest)
        print('| %s | %s | %s%s | %s | %s | %s |' % (
            config, mode, ms(first[2]), '' if ok else ' (errors)',
            ms(statistics.median(times)) if times else 'not measured',
            '%s (%d calls)' % (ms(pct(times, 0.95)), len(times)) if times else 'not measured',
            ms(recovered) if recovered is not None else 'not measured'))


if __name__ == '__main__':
    main()
