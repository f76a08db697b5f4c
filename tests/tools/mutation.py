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
import ast
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
# Which tests killed which mutants, kept across runs (the order of a mutant's tests, nothing more).
KILLS = os.path.join(REPO, 'build', 'mutation-kills')
PACKAGE = 'ansible_collections/baremetal/ai_platform'

# What is mutated: the shared logic, and the one module whose own code decides what is written
# (k8s_manifests' stale-file removal). litellm_key and litellm_team are left out to fit 20 minutes on
# 2 cores: their logic is in module_utils (litellm_api), the rest is API plumbing that the integration
# tier runs against the management-API stand-in.
MUTATE = [
    'plugins/module_utils/*.py',
    'plugins/filter/*.py',
    'plugins/modules/k8s_manifests.py',
]
# The unit tests that exercise those in-process (no ansible-playbook subprocess, and none that loads
# the CRD schemas: mutmut starts pytest afresh for every mutant, and that fixture takes seconds).
TESTS = [
    'tests/unit/plugins',
    '--deselect=tests/unit/plugins/filter/test_external_secret_render.py::test_offline_filter_output_validates_against_the_eso_crd',
]
# pytest's own plugins the unit tests do not use (installed ones are not loaded at all: the run sets
# PYTEST_DISABLE_PLUGIN_AUTOLOAD).
UNUSED_PLUGINS = ('cacheprovider', 'unraisableexception', 'threadexception', 'faulthandler', 'logging', 'doctest',
                  'junitxml', 'pastebin', 'legacypath', 'stepwise', 'setuponly', 'setupplan', 'warnings')
# mutmut's exit codes (mutmut.stats.status_by_exit_code): a kill is a failing test or pytest error.
KILLED, SURVIVED, TIMEOUT, SKIPPED = (1, 3), (0,), (24, -24, 36, 152, 255), 34
# The first run generates the mutants and the test statistics and tests only these (cheap) mutants.
FIRST = '*.cron_interval_seconds.*'


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


def _functions(path):
    """{mutmut function name: its body lines} of a mutated file."""
    with open(path) as handle:
        lines = handle.read().splitlines()
    functions = {}
    for node in ast.parse('\n'.join(lines)).body:
        for item in [node] + (node.body if isinstance(node, ast.ClassDef) else []):
            if isinstance(item, ast.FunctionDef) and '__mutmut_' in item.name:
                functions[item.name] = lines[item.lineno:item.end_lineno]
    return functions


# Flags whose callee reads them only as a truth value: False and None mean the same to it (the
# validation's _Checker and AnsibleModule for required; parse_number, parse_money and
# ipaddress.ip_network for strict).
_FALSY_FLAGS = ('required', 'strict')


def _unrunnable(original, mutant):
    """Why a one-line mutant need not run, or None.

    - An upper- or lower-case variant of a string literal (the XX-wrapped one stays): a test that tells
      the XX one apart sees the literal's text (a message compared whole, a key looked up) and tells
      the case variants apart too; where the code ignores case they are equivalent. About a fifth of
      all mutants.
    - A flag=False turned into flag=None, for the flags above: equivalent.
    """
    if original.lower() == mutant.lower():
        return 'case'
    for flag in _FALSY_FLAGS:
        if '%s=None' % flag not in original and mutant.replace('%s=None' % flag, '%s=False' % flag) == original:
            return 'falsy'
    return None


def skip_unrunnable():
    """Mark the mutants _unrunnable names as skipped; {reason: count}."""
    skipped = {'case': 0, 'falsy': 0}
    for meta in glob.glob(os.path.join(STAGE, 'mutants', PACKAGE, 'plugins', '**', '*.py.meta'), recursive=True):
        functions = _functions(meta[:-len('.meta')])
        with open(meta) as handle:
            data = json.load(handle)
        for key, code in data['exit_code_by_key'].items():
            base, number = key.rsplit('.', 1)[1].rsplit('__mutmut_', 1)
            mutant, original = functions[base + '__mutmut_' + number], functions[base + '__mutmut_orig']
            changed = [(old, new) for old, new in zip(original, mutant) if old != new]
            reason = _unrunnable(*changed[0]) if code is None and len(mutant) == len(original) and \
                len(changed) == 1 else None
            if reason:
                data['exit_code_by_key'][key] = SKIPPED
                skipped[reason] += 1
        with open(meta, 'w') as handle:
            json.dump(data, handle)
    return skipped


def score():
    """{file: counts by outcome} from mutmut's meta files."""
    results = {}
    for meta in sorted(glob.glob(os.path.join(STAGE, 'mutants', PACKAGE, 'plugins', '**', '*.py.meta'),
                                 recursive=True)):
        name = os.path.relpath(meta, os.path.join(STAGE, 'mutants', PACKAGE))[:-len('.meta')]
        with open(meta) as handle:
            data = json.load(handle)
        codes = data['exit_code_by_key']
        # Seconds of test runs (mutmut times each mutant's tests): where a run's time goes, by file.
        counts = dict(total=len(codes), killed=0, survived=[], timeout=0, other=[], unchecked=[], skipped=0,
                      seconds=sum(data.get('durations_by_key', {}).values()))
        for key, code in sorted(codes.items()):
            if code == SKIPPED:
                counts['skipped'] += 1
            elif code in KILLED:
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
    # score = killed / mutants run (a mutant no test reaches counts as a survivor); skipped: see _unrunnable.
    row = '%-42s %7s %7s %7s %9s %9s %8s %7s'
    print('\n' + row % ('file', 'mutants', 'skipped', 'killed', 'survived', 'unchecked', 'test s', 'score'))
    totals = {}
    for name, counts in sorted(results.items()):
        caught = counts['killed'] + counts['timeout']
        reached = counts['total'] - counts['skipped'] - len(counts['unchecked'])
        line = [counts['total'], counts['skipped'], caught, reached - caught, len(counts['unchecked']),
                int(counts['seconds'])]
        print(row % tuple([name] + line + ['%.1f%%' % (100.0 * caught / max(reached, 1))]))
        total = totals.setdefault(os.path.dirname(name), [0] * len(line))
        for index, value in enumerate(line):
            total[index] += value
    for group, line in sorted(totals.items()):
        print(row % tuple([group + '/ (all)'] + line + ['%.1f%%' % (100.0 * line[2] / max(line[2] + line[3], 1))]))
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
        os.makedirs(KILLS, exist_ok=True)
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1', MUTATION_KILLS_DIR=KILLS, PYTEST_DISABLE_PLUGIN_AUTOLOAD='1')
        mutmut = [os.path.join(os.path.dirname(sys.executable), 'mutmut'), 'run', '--max-children', str(args.jobs)]
        if not names:
            # Generate the mutants (and run a few), mark the ones that need not run, then run the rest.
            proc = subprocess.run(mutmut + [FIRST], cwd=STAGE, env=env, stdout=subprocess.DEVNULL, check=False)
            if proc.returncode != 0:
                return proc.returncode
            print('skipped %(case)d upper- and lower-case variants of string literals and %(falsy)d flag=False '
                  'made flag=None' % skip_unrunnable())
        proc = subprocess.run(mutmut + names, cwd=STAGE, env=env, stdout=subprocess.DEVNULL if names else None,
                              check=False)
        # The machine may be shared: the load says how much of it the run had.
        print('mutmut run: exit %d in %.0f s (staging included); load average %.1f before, %.1f after'
              % (proc.returncode, time.time() - start, load, os.getloadavg()[0]))
        if proc.returncode != 0:
            return proc.returncode
    report(score(), args.survivors)
    return 0


if __name__ == '__main__':
    sys.exit(main())
