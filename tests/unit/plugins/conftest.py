"""Modules run in-process for the unit tier (see helpers.run_module_in_process)."""

import pytest

from helpers import run_module_in_process


@pytest.fixture
def run_module():
    """run_module(main, args, check_mode=False, diff=False) -> (failed, raw result)."""
    return run_module_in_process
