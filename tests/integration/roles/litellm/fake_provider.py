"""Small loopback stand-ins for the paid providers and the Spark's vLLM endpoint.

One threaded HTTP server per provider speaks just enough of its API for LiteLLM: OpenAI chat
completions (also what vLLM serves), Anthropic messages and Gemini generateContent. Each records
the requests it got and can be switched to answer with an error status, to drive the proxy's
fallbacks, cooldowns and budgets.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from json_http import send_json


class FakeProvider:
    """A provider on 127.0.0.1:<port>; `fail_with` makes every call answer that status."""

    def __init__(self, name, port, tokens=(10, 20)):
        self.name = name
        self.port = port
        self.tokens = tokens
        self.fail_with = None
        self.requests = []
        self._lock = threading.Lock()
        # Set: answer. Cleared: accept the request and never answer (a hung GPU box).
        self._answering = threading.Event()
        self._answering.set()
        self._listen()

    def _listen(self):
        self._server = ThreadingHTTPServer(('127.0.0.1', self.port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._answering.set()
        self._server.shutdown()
        self._server.server_close()

    def refuse(self):
        """Close the port: connections are refused until accept()."""
        self.stop()

    def accept(self):
        self._listen()
        return self.start()

    def hang(self):
        self._answering.clear()

    def reset(self):
        with self._lock:
            self.requests = []
        self.fail_with = None
        self._answering.set()

    def count(self):
        with self._lock:
            return len(self.requests)

    def _record(self, path, headers, body):
        with self._lock:
            self.requests.append({'path': path, 'headers': headers, 'body': body, 'at': time.time()})

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):  # keep test output clean
                pass

            def _send(self, status, payload):
                send_json(self, status, payload)

            def do_GET(self):
                self._send(200, {'object': 'list', 'data': [{'id': provider.name, 'object': 'model'}]})

            def do_POST(self):
                length = int(self.headers.get('Content-Length') or 0)
                raw = self.rfile.read(length) if length else b''
                try:
                    body = json.loads(raw or b'{}')
                except ValueError:
                    body = {}
                provider._record(self.path, dict(self.headers), body)
                if not provider._answering.is_set():
                    provider._answering.wait(600)
                    self.close_connection = True
                    return
                if provider.fail_with:
                    status = provider.fail_with
                    kind = 'rate_limit_error' if status == 429 else 'server_error'
                    self._send(status, {'error': {'message': '%s switched to fail' % provider.name,
                                                  'type': kind, 'code': status}})
                    return
                prompt, completion = provider.tokens
                text = 'answer from %s' % provider.name
                if '/messages' in self.path:
                    self._send(200, {
                        'id': 'msg_fake', 'type': 'message', 'role': 'assistant',
                        'model': body.get('model', 'fake'), 'stop_reason': 'end_turn',
                        'content': [{'type': 'text', 'text': text}],
                        'usage': {'input_tokens': prompt, 'output_tokens': completion}})
                elif ':generateContent' in self.path:
                    self._send(200, {
                        'candidates': [{'content': {'role': 'model', 'parts': [{'text': text}]},
                                        'finishReason': 'STOP', 'index': 0}],
                        'usageMetadata': {'promptTokenCount': prompt, 'candidatesTokenCount': completion,
                                          'totalTokenCount': prompt + completion}})
                else:
                    self._send(200, {
                        'id': 'chatcmpl-fake', 'object': 'chat.completion', 'created': int(time.time()),
                        'model': body.get('model', 'fake'),
                        'choices': [{'index': 0, 'finish_reason': 'stop',
                                     'message': {'role': 'assistant', 'content': text}}],
                        'usage': {'prompt_tokens': prompt, 'completion_tokens': completion,
                                  'total_tokens': prompt + completion}})

        return Handler
