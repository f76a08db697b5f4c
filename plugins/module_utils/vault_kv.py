# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""KV v2 reconciliation: read, compare, write only what differs, with check-and-set.

KV v2 makes a new version even for an identical write, so nothing is written unless a value
differs; every write carries cas=<version read> so a concurrent change fails instead of being
overwritten. plan() and apply() are separate so a caller (and the tests) can act between them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import secrets as _random
import string

from ansible_collections.baremetal.ai_platform.plugins.module_utils.vault import CasConflict, VaultError

# Letters and digits only: generated values end up in NATS config variables, URLs and headers,
# where '-' at the start or other punctuation needs quoting. 32 characters carry ~190 bits.
_ALPHANUMERIC = string.ascii_letters + string.digits

try:
    import hvac.exceptions
except ImportError:
    pass  # the module reports the missing library through vault.HVAC_IMPORT_ERROR

MASK = '********'
MASK_CHANGED = '******** (new value)'


class PathPlan(object):
    """What one secret path needs: the version read, the current and the desired data."""

    def __init__(self, mount, path, version, current, desired):
        self.mount = mount
        self.path = path
        self.version = version
        self.current = current
        self.desired = desired

    @property
    def name(self):
        return '%s/%s' % (self.mount, self.path)

    @property
    def api_path(self):
        return '%s/data/%s' % (self.mount, self.path)

    @property
    def needs_write(self):
        return self.current != self.desired

    def masked_diff(self):
        """before/after with every value masked; a changed or new key says so, nothing more."""
        before = dict((key, MASK) for key in (self.current or {}))
        after = dict((key, MASK if (self.current or {}).get(key, object()) == value else MASK_CHANGED)
                     for key, value in self.desired.items())
        return before, after


class Declared(object):
    """One declared secret, cleaned: where it lives and how each of its keys gets its value."""

    def __init__(self, secret, default_mount):
        self.mount = (secret.get('mount') or default_mount).strip('/')
        self.path = secret['path'].strip('/')
        self.data = dict(secret.get('data') or {})
        self.generate = list(secret.get('generate') or [])
        self.prefix = secret.get('generate_prefix') or ''
        self.prefixes = dict(secret.get('generate_prefixes') or {})
        self.hex = list(secret.get('generate_hex') or [])
        self.seed = dict(secret.get('seed') or {})
        self.derive = dict(secret.get('derive') or {})
        self.seed_hint = secret.get('seed_hint') or ''
        groups = (('given', self.data), ('generated', self.generate), ('seeded', self.seed), ('derived', self.derive))
        for index, (first, keys) in enumerate(groups):
            for second, other in groups[index + 1:]:
                both = sorted(set(keys) & set(other))
                if both:
                    raise VaultError('secret %s/%s: keys %s are both %s and %s'
                                     % (self.mount, self.path, ', '.join(both), first, second))


def normalise(secrets, default_mount):
    """Declared secrets with paths cleaned; duplicates and keys declared two ways refused."""
    seen = set()
    result = []
    for secret in secrets:
        item = Declared(secret, default_mount)
        if (item.mount, item.path) in seen:
            raise VaultError('secret %s/%s is declared twice' % (item.mount, item.path))
        seen.add((item.mount, item.path))
        result.append(item)
    return result


def _derive(item, desired):
    """Values built from the secret's other keys ({key} placeholders), so they always agree."""
    derived = {}
    for key, template in item.derive.items():
        try:
            derived[key] = template.format(**desired)
        except (KeyError, IndexError, ValueError) as exc:
            raise VaultError('secret %s/%s: derived key %s cannot be built from its keys (%s: %s)'
                             % (item.mount, item.path, key, exc.__class__.__name__, exc))
    return derived


def read_current(vault, mount, path):
    """(version, data) of the current version; (0, None) when the path was never written."""
    answer = vault.read('%s/data/%s' % (mount, path))
    if answer and answer.get('data'):
        body = answer['data']
        return int(body['metadata']['version']), body.get('data')
    # Absent, or its current version deleted/destroyed: cas must still name that version. A token
    # without metadata access gets cas=0, which Vault refuses (reported as a conflict) if it exists.
    try:
        meta = vault.client.adapter.get('/v1/%s/metadata/%s' % (mount, path))
    except (hvac.exceptions.InvalidPath, hvac.exceptions.Forbidden):
        return 0, None
    except Exception as exc:  # pylint: disable=broad-except
        raise vault.explain(exc, 'reading %s/metadata/%s' % (mount, path))
    return int(meta['data']['current_version']), None


def _has(capabilities, wanted):
    return 'root' in capabilities or bool(set(capabilities) & set(wanted))


def plan(vault, secrets, default_mount='secret', purge=False, generate_length=32, on_generated=None):
    """Preflight (mounts, read permission), read every path, and compute what must be written.

    Nothing is written here. on_generated(value) is called for every generated value so the
    caller can hide it (AnsibleModule.no_log_values).
    """
    declared = normalise(secrets, default_mount)
    for mount in sorted(set(item.mount for item in declared)):
        vault.require_kv2_mount(mount)
    data_paths = ['%s/data/%s' % (item.mount, item.path) for item in declared]
    caps = vault.capabilities(data_paths)
    unreadable = [path for path in data_paths if not _has(caps[path], ['read'])]
    if unreadable:
        raise VaultError('Vault at %s denies reading %s' % (vault.url, ', '.join(unreadable)))

    plans = []
    missing = []
    for item in declared:
        version, current = read_current(vault, item.mount, item.path)
        current_data = current or {}
        desired = {} if purge else dict(current_data)
        desired.update(item.data)
        for key in item.generate:
            if key in current_data:
                desired[key] = current_data[key]
            else:
                if key in item.hex:
                    desired[key] = _random.token_hex(32)
                else:
                    desired[key] = item.prefixes.get(key, item.prefix) + ''.join(
                        _random.choice(_ALPHANUMERIC) for _position in range(generate_length))
                # Every generated value, hex ones included: the caller hides them (no_log_values).
                if on_generated:
                    on_generated(desired[key])
        # Seeded keys are written once, from the value given, and never replaced afterwards (a
        # rotation writes Vault directly); an empty value is only a failure while Vault lacks the key.
        for key, value in item.seed.items():
            if key in current_data:
                desired[key] = current_data[key]
            elif value:
                desired[key] = value
            else:
                hint = (' (%s)' % item.seed_hint) if item.seed_hint else ''
                missing.append('%s/%s: %s%s' % (item.mount, item.path, key, hint))
        derived = _derive(item, desired)
        for value in derived.values():
            if on_generated:
                on_generated(value)
        desired.update(derived)
        plans.append(PathPlan(item.mount, item.path, version, current, desired))
    if missing:
        raise VaultError('Vault at %s lacks keys that must be provided, and no value was given: %s'
                         % (vault.url, '; '.join(missing)))

    to_write = [item.api_path for item in plans if item.needs_write]
    if to_write:
        caps = vault.capabilities(to_write)
        denied = [path for path in to_write if not _has(caps[path], ['create', 'update'])]
        if denied:
            raise VaultError('Vault at %s denies writing %s' % (vault.url, ', '.join(denied)))
    return plans


def apply(vault, plans, versions=None):
    """Write every plan that needs it with cas=<version read>.

    Fills and returns versions ({name: current version}) as it goes, so after a failure it holds
    exactly the paths handled so far.
    """
    versions = {} if versions is None else versions
    for item in plans:
        if not item.needs_write:
            versions[item.name] = item.version
            continue
        try:
            answer = vault.client.adapter.post('/v1/%s' % item.api_path,
                                               json={'options': {'cas': item.version}, 'data': item.desired})
        except hvac.exceptions.InvalidRequest as exc:
            if 'check-and-set' in ' '.join(str(e) for e in (exc.errors or [])):
                raise CasConflict('Vault at %s: %s changed since it was read (version %d); not overwritten. '
                                  'Rerun to compare against the new version.' % (vault.url, item.name, item.version))
            raise vault.explain(exc, 'writing %s' % item.api_path)
        except Exception as exc:  # pylint: disable=broad-except
            raise vault.explain(exc, 'writing %s' % item.api_path)
        versions[item.name] = int(answer['data']['version'])
    return versions
