# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shared Vault/OpenBao client for the vault_* modules: connection, auth and error wording.

Every error names the address and what was being done, so a failed run says where to look. Every
call rides out a rollout of Vault (or of a proxy in front of it) for up to retry_budget seconds
(see retry.py): refused connections, timeouts and 429/502/503/504 answers are retried, but a write
only when Vault cannot have received it (a refused connection or an answer saying it was not
served), because unseal, init and check-and-set writes must not run twice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
import traceback

from ansible_collections.baremetal.ai_platform.plugins.module_utils.retry import DEFAULT_BUDGET, Backoff

HVAC_IMPORT_ERROR = None
try:
    import hvac
    import hvac.adapters
    import hvac.exceptions
    import requests
    import urllib3.exceptions
except ImportError:
    HVAC_IMPORT_ERROR = traceback.format_exc()
    _Adapter = object
else:
    _Adapter = hvac.adapters.JSONAdapter

# Answers that mean the request was not served: rate limited, or no healthy Vault behind the address.
RETRY_STATUS = (429, 502, 503, 504)
# Methods that change nothing, so even a request that may have arrived can be sent again.
SAFE_METHODS = ('GET', 'HEAD', 'LIST')


def _not_received(exc):
    """Whether a requests exception shows the request never reached Vault (connection not made)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], 'reason', None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


class RetryingAdapter(_Adapter):
    """hvac's JSON adapter, trying each call again within the retry budget (last_backoff tells how long)."""

    def __init__(self, *args, **kwargs):
        self.retry_budget = kwargs.pop('retry_budget', DEFAULT_BUDGET)
        self._sleep = kwargs.pop('sleep', time.sleep)
        self._clock = kwargs.pop('clock', time.monotonic)
        self.last_backoff = None
        super(RetryingAdapter, self).__init__(*args, **kwargs)

    def request(self, method, url, headers=None, raise_exception=True, **kwargs):
        backoff = self.last_backoff = Backoff(self.retry_budget, self._sleep, self._clock)
        while True:
            try:
                response = super(RetryingAdapter, self).request(method, url, headers=headers, raise_exception=False,
                                                                **kwargs)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                if isinstance(exc, requests.exceptions.SSLError):
                    raise
                if (method.upper() in SAFE_METHODS or _not_received(exc)) and backoff.wait():
                    continue
                raise
            status = getattr(response, 'status_code', 200)
            if status in RETRY_STATUS and backoff.wait():
                continue
            if status >= 400 and raise_exception and not self.ignore_exceptions:
                self._raise_for_error(method, response.url, response)
            return response


def vault_argument_spec(auth=True):
    """Connection (and, with auth, authentication) options (doc fragments vault and vault.auth)."""
    spec = dict(
        url=dict(type='str', required=True, aliases=['address']),
        namespace=dict(type='str'),
        ca_cert=dict(type='path'),
        validate_certs=dict(type='bool', default=True),
        timeout=dict(type='int', default=30),
        retry_budget=dict(type='int', default=DEFAULT_BUDGET),
    )
    if auth:
        spec.update(
            auth_method=dict(type='str', default='token', choices=['token', 'approle', 'kubernetes']),
            auth_mount=dict(type='str'),
            token=dict(type='str', no_log=True),
            role_id=dict(type='str'),
            secret_id=dict(type='str', no_log=True),
            kubernetes_role=dict(type='str'),
            kubernetes_jwt_file=dict(type='path', default='/var/run/secrets/kubernetes.io/serviceaccount/token'),
        )
    return spec


VAULT_REQUIRED_IF = [
    ('auth_method', 'token', ['token']),
    ('auth_method', 'approle', ['role_id', 'secret_id']),
    ('auth_method', 'kubernetes', ['kubernetes_role']),
]


class VaultError(Exception):
    """A failure worded for the user: address, path and what to check."""


class CasConflict(VaultError):
    """Someone wrote the secret between our read and our write."""


class Vault(object):
    """An hvac client plus the checks every module runs before touching anything."""

    def __init__(self, params):
        self.params = params
        self.url = params['url'].rstrip('/')
        verify = params['ca_cert'] or params['validate_certs']
        # Parameters built by hand (tests, scripts) may leave the budget out.
        self.client = hvac.Client(url=self.url, verify=verify, timeout=params['timeout'],
                                  namespace=params['namespace'] or None, adapter=RetryingAdapter,
                                  retry_budget=params.get('retry_budget', DEFAULT_BUDGET))

    # --- error wording -------------------------------------------------------------------------
    def explain(self, exc, doing):
        """Turn an hvac/requests exception into a VaultError naming the address and the action."""
        if isinstance(exc, VaultError):
            return exc
        backoff = getattr(self.client.adapter, 'last_backoff', None)
        error = self._explain(exc, doing)
        if backoff is not None and backoff.attempts > 1:
            error = VaultError('%s (%s)' % (error, backoff.summary()))
        return error

    def _explain(self, exc, doing):
        where = 'Vault at %s' % self.url
        # SSLError is a ConnectionError: test it first.
        if isinstance(exc, requests.exceptions.SSLError):
            return VaultError('%s: TLS verification failed while %s (set ca_cert or validate_certs)' % (where, doing))
        if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
            return VaultError('%s is unreachable while %s: %s' % (where, doing, exc.__class__.__name__))
        if isinstance(exc, hvac.exceptions.VaultDown):
            return VaultError('%s is sealed: unseal it (the vault role does) before %s' % (where, doing))
        if isinstance(exc, hvac.exceptions.Forbidden):
            return VaultError('%s denied permission while %s: the token\'s policies do not allow it' % (where, doing))
        if isinstance(exc, hvac.exceptions.VaultError):
            errors = '; '.join(str(e).strip() for e in (exc.errors or [])) or exc.__class__.__name__
            return VaultError('%s failed while %s: %s' % (where, doing, errors))
        return VaultError('%s: unexpected %s while %s: %s' % (where, exc.__class__.__name__, doing, exc))

    def call(self, doing, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except Exception as exc:  # pylint: disable=broad-except  # reworded, never swallowed
            raise self.explain(exc, doing)

    # --- preflight -----------------------------------------------------------------------------
    def seal_status(self):
        """Unauthenticated status; raises a clear error when unreachable."""
        return self.call('reading the seal status', self.client.sys.read_seal_status)

    def require_unsealed(self):
        status = self.seal_status()
        if not status.get('initialized'):
            raise VaultError('Vault at %s is not initialised: run the vault role first' % self.url)
        if status.get('sealed'):
            raise VaultError('Vault at %s is sealed: unseal it (the vault role does) before writing secrets'
                             % self.url)
        return status

    def login(self):
        """Authenticate with the configured method and check the token is accepted."""
        params = self.params
        method = params['auth_method']
        mount = params['auth_mount'] or method
        if method == 'token':
            self.client.token = params['token']
            try:
                self.client.auth.token.lookup_self()
            except hvac.exceptions.Forbidden:
                raise VaultError('Vault at %s rejected the token (invalid, expired or revoked)' % self.url)
            except Exception as exc:  # pylint: disable=broad-except
                raise self.explain(exc, 'looking up the token')
        elif method == 'approle':
            self.call('logging in with AppRole at auth/%s' % mount, self.client.auth.approle.login,
                      role_id=params['role_id'], secret_id=params['secret_id'], mount_point=mount)
        else:
            try:
                with open(params['kubernetes_jwt_file']) as handle:
                    jwt = handle.read().strip()
            except (IOError, OSError) as exc:
                raise VaultError('cannot read the service account token %s: %s' % (params['kubernetes_jwt_file'], exc))
            self.call('logging in with Kubernetes role %s at auth/%s' % (params['kubernetes_role'], mount),
                      self.client.auth.kubernetes.login, params['kubernetes_role'], jwt, mount_point=mount)

    # --- helpers -------------------------------------------------------------------------------
    def read(self, path):
        """GET /v1/<path>; None when Vault answers 404."""
        try:
            return self.client.adapter.get('/v1/%s' % path)
        except hvac.exceptions.InvalidPath:
            return None
        except Exception as exc:  # pylint: disable=broad-except
            raise self.explain(exc, 'reading %s' % path)

    def write(self, path, data, method='post'):
        return self.call('writing %s' % path, getattr(self.client.adapter, method), '/v1/%s' % path, json=data)

    def list(self, path):
        """LIST /v1/<path>: the names under it ([] when Vault answers 404, as it does for none)."""
        try:
            answer = self.client.adapter.list('/v1/%s' % path)
        except hvac.exceptions.InvalidPath:
            return []
        except Exception as exc:  # pylint: disable=broad-except
            raise self.explain(exc, 'listing %s' % path)
        return list(((answer or {}).get('data') or {}).get('keys') or [])

    def delete(self, path):
        return self.call('deleting %s' % path, self.client.adapter.delete, '/v1/%s' % path)

    def capabilities(self, paths):
        """Capabilities of the current token on each API path."""
        answer = self.call('checking the token\'s capabilities', self.client.adapter.post,
                           '/v1/sys/capabilities-self', json={'paths': list(paths)})
        data = answer.get('data', answer)
        return dict((path, data.get(path, [])) for path in paths)

    def require_kv2_mount(self, mount):
        """The mount exists and is KV version 2 (the preflight the vault CLI's kv commands use)."""
        try:
            answer = self.client.adapter.get('/v1/sys/internal/ui/mounts/%s' % mount)
        except hvac.exceptions.Forbidden:
            raise VaultError('Vault at %s has no KV mount %r (or this token may use nothing under it): '
                             'enable it (the vault role does) or fix the mount name' % (self.url, mount))
        except Exception as exc:  # pylint: disable=broad-except
            raise self.explain(exc, 'checking mount %s' % mount)
        info = answer.get('data') or {}
        version = str((info.get('options') or {}).get('version', '1'))
        if info.get('type') not in ('kv', 'generic') or version != '2':
            raise VaultError('Vault at %s: mount %r is %s version %s, not KV version 2'
                             % (self.url, mount, info.get('type'), version))
