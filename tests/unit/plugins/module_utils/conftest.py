"""The fixture the platform_model tests share."""

import pytest

from unit.plugins.module_utils.example_inventory import fresh_example


@pytest.fixture
def model():
    """A copy of the example inventory's variables, for the test to change."""
    return fresh_example()
