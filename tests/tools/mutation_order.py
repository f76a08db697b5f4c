"""pytest plugin for `make mutation` only (tests/tools/mutation.py loads it with -p): runs first the
tests that killed earlier mutants of the same function, then those that killed mutants elsewhere in
the same file. mutmut runs each mutant's tests with -x, so a killed mutant stops at the first test
that fails; in duration order a platform_model mutant would often run a hundred passing checks
first. Only the order changes, never which tests run: a survivor still runs every test that
reaches its function. The kills are kept in $MUTATION_KILLS_DIR, one file per function and one per
source file, a test id per kill."""

import os
from collections import Counter

import pytest


def _files():
    """(function file, source file file) of the mutant under test, or None outside a mutant run."""
    folder = os.environ.get('MUTATION_KILLS_DIR')
    mutant = os.environ.get('MUTANT_UNDER_TEST', '')
    if not folder or '__mutmut_' not in mutant:
        return None
    function = mutant.rsplit('__mutmut_', 1)[0]  # ...platform_model.x__check_vip or ...vault.xǁVaultǁread
    module = function.rsplit('.', 1)[0]
    return os.path.join(folder, function), os.path.join(folder, module)


def _kills(path):
    try:
        with open(path) as handle:
            return Counter(line.strip() for line in handle)
    except FileNotFoundError:
        return Counter()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    files = _files()
    if files is None:
        return
    by_function, by_module = _kills(files[0]), _kills(files[1])
    position = dict((id(item), index) for index, item in enumerate(items))
    items.sort(key=lambda item: (-by_function[item.nodeid], -by_module[item.nodeid], position[id(item)]))


def pytest_runtest_logreport(report):
    files = _files()
    if files is None or not report.failed:
        return
    for path in files:
        # One short line per append: O_APPEND keeps the two workers' lines whole.
        with open(path, 'a') as handle:
            handle.write(report.nodeid + '\n')
