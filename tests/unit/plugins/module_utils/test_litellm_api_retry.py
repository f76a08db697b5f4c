"""LiteLLMClient's retries and its record of what was written (offline: open_url is replaced)."""

import io
import json
import socket
from urllib.error import HTTPError, URLError

import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils import litellm_api
from ansible_collections.baremetal.ai_platform.plugins.module_utils.litellm_api import (
    LiteLLMClient, LiteLLMError, litellm_argument_spec, written_so_far)


class Clock(object):
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def http_error(status, message='boom'):
    return HTTPError('http://x', status, 'err', {}, io.BytesIO(json.dumps({'error': {'message': message}}).encode()))


class Answer(object):
    def __init__(self, body):
        self.body = body

    def read(self):
        return json.dumps(self.body).encode()


@pytest.fixture
def server(monkeypatch):
    """A scripted open_url: each call pops the next outcome (an exception to raise or a body)."""
    script = []
    calls = []

    def fake_open_url(url, data=None, method=None, **_kwargs):
        calls.append((method, url))
        outcome = script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return Answer(outcome)

    monkeypatch.setattr(litellm_api, 'open_url', fake_open_url)
    return script, calls


def client(budget=120):
    clock = Clock()
    return LiteLLMClient('http://litellm:4000', 'sk-master', retry_budget=budget, sleep=clock.sleep, clock=clock), clock


@pytest.mark.offline
def test_offline_default_budget_is_two_minutes_and_is_an_option():
    spec = litellm_argument_spec()
    assert spec['retry_budget'] == dict(type='int', default=120)
    assert 'retries' not in spec


@pytest.mark.offline
def test_offline_a_rollout_of_a_minute_is_ridden_out(server):
    script, calls = server
    # Refused connections, then 502/503 from the Service while pods roll, for about a minute.
    script.extend([URLError(ConnectionRefusedError(111, 'refused'))] * 4)
    script.extend([http_error(503), http_error(502), socket.timeout('timed out')])
    script.extend([http_error(504) for _n in range(4)] + [{'ok': True}])
    api, clock = client()
    assert api.request('POST', '/team/new', {'team_id': 't'}, done='created team t') == {'ok': True}
    assert 50 <= clock.now <= 120
    assert api.requests == len(calls) == 12 and api.written == ['created team t']


@pytest.mark.offline
def test_offline_the_budget_ends_with_attempts_elapsed_time_and_the_last_error(server):
    script, _calls = server
    script.extend(http_error(503, 'no healthy upstream') for _n in range(100))
    api, clock = client(budget=30)
    with pytest.raises(LiteLLMError) as info:
        api.request('GET', '/team/list')
    assert 'after 8 attempt(s) over 30 s (retry_budget 30 s): HTTP 503: no healthy upstream' in str(info.value)
    assert clock.now == 30
    assert api.written == []


@pytest.mark.offline
@pytest.mark.parametrize('status', [400, 404, 500])
def test_offline_other_errors_are_not_retried(server, status):
    script, calls = server
    script.append(http_error(status))
    api, clock = client()
    with pytest.raises(LiteLLMError) as info:
        api.request('POST', '/team/update', {})
    assert info.value.status == status and len(calls) == 1 and clock.now == 0


@pytest.mark.offline
def test_offline_a_refused_master_key_is_not_retried(server):
    script, calls = server
    script.append(http_error(401))
    api, _clock = client()
    with pytest.raises(LiteLLMError, match='refused the master key'):
        api.request('GET', '/key/list')
    assert len(calls) == 1


@pytest.mark.offline
def test_offline_a_create_that_landed_before_its_timeout_counts_as_written(server):
    script, _calls = server
    script.extend([socket.timeout('timed out'), http_error(400, 'Team id = t already exists.')])
    api, _clock = client()
    assert api.create('/team/new', {'team_id': 't'}, done='created team t') is None
    assert api.written == ['created team t']


@pytest.mark.offline
def test_offline_written_so_far_says_nothing_or_lists_each_write():
    assert written_so_far([]) == 'Nothing was written to LiteLLM before the error.'
    assert written_so_far(['created team a', 'updated team b (rpm_limit)']) == (
        'Already written to LiteLLM before the error: created team a; updated team b (rpm_limit).')


@pytest.mark.offline
def test_offline_ca_path_reaches_every_call(monkeypatch):
    """The site CA file is what each request's certificate is checked against (ingress route)."""
    seen = []

    def fake_open_url(url, **kwargs):
        seen.append((kwargs.get('validate_certs'), kwargs.get('ca_path')))
        return Answer('{}')

    monkeypatch.setattr(litellm_api, 'open_url', fake_open_url)
    made = LiteLLMClient('https://litellm.ai.example.internal', 'sk-master', ca_path='/inv/site-ca-example.crt')
    made.request('GET', '/team/list')
    made.request('POST', '/team/new', {'team_id': 'research'})
    assert seen == [(True, '/inv/site-ca-example.crt')] * 2


@pytest.fixture
def sent(monkeypatch):
    """open_url replaced by a recorder of every argument, answering {} (or the exception queued)."""
    calls = []
    raises = []

    def fake_open_url(url, **kwargs):
        calls.append(dict(kwargs, url=url))
        if raises:
            raise raises.pop(0)
        return Answer({})

    monkeypatch.setattr(litellm_api, 'open_url', fake_open_url)
    return calls, raises


@pytest.mark.offline
def test_offline_each_call_carries_key_json_timeout_tls_and_safe_redirects_only(sent):
    calls, _raises = sent
    made = LiteLLMClient('http://litellm:4000/', 'sk-master', timeout=7, validate_certs=False, ca_path='/ca.crt')
    assert made.retried is False
    made.request('POST', '/team/new', {'team_id': 't'})
    made.request('GET', '/team/list', query={'page': 2})
    assert calls == [
        dict(url='http://litellm:4000/team/new', data='{"team_id": "t"}', method='POST', timeout=7, validate_certs=False,
             ca_path='/ca.crt', follow_redirects='safe', headers={
                 'Authorization': 'Bearer sk-master', 'Accept': 'application/json', 'Content-Type': 'application/json'}),
        dict(url='http://litellm:4000/team/list?page=2', data=None, method='GET', timeout=7, validate_certs=False,
             ca_path='/ca.crt', follow_redirects='safe', headers={
                 'Authorization': 'Bearer sk-master', 'Accept': 'application/json'}),
    ]


@pytest.mark.offline
def test_offline_every_write_is_counted_and_recorded_and_reads_are_not(sent):
    made = LiteLLMClient('http://litellm:4000', 'sk-master')
    made.request('POST', '/team/new', {})
    made.request('GET', '/team/list')
    made.request('POST', '/team/update', {}, done='updated team t')
    assert (made.writes, made.requests) == (2, 3)
    assert made.written == ['POST /team/new', 'updated team t']


@pytest.mark.offline
def test_offline_a_forbidden_master_key_is_worded_like_a_refused_one(sent):
    _calls, raises = sent
    raises.append(http_error(403, 'not allowed'))
    with pytest.raises(LiteLLMError) as info:
        LiteLLMClient('http://litellm:4000', 'sk-master').request('GET', '/key/list')
    assert (str(info.value), info.value.status) == (
        'LiteLLM at http://litellm:4000 refused the master key on GET /key/list (HTTP 403): not allowed; check '
        'master_key (LITELLM_MASTER_KEY)', 403)


@pytest.mark.offline
@pytest.mark.parametrize('error, reason', [(URLError(ConnectionRefusedError(111, 'refused')), '[Errno 111] refused'),
                                           (socket.timeout('timed out'), 'timed out')])
def test_offline_an_unreachable_proxy_ends_with_the_connections_reason(server, error, reason):
    script, _calls = server
    script.extend([error] * 3)
    api, _clock = client(budget=1)
    with pytest.raises(LiteLLMError) as info:
        api.request('GET', '/team/list')
    assert str(info.value) == ('GET http://litellm:4000/team/list failed after 3 attempt(s) over 1 s (retry_budget 1 s): '
                               '%s' % reason)


@pytest.mark.offline
def test_offline_a_landed_create_without_a_line_of_its_own_is_recorded_by_path(server):
    script, _calls = server
    script.extend([socket.timeout('timed out'), http_error(400, 'Team id = t already exists.')])
    api, _clock = client()
    assert api.create('/team/new', {'team_id': 't'}) is None
    assert api.written == ['POST /team/new']


@pytest.mark.offline
def test_offline_a_create_posts_its_body_and_records_its_line(sent):
    calls, _raises = sent
    made = LiteLLMClient('http://litellm:4000', 'sk-master')
    assert made.timeout == 30
    made.create('/team/new', {'team_id': 't'}, done='created team t')
    assert [(call['method'], call['url'], call['data']) for call in calls] == [
        ('POST', 'http://litellm:4000/team/new', '{"team_id": "t"}')]
    assert made.written == ['created team t']
