"""litellm_api: field comparison, masking and the client's error handling against a loopback HTTP server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils import litellm_api as api


class Server(object):
    """Answers queued (status, body) pairs in order, then 200 {}; records each request."""

    def __init__(self):
        self.answers = []
        self.seen = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                owner.seen.append((self.command, self.path, dict(self.headers), body))
                status, payload = owner.answers.pop(0) if owner.answers else (200, {})
                raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header('Content-Length', str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = _answer

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d/' % self.httpd.server_address[1]
        # A short poll: shutdown() waits for the loop to look, 0.5 s a test by default.
        threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': 0.02}, daemon=True).start()


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


class Clock(object):
    """A fake clock the client's backoff sleeps on: waits are recorded and pass at once."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def client(server, retry_budget=2):
    clock = Clock()
    made = api.LiteLLMClient(server.url, 'sk-master', timeout=5, retry_budget=retry_budget, sleep=clock.sleep,
                             clock=clock)
    made.sleeps = clock.sleeps
    return made


def test_request_sends_the_master_key_and_json_and_decodes_the_answer(server):
    server.answers = [(200, {'ok': True})]
    made = client(server)
    assert made.request('POST', '/team/new', {'team_id': 't'}, query={'page': 2}) == {'ok': True}
    method, path, headers, body = server.seen[0]
    assert (method, path, json.loads(body)) == ('POST', '/team/new?page=2', {'team_id': 't'})
    assert headers['Authorization'] == 'Bearer sk-master' and headers['Content-Type'] == 'application/json'
    assert (made.requests, made.writes, made.retried) == (1, 1, False)


def test_get_is_not_a_write_and_an_empty_answer_is_none(server):
    server.answers = [(200, b'')]
    made = client(server)
    assert made.request('GET', '/team/list') is None
    assert made.writes == 0 and 'Content-Type' not in server.seen[0][2]


def test_refused_master_key_says_so_and_is_not_retried(server):
    server.answers = [(401, {'error': {'message': 'Authentication Error'}})]
    made = client(server)
    with pytest.raises(api.LiteLLMError) as info:
        made.request('GET', '/key/list')
    assert info.value.status == 401 and made.requests == 1
    assert 'refused the master key on GET /key/list (HTTP 401): Authentication Error' in str(info.value)
    assert 'sk-master' not in str(info.value)


def test_client_error_carries_litellms_message_and_is_not_retried(server):
    server.answers = [(400, {'detail': 'Team id = t already exists'})]
    made = client(server)
    with pytest.raises(api.LiteLLMError) as info:
        made.request('POST', '/team/new', {})
    assert info.value.status == 400 and made.requests == 1 and made.sleeps == []
    assert str(info.value) == 'POST %s/team/new failed (HTTP 400): Team id = t already exists' % server.url.rstrip('/')


def test_unavailable_is_retried_with_growing_backoff_then_succeeds(server):
    server.answers = [(502, b'boom'), (503, {'error': 'busy'}), (200, {'done': 1})]
    made = client(server)
    assert made.request('GET', '/team/list') == {'done': 1}
    assert made.requests == 3 and made.retried and made.sleeps[1] > made.sleeps[0] > 0


def test_internal_server_error_is_not_retried(server):
    # A 500 is LiteLLM answering, not a rollout: retrying would only repeat it.
    server.answers = [(500, b'boom'), (200, {'done': 1})]
    made = client(server)
    with pytest.raises(api.LiteLLMError) as info:
        made.request('GET', '/team/list')
    assert info.value.status == 500 and made.requests == 1 and made.sleeps == []


def test_retries_run_out_with_the_last_reason(server):
    # A 2 s budget: waits of 0.5 s, 1 s, then the 0.5 s left, so four attempts.
    server.answers = [(503, b'boom')] * 4
    made = client(server)
    with pytest.raises(api.LiteLLMError, match=r'failed after 4 attempt\(s\) over 2 s \(retry_budget 2 s\): '
                       r'HTTP 503: boom$'):
        made.request('GET', '/team/list')
    assert made.requests == 4 and made.sleeps == [0.5, 1, 0.5] and server.answers == []


def test_create_retried_after_a_lost_answer_takes_already_exists_as_success(server):
    server.answers = [(502, b''), (400, {'error': {'message': 'Team id = t already exists'}})]
    assert client(server).create('/team/new', {'team_id': 't'}) is None
    server.answers = [(400, {'error': {'message': 'Team id = t already exists'}})]
    with pytest.raises(api.LiteLLMError):
        client(server).create('/team/new', {'team_id': 't'})


@pytest.mark.parametrize('raw, text', [
    (b'{"error": {"message": "bad"}}', 'bad'), (b'{"detail": "nope"}', 'nope'), (b'{"error": "flat"}', 'flat'),
    (b'["x"]', "['x']"), (b'not json', 'not json'), (b'x' * 600, 'x' * 500),
    (b'{"message": "m"}', 'm'), (b'{"code": 7}', "{'code': 7}"), (b'{"error": {"code": 1}}', "{'code': 1}"),
    (b'{"error": "%s"}' % (b'y' * 600), 'y' * 500), (b'["%s"]' % (b'z' * 600), ("['" + 'z' * 600)[:500]),
])
def test_error_text(raw, text):
    assert api._error_text(raw) == text


@pytest.mark.parametrize('wanted, current, same', [
    (1, 1.0, True), (1.5, 1.5000000001, True), (1.5, 1.6, False), (True, 1, False), (False, False, True),
    (['b', 'a'], ['a', 'b'], True), (['a'], ['a', 'b'], False), ('x', 'x', True), ('x', None, False),
    (0, 1e-9, False),
])
def test_same(wanted, current, same):
    assert api._same(wanted, current) is same


def test_field_changes_only_user_set_fields_and_metadata_merged():
    current = {'max_budget': 10.0, 'models': ['b', 'a'], 'metadata': {'tags': ['t'], 'owner': 'x'}, 'spend': 3}
    assert api.field_changes({'max_budget': 10, 'models': ['a', 'b']}, current, ('max_budget', 'models', 'spend')) == {}
    changes = api.field_changes({'max_budget': 20.0, 'metadata': {'tags': ['u']}}, current,
                                ('max_budget', 'rpm_limit', 'metadata'))
    assert changes == {'max_budget': 20.0, 'metadata': {'tags': ['u'], 'owner': 'x'}}
    assert api.field_changes({'metadata': {'tags': ['t']}}, current, ('metadata',)) == {}
    assert api.field_changes({'metadata': {'tags': ['t']}}, {}, ('metadata',)) == {'metadata': {'tags': ['t']}}


def test_user_fields_and_view_mask():
    assert api.user_fields({'a': 1, 'b': None, 'c': 0, 'd': 2}, ('a', 'b', 'c')) == {'a': 1, 'c': 0}
    assert api.view({'key': 'sk-1', 'team_id': 't', 'x': 1}, ('key', 'team_id', 'gone'), mask=('key', 'gone')) == {
        'key': api.MASK, 'team_id': 't'}


def test_key_hash_is_litellms_token():
    # LiteLLM's hash_token: the SHA-256 hex digest of the key value.
    assert api.key_hash('sk-1234') == '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b'
