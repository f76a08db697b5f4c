"""Tools and the plug-in point for more.

A tool is a function `tool(ctx, task_input) -> list of outputs` (each output a JSON object). Each
output becomes one sub-task at the next hop of the task's route, or one result when the route ends.
`ctx` gives the tool the agent's config, its LLM client, its metrics and the step's trace.

Register more tools from a module named in AGENT_TOOL_MODULES:

    from agent_runtime.tools import register

    @register('kb_search')
    def kb_search(ctx, task_input):
        return [{'hits': ...}]

An agent runs only the tools in AGENT_TOOLS; a task for any other tool is dead-lettered.

Retries live inside a tool's own HTTP client (http_fetch below), never around a step: a failed
step is redelivered alone and never reruns the steps before it.
"""

import importlib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

REGISTRY = {}


class ToolError(RuntimeError):
    """The tool failed after its own retries; the step may be redelivered."""


class BadInput(ValueError):
    """The task's input can never work for this tool: dead-lettered, not retried."""


class NotGranted(LookupError):
    """The agent is not granted the tool, or it is granted but not installed: dead-lettered."""


@dataclass
class ToolContext:
    config: object
    llm: object
    metrics: object
    trace: dict = field(default_factory=dict)
    sleep: object = time.sleep


def register(name):
    def decorate(function):
        REGISTRY[name] = function
        return function
    return decorate


def load_plugins(modules):
    for module in modules:
        importlib.import_module(module)


def granted(config, name):
    """The function for tool `name` if this agent may run it."""
    if name not in config.tools:
        raise NotGranted('tool %s is not granted to agent %s (AGENT_TOOLS: %s)'
                         % (name, config.agent, ','.join(config.tools) or 'none'))
    if name not in REGISTRY:
        raise NotGranted('tool %s is granted but not installed in this image (add it through AGENT_TOOL_MODULES)' % name)
    return REGISTRY[name]


def _text(task_input, key):
    value = task_input.get(key)
    if not isinstance(value, str) or not value:
        raise BadInput('input.%s must be a non-empty string' % key)
    return value


# Statuses worth another try: the server may answer next time. Anything else is final.
_TRANSIENT = {408, 425, 429, 500, 502, 503, 504}


@register('http_fetch')
def http_fetch(ctx, task_input):
    """GET input.url (http/https) with bounded retries and exponential backoff inside the client."""
    url = _text(task_input, 'url')
    if not url.startswith(('http://', 'https://')):
        raise BadInput('input.url must be http:// or https://, got %r' % url)
    config = ctx.config
    attempts = config.http_retries + 1
    for attempt in range(1, attempts + 1):
        try:
            request = urllib.request.Request(url, headers={'User-Agent': 'agent-runtime/%s' % config.agent})
            with urllib.request.urlopen(request, timeout=config.http_timeout) as answer:
                data = answer.read(config.http_max_bytes + 1)
                charset = answer.headers.get_content_charset() or 'utf-8'
            if len(data) > config.http_max_bytes:
                raise BadInput('%s is larger than AGENT_HTTP_MAX_BYTES (%d)' % (url, config.http_max_bytes))
            return [{'url': url, 'text': data.decode(charset, errors='replace')}]
        except urllib.error.HTTPError as exc:
            if exc.code not in _TRANSIENT:
                raise BadInput('%s answered %d' % (url, exc.code)) from None
            problem = 'HTTP %d' % exc.code
        except (urllib.error.URLError, OSError) as exc:
            problem = str(exc)
        if attempt == attempts:
            raise ToolError('GET %s failed after %d attempts: %s' % (url, attempts, problem))
        ctx.metrics.tool_retry('http_fetch')
        ctx.sleep(config.http_backoff * 2 ** (attempt - 1))
    raise AssertionError('unreachable')


@register('chunker')
def chunker(ctx, task_input):
    """Split input.text on blank lines into chunks of at most AGENT_CHUNK_CHARS (or input.chunk_chars)."""
    text = _text(task_input, 'text')
    limit = task_input.get('chunk_chars') or ctx.config.chunk_chars
    if not isinstance(limit, int) or limit < 1:
        raise BadInput('input.chunk_chars must be a positive integer')
    chunks, current = [], ''
    for paragraph in (p.strip() for p in text.split('\n\n')):
        while len(paragraph) > limit:
            if current:
                chunks.append(current)
                current = ''
            chunks.append(paragraph[:limit])
            paragraph = paragraph[limit:]
        if not paragraph:
            continue
        if current and len(current) + 2 + len(paragraph) > limit:
            chunks.append(current)
            current = ''
        current = current + '\n\n' + paragraph if current else paragraph
    if current:
        chunks.append(current)
    source = task_input.get('url')
    return [{'text': chunk, 'index': index, 'count': len(chunks), 'url': source} for index, chunk in enumerate(chunks)]


@register('summarise')
def summarise(ctx, task_input):
    """One LLM call: a summary of input.text."""
    text = _text(task_input, 'text')
    summary = ctx.llm.chat([
        {'role': 'system', 'content': 'Summarise the text in at most three sentences.'},
        {'role': 'user', 'content': text}], ctx.trace, 'summarise')
    return [{'summary': summary, 'index': task_input.get('index'), 'count': task_input.get('count'),
             'url': task_input.get('url')}]
