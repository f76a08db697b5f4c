"""Fixtures every tier shares. Area fixtures (services on loopback) live in each folder's conftest."""

import pytest

from helpers import CRD_DIR, K8S_MINOR, REPO


@pytest.fixture(scope='session')
def repo():
    return REPO


@pytest.fixture(scope='session')
def manifest_validator():
    """The validator CI runs over rendered output (CRDs from $AI_PLATFORM_CRD_DIR)."""
    import os
    import sys
    sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
    from validate_manifests import Validator
    return Validator(CRD_DIR, K8S_MINOR)
