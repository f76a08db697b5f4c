"""vault.Vault's preflight, login and error wording with hvac's client replaced by a recorder
(the same calls against a real OpenBao run in tests/integration/roles/vault)."""

import hvac.exceptions
import pytest
import requests

from ansible_collections.baremetal.ai_platform.plugins.module_utils import vault as vu
from ansible_collections.baremetal.ai_platform.plugins.module_utils.retry import Backoff

PARAMS = dict(url='http://vault.test:8200/', namespace=None, ca_cert=None, validate_certs=True, timeout=5,
              auth_method='token', auth_mount=None, token='s.root-token', role_id=None, secret_id=None,
              kubernetes_role=None, kubernetes_jwt_file=None)


class Recorder(object):
    """Stands in for any hvac object: attribute access builds a path, calls are recorded and answered."""

    def __init__(self, answers, calls, path=''):
        self._answers, self._calls, self._path = answers, calls, path

    def __getattr__(self, name):
        path = (self._path + '.' + name).lstrip('.')
        if name == 'last_backoff':
            # The retrying adapter's record of its last call: None (never called) unless a test gives one.
            return self._answers.get(path)
        return Recorder(self._answers, self._calls, path)

    def __call__(self, *args, **kwargs):
        self._calls.append((self._path, args, kwargs))
        answer = self._answers.get((self._path, args[0]) if args else self._path, self._answers.get(self._path))
        if isinstance(answer, Exception):
            raise answer
        return answer


def vault(answers=None, **params):
    made = vu.Vault(dict(PARAMS, **params))
    made.calls = []
    made.client = Recorder(answers or {}, made.calls)
    return made


def test_url_loses_its_trailing_slash():
    assert vu.Vault(dict(PARAMS)).url == 'http://vault.test:8200'


@pytest.mark.parametrize('exc, text', [
    (requests.exceptions.SSLError('bad cert'), 'TLS verification failed while doing it (set ca_cert or validate_certs)'),
    (requests.exceptions.ConnectionError('refused'), 'is unreachable while doing it: ConnectionError'),
    (requests.exceptions.Timeout('slow'), 'is unreachable while doing it: Timeout'),
    (hvac.exceptions.VaultDown('sealed'), 'is sealed: unseal it'),
    (hvac.exceptions.Forbidden('no'), "denied permission while doing it: the token's policies do not allow it"),
    (hvac.exceptions.InvalidRequest(errors=[' bad field ', 'other']), 'failed while doing it: bad field; other'),
    (hvac.exceptions.InternalServerError(), 'failed while doing it: InternalServerError'),
    (KeyError('x'), "unexpected KeyError while doing it: 'x'"),
])
def test_explain_names_address_action_and_cause(exc, text):
    error = vault().explain(exc, 'doing it')
    assert isinstance(error, vu.VaultError) and str(error).startswith('Vault at http://vault.test:8200')
    assert text in str(error)


def test_explain_says_how_long_it_retried_only_when_it_did():
    clock = iter([0.0, 0.0, 12.0]).__next__
    retried = Backoff(30, sleep=lambda _seconds: None, clock=clock)
    retried.wait()
    once = Backoff(30, sleep=lambda _seconds: None, clock=lambda: 0.0)
    error = vault({'adapter.last_backoff': retried}).explain(requests.exceptions.Timeout(), 'doing it')
    assert str(error) == ('Vault at http://vault.test:8200 is unreachable while doing it: Timeout '
                          '(after 2 attempt(s) over 12 s (retry_budget 30 s))')
    error = vault({'adapter.last_backoff': once}).explain(requests.exceptions.Timeout(), 'doing it')
    assert str(error) == 'Vault at http://vault.test:8200 is unreachable while doing it: Timeout'


def test_explain_passes_our_own_errors_through():
    own = vu.CasConflict('already worded')
    assert vault().explain(own, 'x') is own


def test_require_unsealed():
    assert vault({'sys.read_seal_status': {'initialized': True, 'sealed': False}}).require_unsealed()['sealed'] is False
    with pytest.raises(vu.VaultError, match='^Vault at http://vault.test:8200 is not initialised: run the vault role first$'):
        vault({'sys.read_seal_status': {'initialized': False}}).require_unsealed()
    with pytest.raises(vu.VaultError, match=r'^Vault at http://vault.test:8200 is sealed: unseal it \(the vault role does\) '
                       'before writing secrets$'):
        vault({'sys.read_seal_status': {'initialized': True, 'sealed': True}}).require_unsealed()
    with pytest.raises(vu.VaultError, match='unreachable while reading the seal status'):
        vault({'sys.read_seal_status': requests.exceptions.ConnectionError()}).require_unsealed()


def test_token_login_checks_the_token():
    made = vault()
    made.login()
    assert made.client.token == 's.root-token' and made.calls == [('auth.token.lookup_self', (), {})]
    with pytest.raises(vu.VaultError, match=r'^Vault at http://vault.test:8200 rejected the token \(invalid, expired or revoked\)$'):
        vault({'auth.token.lookup_self': hvac.exceptions.Forbidden()}).login()
    with pytest.raises(vu.VaultError, match='unreachable while looking up the token'):
        vault({'auth.token.lookup_self': requests.exceptions.ConnectionError()}).login()


def test_approle_login_uses_the_mount_or_the_method_name():
    made = vault(auth_method='approle', role_id='r', secret_id='s')
    made.login()
    assert made.calls == [('auth.approle.login', (), {'role_id': 'r', 'secret_id': 's', 'mount_point': 'approle'})]
    made = vault({'auth.approle.login': hvac.exceptions.InvalidRequest(errors=['invalid secret id'])},
                 auth_method='approle', auth_mount='eso', role_id='r', secret_id='s')
    with pytest.raises(vu.VaultError, match='failed while logging in with AppRole at auth/eso: invalid secret id'):
        made.login()


def test_kubernetes_login_reads_the_service_account_token(tmp_path):
    jwt = tmp_path / 'token'
    jwt.write_text('eyJ.jwt\n')
    made = vault(auth_method='kubernetes', kubernetes_role='eso', kubernetes_jwt_file=str(jwt))
    made.login()
    assert made.calls == [('auth.kubernetes.login', ('eso', 'eyJ.jwt'), {'mount_point': 'kubernetes'})]
    with pytest.raises(vu.VaultError) as info:
        vault(auth_method='kubernetes', kubernetes_role='eso', kubernetes_jwt_file=str(tmp_path / 'missing')).login()
    assert str(info.value) == "cannot read the service account token {0}: [Errno 2] No such file or directory: '{0}'".format(
        tmp_path / 'missing')


def test_kubernetes_login_refused_names_role_and_mount(tmp_path):
    jwt = tmp_path / 'token'
    jwt.write_text('eyJ.jwt')
    made = vault({'auth.kubernetes.login': hvac.exceptions.InvalidRequest(errors=['permission denied'])},
                 auth_method='kubernetes', auth_mount='k3s', kubernetes_role='eso', kubernetes_jwt_file=str(jwt))
    with pytest.raises(vu.VaultError) as info:
        made.login()
    assert str(info.value) == ('Vault at http://vault.test:8200 failed while logging in with Kubernetes role eso at '
                               'auth/k3s: permission denied')


def test_read_is_none_on_404_and_worded_otherwise():
    made = vault({('adapter.get', '/v1/secret/data/p'): {'data': 1}})
    assert made.read('secret/data/p') == {'data': 1}
    assert vault({'adapter.get': hvac.exceptions.InvalidPath()}).read('x') is None
    with pytest.raises(vu.VaultError, match='denied permission while reading secret/data/p'):
        vault({'adapter.get': hvac.exceptions.Forbidden()}).read('secret/data/p')


def test_write_posts_or_puts_the_json():
    made = vault()
    made.write('sys/policies/acl/x', {'policy': 'p'})
    made.write('auth/k/config', {'a': 1}, method='put')
    assert made.calls == [('adapter.post', ('/v1/sys/policies/acl/x',), {'json': {'policy': 'p'}}),
                          ('adapter.put', ('/v1/auth/k/config',), {'json': {'a': 1}})]


def test_capabilities_per_path_with_or_without_data_wrapper():
    made = vault({'adapter.post': {'data': {'a': ['read'], 'b': ['deny']}}})
    assert made.capabilities(['a', 'b', 'c']) == {'a': ['read'], 'b': ['deny'], 'c': []}
    assert made.calls == [('adapter.post', ('/v1/sys/capabilities-self',), {'json': {'paths': ['a', 'b', 'c']}})]
    assert vault({'adapter.post': {'a': ['root']}}).capabilities(('a',)) == {'a': ['root']}


@pytest.mark.parametrize('answer, problem', [
    ({'data': {'type': 'kv', 'options': {'version': '2'}}}, None),
    ({'data': {'type': 'generic', 'options': {'version': 2}}}, None),
    ({'data': {'type': 'kv', 'options': None}}, "Vault at http://vault.test:8200: mount 'secret' is kv version 1, not KV version 2"),
    ({'data': {'type': 'kv', 'options': {'version': '1'}}},
     "Vault at http://vault.test:8200: mount 'secret' is kv version 1, not KV version 2"),
    ({'data': {'type': 'pki', 'options': {'version': '2'}}},
     "Vault at http://vault.test:8200: mount 'secret' is pki version 2, not KV version 2"),
    ({}, "Vault at http://vault.test:8200: mount 'secret' is None version 1, not KV version 2"),
    (hvac.exceptions.Forbidden(), "Vault at http://vault.test:8200 has no KV mount 'secret' (or this token may use nothing "
                                  'under it): enable it (the vault role does) or fix the mount name'),
    (requests.exceptions.Timeout(), 'Vault at http://vault.test:8200 is unreachable while checking mount secret: Timeout'),
])
def test_require_kv2_mount(answer, problem):
    made = vault({'adapter.get': answer})
    if problem is None:
        made.require_kv2_mount('secret')
        assert made.calls[0][1] == ('/v1/sys/internal/ui/mounts/secret',)
    else:
        with pytest.raises(vu.VaultError) as info:
            made.require_kv2_mount('secret')
        assert str(info.value) == problem


def test_argument_spec_with_and_without_auth():
    assert 'token' in vu.vault_argument_spec() and vu.vault_argument_spec()['token']['no_log'] is True
    assert vu.vault_argument_spec()['secret_id']['no_log'] is True
    assert 'token' not in vu.vault_argument_spec(auth=False) and 'url' in vu.vault_argument_spec(auth=False)


def test_write_and_capabilities_errors_say_what_was_being_done():
    with pytest.raises(vu.VaultError, match='failed while writing sys/policies/acl/x: refused'):
        vault({'adapter.post': hvac.exceptions.InvalidRequest(errors=['refused'])}).write('sys/policies/acl/x', {})
    with pytest.raises(vu.VaultError, match="unreachable while checking the token's capabilities"):
        vault({'adapter.post': requests.exceptions.ConnectionError()}).capabilities(['a'])


@pytest.mark.parametrize('answer, names', [
    ({'data': {'keys': ['a', 'b/']}}, ['a', 'b/']),
    ({'data': {}}, []),
    (None, []),
    (hvac.exceptions.InvalidPath(), []),  # Vault answers 404 for a path with nothing under it
])
def test_list_gives_the_names_under_a_path(answer, names):
    made = vault({'adapter.list': answer})
    assert made.list('secret/metadata/ai-platform') == names
    assert made.calls == [('adapter.list', ('/v1/secret/metadata/ai-platform',), {})]


def test_list_and_delete_errors_say_what_was_being_done():
    with pytest.raises(vu.VaultError, match='denied permission while listing secret/metadata/x'):
        vault({'adapter.list': hvac.exceptions.Forbidden()}).list('secret/metadata/x')
    with pytest.raises(vu.VaultError, match='denied permission while deleting secret/metadata/x'):
        vault({'adapter.delete': hvac.exceptions.Forbidden()}).delete('secret/metadata/x')


def test_delete_sends_delete_to_the_api_path():
    made = vault()
    made.delete('secret/metadata/ai-platform/old')
    assert made.calls == [('adapter.delete', ('/v1/secret/metadata/ai-platform/old',), {})]
