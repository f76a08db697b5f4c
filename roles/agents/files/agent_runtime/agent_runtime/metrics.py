"""Prometheus metrics of one runtime process (its own registry, served on AGENT_METRICS_PORT)."""

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

_LATENCY = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class Metrics:
    def __init__(self, agent, team):
        self.registry = CollectorRegistry()
        self.labels = {'agent': agent, 'team': team}
        self.tasks = Counter('agent_tasks_total', 'Tasks handled, by tool and outcome (acked, nak, dead_letter).',
                             ['agent', 'team', 'tool', 'outcome'], registry=self.registry)
        self.llm_calls = Counter('agent_llm_calls_total', 'Calls to LiteLLM, by model alias and outcome (ok, error).',
                                 ['agent', 'team', 'model', 'outcome'], registry=self.registry)
        self.tool_retries = Counter('agent_tool_retries_total', 'Retries inside a tool (its HTTP client), by tool.',
                                    ['agent', 'team', 'tool'], registry=self.registry)
        self.published = Counter('agent_published_total', 'Messages published, by kind (subtask, result, dead_letter).',
                                 ['agent', 'team', 'kind'], registry=self.registry)
        self.redeliveries = Counter('agent_redeliveries_total', 'Deliveries of a task that had been delivered before.',
                                    ['agent', 'team'], registry=self.registry)
        self.queue_seconds = Histogram('agent_queue_seconds', 'Time a task waited in JetStream before this delivery.',
                                       ['agent', 'team'], buckets=_LATENCY, registry=self.registry)
        self.llm_seconds = Histogram('agent_llm_seconds', 'Time of one LiteLLM call (provider time plus gateway).',
                                     ['agent', 'team', 'model'], buckets=_LATENCY, registry=self.registry)
        self.task_seconds = Histogram('agent_task_seconds', 'Time spent handling one delivery.',
                                      ['agent', 'team', 'tool'], buckets=_LATENCY, registry=self.registry)

    def task(self, tool, outcome):
        self.tasks.labels(tool=tool, outcome=outcome, **self.labels).inc()

    def llm_call(self, model, outcome, seconds):
        self.llm_calls.labels(model=model, outcome=outcome, **self.labels).inc()
        self.llm_seconds.labels(model=model, **self.labels).observe(seconds)

    def tool_retry(self, tool):
        self.tool_retries.labels(tool=tool, **self.labels).inc()

    def publish(self, kind):
        self.published.labels(kind=kind, **self.labels).inc()

    def serve(self, port):
        start_http_server(port, registry=self.registry)
