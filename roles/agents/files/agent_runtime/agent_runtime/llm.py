"""The one way to the model: LiteLLM's OpenAI-compatible API with the agent's alias and key.

No retry here: LiteLLM retries and fails over between deployments itself, and a failed call fails
the step (the step is redelivered on its own, never the request around it). Every call carries the
metadata LiteLLM forwards to Langfuse so the generation lands under the step's tool span.
"""

import json
import time
import urllib.error
import urllib.request


class LLMError(RuntimeError):
    """LiteLLM answered with an error or could not be reached."""


class LLMClient:
    def __init__(self, config, metrics):
        self.config = config
        self.metrics = metrics

    def metadata(self, trace, name):
        """What LiteLLM forwards to Langfuse: the request's trace, the parent span, names and tags."""
        config = self.config
        return {
            # existing_trace_id: continue the request's trace (the root span named it), never rename it.
            'existing_trace_id': trace['trace_id'],
            'parent_observation_id': trace['parent_span_id'],
            'generation_name': '%s/%s' % (config.agent, name),
            'session_id': trace.get('session_id'),
            'tags': ['agent:%s' % config.agent, 'team:%s' % config.team, 'task:%s' % trace['task_id']],
            'agent': config.agent, 'team': config.team, 'task_id': trace['task_id'],
            'queue_seconds': round(trace.get('queue_seconds', 0.0), 3),
        }

    def chat(self, messages, trace, name):
        """The completion text; the call's time is added to trace['provider_seconds']."""
        config = self.config
        body = {'model': config.model, 'messages': messages, 'metadata': self.metadata(trace, name)}
        request = urllib.request.Request(
            config.llm_base_url + '/v1/chat/completions', data=json.dumps(body).encode(), method='POST',
            headers={'Authorization': 'Bearer %s' % config.llm_api_key, 'Content-Type': 'application/json'})
        started = time.monotonic()
        outcome = 'error'
        try:
            with urllib.request.urlopen(request, timeout=config.llm_timeout) as answer:
                payload = json.loads(answer.read())
            text = payload['choices'][0]['message']['content']
            outcome = 'ok'
            return text
        except urllib.error.HTTPError as exc:
            raise LLMError('LiteLLM answered %d: %s' % (exc.code, exc.read()[:300].decode(errors='replace'))) from None
        except (OSError, ValueError, KeyError, IndexError) as exc:
            raise LLMError('LiteLLM call failed: %s' % exc) from None
        finally:
            seconds = time.monotonic() - started
            trace['provider_seconds'] = trace.get('provider_seconds', 0.0) + seconds
            self.metrics.llm_call(config.model, outcome, seconds)
