"""Loopback stand-in for LiteLLM's /team/* and /key/* management API (run with the LiteLLM venv).

LiteLLM's database mode cannot run here (Prisma engines are not obtainable), so this server keeps
teams and keys in memory. Every request body is validated with LiteLLM's own request models from
the installed package, with unknown fields refused (LiteLLM would ignore them silently, which would
hide a typo in the module), and errors are answered the way the proxy answers them
(handle_exception_on_proxy -> {"error": {...}}), including the one for an existing team_id.

Test-only endpoints: GET /_standin/stats, POST /_standin/reset, POST /_standin/fail
({"status": 500, "count": 2} or {"delay": 3, "count": 1}, optionally "path": "/team/new"; or
{"status": 503, "seconds": 8}: every call for that long from the first one, as during a rollout). A delayed call is
carried out at once and answered after the delay, as a slow server would.
"""

import argparse
import json
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from fastapi import HTTPException
from pydantic import ValidationError

from json_http import send_json
from litellm.models.team import LiteLLM_TeamTable
from litellm.models.verification_token import LiteLLM_VerificationToken
from litellm.proxy._types import DeleteTeamRequest, KeyRequest, NewTeamRequest, UpdateTeamRequest
from litellm.proxy.utils import handle_exception_on_proxy, hash_token
from litellm.types.proxy.management_endpoints.key_requests import GenerateKeyRequest, UpdateKeyRequest


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.teams = {}
        self.keys = {}  # token hash -> row
        self.calls = []
        self.failures = None


def proxy_error(status, detail):
    """The body LiteLLM's exception handler sends for HTTPException(status, detail)."""
    exc = handle_exception_on_proxy(HTTPException(status_code=status, detail=detail))
    return int(exc.code), {'error': exc.to_dict()}


def validated(model, body):
    unknown = sorted(set(body) - set(model.model_fields))
    if unknown:
        raise ValueError('%s does not take %s' % (model.__name__, ', '.join(unknown)))
    return model(**body)


def now():
    return datetime.now(timezone.utc).isoformat()


def team_view(row):
    return LiteLLM_TeamTable(**row).model_dump(mode='json')


def key_view(row):
    return LiteLLM_VerificationToken(**row).model_dump(mode='json')


def handle(store, method, path, query, body):
    """(status, payload) for one API call."""
    if path == '/team/list' and method == 'GET':
        rows = sorted(store.teams.values(), key=lambda r: r.get('team_alias') or '')
        return 200, [dict(team_view(row), team_memberships=[],
                          keys=[key_view(k) for k in store.keys.values() if k.get('team_id') == row['team_id']])
                     for row in rows]
    if path == '/team/new' and method == 'POST':
        data = validated(NewTeamRequest, body)
        team_id = data.team_id or str(uuid.uuid4())
        if team_id in store.teams:
            return proxy_error(400, {'error': 'Team id = %s already exists. Please use a different team id.' % team_id})
        row = dict(data.model_dump(exclude_unset=True), team_id=team_id, spend=0.0, created_at=now(),
                   updated_at=now(), models=data.models or [], metadata=data.metadata or {})
        store.teams[team_id] = row
        return 200, team_view(row)
    if path == '/team/update' and method == 'POST':
        data = validated(UpdateTeamRequest, body)
        row = store.teams.get(data.team_id)
        if row is None:
            return proxy_error(404, {'error': 'Team not found, passed team_id=%s' % data.team_id})
        row.update(data.model_dump(exclude_unset=True), updated_at=now())
        return 200, {'team_id': data.team_id, 'data': team_view(row)}
    if path == '/team/delete' and method == 'POST':
        data = validated(DeleteTeamRequest, body)
        missing = [team_id for team_id in data.team_ids if team_id not in store.teams]
        if missing:
            return proxy_error(404, {'error': 'Team not found, passed team_id=%s' % missing[0]})
        for team_id in data.team_ids:
            del store.teams[team_id]
        return 200, {'deleted_teams': data.team_ids}
    if path == '/key/list' and method == 'GET':
        size = int(query.get('size', ['10'])[0])
        page = int(query.get('page', ['1'])[0])
        if not 1 <= size <= 100:
            return proxy_error(422, {'error': 'size must be between 1 and 100'})
        rows = sorted(store.keys.values(), key=lambda r: r['created_at'])
        chunk = rows[(page - 1) * size:page * size]
        full = query.get('return_full_object', ['false'])[0] == 'true'
        return 200, {'keys': [key_view(r) if full else r['token'] for r in chunk], 'total_count': len(rows),
                     'current_page': page, 'total_pages': max(1, -(-len(rows) // size))}
    if path == '/key/generate' and method == 'POST':
        data = validated(GenerateKeyRequest, body)
        if data.key is not None and not data.key.startswith('sk-'):
            return proxy_error(400, {'error': "Invalid key format. LiteLLM Virtual Key must start with 'sk-'."})
        if data.key_alias and any(r.get('key_alias') == data.key_alias for r in store.keys.values()):
            return proxy_error(400, {'error': "Key with alias '%s' already exists. Unique key aliases across all "
                                              "keys are required." % data.key_alias})
        if data.team_id and data.team_id not in store.teams:
            return proxy_error(400, {'error': 'Team not found, passed team_id=%s' % data.team_id})
        key = data.key or 'sk-' + uuid.uuid4().hex
        token = hash_token(key)
        fields = data.model_dump(exclude_unset=True)
        fields.pop('key', None)
        row = dict(fields, token=token, created_at=now(), updated_at=now(), spend=0.0)
        store.keys[token] = row
        return 200, dict(key_view(row), key=key, token=token)
    if path == '/key/update' and method == 'POST':
        data = validated(UpdateKeyRequest, body)
        token = hash_token(data.key) if data.key and data.key.startswith('sk-') else data.key
        row = store.keys.get(token)
        if row is None:
            return proxy_error(404, {'error': 'Key not found'})
        if data.key_alias and any(r.get('key_alias') == data.key_alias for t, r in store.keys.items() if t != token):
            return proxy_error(400, {'error': "Key with alias '%s' already exists. Unique key aliases across all "
                                              "keys are required." % data.key_alias})
        fields = data.model_dump(exclude_unset=True)
        fields.pop('key', None)
        row.update(fields, updated_at=now())
        return 200, key_view(row)
    if path == '/key/delete' and method == 'POST':
        data = validated(KeyRequest, body)
        tokens = [hash_token(k) if k.startswith('sk-') else k for k in data.keys or []]
        tokens += [t for t, r in store.keys.items() if r.get('key_alias') in (data.key_aliases or [])]
        missing = [t for t in tokens if t not in store.keys]
        if missing:
            return proxy_error(404, {'error': 'Key not found'})
        for token in tokens:
            del store.keys[token]
        return 200, {'deleted_keys': data.keys or data.key_aliases}
    return proxy_error(404, {'error': 'Not found: %s %s' % (method, path)})


def make_handler(store, master_key):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, *args):
            pass

        def _send(self, status, payload):
            send_json(self, status, payload)

        def _serve(self):
            url = urlparse(self.path)
            length = int(self.headers.get('Content-Length') or 0)
            raw = self.rfile.read(length) if length else b''
            body = json.loads(raw) if raw else {}
            if url.path.startswith('/_standin/'):
                return self._control(url.path, body)
            with store.lock:
                store.calls.append({'method': self.command, 'path': url.path, 'body': body})
                failure = store.failures
                if failure and 'seconds' in failure:
                    # The outage starts with the first call that meets it.
                    failure.setdefault('until', time.time() + failure['seconds'])
                    failure['count'] = 1 if time.time() < failure['until'] else 0
                if failure and failure['count'] > 0 and failure.get('path', url.path) == url.path:
                    failure['count'] -= 1
                else:
                    failure = None
            if failure and not failure.get('delay'):
                return self._send(*proxy_error(failure['status'], {'error': 'injected failure'}))
            if self.headers.get('Authorization') != 'Bearer %s' % master_key:
                return self._send(*proxy_error(401, {'error': 'Authentication Error, Invalid proxy server token passed.'}))
            try:
                with store.lock:
                    status, payload = handle(store, self.command, url.path, parse_qs(url.query), body)
            except (ValidationError, ValueError) as exc:
                status, payload = proxy_error(422, {'error': str(exc)})
            if failure:
                # A slow server: the call is carried out, the answer comes too late.
                time.sleep(failure['delay'])
            self._send(status, payload)

        def _control(self, path, body):
            with store.lock:
                if path == '/_standin/reset':
                    store.reset()
                elif path == '/_standin/fail':
                    store.failures = dict(body)
                return self._send(200, {'calls': list(store.calls), 'teams': list(store.teams.values()),
                                        'keys': list(store.keys.values())})

        do_GET = do_POST = _serve

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--master-key', required=True)
    args = parser.parse_args()
    store = Store()
    server = ThreadingHTTPServer(('127.0.0.1', args.port), make_handler(store, args.master_key))
    server.daemon_threads = True
    print('ready', flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
