"""vault_kv's plan and apply against an in-memory KV v2 (real OpenBao runs in tests/integration/roles/vault):
what is read, what would be written, cas on every write, masked diffs, and the refusals."""

import pytest

import hvac.exceptions

from ansible_collections.baremetal.ai_platform.plugins.module_utils import vault_kv
from ansible_collections.baremetal.ai_platform.plugins.module_utils.vault import CasConflict, VaultError


class Kv(object):
    """KV v2 as plan/apply use it: data/ and metadata/ reads, capabilities, cas-checked writes."""

    url = 'http://vault.test:8200'

    def __init__(self, secrets=None, caps=None):
        self.versions = {}  # api path 'mount/data/path' -> list of data dicts
        for path, data in (secrets or {}).items():
            self.versions['secret/data/%s' % path] = [data]
        self.caps = caps or {}
        self.posts = []
        self.mounts = []
        self.client = type('Client', (), {'adapter': self})()

    def require_kv2_mount(self, mount):
        self.mounts.append(mount)

    def capabilities(self, paths):
        return dict((path, self.caps.get(path, ['root'])) for path in paths)

    def read(self, path):
        history = self.versions.get(path)
        if not history or history[-1] is None:
            return None
        return {'data': {'data': dict(history[-1]), 'metadata': {'version': len(history)}}}

    def get(self, url):
        history = self.versions.get(url[len('/v1/'):].replace('/metadata/', '/data/', 1))
        if not history:
            raise hvac.exceptions.InvalidPath()
        return {'data': {'current_version': len(history)}}

    def post(self, url, json):
        history = self.versions.setdefault(url[len('/v1/'):], [])
        self.posts.append((url, json))
        if json['options']['cas'] != len(history):
            raise hvac.exceptions.InvalidRequest(errors=['check-and-set parameter did not match the current version'])
        history.append(dict(json['data']))
        return {'data': {'version': len(history)}}

    def explain(self, exc, doing):
        return VaultError('Vault at %s: %s failed: %s' % (self.url, doing, exc))


def test_plan_reads_compares_and_apply_writes_only_what_differs_with_cas():
    kv = Kv({'p/same': {'k': 'v'}, 'p/changed': {'k': 'old', 'other': 'kept'}})
    declared = [{'path': '/p/same/', 'data': {'k': 'v'}}, {'path': 'p/changed', 'data': {'k': 'new'}},
                {'path': 'p/new', 'data': {'a': 'b'}}]
    plans = vault_kv.plan(kv, declared)
    assert kv.mounts == ['secret']
    assert [(p.name, p.version, p.needs_write) for p in plans] == [
        ('secret/p/same', 1, False), ('secret/p/changed', 1, True), ('secret/p/new', 0, True)]
    assert plans[1].desired == {'k': 'new', 'other': 'kept'}
    versions = vault_kv.apply(kv, plans)
    assert versions == {'secret/p/same': 1, 'secret/p/changed': 2, 'secret/p/new': 1}
    assert kv.posts == [('/v1/secret/data/p/changed', {'options': {'cas': 1}, 'data': {'k': 'new', 'other': 'kept'}}),
                        ('/v1/secret/data/p/new', {'options': {'cas': 0}, 'data': {'a': 'b'}})]
    assert not any(p.needs_write for p in vault_kv.plan(kv, declared))


def test_purge_drops_undeclared_keys_and_mount_is_per_secret():
    kv = Kv({'p': {'k': 'v', 'stale': 'x'}})
    plans = vault_kv.plan(kv, [{'path': 'p', 'data': {'k': 'v'}}, {'path': 'q', 'mount': '/other/'}], purge=True)
    assert plans[0].desired == {'k': 'v'} and plans[0].needs_write
    assert plans[1].name == 'other/q' and kv.mounts == ['other', 'secret']


def test_generated_values_are_made_once_with_prefix_and_length_and_reported():
    kv = Kv({'agents/a': {'nats_password': 'existing'}})
    seen = []
    plans = vault_kv.plan(kv, [{'path': 'agents/a', 'generate': ['nats_password', 'litellm_key'], 'generate_prefix': 'sk-'}],
                          generate_length=12, on_generated=seen.append)
    desired = plans[0].desired
    assert desired['nats_password'] == 'existing'
    assert desired['litellm_key'].startswith('sk-') and len(desired['litellm_key']) == 15
    assert desired['litellm_key'][3:].isalnum() and seen == [desired['litellm_key']]
    before, after = plans[0].masked_diff()
    assert before == {'nats_password': vault_kv.MASK}
    assert after == {'nats_password': vault_kv.MASK, 'litellm_key': vault_kv.MASK_CHANGED}
    vault_kv.apply(kv, plans)
    again = vault_kv.plan(kv, [{'path': 'agents/a', 'generate': ['nats_password', 'litellm_key']}], on_generated=seen.append)
    assert not again[0].needs_write and len(seen) == 1


def test_deleted_current_version_still_gets_its_version_as_cas():
    kv = Kv({'p': {'k': 'v'}})
    kv.versions['secret/data/p'].append(None)  # version 2 deleted
    plans = vault_kv.plan(kv, [{'path': 'p', 'data': {'k': 'v'}}])
    assert (plans[0].version, plans[0].current, plans[0].needs_write) == (2, None, True)


def test_concurrent_change_is_a_cas_conflict_not_an_overwrite():
    kv = Kv({'p': {'k': 'v'}})
    plans = vault_kv.plan(kv, [{'path': 'p', 'data': {'k': 'mine'}}])
    kv.versions['secret/data/p'].append({'k': 'theirs'})
    versions = {}
    with pytest.raises(CasConflict, match=r'secret/p changed since it was read \(version 1\); not overwritten'):
        vault_kv.apply(kv, plans, versions)
    assert kv.read('secret/data/p')['data']['data'] == {'k': 'theirs'} and versions == {}


def test_denied_read_or_write_is_refused_before_anything_is_written():
    kv = Kv({'p': {'k': 'v'}}, caps={'secret/data/p': ['deny']})
    with pytest.raises(VaultError, match='denies reading secret/data/p'):
        vault_kv.plan(kv, [{'path': 'p', 'data': {'k': 'v'}}])
    kv = Kv({'p': {'k': 'v'}}, caps={'secret/data/p': ['read'], 'secret/data/q': ['read', 'create']})
    assert vault_kv.plan(kv, [{'path': 'p', 'data': {'k': 'v'}}])[0].needs_write is False
    assert vault_kv.plan(kv, [{'path': 'q', 'data': {'k': 'v'}}])[0].needs_write
    with pytest.raises(VaultError, match='denies writing secret/data/p'):
        vault_kv.plan(kv, [{'path': 'p', 'data': {'k': 'other'}}])
    assert kv.posts == []


def test_normalise_defaults_and_refusals():
    [item] = vault_kv.normalise([{'path': 'a', 'mount': None, 'generate': None, 'generate_prefix': None,
                                  'generate_prefixes': None, 'generate_hex': None, 'seed': None, 'derive': None,
                                  'seed_hint': None}], '/kv/')
    assert (item.mount, item.path, item.data, item.generate, item.prefix, item.prefixes, item.hex, item.seed,
            item.derive, item.seed_hint) == ('kv', 'a', {}, [], '', {}, [], {}, {}, '')
    with pytest.raises(VaultError, match='secret kv/a is declared twice'):
        vault_kv.normalise([{'path': 'a', 'mount': 'kv'}, {'path': 'a'}], 'kv')
    assert len(vault_kv.normalise([{'path': 'a', 'mount': 'one'}, {'path': 'a', 'mount': 'two'}], 'kv')) == 2


def test_plan_names_and_masked_diff_of_a_removed_key():
    plan = vault_kv.PathPlan('secret', 'a/b', 4, {'gone': 'x', 'kept': 'y'}, {'kept': 'y'})
    assert (plan.name, plan.api_path, plan.needs_write) == ('secret/a/b', 'secret/data/a/b', True)
    assert plan.masked_diff() == ({'gone': vault_kv.MASK, 'kept': vault_kv.MASK}, {'kept': vault_kv.MASK})
    assert vault_kv.PathPlan('s', 'p', 0, None, {'k': 'v'}).masked_diff() == ({}, {'k': vault_kv.MASK_CHANGED})


def test_a_new_key_is_shown_as_new_even_when_its_value_is_empty():
    assert vault_kv.PathPlan('s', 'p', 1, {'old': None}, {'old': None, 'k': None}).masked_diff()[1] == {
        'old': vault_kv.MASK, 'k': vault_kv.MASK_CHANGED}


def test_apply_fills_the_callers_versions_as_it_goes():
    kv = Kv({'p': {'k': 'v'}})
    versions = {'earlier/path': 7}
    returned = vault_kv.apply(kv, vault_kv.plan(kv, [{'path': 'p', 'data': {'k': 'w'}}, {'path': 'q'}]), versions)
    assert returned is versions and versions == {'earlier/path': 7, 'secret/p': 2, 'secret/q': 1}


def test_cas_conflict_message_names_address_path_and_what_to_do():
    kv = Kv({'p': {'k': 'v'}})
    plans = vault_kv.plan(kv, [{'path': 'p', 'data': {'k': 'mine'}}])
    kv.versions['secret/data/p'].append({'k': 'theirs'})
    with pytest.raises(CasConflict) as info:
        vault_kv.apply(kv, plans)
    assert str(info.value) == ('Vault at http://vault.test:8200: secret/p changed since it was read (version 1); '
                               'not overwritten. Rerun to compare against the new version.')


@pytest.mark.parametrize('error', [hvac.exceptions.InvalidRequest(errors=['permission denied on field']),
                                   hvac.exceptions.InternalServerError('down')])
def test_other_write_errors_are_worded_with_the_path(error):
    kv = Kv()
    plans = vault_kv.plan(kv, [{'path': 'p', 'data': {'k': 'v'}}])

    def fail(url, json):
        raise error
    kv.post = fail
    with pytest.raises(VaultError) as info:
        vault_kv.apply(kv, plans)
    assert not isinstance(info.value, CasConflict)
    assert str(info.value) == "Vault at http://vault.test:8200: writing secret/data/p failed: %s" % error


def test_seeded_keys_are_written_once_and_never_replaced():
    kv = Kv({'p': {'admin': 'rotated-in-vault'}})
    seeds = {'admin': 'from-inventory', 'api': 'given-once'}
    [plan] = vault_kv.plan(kv, [{'path': 'p', 'seed': seeds}])
    assert plan.desired == {'admin': 'rotated-in-vault', 'api': 'given-once'}


def test_missing_seeds_are_all_named_with_their_hint_before_anything_is_written():
    kv = Kv({'p': {'kept': 'x'}})
    declared = [{'path': 'p', 'seed': {'kept': '', 'token': ''}, 'seed_hint': 'vault_admin_token'},
                {'path': 'q', 'seed': {'password': None}}]
    with pytest.raises(VaultError) as info:
        vault_kv.plan(kv, declared)
    assert str(info.value) == ('Vault at http://vault.test:8200 lacks keys that must be provided, and no value was '
                               'given: secret/p: token (vault_admin_token); secret/q: password')
    assert kv.posts == []


def test_hex_keys_and_per_key_prefixes_and_every_generated_value_reported():
    kv = Kv()
    seen = []
    [plan] = vault_kv.plan(kv, [{'path': 'p', 'generate': ['hex', 'key', 'plain'], 'generate_hex': ['hex'],
                                 'generate_prefix': 'x-', 'generate_prefixes': {'key': 'sk-'}}],
                           generate_length=10, on_generated=seen.append)
    desired = plan.desired
    assert len(desired['hex']) == 64 and int(desired['hex'], 16) >= 0
    assert desired['key'].startswith('sk-') and len(desired['key']) == 13
    assert desired['plain'].startswith('x-') and len(desired['plain']) == 12
    assert sorted(seen) == sorted(desired.values())


def test_derived_keys_follow_the_other_keys_and_are_reported():
    kv = Kv({'p': {'user': 'app', 'password': 'old'}})
    seen = []
    [plan] = vault_kv.plan(kv, [{'path': 'p', 'data': {'user': 'app', 'password': 'new'},
                                 'derive': {'url': 'postgres://{user}:{password}@db:5432/app'}}],
                           on_generated=seen.append)
    assert plan.desired['url'] == 'postgres://app:new@db:5432/app' and seen == ['postgres://app:new@db:5432/app']


def test_derived_key_naming_an_absent_key_is_refused_naming_both():
    with pytest.raises(VaultError) as info:
        vault_kv.plan(Kv(), [{'path': 'p', 'data': {'user': 'app'}, 'derive': {'url': '{user}:{password}'}}])
    assert str(info.value) == "secret secret/p: derived key url cannot be built from its keys (KeyError: 'password')"


def test_a_key_declared_two_ways_is_refused_naming_keys_and_ways():
    with pytest.raises(VaultError) as info:
        vault_kv.normalise([{'path': '/p/', 'mount': 'kv/', 'data': {'b': '1', 'a': '2'}, 'seed': {'a': '', 'b': ''}}],
                           'secret')
    assert str(info.value) == 'secret kv/p: keys a, b are both given and seeded'
    with pytest.raises(VaultError, match='keys k are both seeded and derived'):
        vault_kv.normalise([{'path': 'p', 'seed': {'k': ''}, 'derive': {'k': '{x}'}}], 'secret')


def test_refusals_name_every_path_in_one_message():
    kv = Kv(caps={'secret/data/a': ['deny'], 'secret/data/b': ['deny']})
    with pytest.raises(VaultError) as info:
        vault_kv.plan(kv, [{'path': 'a'}, {'path': 'b'}])
    assert str(info.value) == 'Vault at http://vault.test:8200 denies reading secret/data/a, secret/data/b'
    kv = Kv(caps={'secret/data/a': ['read', 'update'], 'secret/data/b': ['read'], 'secret/data/c': ['read']})
    with pytest.raises(VaultError) as info:
        vault_kv.plan(kv, [{'path': name, 'data': {'k': 'v'}} for name in 'abc'])
    assert str(info.value) == 'Vault at http://vault.test:8200 denies writing secret/data/b, secret/data/c'


def test_unreadable_metadata_is_worded_with_the_path_and_the_cause():
    kv = Kv()
    error = hvac.exceptions.InternalServerError('sealed')

    def fail(url):
        raise error
    kv.get = fail
    with pytest.raises(VaultError) as info:
        vault_kv.plan(kv, [{'path': 'p', 'data': {'k': 'v'}}])
    assert str(info.value) == 'Vault at http://vault.test:8200: reading secret/metadata/p failed: %s' % error


def test_paths_lose_only_their_slashes_and_generated_values_default_to_32_characters():
    [item] = vault_kv.normalise([{'path': '/ai/X/', 'mount': '/kvX/'}], 'secret')
    assert (item.mount, item.path) == ('kvX', 'ai/X')
    [plan] = vault_kv.plan(Kv(), [{'path': 'p', 'generate': ['k']}])
    assert len(plan.desired['k']) == 32


def test_a_secret_declared_twice_is_refused_naming_it():
    with pytest.raises(VaultError) as info:
        vault_kv.normalise([{'path': 'a/'}, {'path': '/a'}], 'kv')
    assert str(info.value) == 'secret kv/a is declared twice'
