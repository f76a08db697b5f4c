"""A loopback stand-in for the Langfuse server: records what LiteLLM's Langfuse callback sends."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from json_http import send_json


class LangfuseReceiver:
    def __init__(self, port):
        self.port = port
        self.requests = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                with receiver._lock:
                    receiver.requests.append({'method': self.command, 'path': self.path,
                                              'headers': dict(self.headers), 'size': len(body), 'body': body})
                send_json(self, 200, {})

            do_GET = do_POST = do_PUT = _answer

        self._server = ThreadingHTTPServer(('127.0.0.1', port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def snapshot(self):
        with self._lock:
            return list(self.requests)

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
