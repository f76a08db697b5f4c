#!/usr/bin/env python
"""Benchmark (not a timed test): litellm_team with 1,000 teams against the management stand-in.

Prints the HTTP requests the module made, the writes the stand-in saw and the wall time, for the
first run (creates every team) and a no-op rerun: once through ansible-playbook (what a user waits
for) and once calling the module's reconcile() in-process (the API work alone).

    .venv/bin/python tests/bench/bench_litellm_team.py [--teams 1000]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / 'tests'), str(REPO / 'tests' / 'integration' / 'roles' / 'litellm'), str(REPO / 'collections')]

from management import STANDIN_KEY, StandIn, run_manage  # noqa: E402

from ansible_collections.baremetal.ai_platform.plugins.module_utils.litellm_api import LiteLLMClient  # noqa: E402
from ansible_collections.baremetal.ai_platform.plugins.modules.litellm_team import reconcile  # noqa: E402


def in_process(standin, teams):
    """reconcile() with the module's defaults filled in, timed without Ansible around it."""
    items = [dict({'unlimited': False, 'state': 'present'}, **team) for team in teams]
    client = LiteLLMClient(standin.url, STANDIN_KEY)
    start = time.monotonic()
    reconcile(client, items, check_mode=False)
    return client.requests, client.writes, time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--teams', type=int, default=1000)
    args = parser.parse_args()
    teams = [{'team_id': 'bench-%04d' % i, 'team_alias': 'bench-%04d' % i, 'models': ['fast', 'local'],
              'max_budget': 10.0 + i % 7, 'budget_duration': '1d', 'rpm_limit': 100, 'tpm_limit': 100000,
              'metadata': {'tags': ['team:bench-%04d' % i]}} for i in range(args.teams)]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        standin = StandIn(workdir)
        try:
            print('%-24s %8s %8s %8s' % ('run', 'requests', 'writes', 'wall_s'))
            for label in ('playbook first', 'playbook rerun'):
                before = len(standin.control('stats')['calls'])
                start = time.monotonic()
                results, _out = run_manage(workdir, standin.url, STANDIN_KEY, teams=teams)
                wall = time.monotonic() - start
                calls = standin.control('stats')['calls'][before:]
                writes = len(standin.writes({'calls': calls}))
                print('%-24s %8d %8d %8.2f' % (label, results['teams']['requests'], writes, wall))
            standin.control('reset')
            for label in ('in-process first', 'in-process rerun'):
                print('%-24s %8d %8d %8.2f' % ((label,) + in_process(standin, teams)))
        finally:
            standin.stop()


if __name__ == '__main__':
    os.chdir(REPO)
    main()
