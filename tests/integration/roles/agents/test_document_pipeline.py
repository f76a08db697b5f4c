"""One user request through doc-fetcher -> doc-chunker -> doc-summariser on loopback (see conftest):
LLM calls, results, the Langfuse trace tree, spend by team, retries, permissions, redelivery.

Every runtime calls LiteLLM with the master key: the proxy has no database here, so the per-agent
virtual keys (and the `team` label they give) cannot be checked live.
"""

import asyncio
import base64
import gzip
import json
import signal
import subprocess
import time
import urllib.request

import pytest

from agent_runtime import envelope
from agents_conftest import PIPELINE, gateway

ROUTE = [{'agent': 'doc-chunker', 'tool': 'chunker'}, {'agent': 'doc-summariser', 'tool': 'summarise'}]
COUNTS = {'acked': 0, 'dead_letter': 0, 'redelivered': 0, 'acked_by_killed': 0}

_DECODE = r'''
import base64, json, sys
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from google.protobuf.json_format import MessageToDict
out = []
for raw in json.load(sys.stdin):
    request = ExportTraceServiceRequest.FromString(base64.b64decode(raw))
    for rs in request.resource_spans:
        for ss in rs.scope_spans:
            for span in ss.spans:
                attrs = {a.key: MessageToDict(a.value) for a in span.attributes}
                out.append({'traceId': span.trace_id.hex(), 'spanId': span.span_id.hex(),
                            'parentSpanId': span.parent_span_id.hex(), 'name': span.name, 'attributes': attrs})
json.dump(out, sys.stdout)
'''


def _attr(value):
    """An OTLP AnyValue (JSON form) as a plain value."""
    if 'arrayValue' in value:
        return [_attr(v) for v in value['arrayValue'].get('values', [])]
    return next(iter(value.values())) if value else None


def spans_of(receiver, trace_id):
    """Every span the receiver got for one trace: the runtime's (OTLP/JSON through LiteLLM's
    /langfuse pass-through) and LiteLLM's generations (OTLP/protobuf)."""
    spans, protobuf = [], []
    for request in receiver.snapshot():
        body = request.get('body') or b''
        if request['headers'].get('Content-Encoding') == 'gzip':
            body = gzip.decompress(body)
        if not request['path'].startswith('/api/public/otel') or not body:
            continue
        if body[:1] == b'{':
            for rs in json.loads(body)['resourceSpans']:
                for ss in rs['scopeSpans']:
                    spans += ss['spans']
        else:
            protobuf.append(base64.b64encode(body).decode())
    if protobuf:
        decoded = subprocess.run([gateway.LITELLM_PYTHON, '-c', _DECODE], input=json.dumps(protobuf), text=True,
                                 capture_output=True, check=True)
        spans += json.loads(decoded.stdout)
    result = []
    for span in spans:
        if span['traceId'] == trace_id:
            attrs = span['attributes']
            if isinstance(attrs, list):
                attrs = {a['key']: a['value'] for a in attrs}
            result.append(dict(span, attributes={k: _attr(v) for k, v in attrs.items()}))
    return result


def tree(spans):
    """'name' nested under its parent, children sorted: a comparable picture of the trace."""
    by_parent = {}
    for span in spans:
        by_parent.setdefault(span.get('parentSpanId') or '', []).append(span)

    def node(span):
        kind = span['attributes'].get('langfuse.observation.type')
        name = 'generation' if kind == 'generation' else span['name']
        return [name, sorted((node(c) for c in by_parent.get(span['spanId'], [])), key=json.dumps)]
    return [node(root) for root in by_parent.get('', [])]


def run(coro):
    return asyncio.run(coro)


async def _connect(server, user):
    import nats
    errors = []

    async def error_cb(error):
        errors.append(str(error))
    nc = await nats.connect(server['url'], user=user, password=server['password'][user],
                            inbox_prefix='_INBOX.%s' % user if user != 'nack' else '_INBOX', error_cb=error_cb)
    return nc, errors


async def _publish(server, task, as_agent='doc-fetcher'):
    """A client hands the request to doc-fetcher (as that agent's user: its own tasks subject)."""
    nc, _errors = await _connect(server, as_agent)
    await nc.jetstream().publish('agents.%s.tasks' % as_agent, envelope.dumps(task), timeout=5)
    await nc.close()


async def _outbox(server):
    """Every message in the agents-outbox stream, as (subject, object)."""
    nc, _errors = await _connect(server, 'nack')
    js = nc.jetstream()
    info = await js.stream_info('agents-outbox')
    messages = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        if info.state.messages:
            msg = await js.get_msg('agents-outbox', seq)
            messages.append((msg.subject, json.loads(msg.data)))
    await nc.close()
    return messages


async def _queues(server):
    """Per pipeline agent: (messages left in its work queue, acks pending, redelivered)."""
    nc, _errors = await _connect(server, 'nack')
    js = nc.jetstream()
    state = {}
    for agent in PIPELINE:
        stream = await js.stream_info('agent-' + agent)
        consumer = await js.consumer_info('agent-' + agent, agent)
        state[agent] = (stream.state.messages, consumer.num_ack_pending, consumer.num_redelivered)
    await nc.close()
    return state


def wait_for(predicate, timeout=30, step=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def results_for(server, trace_id):
    return [obj for subject, obj in run(_outbox(server))
            if subject == 'agents.doc-summariser.results' and obj['trace_id'] == trace_id]


def llm_calls(proxy):
    return sum(fake.count() for fake in proxy.fakes.values())


def request(server, url, trace_id=None):
    task = envelope.new_task('http_fetch', {'url': url}, route=ROUTE, trace_id=trace_id, session_id='test-session')
    run(_publish(server, task))
    return task


def finished(server, proxy, task, chunks, receiver):
    results = wait_for(lambda: len(results_for(server, task['trace_id'])) >= chunks and results_for(
        server, task['trace_id']), timeout=60)
    # Let the last step's spans and LiteLLM's generation reach the receiver.
    wait_for(lambda: len([s for s in spans_of(receiver, task['trace_id'])
                          if s['attributes'].get('langfuse.observation.type') == 'generation']) >= chunks,
             timeout=30, step=1)
    return results


def test_one_document_one_llm_call_per_chunk_one_trace_master_key_without_db(
        nats_server, proxy, receiver, documents, runtimes):
    before = llm_calls(proxy)
    task = request(nats_server, documents.url + '/doc/report?paragraphs=3')
    results = finished(nats_server, proxy, task, 3, receiver)
    assert sorted(r['output']['index'] for r in results) == [0, 1, 2]
    assert all(r['output']['summary'] == 'answer from spark' for r in results)
    assert llm_calls(proxy) - before == 3
    assert runtimes['doc-summariser-0'].metric('agent_llm_calls_total', outcome='ok') == 3

    spans = spans_of(receiver, task['trace_id'])
    summariser = ['agent:doc-summariser', [['tool:summarise', [['generation', []]]]]]
    assert tree(spans) == [['agent:doc-fetcher', [['tool:http_fetch', [['agent:doc-chunker', [
        ['tool:chunker', [summariser, summariser, summariser]]]]]]]]]
    root = next(s for s in spans if not s.get('parentSpanId'))
    assert root['attributes']['langfuse.trace.name'] == 'doc-fetcher/http_fetch'
    assert root['attributes']['session.id'] == 'test-session'
    trace_tags = {tag for s in spans for tag in s['attributes'].get('langfuse.trace.tags', [])}
    assert {'agent:doc-fetcher', 'agent:doc-chunker', 'agent:doc-summariser', 'team:research',
            'task:%s' % task['task_id']} <= trace_tags
    generations = [s for s in spans if s['attributes'].get('langfuse.observation.type') == 'generation']
    for generation in generations:
        assert generation['name'] == 'doc-summariser/summarise'
        # What the runtime sent in the call's metadata, as LiteLLM logged it on the generation.
        sent = json.loads(generation['attributes']['langfuse.observation.metadata.requester_metadata'])
        assert (sent['agent'], sent['team']) == ('doc-summariser', 'research'), sent
        assert sent['task_id'] and 'queue_seconds' in sent, sent
    steps = [s for s in spans if s['attributes'].get('langfuse.observation.type') == 'agent']
    assert all('langfuse.observation.metadata.queue_seconds' in s['attributes'] for s in steps)
    tools = [s for s in spans if s['name'] == 'tool:summarise']
    assert all(float(s['attributes']['langfuse.observation.metadata.provider_seconds']) > 0 for s in tools)

    # Spend and tokens land on the agent's team. The summariser's alias is the Spark (hosted_vllm),
    # which costs nothing, so its spend series exists at 0 and its tokens count.
    status, _headers, body = proxy.request('GET', '/metrics/')
    assert status == 200

    def team_series(name):
        return [line for line in body.splitlines() if line.startswith(name + '{')
                and 'metadata_team="research"' in line and 'api_provider="hosted_vllm"' in line]
    assert team_series('litellm_spend_metric_total'), body[-3000:]
    assert sum(float(line.rsplit(' ', 1)[1]) for line in team_series('litellm_total_tokens_metric_total')) >= 3 * 30
    COUNTS['acked'] += 1 + 1 + 3


def test_flaky_fetch_is_retried_in_the_http_client_and_llm_calls_stay_the_same(
        nats_server, proxy, receiver, documents, runtimes):
    fetcher = runtimes['doc-fetcher-0']
    retries = fetcher.metric('agent_tool_retries_total', tool='http_fetch')
    documents.fail['flaky'] = 2
    before = llm_calls(proxy)
    task = request(nats_server, documents.url + '/doc/flaky?paragraphs=3')
    finished(nats_server, proxy, task, 3, receiver)
    assert llm_calls(proxy) - before == 3
    assert documents.gets.count('flaky') == 3
    assert fetcher.metric('agent_tool_retries_total', tool='http_fetch') - retries == 2
    assert len([s for s in spans_of(receiver, task['trace_id']) if s['name'] == 'agent:doc-fetcher']) == 1
    COUNTS['acked'] += 5


def _naive_research_agent(documents, proxy, pages):
    """The seed's bug as a test double: a retry loop around the whole job. The document comes in
    pages; each page is fetched, chunked and summarised; a failed fetch restarts from page one."""
    def fetch(page):
        with urllib.request.urlopen('%s/doc/%s?paragraphs=%d' % (documents.url, page, pages[page]), timeout=10) as a:
            return a.read().decode()

    for _attempt in range(5):
        try:
            for page in pages:
                for chunk in fetch(page).split('\n\n'):
                    status, _headers, body = proxy.request('POST', '/v1/chat/completions', {
                        'model': 'local', 'messages': [{'role': 'user', 'content': chunk}]})
                    assert status == 200, body
            return
        except OSError:
            continue
    raise AssertionError('naive agent gave up')


def test_naive_outer_retry_multiplies_llm_calls_and_the_runtime_does_not(
        nats_server, proxy, receiver, documents, runtimes):
    pages = {'page1': 3, 'page2': 2}
    documents.fail['page2'] = 2
    before = llm_calls(proxy)
    _naive_research_agent(documents, proxy, pages)
    naive = llm_calls(proxy) - before
    assert naive == 3 * 3 + 2  # page one summarised three times: once per failed fetch of page two

    # The runtime on the same flaky source: one request, one fetch task per page.
    documents.fail['page2'] = 2
    before = llm_calls(proxy)
    trace_id = envelope.new_trace_id()
    tasks = [request(nats_server, '%s/doc/%s?paragraphs=%d' % (documents.url, page, n), trace_id=trace_id)
             for page, n in pages.items()]
    finished(nats_server, proxy, tasks[0], 5, receiver)
    assert llm_calls(proxy) - before == 3 + 2
    COUNTS['acked'] += 2 * 2 + 5
    print('\nLLM calls for one 5-chunk request with page 2 failing twice: naive outer retry %d, runtime %d'
          % (naive, llm_calls(proxy) - before))


def test_publishing_to_another_agents_subject_is_refused_and_dead_lettered(nats_server, proxy, runtimes):
    # doc-fetcher delegates to doc-chunker only: a route through web-researcher must fail in NATS.
    task = envelope.new_task('http_fetch', {'url': 'http://127.0.0.1:16030/doc/denied?paragraphs=1'},
                             route=[{'agent': 'web-researcher', 'tool': 'http_fetch'}])
    run(_publish(nats_server, task))
    letters = wait_for(lambda: [obj for subject, obj in run(_outbox(nats_server))
                                if subject == 'agents.doc-fetcher.dead' and task['task_id'] in obj['task']])
    [letter] = letters
    assert letter['error_type'] == 'PublishDenied'
    assert 'permissions violation for publish to "agents.web-researcher.tasks"' in letter['error'].lower()
    assert letter['deliveries'] == 1
    assert 'permissions violation for publish to "agents.web-researcher.tasks"' in runtimes['doc-fetcher-0'].log().lower()
    COUNTS['dead_letter'] += 1

    async def read_other_consumer():
        nc, errors = await _connect(nats_server, 'doc-fetcher')
        js = nc.jetstream()
        sub = await js.pull_subscribe_bind('doc-chunker', 'agent-doc-chunker')
        with pytest.raises(Exception):
            await sub.fetch(1, timeout=1)
        await asyncio.sleep(0.2)
        await nc.close()
        return errors
    errors = run(read_other_consumer())
    assert any('permissions violation for publish to "$js.api.consumer.msg.next.agent-doc-chunker.doc-chunker"'
               in e.lower() for e in errors), errors


def test_killed_runtime_task_is_redelivered_to_another_instance_and_processed_once(
        nats_server, proxy, receiver, documents, runtimes):
    import threading
    release = threading.Event()
    documents.hold['slow'] = release
    documents.holding.clear()
    before = llm_calls(proxy)
    task = request(nats_server, documents.url + '/doc/slow?paragraphs=2')
    assert documents.holding.wait(15), 'the fetcher never asked for the document'
    second = runtimes['start']('doc-fetcher', 1)
    first = runtimes['doc-fetcher-0']
    COUNTS['acked_by_killed'] = first.metric('agent_tasks_total', outcome='acked')
    first.stop(signal.SIGKILL)
    release.set()
    results = finished(nats_server, proxy, task, 2, receiver)
    assert sorted(r['output']['index'] for r in results) == [0, 1]
    time.sleep(1)
    assert len(results_for(nats_server, task['trace_id'])) == 2
    assert llm_calls(proxy) - before == 2
    assert second.metric('agent_tasks_total', tool='http_fetch', outcome='acked') == 1
    fetch_steps = [s for s in spans_of(receiver, task['trace_id']) if s['name'] == 'agent:doc-fetcher']
    assert [int(s['attributes']['langfuse.observation.metadata.delivery']) for s in fetch_steps] == [2]
    COUNTS['acked'] += 1 + 1 + 2
    COUNTS['redelivered'] += 1


def test_every_message_ended_acked_or_dead_lettered_and_runtimes_drain_on_sigterm(nats_server, runtimes):
    def drained():
        queues = run(_queues(nats_server))
        return queues if all(v[:2] == (0, 0) for v in queues.values()) else None
    assert wait_for(drained, timeout=20), run(_queues(nats_server))
    live = [r for name, r in runtimes.items() if name != 'start' and r.process.poll() is None]
    acked = COUNTS['acked_by_killed'] + sum(r.metric('agent_tasks_total', outcome='acked') for r in live)
    dead = [obj for subject, obj in run(_outbox(nats_server)) if subject.endswith('.dead')]
    redelivered = sum(r.metric('agent_redeliveries_total') for r in live)
    print('\nmessages acked %d, dead-lettered %d, redelivered %d' % (acked, len(dead), redelivered))
    assert (acked, len(dead), redelivered) == (COUNTS['acked'], COUNTS['dead_letter'], COUNTS['redelivered'])
    for runtime in live:
        assert runtime.stop(signal.SIGTERM, timeout=10) == 0, runtime.log()[-2000:]
        assert 'drained' in runtime.log()
