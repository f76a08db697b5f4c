"""The task message every agent reads and writes (JSON, UTF-8), and the ids derived from it.

A task names the tool to run, its input, and the route its output takes next. Ids are derived
deterministically so a redelivered task produces the same sub-task ids (JetStream drops the
duplicates through Nats-Msg-Id) and the same span ids (the trace keeps one node per step).
"""

import hashlib
import json
import uuid

VERSION = 1


class BadTask(ValueError):
    """The message is not a task this runtime can read: it is dead-lettered, never retried."""


def _hex(text, length):
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def span_id(task_id, part='agent'):
    """16 hex characters: the OpenTelemetry/Langfuse observation id of one step of one task."""
    return _hex('%s/%s' % (task_id, part), 16)


def new_trace_id():
    """32 hex characters: one user request is one trace."""
    return uuid.uuid4().hex


def new_task(tool, task_input, route=(), trace_id=None, session_id=None, task_id=None):
    """A first task of a request (what a client publishes to an agent's tasks subject)."""
    return {'version': VERSION, 'task_id': task_id or uuid.uuid4().hex, 'trace_id': trace_id or new_trace_id(),
            'parent_span_id': None, 'session_id': session_id, 'tool': tool, 'input': task_input,
            'route': list(route)}


def child_task(parent, index, task_input, parent_span):
    """The sub-task one output of `parent` becomes at the next hop of its route."""
    hop = parent['route'][0]
    return {'version': VERSION, 'task_id': _hex('%s/%d' % (parent['task_id'], index), 32),
            'trace_id': parent['trace_id'], 'parent_span_id': parent_span, 'session_id': parent.get('session_id'),
            'tool': hop['tool'], 'input': task_input, 'route': parent['route'][1:]}


def parse(data):
    """The task in a message body, checked; BadTask says what is wrong."""
    try:
        task = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadTask('not JSON: %s' % exc) from None
    if not isinstance(task, dict):
        raise BadTask('a task is a JSON object')
    if task.get('version') != VERSION:
        raise BadTask('unsupported version %r (this runtime reads %d)' % (task.get('version'), VERSION))
    for key in ('task_id', 'trace_id', 'tool'):
        if not isinstance(task.get(key), str) or not task[key]:
            raise BadTask('%s must be a non-empty string' % key)
    if not isinstance(task.get('input'), dict):
        raise BadTask('input must be an object')
    route = task.setdefault('route', [])
    if not isinstance(route, list) or not all(
            isinstance(h, dict) and isinstance(h.get('agent'), str) and isinstance(h.get('tool'), str) for h in route):
        raise BadTask('route must be a list of {agent, tool}')
    task.setdefault('parent_span_id', None)
    task.setdefault('session_id', None)
    return task


def dumps(obj):
    return json.dumps(obj, sort_keys=True, separators=(',', ':')).encode()
