"""The agent and tool spans of each step, sent to Langfuse through LiteLLM's /langfuse pass-through.

Agents reach only LiteLLM and NATS, so spans travel the way the generations do: LiteLLM forwards
them to Langfuse with its own Langfuse keys (the agent authenticates with its LiteLLM key). Spans are
OTLP/JSON with Langfuse's attributes; ids are the 32/16 hex ids LiteLLM's Langfuse callback uses, so
the generation LiteLLM records hangs under the tool span whose id the LLM call names as parent.
Tracing never fails a task: an export error is logged and counted.
"""

import base64
import json
import logging
import time
import urllib.request

LOG = logging.getLogger(__name__)
_OTLP_PATH = '/langfuse/api/public/otel/v1/traces'


def _value(value):
    if isinstance(value, bool):
        return {'boolValue': value}
    if isinstance(value, int):
        return {'intValue': str(value)}
    if isinstance(value, float):
        return {'doubleValue': value}
    if isinstance(value, (list, tuple)):
        return {'arrayValue': {'values': [_value(v) for v in value]}}
    return {'stringValue': str(value)}


class Span:
    """One observation: `kind` is Langfuse's observation type (agent, tool)."""

    def __init__(self, trace_id, span_id, parent_id, name, kind, attributes=None):
        self.trace_id, self.span_id, self.parent_id = trace_id, span_id, parent_id
        self.name, self.kind = name, kind
        self.attributes = dict(attributes or {})
        self.metadata = {}
        self.start = time.time_ns()
        self.end = None
        self.error = None

    def finish(self, error=None):
        self.end = time.time_ns()
        self.error = error

    def otlp(self):
        attributes = dict(self.attributes)
        attributes['langfuse.observation.type'] = self.kind
        for key, value in self.metadata.items():
            attributes['langfuse.observation.metadata.%s' % key] = value
        if self.error:
            attributes['langfuse.observation.level'] = 'ERROR'
            attributes['langfuse.observation.status_message'] = self.error
        return {'traceId': self.trace_id, 'spanId': self.span_id, 'parentSpanId': self.parent_id or '',
                'name': self.name, 'kind': 1, 'startTimeUnixNano': str(self.start),
                'endTimeUnixNano': str(self.end or time.time_ns()),
                'attributes': [{'key': k, 'value': _value(v)} for k, v in sorted(attributes.items())],
                'status': {'code': 2 if self.error else 1}}


class Exporter:
    def __init__(self, config):
        self.config = config
        secret = base64.b64encode(('%s:%s' % (config.agent, config.llm_api_key)).encode()).decode()
        self._auth = 'Basic ' + secret

    def body(self, spans):
        return {'resourceSpans': [{
            'resource': {'attributes': [{'key': 'service.name', 'value': {'stringValue': 'agent-runtime'}}]},
            'scopeSpans': [{'scope': {'name': 'agent_runtime'}, 'spans': [s.otlp() for s in spans]}]}]}

    def export(self, spans):
        if not self.config.tracing or not spans:
            return False
        request = urllib.request.Request(
            self.config.llm_base_url + _OTLP_PATH, data=json.dumps(self.body(spans)).encode(), method='POST',
            headers={'Authorization': self._auth, 'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                answer.read()
            return True
        except OSError as exc:
            LOG.warning('trace export failed (the task is not affected): %s', exc)
            return False
