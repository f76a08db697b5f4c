#!/usr/bin/env python
"""Benchmark (not a timed test): litellm_team with 1,000 teams against the management stand-in.

Prints the HTTP requests the module made, the writes the stand-in saw and the wall time of the
ansible-playbook run, for the first run (creates every team) and a no-op rerun.

    .venv/bin/python tests/bench/bench_litellm_team.py [--teams 1000]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / 'tests'), str(REPO / 'tests' / 'integration' / 'gateway'), str(REPO / 'collections')]

from management import STANDIN_KEY, StandIn, run_manage  # noqa: E402


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
            print('%-10s %8s %8s %8s' % ('run', 'requests', 'writes', 'wall_s'))
            for label in ('first', 'rerun'):
                before = len(standin.control('stats')['calls'])
                start = time.monotonic()
                results, _out = run_manage(workdir, standin.url, STANDIN_KEY, teams=teams)
                wall = time.monotonic() - start
                calls = standin.control('stats')['calls'][before:]
                writes = len(standin.writes({'calls': calls}))
                print('%-10s %8d %8d %8.2f' % (label, results['teams']['requests'], writes, wall))
        finally:
            standin.stop()


if __name__ == '__main__':
    os.chdir(REPO)
    main()
