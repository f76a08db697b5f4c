"""pytest plugin for `make mutation` only (tests/tools/mutation.py loads it with -p); it changes neither
which tests a mutant runs nor what they do, only how fast a killed mutant is known.

- Order: the test that killed this very mutant in an earlier run, then the tests that killed other
  mutants of its function, then those whose id shares a word with the function's name (_check_email:
  'email to not an address'), then those that killed mutants elsewhere in its file, then mutmut's
  order (fastest first). mutmut runs a mutant's tests with -x, so a killed mutant stops at the first
  failure; in duration order a platform_model mutant would often run a hundred passing checks first.
  A survivor still runs every test. The kills are kept in $MUTATION_KILLS_DIR across runs, one file
  per function ('<mutant> <test id>' a line) and one per source file (a test id a line).
- Collection: mutmut names each test by its id, several hundred for a platform_model function, and
  pytest resolves each id on its own (0.2 s of each mutant's 0.5 s). The ids' files are collected
  instead and the items narrowed to those ids.
- Dispatch: every call of a mutated function asks mutmut's trampoline which mutant is active, and it
  reads os.environ twice to answer (a third of a platform_model test's time). The answer is fixed for
  the life of a mutant's pytest process, so the lookup is pinned to it.
"""

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


# Words of a function's name that say nothing about what it checks.
_NAME_NOISE = {'x', 'check', 'is', 'parse', 'problem', 'mutmut', 'orig', 'init', 'self', ''}


def _words(function):
    """Words of the function's name: ...platform_model.x__check_email -> {'email'}; plural or not."""
    name = function.rsplit('.', 1)[1].replace('ǁ', '_').lower()
    words = set(word for word in name.split('_') if word not in _NAME_NOISE)
    return words | set(word[:-1] for word in words if word.endswith('s') and len(word) > 3)


def _kills(path):
    """[(mutant or None, test id)] recorded in a kills file."""
    try:
        with open(path) as handle:
            return [tuple(line.rstrip('\n').split('\t', 1)) if '\t' in line else (None, line.rstrip('\n'))
                    for line in handle]
    except OSError:
        return []


def _pin_mutant_under_test():
    try:
        from mutmut.mutation import trampoline
    except ImportError:  # mutmut's layout changed: run unpinned, only slower
        return
    mutant = os.environ['MUTANT_UNDER_TEST']
    trampoline.get_mutant_under_test = lambda: mutant


def pytest_configure(config):
    if _files() is None:
        return
    _pin_mutant_under_test()
    if not config.args or not all('::' in arg for arg in config.args):
        return
    config.mutation_test_ids = dict((test_id, index) for index, test_id in reversed(list(enumerate(config.args))))
    config.args[:] = sorted(set(arg.split('::')[0] for arg in config.args))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    files = _files()
    if files is None:
        return
    wanted = getattr(config, 'mutation_test_ids', None)
    if wanted is None:
        position = dict((id(item), index) for index, item in enumerate(items))
    else:
        unwanted = [item for item in items if item.nodeid not in wanted]
        if unwanted:
            config.hook.pytest_deselected(items=unwanted)
        items[:] = [item for item in items if item.nodeid in wanted]
        position = dict((id(item), wanted[item.nodeid]) for item in items)
    mutant = os.environ['MUTANT_UNDER_TEST']
    function_kills = _kills(files[0])
    by_mutant = set(test for killed, test in function_kills if killed == mutant)
    by_function = Counter(test for _killed, test in function_kills)
    by_module = Counter(test for _killed, test in _kills(files[1]))
    words = _words(os.path.basename(files[0]))
    items.sort(key=lambda item: (item.nodeid not in by_mutant, -by_function[item.nodeid],
                                 -sum(word in item.nodeid.lower() for word in words), -by_module[item.nodeid],
                                 position[id(item)]))


def pytest_runtest_logreport(report):
    files = _files()
    if files is None or not report.failed:
        return
    # An error here would end pytest with exit code 3, which mutmut counts as a kill: never raise.
    lines = ('%s\t%s\n' % (os.environ['MUTANT_UNDER_TEST'], report.nodeid), report.nodeid + '\n')
    for path, line in zip(files, lines):
        try:
            # One short line per append: O_APPEND keeps the two workers' lines whole.
            with open(path, 'a') as handle:
                handle.write(line)
        except OSError:
            pass
