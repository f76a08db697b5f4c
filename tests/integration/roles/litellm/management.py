"""Helpers for the management API tests and the benchmark: the stand-in process and a runner for
playbooks/manage.yml."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

from helpers import REPO, run_playbook

HERE = os.path.dirname(os.path.abspath(__file__))
LITELLM_VENV = os.environ.get('AI_PLATFORM_LITELLM_VENV', os.path.join(REPO, '.cache', 'litellm-venv'))
LITELLM_PYTHON = os.path.join(LITELLM_VENV, 'bin', 'python')


STANDIN_KEY = 'sk-standin-master'


class StandIn:
    """The management API stand-in (standin.py) in the LiteLLM venv, on loopback."""

    url = 'http://127.0.0.1:14050'

    def __init__(self, workdir):
        env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP='True')
        self._log = open(workdir / 'standin.log', 'wb')
        self.process = subprocess.Popen([LITELLM_PYTHON, os.path.join(HERE, 'standin.py'), '--port', '14050',
                                         '--master-key', STANDIN_KEY], env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT)
        # Importing LiteLLM takes 40 s and more on a loaded 2-core machine.
        deadline = time.time() + 180
        while time.time() < deadline and self.process.poll() is None:
            try:
                self.control('stats')
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.25)
        # Never leave it running: a later session would talk to this stale process on the same port.
        self.stop()
        raise AssertionError('stand-in did not start: %s' % (workdir / 'standin.log').read_text()[-3000:])

    def control(self, action, body=None):
        req = urllib.request.Request('%s/_standin/%s' % (self.url, action), method='POST',
                                     data=json.dumps(body or {}).encode(),
                                     headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(req, timeout=10) as answer:
            return json.loads(answer.read())

    def writes(self, stats=None):
        return [c for c in (stats or self.control('stats'))['calls'] if c['method'] != 'GET']

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self._log.close()


def run_manage(workdir, url, master_key, teams=None, keys=None, check=False, diff=False, extra=None):
    """Run playbooks/manage.yml with -vvv; (results dict, full output text)."""
    workdir.mkdir(parents=True, exist_ok=True)
    result_dest = workdir / ('result-%d.json' % time.monotonic_ns())
    data = dict(litellm_url=url, litellm_master_key=master_key, result_dest=str(result_dest), **(extra or {}))
    if teams is not None:
        data['manage_teams'] = teams
    if keys is not None:
        data['manage_keys'] = keys
    vars_file = workdir / 'manage-vars.json'
    vars_file.write_text(json.dumps(data))
    args = ['-e', '@%s' % vars_file, '-vvv']
    if check:
        args.append('--check')
    if diff:
        args.append('--diff')
    proc = run_playbook('tests/integration/roles/litellm/playbooks/manage.yml', *args, inventory='localhost,',
                        env={'ANSIBLE_PYTHON_INTERPRETER': sys.executable})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-5000:]
    return json.loads(result_dest.read_text()), output
