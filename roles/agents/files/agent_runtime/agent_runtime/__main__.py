"""`python -m agent_runtime` serves the agent (default); fetch/chunk/summarise run one step alone
(the Argo document pipeline's steps, same tools, same LiteLLM metadata)."""

import argparse
import asyncio
import json
import logging
import os
import sys

from . import envelope
from .config import Config, ConfigError
from .llm import LLMClient
from .metrics import Metrics
from .tools import REGISTRY, ToolContext


def _step_config(tool):
    """The step's config from the same environment; NATS is not used by a single step."""
    env = dict(os.environ)
    env.setdefault('AGENT_NAME', 'argo-step')
    env.setdefault('AGENT_TEAM', 'unassigned')
    env.setdefault('LITELLM_MODEL', '-')
    env.setdefault('LITELLM_BASE_URL', '-')
    env.setdefault('LITELLM_API_KEY', '-')
    env.setdefault('NATS_URL', '-')
    env.setdefault('NATS_PASSWORD', '-')
    env['AGENT_TOOLS'] = tool
    return Config.from_env(env)


def _run_step(tool, task_input, trace_id):
    config = _step_config(tool)
    metrics = Metrics(config.agent, config.team)
    trace = {'trace_id': trace_id or envelope.new_trace_id(), 'parent_span_id': None,
             'task_id': envelope.new_trace_id()}
    return REGISTRY[tool](ToolContext(config, LLMClient(config, metrics), metrics, trace), task_input)


def build_parser():
    parser = argparse.ArgumentParser(prog='agent_runtime')
    commands = parser.add_subparsers(dest='command')
    commands.add_parser('serve', help='consume the agent\'s JetStream consumer (default)')
    fetch = commands.add_parser('fetch', help='http_fetch one URL into a file')
    fetch.add_argument('--url', required=True)
    fetch.add_argument('--out', required=True)
    chunk = commands.add_parser('chunk', help='chunk a text into a JSON list (Argo withParam)')
    chunk.add_argument('--in', dest='text', required=True)
    chunk.add_argument('--out', required=True)
    summarise = commands.add_parser('summarise', help='summarise one chunk through LiteLLM, print the summary')
    summarise.add_argument('--chunk', required=True)
    summarise.add_argument('--trace-id', default=None, help='32 hex (the workflow uid without dashes)')
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get('AGENT_LOG_LEVEL', 'INFO'),
                        format='%(asctime)s %(levelname)s %(name)s %(message)s')
    try:
        if args.command in (None, 'serve'):
            from .worker import serve
            asyncio.run(serve(Config.from_env()))
        elif args.command == 'fetch':
            [document] = _run_step('http_fetch', {'url': args.url}, None)
            with open(args.out, 'w', encoding='utf-8') as out:
                out.write(document['text'])
        elif args.command == 'chunk':
            chunks = _run_step('chunker', {'text': args.text}, None)
            with open(args.out, 'w', encoding='utf-8') as out:
                json.dump([c['text'] for c in chunks], out)
        else:
            trace_id = args.trace_id.replace('-', '') if args.trace_id else None
            [result] = _run_step('summarise', {'text': args.chunk}, trace_id)
            print(result['summary'])
    except ConfigError as exc:
        print('agent_runtime: %s' % exc, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
