"""The consume loop: one delivery at a time from the agent's durable pull consumer.

Per delivery: run the task's tool (only if granted), publish its outputs (sub-tasks to the next
agent of the route, or results), then ack. Failures:

- a task that can never work (unreadable, tool not granted, bad input, a subject the agent's NATS
  user may not publish to): dead-lettered at once, then acked;
- anything else (a tool that failed after its own retries, LiteLLM, NATS): nak with exponential
  backoff; on the consumer's last delivery (its max_deliver) it is dead-lettered instead.

So every message ends acked or in the dead-letter subject, and a redelivery reruns one step only.
SIGTERM stops fetching, lets the step in hand finish, then drains the connection.
"""

import asyncio
import datetime
import logging
import signal
import time

from . import envelope
from .llm import LLMClient, LLMError
from .metrics import Metrics
from .tools import BadInput, NotGranted, ToolContext, ToolError, granted, load_plugins
from .tracing import Exporter, Span

LOG = logging.getLogger(__name__)


class PublishDenied(RuntimeError):
    """NATS refused the publish (permissions violation): the task is dead-lettered."""


class PublishFailed(RuntimeError):
    """The publish got no acknowledgement from JetStream: the step is redelivered."""


PERMANENT = (envelope.BadTask, NotGranted, BadInput, PublishDenied)
TRANSIENT = (ToolError, LLMError, PublishFailed)


class Runtime:
    """Decides what happens to each delivery; `publisher(subject, obj, msg_id)` is an async callable."""

    def __init__(self, config, publisher, metrics=None, exporter=None, max_deliver=5, ack_wait=300.0):
        self.config = config
        self.publisher = publisher
        self.metrics = metrics or Metrics(config.agent, config.team)
        self.exporter = exporter or Exporter(config)
        self.llm = LLMClient(config, self.metrics)
        self.max_deliver = max_deliver
        self.ack_wait = ack_wait

    def backoff(self, delivered):
        return min(self.config.nak_backoff * 2 ** (delivered - 1), self.config.nak_backoff_max)

    async def handle(self, msg):
        """Run one delivery to its end (ack, nak or dead letter); returns that outcome."""
        started = time.monotonic()
        meta = msg.metadata
        delivered = meta.num_delivered
        queued = max(0.0, datetime.datetime.now(datetime.timezone.utc).timestamp() - meta.timestamp.timestamp())
        self.metrics.queue_seconds.labels(**self.metrics.labels).observe(queued)
        if delivered > 1:
            self.metrics.redeliveries.labels(**self.metrics.labels).inc()
        tool, spans = '-', []
        heartbeat = asyncio.ensure_future(self._heartbeat(msg))
        try:
            task = envelope.parse(msg.data)
            tool = task['tool']
            spans = self._spans(task, queued, delivered)
            function = granted(self.config, tool)
            trace = {'trace_id': task['trace_id'], 'parent_span_id': spans[1].span_id, 'task_id': task['task_id'],
                     'session_id': task.get('session_id'), 'queue_seconds': queued}
            ctx = ToolContext(self.config, self.llm, self.metrics, trace)
            outputs = await asyncio.get_running_loop().run_in_executor(None, function, ctx, task['input'])
            spans[1].metadata['provider_seconds'] = round(trace.get('provider_seconds', 0.0), 3)
            await self._deliver(task, outputs, spans[1].span_id)
            outcome = 'acked'
            await msg.ack()
        except PERMANENT as exc:
            outcome = await self._dead_letter(msg, tool, exc, delivered)
        except TRANSIENT as exc:
            if self.max_deliver and delivered >= self.max_deliver:
                outcome = await self._dead_letter(msg, tool, exc, delivered)
            else:
                LOG.warning('%s: delivery %d of %d failed, retrying this step later: %s',
                            tool, delivered, self.max_deliver, exc)
                await msg.nak(delay=self.backoff(delivered))
                outcome = 'nak'
        finally:
            heartbeat.cancel()
        for span in spans:
            span.finish(None if outcome == 'acked' else outcome)
        if spans:
            await asyncio.get_running_loop().run_in_executor(None, self.exporter.export, spans)
        self.metrics.task(tool, outcome)
        self.metrics.task_seconds.labels(tool=tool, **self.metrics.labels).observe(time.monotonic() - started)
        return outcome

    def _spans(self, task, queued, delivered):
        """The step's agent span (child of the span that sent the task) and its tool span."""
        config = self.config
        # Langfuse merges the tags every span gives the trace: it ends tagged with each agent, team and task.
        attributes = {'langfuse.trace.tags': ['agent:%s' % config.agent, 'team:%s' % config.team,
                                              'task:%s' % task['task_id']]}
        if task.get('session_id'):
            attributes['session.id'] = task['session_id']
        if not task['parent_span_id']:
            # The request's first step names the trace.
            attributes['langfuse.trace.name'] = '%s/%s' % (config.agent, task['tool'])
        agent = Span(task['trace_id'], envelope.span_id(task['task_id']), task['parent_span_id'],
                     'agent:%s' % config.agent, 'agent', attributes)
        agent.metadata.update(agent=config.agent, team=config.team, task_id=task['task_id'],
                              queue_seconds=round(queued, 3), delivery=delivered)
        tool = Span(task['trace_id'], envelope.span_id(task['task_id'], task['tool']), agent.span_id,
                    'tool:%s' % task['tool'], 'tool')
        tool.metadata.update(agent=config.agent, team=config.team, task_id=task['task_id'])
        return [agent, tool]

    async def _deliver(self, task, outputs, parent_span):
        if task['route']:
            hop = task['route'][0]
            for index, output in enumerate(outputs):
                child = envelope.child_task(task, index, output, parent_span)
                await self.publisher(self.config.tasks_subject(hop['agent']), child, child['task_id'])
                self.metrics.publish('subtask')
            return
        for index, output in enumerate(outputs):
            result = {'version': envelope.VERSION, 'task_id': task['task_id'], 'trace_id': task['trace_id'],
                      'agent': self.config.agent, 'tool': task['tool'], 'index': index, 'output': output}
            await self.publisher(self.config.results_subject, result, '%s/result/%d' % (task['task_id'], index))
            self.metrics.publish('result')

    async def _dead_letter(self, msg, tool, error, delivered):
        LOG.error('%s: dead-lettered after delivery %d: %s', tool, delivered, error)
        letter = {'version': envelope.VERSION, 'agent': self.config.agent, 'error': str(error),
                  'error_type': type(error).__name__, 'deliveries': delivered,
                  'subject': msg.subject, 'task': msg.data.decode(errors='replace')}
        try:
            await self.publisher(self.config.dead_letter_subject, letter,
                                 '%s/dead/%s' % (msg.metadata.stream, msg.metadata.sequence.stream))
        except (PublishDenied, PublishFailed) as exc:
            # Not lost: the task stays in the stream and comes back.
            LOG.error('dead letter not written, task left for redelivery: %s', exc)
            await msg.nak(delay=self.backoff(delivered))
            return 'nak'
        self.metrics.publish('dead_letter')
        await msg.ack()
        return 'dead_letter'

    async def _heartbeat(self, msg):
        """Keep a long step from being redelivered while it is still running."""
        while True:
            await asyncio.sleep(max(self.ack_wait / 3, 0.5))
            await msg.in_progress()


class NatsPublisher:
    """JetStream publish with a Nats-Msg-Id (duplicates of a redelivered step are dropped) that
    tells a permissions violation (the server's -ERR) from a missing acknowledgement."""

    def __init__(self, js, timeout):
        self.js = js
        self.timeout = timeout
        self.denied = []

    async def error_cb(self, error):
        text = str(error)
        if 'permissions violation' in text.lower():
            self.denied.append(text)
        LOG.error('nats: %s', text)

    async def __call__(self, subject, obj, msg_id):
        import nats.errors
        import nats.js.errors
        seen = len(self.denied)
        try:
            await self.js.publish(subject, envelope.dumps(obj), timeout=self.timeout, headers={'Nats-Msg-Id': msg_id})
        except (nats.errors.TimeoutError, nats.errors.NoRespondersError, nats.js.errors.Error) as exc:
            # The violation arrives as an async -ERR before the request times out.
            await asyncio.sleep(0)
            denied = [d for d in self.denied[seen:] if '"%s"' % subject in d]
            if denied:
                raise PublishDenied('NATS refused publish to %s: %s' % (subject, denied[0])) from None
            raise PublishFailed('no JetStream acknowledgement for %s: %r' % (subject, exc)) from None


async def serve(config):
    import nats

    load_plugins(config.tool_modules)
    metrics = Metrics(config.agent, config.team)
    metrics.serve(config.metrics_port)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    publisher = NatsPublisher(None, config.publish_timeout)
    nc = await nats.connect(config.nats_url, user=config.nats_user, password=config.nats_password,
                            inbox_prefix=config.inbox_prefix, name='agent-%s' % config.agent,
                            error_cb=publisher.error_cb, max_reconnect_attempts=-1)
    js = nc.jetstream()
    publisher.js = js
    info = await js.consumer_info(config.stream, config.consumer)
    # max_deliver -1 (unlimited) never dead-letters on a count.
    max_deliver = info.config.max_deliver if (info.config.max_deliver or 0) > 0 else None
    runtime = Runtime(config, publisher, metrics, max_deliver=max_deliver, ack_wait=info.config.ack_wait or 300.0)
    sub = await js.pull_subscribe_bind(config.consumer, config.stream)
    LOG.info('agent %s (team %s) consuming %s/%s, tools %s, max_deliver %s', config.agent, config.team,
             config.stream, config.consumer, ','.join(config.tools) or 'none', runtime.max_deliver)
    while not stopping.is_set():
        try:
            msgs = await sub.fetch(1, timeout=2)
        except nats.errors.TimeoutError:
            continue
        for msg in msgs:
            await runtime.handle(msg)
    LOG.info('SIGTERM: draining')
    # The step in hand is done and its publishes acknowledged; no more fetches (a pull subscription
    # would otherwise hold the drain until its timeout), then flush and close.
    await sub.unsubscribe()
    await nc.drain()
    LOG.info('drained')
