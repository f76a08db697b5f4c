"""Shared test helpers: paths and running ansible-playbook from the checkout."""

import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.dirname(sys.executable)
CRD_DIR = os.environ.get('AI_PLATFORM_CRD_DIR', os.path.join(os.path.dirname(REPO), 'shared', 'crds'))
K8S_MINOR = os.environ.get('AI_PLATFORM_K8S_MINOR', '1.33')


def ansible_env(**extra):
    """Environment for ansible-* commands run from the checkout."""
    env = dict(os.environ)
    env['PATH'] = VENV_BIN + os.pathsep + env.get('PATH', '')
    env['ANSIBLE_CONFIG'] = os.path.join(REPO, 'ansible.cfg')
    env['ANSIBLE_NOCOLOR'] = '1'
    env['ANSIBLE_FORCE_COLOR'] = '0'
    env.update(extra)
    return env


def run_playbook(playbook, *args, inventory=None, env=None, timeout=900, json_output=False):
    """Run ansible-playbook from the repository root; returns the CompletedProcess.

    With json_output the json callback is used and the parsed result is in proc.result.
    """
    cmd = [os.path.join(VENV_BIN, 'ansible-playbook'), playbook]
    if inventory:
        cmd += ['-i', inventory]
    cmd += list(args)
    extra = dict(env or {})
    if json_output:
        extra['ANSIBLE_STDOUT_CALLBACK'] = 'ansible.posix.json'
    proc = subprocess.run(cmd, cwd=REPO, env=ansible_env(**extra), capture_output=True,
                          text=True, timeout=timeout, check=False)
    proc.result = json.loads(proc.stdout[proc.stdout.index('{'):]) if json_output and '{' in proc.stdout else None
    return proc
