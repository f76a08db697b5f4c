"""The reference agent runtime without NATS: what each delivery ends as, the tools, the metadata."""

import asyncio
import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from agent_runtime import envelope, tools
from agent_runtime.config import Config, ConfigError
from agent_runtime.llm import LLMClient, LLMError
from agent_runtime.metrics import Metrics
from agent_runtime.worker import PublishDenied, PublishFailed, Runtime

ENV = {'AGENT_NAME': 'doc-fetcher', 'AGENT_TEAM': 'research', 'AGENT_TOOLS': 'http_fetch,chunker',
       'LITELLM_BASE_URL': 'http://127.0.0.1:9', 'LITELLM_MODEL': 'fast', 'LITELLM_API_KEY': 'sk-test',
       'NATS_URL': 'nats://127.0.0.1:9', 'NATS_PASSWORD': 'p', 'AGENT_HTTP_BACKOFF': '0',
       'AGENT_NAK_BACKOFF': '2', 'AGENT_NAK_BACKOFF_MAX': '5', 'AGENT_TRACING': 'false'}


def config(**extra):
    return Config.from_env(dict(ENV, **extra))


def value(metrics, name, **labels):
    return metrics.registry.get_sample_value(name, dict(metrics.labels, **labels)) or 0


class FakeMsg:
    def __init__(self, data, delivered=1):
        self.data = data if isinstance(data, bytes) else envelope.dumps(data)
        self.subject = 'agents.doc-fetcher.tasks'
        self.metadata = SimpleNamespace(
            num_delivered=delivered, timestamp=datetime.datetime.now(datetime.timezone.utc),
            stream='agent-doc-fetcher', sequence=SimpleNamespace(stream=7))
        self.calls = []

    async def ack(self):
        self.calls.append(('ack',))

    async def nak(self, delay=None):
        self.calls.append(('nak', delay))

    async def in_progress(self):
        self.calls.append(('in_progress',))


class FakePublisher:
    def __init__(self, deny=(), fail=()):
        self.sent, self.deny, self.fail = [], deny, fail

    async def __call__(self, subject, obj, msg_id):
        if subject in self.deny:
            raise PublishDenied('Permissions Violation for Publish to "%s"' % subject)
        if subject in self.fail:
            raise PublishFailed('no ack')
        self.sent.append((subject, obj, msg_id))


def handle(runtime, msg):
    return asyncio.run(runtime.handle(msg))


@pytest.fixture
def document_server():
    """A loopback document server failing the first `fail` GETs with 503."""
    state = {'fail': 0, 'gets': 0, 'status': 503}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            state['gets'] += 1
            if state['fail'] > 0:
                state['fail'] -= 1
                self.send_response(state['status'])
                self.end_headers()
                return
            body = b'first paragraph\n\nsecond paragraph'
            self.send_response(200)
            self.send_header('Content-Type', 'text/plain; charset=utf-8')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state['url'] = 'http://127.0.0.1:%d/doc' % server.server_address[1]
    yield state
    server.shutdown()
    server.server_close()


def test_config_refuses_a_missing_required_variable_by_name():
    env = dict(ENV)
    del env['LITELLM_API_KEY']
    with pytest.raises(ConfigError, match='LITELLM_API_KEY is required'):
        Config.from_env(env)


def test_config_derives_subjects_from_the_agent_name():
    cfg = config()
    assert (cfg.subject, cfg.results_subject, cfg.dead_letter_subject, cfg.stream, cfg.consumer, cfg.inbox_prefix) == (
        'agents.doc-fetcher.tasks', 'agents.doc-fetcher.results', 'agents.doc-fetcher.dead', 'agent-doc-fetcher',
        'doc-fetcher', '_INBOX.doc-fetcher')
    assert cfg.tasks_subject('doc-chunker') == 'agents.doc-chunker.tasks'


@pytest.mark.parametrize('data, problem', [
    (b'not json', 'not JSON'),
    (b'[]', 'JSON object'),
    (envelope.dumps({'version': 2}), 'unsupported version'),
    (envelope.dumps({'version': 1, 'task_id': 't', 'trace_id': 'x', 'tool': 'chunker', 'input': 'x'}), 'input'),
    (envelope.dumps({'version': 1, 'task_id': 't', 'trace_id': 'x', 'tool': 'chunker', 'input': {},
                     'route': [{'agent': 'a'}]}), 'route'),
])
def test_unreadable_tasks_are_refused(data, problem):
    with pytest.raises(envelope.BadTask, match=problem):
        envelope.parse(data)


def test_child_task_ids_are_stable_across_redeliveries():
    parent = envelope.new_task('chunker', {'text': 'x'}, route=[{'agent': 'doc-summariser', 'tool': 'summarise'}])
    first = envelope.child_task(parent, 3, {'text': 'a'}, 'abcd' * 4)
    again = envelope.child_task(parent, 3, {'text': 'a'}, 'abcd' * 4)
    assert first == again
    assert first['tool'] == 'summarise' and first['route'] == [] and first['trace_id'] == parent['trace_id']
    assert len(envelope.span_id(parent['task_id'])) == 16 and len(parent['trace_id']) == 32


def test_http_fetch_retries_inside_its_client(document_server):
    document_server['fail'] = 2
    cfg = config()
    metrics = Metrics(cfg.agent, cfg.team)
    ctx = tools.ToolContext(cfg, None, metrics, sleep=lambda s: None)
    [doc] = tools.http_fetch(ctx, {'url': document_server['url']})
    assert doc['text'] == 'first paragraph\n\nsecond paragraph'
    assert document_server['gets'] == 3
    assert value(metrics, 'agent_tool_retries_total', tool='http_fetch') == 2


def test_http_fetch_gives_up_after_its_retries(document_server):
    document_server['fail'] = 10
    cfg = config(AGENT_HTTP_RETRIES='2')
    ctx = tools.ToolContext(cfg, None, Metrics(cfg.agent, cfg.team), sleep=lambda s: None)
    with pytest.raises(tools.ToolError, match='after 3 attempts'):
        tools.http_fetch(ctx, {'url': document_server['url']})
    assert document_server['gets'] == 3


def test_http_fetch_does_not_retry_a_final_answer(document_server):
    document_server.update(fail=1, status=404)
    cfg = config()
    ctx = tools.ToolContext(cfg, None, Metrics(cfg.agent, cfg.team), sleep=lambda s: None)
    with pytest.raises(tools.BadInput, match='404'):
        tools.http_fetch(ctx, {'url': document_server['url']})
    assert document_server['gets'] == 1


def test_chunker_packs_paragraphs_up_to_the_limit():
    cfg = config()
    ctx = tools.ToolContext(cfg, None, Metrics(cfg.agent, cfg.team))
    text = '\n\n'.join(['a' * 40, 'b' * 40, 'c' * 90, 'd' * 10])
    chunks = tools.chunker(ctx, {'text': text, 'chunk_chars': 85})
    assert [c['text'] for c in chunks] == ['a' * 40 + '\n\n' + 'b' * 40, 'c' * 85, 'c' * 5 + '\n\n' + 'd' * 10]
    assert [(c['index'], c['count']) for c in chunks] == [(0, 3), (1, 3), (2, 3)]


def test_llm_metadata_puts_the_generation_under_the_step():
    cfg = config()
    client = LLMClient(cfg, Metrics(cfg.agent, cfg.team))
    trace = {'trace_id': 'a' * 32, 'parent_span_id': 'b' * 16, 'task_id': 't1', 'session_id': 's',
             'queue_seconds': 1.23456}
    meta = client.metadata(trace, 'summarise')
    assert meta['existing_trace_id'] == 'a' * 32 and meta['parent_observation_id'] == 'b' * 16
    assert meta['generation_name'] == 'doc-fetcher/summarise' and meta['session_id'] == 's'
    assert meta['tags'] == ['agent:doc-fetcher', 'team:research', 'task:t1']
    assert meta['queue_seconds'] == 1.235


def test_llm_error_is_counted_and_not_retried():
    cfg = config()
    metrics = Metrics(cfg.agent, cfg.team)
    trace = {'trace_id': 'a' * 32, 'parent_span_id': None, 'task_id': 't'}
    with pytest.raises(LLMError):
        LLMClient(cfg, metrics).chat([{'role': 'user', 'content': 'x'}], trace, 'summarise')
    assert value(metrics, 'agent_llm_calls_total', model='fast', outcome='error') == 1
    assert trace['provider_seconds'] >= 0


def test_success_publishes_the_next_hop_and_acks(document_server):
    publisher = FakePublisher()
    runtime = Runtime(config(), publisher)
    task = envelope.new_task('http_fetch', {'url': document_server['url']},
                             route=[{'agent': 'doc-chunker', 'tool': 'chunker'}])
    msg = FakeMsg(task)
    assert handle(runtime, msg) == 'acked'
    assert msg.calls == [('ack',)]
    [(subject, child, msg_id)] = publisher.sent
    assert subject == 'agents.doc-chunker.tasks' and child['tool'] == 'chunker' and msg_id == child['task_id']
    assert child['parent_span_id'] == envelope.span_id(task['task_id'], 'http_fetch')
    assert value(runtime.metrics, 'agent_tasks_total', tool='http_fetch', outcome='acked') == 1


def test_last_hop_publishes_results_on_its_own_subject():
    publisher = FakePublisher()
    runtime = Runtime(config(), publisher)
    msg = FakeMsg(envelope.new_task('chunker', {'text': 'one\n\ntwo', 'chunk_chars': 3}))
    assert handle(runtime, msg) == 'acked'
    assert [s for s, _o, _i in publisher.sent] == ['agents.doc-fetcher.results'] * 2


def test_a_tool_not_granted_is_dead_lettered_at_once():
    publisher = FakePublisher()
    runtime = Runtime(config(), publisher)
    msg = FakeMsg(envelope.new_task('summarise', {'text': 'x'}))
    assert handle(runtime, msg) == 'dead_letter'
    assert msg.calls == [('ack',)]
    [(subject, letter, _id)] = publisher.sent
    assert subject == 'agents.doc-fetcher.dead' and letter['error_type'] == 'NotGranted'
    assert 'not granted' in letter['error'] and json.loads(letter['task'])['tool'] == 'summarise'


def test_a_granted_tool_missing_from_the_image_is_dead_lettered():
    runtime = Runtime(config(AGENT_TOOLS='kb_search'), FakePublisher())
    assert handle(runtime, FakeMsg(envelope.new_task('kb_search', {}))) == 'dead_letter'


def test_a_publish_refused_by_nats_is_dead_lettered():
    publisher = FakePublisher(deny=('agents.web-researcher.tasks',))
    runtime = Runtime(config(), publisher)
    msg = FakeMsg(envelope.new_task('chunker', {'text': 'x'}, route=[{'agent': 'web-researcher', 'tool': 'x'}]))
    assert handle(runtime, msg) == 'dead_letter'
    [(subject, letter, _id)] = publisher.sent
    assert subject == 'agents.doc-fetcher.dead' and letter['error_type'] == 'PublishDenied'


def test_a_transient_failure_naks_with_backoff_then_dead_letters_on_the_last_delivery(document_server):
    document_server['fail'] = 100
    publisher = FakePublisher()
    runtime = Runtime(config(AGENT_HTTP_RETRIES='0'), publisher, max_deliver=3)
    task = envelope.new_task('http_fetch', {'url': document_server['url']})
    outcomes, delays = [], []
    for delivered in (1, 2, 3):
        msg = FakeMsg(task, delivered)
        outcomes.append(handle(runtime, msg))
        delays += [c[1] for c in msg.calls if c[0] == 'nak']
    assert outcomes == ['nak', 'nak', 'dead_letter']
    assert delays == [2, 4]
    assert runtime.backoff(5) == 5  # capped at AGENT_NAK_BACKOFF_MAX
    assert [s for s, _o, _i in publisher.sent] == ['agents.doc-fetcher.dead']


def test_a_dead_letter_that_cannot_be_written_leaves_the_task_for_redelivery():
    publisher = FakePublisher(fail=('agents.doc-fetcher.dead',))
    runtime = Runtime(config(), publisher)
    msg = FakeMsg(b'garbage')
    assert handle(runtime, msg) == 'nak'
    assert msg.calls[0][0] == 'nak'


def test_plugin_tools_register_under_their_name():
    @tools.register('unit_test_echo')
    def echo(ctx, task_input):
        return [task_input]
    try:
        runtime = Runtime(config(AGENT_TOOLS='unit_test_echo'), FakePublisher())
        assert handle(runtime, FakeMsg(envelope.new_task('unit_test_echo', {'a': 1}))) == 'acked'
    finally:
        del tools.REGISTRY['unit_test_echo']


def test_image_tag_is_the_runtime_version():
    import agent_runtime
    from ansible_collections.baremetal.ai_platform.plugins.module_utils import platform_names
    assert platform_names.AGENT_RUNTIME_VERSION == agent_runtime.__version__
    assert platform_names.agent_runtime_image('').endswith(':' + agent_runtime.__version__)
