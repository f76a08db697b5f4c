# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""LiteLLM management API client and reconciliation helpers for litellm_team and litellm_key.

One client per module run: it retries refused connections, timeouts and 429/502/503/504 answers
with backoff for up to retry_budget seconds per call (long enough to ride out a rollout of the
proxy, see retry.py), turns 401/403 into an error that says the master key was refused, counts the
requests it made and records every write that succeeded, so a failed run can say what it already
changed. Reconciliation compares only the fields the user set, because LiteLLM's answers carry
computed fields (spend, timestamps, memberships).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import socket
import time

from urllib.error import HTTPError, URLError
from urllib.parse import urlencode

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.module_utils.urls import open_url

from ansible_collections.baremetal.ai_platform.plugins.module_utils.retry import DEFAULT_BUDGET, Backoff

MASK = '********'
# Metadata key the collection marks the teams and keys it manages with (value: the owner given to the
# module). Pruning only ever deletes items carrying the owner's mark: teams and keys made by people or
# other tools are never touched.
OWNER_KEY = 'managed_by'


def litellm_argument_spec():
    """Connection options every litellm_* API module takes (doc fragment baremetal.ai_platform.litellm)."""
    return dict(
        api_url=dict(type='str', required=True, fallback=(env_fallback, ['LITELLM_URL'])),
        master_key=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['LITELLM_MASTER_KEY'])),
        timeout=dict(type='int', default=30),
        retry_budget=dict(type='int', default=DEFAULT_BUDGET),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path', fallback=(env_fallback, ['LITELLM_CA_PATH'])),
    )


def prune_argument_spec():
    """Options litellm_team and litellm_key share for removal (doc fragment baremetal.ai_platform.litellm)."""
    return dict(
        owner=dict(type='str'),
        prune=dict(type='bool', default=False),
    )


def owned_by(item, owner):
    return (item.get('metadata') or {}).get(OWNER_KEY) == owner


def unlisted(current, wanted, owner):
    """Names of the items in LiteLLM (name -> item or [items]) that carry owner's mark and are not wanted."""
    found = []
    for name, items in current.items():
        if name not in wanted and any(owned_by(item, owner) for item in (items if isinstance(items, list) else [items])):
            found.append(name)
    return sorted(found)


class LiteLLMError(Exception):
    def __init__(self, message, status=None):
        super(LiteLLMError, self).__init__(message)
        self.status = status


def _error_text(raw):
    """LiteLLM's error message from an error body ({"error": {"message": ...}} or {"detail": ...})."""
    try:
        body = json.loads(raw)
    except ValueError:
        return to_text(raw)[:500]
    if isinstance(body, dict):
        error = body.get('error', body.get('detail', body))
        if isinstance(error, dict):
            error = error.get('message', error)
        return to_text(error)[:500]
    return to_text(body)[:500]


# What a rollout of the proxy looks like from outside: the Service or ingress has no ready pod, a
# pod is shutting down, or LiteLLM sheds load. Other errors (a 500 included) are answered at once.
RETRY_STATUS = (429, 502, 503, 504)


class LiteLLMClient(object):
    """HTTP client for the proxy's management endpoints."""

    def __init__(self, api_url, master_key, timeout=30, retry_budget=DEFAULT_BUDGET, validate_certs=True,
                 ca_path=None, sleep=time.sleep, clock=time.monotonic):
        self.api_url = api_url.rstrip('/')
        self._master_key = master_key
        self.timeout = timeout
        self.retry_budget = retry_budget
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self._sleep = sleep
        self._clock = clock
        self.requests = 0
        self.writes = 0
        # What this run changed in LiteLLM, one line per successful write, for a partial failure.
        self.written = []
        # Whether the last request needed more than one attempt.
        self.retried = False

    def request(self, method, path, body=None, query=None, done=None):
        """One API call; done (a line for `written`) is recorded when a write succeeds."""
        url = self.api_url + path + ('?' + urlencode(query) if query else '')
        data = json.dumps(body) if body is not None else None
        headers = {'Authorization': 'Bearer %s' % self._master_key, 'Accept': 'application/json'}
        if data is not None:
            headers['Content-Type'] = 'application/json'
        if method != 'GET':
            self.writes += 1
        backoff = Backoff(self.retry_budget, self._sleep, self._clock)
        while True:
            self.requests += 1
            self.retried = backoff.attempts > 1
            try:
                response = open_url(url, data=data, method=method, headers=headers, timeout=self.timeout,
                                    validate_certs=self.validate_certs, ca_path=self.ca_path,
                                    follow_redirects='safe')
                raw = response.read()
                if method != 'GET':
                    self.written.append(done or '%s %s' % (method, path))
                return json.loads(raw) if raw else None
            except HTTPError as exc:
                raw = exc.read() if hasattr(exc, 'read') else b''
                message = _error_text(raw)
                if exc.code in (401, 403):
                    raise LiteLLMError('LiteLLM at %s refused the master key on %s %s (HTTP %d): %s; check '
                                       'master_key (LITELLM_MASTER_KEY)' % (self.api_url, method, path, exc.code, message),
                                       exc.code)
                if exc.code not in RETRY_STATUS:
                    raise LiteLLMError('%s %s%s failed (HTTP %d): %s' % (method, self.api_url, path, exc.code, message),
                                       exc.code)
                retry_reason = 'HTTP %d: %s' % (exc.code, message)
            except (URLError, socket.timeout, socket.error) as exc:
                retry_reason = to_native(getattr(exc, 'reason', exc))
            if not backoff.wait():
                raise LiteLLMError('%s %s%s failed %s: %s' % (method, self.api_url, path, backoff.summary(),
                                                              retry_reason))

    def create(self, path, body, done=None):
        """POST a create. A create retried after a timeout may have landed the first time; LiteLLM then
        refuses the retry because the id or alias exists, which is the outcome asked for."""
        try:
            return self.request('POST', path, body, done=done)
        except LiteLLMError as exc:
            if not (exc.status == 400 and 'already exists' in str(exc) and self.retried):
                raise
            self.written.append(done or 'POST %s' % path)
            return None


def run_module(module, items, identity, reconcile):
    """Shared body of litellm_team and litellm_key: check identities, reconcile, report, exit."""
    ids = [item[identity] for item in items]
    duplicates = sorted(set(value for value in ids if ids.count(value) > 1))
    if duplicates:
        module.fail_json(msg='%s %s given more than once' % (identity, ', '.join(duplicates)))
    params = module.params
    owner = params.get('owner')
    if owner:
        # The mark is one more metadata key: compared and added like the others, so items made before it
        # existed get it on the next run.
        for item in items:
            if item['state'] == 'present':
                item['metadata'] = dict(item.get('metadata') or {}, **{OWNER_KEY: owner})
    client = LiteLLMClient(params['api_url'], params['master_key'], params['timeout'], params['retry_budget'],
                           params['validate_certs'], params['ca_path'])
    try:
        result = reconcile(client, items, module.check_mode, owner if params.get('prune') else None)
    except LiteLLMError as exc:
        module.fail_json(msg='%s. %s' % (str(exc).rstrip('.'), written_so_far(client.written)), status=exc.status,
                         requests=client.requests, written=client.written)
    before, after = result.pop('before'), result.pop('after')
    changed = any(result[name] for name in ('created', 'updated', 'replaced', 'deleted') if name in result)
    if module._diff and changed:
        result['diff'] = dict(before=before, after=after)
    module.exit_json(changed=changed, requests=client.requests, **result)


def written_so_far(written):
    """The sentence a failed run ends with: what it had already changed, or that it changed nothing."""
    if not written:
        return 'Nothing was written to LiteLLM before the error.'
    return 'Already written to LiteLLM before the error: %s.' % '; '.join(written)


def key_hash(key):
    """LiteLLM stores a virtual key as the SHA-256 hex digest of its value (the listed `token`)."""
    return hashlib.sha256(key.encode('utf-8')).hexdigest()


def _same(wanted, current):
    if isinstance(wanted, bool) or isinstance(current, bool):
        return wanted is current
    if isinstance(wanted, (int, float)) and isinstance(current, (int, float)):
        return abs(float(wanted) - float(current)) < 1e-9
    if isinstance(wanted, list) and isinstance(current, list):
        return sorted(map(json.dumps, wanted)) == sorted(map(json.dumps, current))
    return wanted == current


def field_changes(wanted, current, fields):
    """{field: wanted value} for the user-set fields that differ; metadata compared by the keys given."""
    changes = {}
    for field in fields:
        if field not in wanted:
            continue
        value = wanted[field]
        if field == 'metadata':
            existing = current.get('metadata') or {}
            if any(not _same(item, existing.get(name)) for name, item in value.items()):
                # /update replaces metadata: keep what others put there.
                merged = dict(existing)
                merged.update(value)
                changes[field] = merged
        elif not _same(value, current.get(field)):
            changes[field] = value
    return changes


def user_fields(item, fields):
    """The fields of a desired object the user set (None means not set)."""
    return dict((field, item[field]) for field in fields if item.get(field) is not None)


def view(obj, fields, mask=()):
    """An object reduced to the compared fields, secrets masked, for diff output."""
    shown = dict((field, obj.get(field)) for field in fields if field in obj)
    for field in mask:
        if field in shown:
            shown[field] = MASK
    return shown
