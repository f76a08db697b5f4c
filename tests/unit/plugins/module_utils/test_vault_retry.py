"""The Vault client's retries (offline: a scripted requests session behind hvac's adapter)."""

import http.client
import time

import hvac.exceptions
import pytest
import requests
import urllib3.exceptions

from ansible_collections.baremetal.ai_platform.plugins.module_utils.vault import (
    RetryingAdapter, Vault, VaultError, vault_argument_spec)

URL = 'http://vault:8200'


class Clock(object):
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def answer(status, body=b'{}'):
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers['Content-Type'] = 'application/json'
    response.url = URL + '/v1/x'
    return response


def refused():
    """What requests raises when nothing listens: the request never left."""
    reason = urllib3.exceptions.NewConnectionError(None, 'Connection refused')
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, URL, reason))


def dropped():
    """What requests raises when the connection closes after the request was sent."""
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.ProtocolError('Connection aborted.', http.client.RemoteDisconnected('closed')))


class Session(requests.Session):
    def __init__(self, script):
        super().__init__()
        self.script = list(script)
        self.calls = []

    def request(self, method, url, **kwargs):
        self.calls.append(method)
        self.sent = (method, url, kwargs)
        outcome = self.script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def adapter(script, budget=120):
    clock = Clock()
    session = Session(script)
    return RetryingAdapter(base_uri=URL, session=session, retry_budget=budget, sleep=clock.sleep, clock=clock), session, clock


@pytest.mark.offline
def test_offline_retry_budget_is_an_option_of_every_vault_module_defaulting_to_two_minutes():
    assert vault_argument_spec()['retry_budget'] == dict(type='int', default=120)
    assert vault_argument_spec(auth=False)['retry_budget'] == dict(type='int', default=120)


@pytest.mark.offline
def test_offline_a_read_rides_out_refused_dropped_and_unavailable():
    api, session, clock = adapter([refused(), dropped(), answer(503), answer(502), answer(200, b'{"ok": true}')])
    assert api.request('GET', '/v1/sys/seal-status') == {'ok': True}
    assert len(session.calls) == 5 and clock.now == 0.5 + 1 + 2 + 4


@pytest.mark.offline
def test_offline_a_write_is_retried_only_when_vault_cannot_have_received_it():
    api, session, _clock = adapter([refused(), answer(503), answer(204, b'')])
    assert api.request('PUT', '/v1/sys/init', json={}).status_code == 204
    assert session.calls == ['PUT'] * 3

    api, session, _clock = adapter([dropped(), answer(200)])
    with pytest.raises(requests.exceptions.ConnectionError):
        api.request('PUT', '/v1/sys/init', json={})
    assert session.calls == ['PUT']


@pytest.mark.offline
@pytest.mark.parametrize('status, error', [(400, hvac.exceptions.InvalidRequest), (500, hvac.exceptions.InternalServerError)])
def test_offline_other_answers_raise_hvacs_error_at_once(status, error):
    api, session, _clock = adapter([answer(status, b'{"errors": ["no"]}')])
    with pytest.raises(error):
        api.request('POST', '/v1/secret/data/x', json={})
    assert len(session.calls) == 1


@pytest.mark.offline
def test_offline_a_spent_budget_is_in_the_error_the_user_sees():
    params = dict((name, spec.get('default')) for name, spec in vault_argument_spec(auth=False).items())
    params.update(url=URL, retry_budget=3)
    vault = Vault(params)
    clock = Clock()
    vault.client.adapter._sleep, vault.client.adapter._clock = clock.sleep, clock
    vault.client.adapter.session = Session([refused() for _n in range(10)])
    with pytest.raises(VaultError) as info:
        vault.seal_status()
    assert str(info.value) == ('Vault at http://vault:8200 is unreachable while reading the seal status: ConnectionError '
                               '(after 4 attempt(s) over 3 s (retry_budget 3 s))')


@pytest.mark.offline
def test_offline_a_write_whose_connection_was_never_made_is_retried_and_one_without_a_cause_is_not():
    api, session, _clock = adapter([requests.exceptions.ConnectTimeout('no route'), answer(204, b'')])
    assert api.request('PUT', '/v1/sys/init', json={}).status_code == 204 and session.calls == ['PUT'] * 2
    api, session, _clock = adapter([requests.exceptions.ConnectionError(), answer(204, b'')])
    with pytest.raises(requests.exceptions.ConnectionError):
        api.request('PUT', '/v1/sys/init', json={})
    assert session.calls == ['PUT']


@pytest.mark.offline
def test_offline_the_request_reaches_the_session_whole_and_errors_name_method_and_url():
    api, session, _clock = adapter([answer(200, b'{"ok": true}')])
    api.request('POST', '/v1/secret/data/x', headers={'X-Test': '1'}, json={'data': {'k': 'v'}})
    method, url, kwargs = session.sent
    assert (method, url, kwargs['json'], kwargs['headers']['X-Test']) == (
        'POST', URL + '/v1/secret/data/x', {'data': {'k': 'v'}}, '1')
    api, session, _clock = adapter([answer(400, b'{"errors": ["no"]}')])
    with pytest.raises(hvac.exceptions.InvalidRequest) as info:
        api.request('POST', '/v1/secret/data/x', json={})
    assert (info.value.method, info.value.url, info.value.errors) == ('POST', URL + '/v1/x', ['no'])


@pytest.mark.offline
@pytest.mark.parametrize('ca_cert, validate_certs, verify', [('/etc/ca.pem', False, '/etc/ca.pem'), (None, False, False),
                                                             (None, True, True)])
def test_offline_the_client_gets_address_tls_timeout_namespace_and_budget(ca_cert, validate_certs, verify):
    params = dict((name, spec.get('default')) for name, spec in vault_argument_spec(auth=False).items())
    params.update(url=URL + '/', ca_cert=ca_cert, validate_certs=validate_certs, timeout=7, namespace='team-a',
                  retry_budget=9)
    adapter_ = Vault(params).client.adapter
    assert isinstance(adapter_, RetryingAdapter)
    assert (adapter_.base_uri, adapter_._kwargs['verify'], adapter_._kwargs['timeout'], adapter_.namespace,
            adapter_.retry_budget) == (URL, verify, 7, 'team-a', 9)
    assert (adapter_._sleep, adapter_._clock, adapter_.last_backoff) == (time.sleep, time.monotonic, None)


@pytest.mark.offline
def test_offline_hand_built_parameters_get_the_default_budget_and_no_namespace():
    params = dict(url=URL, ca_cert=None, validate_certs=True, timeout=30, namespace='')
    adapter_ = Vault(params).client.adapter
    assert (adapter_.retry_budget, adapter_.namespace) == (120, None)
    assert RetryingAdapter(base_uri=URL).retry_budget == 120


@pytest.mark.offline
def test_offline_the_address_may_be_given_by_position_and_keeps_a_trailing_capital_x():
    assert RetryingAdapter(URL).base_uri == URL
    params = dict(url='http://vaultX/', ca_cert=None, validate_certs=True, timeout=30, namespace=None)
    assert Vault(params).url == 'http://vaultX'
