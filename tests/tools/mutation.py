#!/usr/bin/env python
"""Mutation score of plugins/ against the pure-Python unit tests (mutmut, pinned in requirements.txt).

mutmut names a mutant after its file's path and matches it against the module's __module__ at run
time, so the plugins are copied into build/mutation/ansible_collections/baremetal/ai_platform/,
where the path is the import name the tests use. mutmut records which tests reach each function and
runs only those for its mutants. Tests that start ansible-playbook are left out: the playbook's
own Python process would never load the mutant.

Each mutant's tests run in the order tests/tools/mutation_order.py gives: the tests that killed
earlier mutants of the same function first (same tests, a killed mutant is known after one).

Usage: tests/tools/mutation.py [--jobs N] [--survivors] [--again | --report-only] [PATTERN...]
PATTERN (a mutant name or glob, e.g. '*.vault_kv.*') runs only those mutants of a fresh copy.
--again keeps the last run, copies the current tests in and retests only its survivors, plus the
PATTERN mutants (a quick loop while writing tests that kill them; adding tests cannot revive a
killed mutant).
Prints killed/total per file and the survivors (names for `cd build/mutation && mutmut show NAME`).
"""

import argparse
import configparser
import glob
import json
import os
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STAGE = os.path.join(REPO, 'build', 'mutation')
PACKAGE = 'ansible_collections/baremetal/ai_platform'

# What is mutated: the shared logic and the modules that hold more than argument plumbing.
MUTATE = [
    'plugins/module_utils/*.py',
    'plugins/filter/*.py',
    'plugins/modules/k8s_manifests.py',
    'plugins/modules/litellm_key.py',
    'plugins/modules/litellm_team.py',
]
# The unit tests that exercise those in-process (no ansible-playbook subprocess, and none that loads
# the CRD schemas: mutmut starts pytest afresh for every mutant, and that fixture takes seconds).
TESTS = [
    'tests/unit/plugins',
    '--deselect=tests/unit/plugins/filter/test_external_secret_render.py::test_offline_filter_output_validates_against_the_eso_crd',
]
UNUSED_PLUGINS = ('cacheprovider', 'unraisableexception', 'threadexception', 'faulthandler', 'logging', 'doctest',
                  'junitxml', 'pastebin', 'legacypath', 'stepwise', 'setuponly', 'setupplan', 'warnings', 'testinfra',
                  'hypothesispytest')
# mutmut's exit codes (mutmut.stats.status_by_exit_code): a kill is a failing test or pytest error.
KILLED, SURVIVED, TIMEOUT = (1, 3), (0,), (24, -24, 36, 152, 255)


def stage():
    """A fresh copy laid out as the import path, with what the selected tests read."""
    shutil.rmtree(STAGE, ignore_errors=True)
    os.makedirs(os.path.join(STAGE, PACKAGE))
    shutil.copytree(os.path.join(REPO, 'plugins'), os.path.join(STAGE, PACKAGE, 'plugins'),
                    ignore=shutil.ignore_patterns('__pycache__'))
    for folder in ('tests', 'inventories', 'roles'):
        shutil.copytree(os.path.join(REPO, folder), os.path.join(STAGE, folder),
                        ignore=shutil.ignore_patterns('__pycache__', 'output'))
    selected = TESTS
    cfg = configparser.ConfigParser()
    cfg['mutmut'] = {
        'source_paths': '%s/plugins' % PACKAGE,
        'only_mutate': '\n' + '\n'.join('%s/%s' % (PACKAGE, pattern) for pattern in MUTATE),
        'also_copy': '\ninventories\nroles\npytest.ini',
        'pytest_add_cli_args_test_selection': '\n' + '\n'.join(selected),
        # mutation_order (tests/tools): the tests that killed this function's mutants run first. The
        # plugins the unit tests do not use are left out: pytest starts afresh for each mutant.
        'pytest_add_cli_args': '\n' + '\n'.join(['-p', 'mutation_order'] + [
            arg for plugin in UNUSED_PLUGINS for arg in ('-p', 'no:' + plugin)]),
    }
    with open(os.path.join(STAGE, 'setup.cfg'), 'w') as handle:
        cfg.write(handle)
    # The repository's pytest.ini adds collections/ to sys.path, which would import the unmutated copy.
    with open(os.path.join(STAGE, 'pytest.ini'), 'w') as handle:
        handle.write('[pytest]\npythonpath = tests tests/tools\nmarkers =\n    offline: offline\n    live: live\n')


def score():
    """{file: counts by outcome} from mutmut's meta files."""
    results = {}
    for meta in sorted(glob.glob(os.path.join(STAGE, 'mutants', PACKAGE, 'plugins', '**', '*.py.meta'),
                                 recursive=True)):
        name = os.path.relpath(meta, os.path.join(STAGE, 'mutants', PACKAGE))[:-len('.meta')]
        with open(meta) as handle:
            codes = json.load(handle)['exit_code_by_key']
        counts = dict(total=len(codes), killed=0, survived=[], timeout=0, other=[], unchecked=[])
        for key, code in sorted(codes.items()):
            if code in KILLED:
                counts['killed'] += 1
            elif code in TIMEOUT:
                counts['timeout'] += 1  # an endless loop is caught by the tests too
            elif code in SURVIVED:
                counts['survived'].append(key)
            elif code is None:
                counts['unchecked'].append(key)  # the run was stopped before this one
            else:
                counts['other'].append('%s (exit %s)' % (key, code))
        if codes:
            results[name] = counts
    return results


def report(results, verbose):
    # score = killed / (mutants the run reached); 'no tests' mutants count as survivors.
    print('\n%-42s %7s %7s %9s %9s %7s' % ('file', 'mutants', 'killed', 'survived', 'unchecked', 'score'))
    totals = {}
    for name, counts in sorted(results.items()):
        caught = counts['killed'] + counts['timeout']
        reached = counts['total'] - len(counts['unchecked'])
        print('%-42s %7d %7d %9d %9d %6.1f%%' % (name, counts['total'], caught, reached - caught, len(counts['unchecked']),
                                                 100.0 * caught / max(reached, 1)))
        total = totals.setdefault(os.path.dirname(name), [0, 0, 0])
        total[0] += counts['total']
        total[1] += caught
        total[2] += reached
    for group, (total, caught, reached) in sorted(totals.items()):
        print('%-42s %7d %7d %9d %9d %6.1f%%' % (group + '/ (all)', total, caught, reached - caught, total - reached,
                                                 100.0 * caught / max(reached, 1)))
    if verbose:
        for name, counts in sorted(results.items()):
            for key in counts['survived'] + counts['other']:
                print('survived: %s' % key)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    parser.add_argument('--report-only', action='store_true', help='print the last run\'s scores')
    parser.add_argument('--survivors', action='store_true', help='list every surviving mutant')
    parser.add_argument('--again', action='store_true', help="retest the last run's survivors with the current tests")
    parser.add_argument('patterns', nargs='*', help='only these mutant names or globs (e.g. *.manifests.*); with '
                                                    '--again, these besides the survivors')
    args = parser.parse_args()
    if not args.report_only:
        start = time.time()
        load = os.getloadavg()[0]
        names = list(args.patterns)
        if args.again:
            names += [key.split(' ')[0] for counts in score().values() for key in counts['survived'] + counts['other']]
            shutil.rmtree(os.path.join(STAGE, 'tests'))
            shutil.copytree(os.path.join(REPO, 'tests'), os.path.join(STAGE, 'tests'),
                            ignore=shutil.ignore_patterns('__pycache__', 'output'))
        else:
            stage()
        os.makedirs(os.path.join(STAGE, 'kills'), exist_ok=True)
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1', MUTATION_KILLS_DIR=os.path.join(STAGE, 'kills'))
        mutmut = os.path.join(os.path.dirname(sys.executable), 'mutmut')
        proc = subprocess.run([mutmut, 'run', '--max-children', str(args.jobs)] + names, cwd=STAGE, env=env,
                              stdout=subprocess.DEVNULL if names else None, check=False)
        # The machine may be shared: the load says how much of it the run had.
        print('mutmut run: exit %d in %.0f s (staging included); load average %.1f before, %.1f after'
              % (proc.returncode, time.time() - start, load, os.getloadavg()[0]))
        if proc.returncode != 0:
            return proc.returncode
    report(score(), args.survivors)
    return 0


if __name__ == '__main__':
    sys.exit(main())
