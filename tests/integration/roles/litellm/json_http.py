"""The one JSON answer every loopback stand-in here sends (stdlib only: also runs in the LiteLLM venv)."""

import json


def send_json(handler, status, payload):
    data = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header('Content-Type', 'application/json')
    handler.send_header('Content-Length', str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
