"""The environment contract the agents role renders, read once at start."""

import os
from dataclasses import dataclass


class ConfigError(ValueError):
    """A required variable is missing or malformed."""


def _required(env, name):
    value = env.get(name, '')
    if not value:
        raise ConfigError('%s is required' % name)
    return value


def _number(env, name, default, kind=float):
    raw = env.get(name)
    if raw in (None, ''):
        return default
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError('%s must be a number, got %r' % (name, raw)) from None


def _list(env, name):
    return [item.strip() for item in env.get(name, '').split(',') if item.strip()]


@dataclass(frozen=True)
class Config:
    agent: str
    team: str
    tools: tuple
    model: str
    llm_base_url: str
    llm_api_key: str
    nats_url: str
    nats_user: str
    nats_password: str
    inbox_prefix: str
    subject_prefix: str
    subject: str
    results_subject: str
    dead_letter_subject: str
    stream: str
    consumer: str
    tool_modules: tuple = ()
    metrics_port: int = 9090
    http_retries: int = 3
    http_timeout: float = 30.0
    http_backoff: float = 1.0
    http_max_bytes: int = 5 * 1024 * 1024
    llm_timeout: float = 120.0
    publish_timeout: float = 5.0
    nak_backoff: float = 5.0
    nak_backoff_max: float = 300.0
    chunk_chars: int = 4000
    tracing: bool = True

    def tasks_subject(self, agent):
        """Where another agent's tasks go (the agents role's <prefix>.<agent>.tasks)."""
        return '%s.%s.tasks' % (self.subject_prefix, agent)

    @classmethod
    def from_env(cls, env=None):
        env = os.environ if env is None else env
        agent = _required(env, 'AGENT_NAME')
        prefix = env.get('NATS_SUBJECT_PREFIX') or 'agents'
        return cls(
            agent=agent,
            team=_required(env, 'AGENT_TEAM'),
            tools=tuple(_list(env, 'AGENT_TOOLS')),
            model=_required(env, 'LITELLM_MODEL'),
            llm_base_url=_required(env, 'LITELLM_BASE_URL').rstrip('/'),
            llm_api_key=_required(env, 'LITELLM_API_KEY'),
            nats_url=_required(env, 'NATS_URL'),
            nats_user=env.get('NATS_USER') or agent,
            nats_password=_required(env, 'NATS_PASSWORD'),
            inbox_prefix=env.get('NATS_INBOX_PREFIX') or '_INBOX.%s' % agent,
            subject_prefix=prefix,
            subject=env.get('NATS_SUBJECT') or '%s.%s.tasks' % (prefix, agent),
            results_subject=env.get('NATS_RESULTS_SUBJECT') or '%s.%s.results' % (prefix, agent),
            dead_letter_subject=env.get('NATS_DEAD_LETTER_SUBJECT') or '%s.%s.dead' % (prefix, agent),
            stream=env.get('NATS_STREAM') or 'agent-%s' % agent,
            consumer=env.get('NATS_CONSUMER') or agent,
            tool_modules=tuple(_list(env, 'AGENT_TOOL_MODULES')),
            metrics_port=_number(env, 'AGENT_METRICS_PORT', 9090, int),
            http_retries=_number(env, 'AGENT_HTTP_RETRIES', 3, int),
            http_timeout=_number(env, 'AGENT_HTTP_TIMEOUT', 30.0),
            http_backoff=_number(env, 'AGENT_HTTP_BACKOFF', 1.0),
            http_max_bytes=_number(env, 'AGENT_HTTP_MAX_BYTES', 5 * 1024 * 1024, int),
            llm_timeout=_number(env, 'AGENT_LLM_TIMEOUT', 120.0),
            publish_timeout=_number(env, 'AGENT_PUBLISH_TIMEOUT', 5.0),
            nak_backoff=_number(env, 'AGENT_NAK_BACKOFF', 5.0),
            nak_backoff_max=_number(env, 'AGENT_NAK_BACKOFF_MAX', 300.0),
            chunk_chars=_number(env, 'AGENT_CHUNK_CHARS', 4000, int),
            tracing=env.get('AGENT_TRACING', 'true').lower() not in ('0', 'false', 'no'),
        )
