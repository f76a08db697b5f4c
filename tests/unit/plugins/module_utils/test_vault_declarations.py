"""Pure logic of the vault modules: declaration checks, masked diffs, field comparison (offline)."""

import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils.vault import VaultError
from ansible_collections.baremetal.ai_platform.plugins.module_utils.vault_kv import (
    MASK, MASK_CHANGED, PathPlan, normalise)
from ansible_collections.baremetal.ai_platform.plugins.modules.vault_sys_config import same


@pytest.mark.offline
def test_offline_normalise_cleans_paths_and_refuses_duplicates_and_conflicts():
    [item] = normalise([{'path': '/a/b/', 'data': {'k': 'v'}}], 'secret')
    assert (item.mount, item.path, item.data, item.generate, item.prefix, item.seed, item.derive) == (
        'secret', 'a/b', {'k': 'v'}, [], '', {}, {})
    with pytest.raises(VaultError, match='secret secret/a is declared twice'):
        normalise([{'path': 'a'}, {'path': '/a'}], 'secret')
    with pytest.raises(VaultError, match='keys k are both given and generated'):
        normalise([{'path': 'a', 'data': {'k': 'v'}, 'generate': ['k']}], 'secret')
    with pytest.raises(VaultError, match='keys u are both generated and derived'):
        normalise([{'path': 'a', 'generate': ['u'], 'derive': {'u': '{p}'}}], 'secret')


@pytest.mark.offline
def test_offline_masked_diff_names_changed_keys_and_shows_no_value():
    plan = PathPlan('secret', 'p', 3, {'same': 'v1-secret', 'old': 'v2-secret'},
                    {'same': 'v1-secret', 'old': 'v3-secret', 'new': 'v4-secret'})
    before, after = plan.masked_diff()
    assert before == {'same': MASK, 'old': MASK}
    assert after == {'same': MASK, 'old': MASK_CHANGED, 'new': MASK_CHANGED}
    assert plan.needs_write and plan.name == 'secret/p' and plan.api_path == 'secret/data/p'
    assert not PathPlan('secret', 'p', 1, {'k': 'v'}, {'k': 'v'}).needs_write


@pytest.mark.offline
@pytest.mark.parametrize('want, have, equal', [
    (['b', 'a'], ['a', 'b'], True),            # lists compare as sets (Vault may reorder)
    (['a'], 'a', True),                          # Vault returns some lists as comma strings
    (3600, 3600, True),
    ('3600', 3600, True),
    (True, 'true', True),
    ({'version': '2'}, {'version': '2', 'other': 'x'}, True),  # only declared keys count
    ({'version': '2'}, {'version': '1'}, False),
    (['a'], None, False),
    ('x', None, False),
])
def test_offline_same_compares_declared_fields_the_way_vault_returns_them(want, have, equal):
    assert same(want, have) is equal
