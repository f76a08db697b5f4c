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


_RENDER_PLAY = """---
- name: Render %s
  hosts: localhost
  connection: local
  gather_facts: false
  roles:
%s
"""


def render_roles(roles, work, *args, inventory='inventories/example', env=None):
    """Render the collection's `roles` (short names, in order) into <work>/build with a one-play playbook
    written to <work>; returns run_playbook's CompletedProcess."""
    playbook = os.path.join(str(work), 'render.yml')
    with open(playbook, 'w') as handle:
        handle.write(_RENDER_PLAY % (', '.join(roles), '\n'.join('    - role: baremetal.ai_platform.%s' % role
                                                                 for role in roles)))
    return run_playbook(playbook, '-e', 'ai_platform_render_dir=%s' % os.path.join(str(work), 'build'), *args,
                        inventory=inventory, env=env)


class ModuleExit(Exception):
    """How run_module_in_process ends: failed flag and the result exactly as the module built it."""

    def __init__(self, failed, result):
        super().__init__(result.get('msg', ''))
        self.failed = failed
        self.result = result


def run_module_in_process(main, args, check_mode=False, diff=False):
    """Run a module's main() in this process; (failed, raw result).

    exit_json and fail_json are replaced before Ansible's no_log pass (remove_values) runs: a secret
    that reaches the result or the diff is visible here, where ansible-playbook would print '********'
    over it and hide the leak.
    """
    from unittest import mock

    from ansible.module_utils import basic
    from ansible.module_utils.testing import patch_module_args

    def exit_json(_module, **result):
        raise ModuleExit(False, result)

    def fail_json(_module, msg, **result):
        raise ModuleExit(True, dict(result, msg=msg))

    with mock.patch.object(basic.AnsibleModule, 'exit_json', exit_json), \
            mock.patch.object(basic.AnsibleModule, 'fail_json', fail_json), \
            patch_module_args(dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)):
        try:
            main()
        except ModuleExit as done:
            return done.failed, done.result
    raise AssertionError('%s returned without exit_json or fail_json' % main.__module__)


def rendered_by_kind(render_dir):
    """{kind: {name: object}} over every component folder of a render (a chart's own custom resources
    are in <component>-resources; the Flux entry point is left out)."""
    import yaml
    by_kind = {}
    for folder in sorted(os.listdir(render_dir)):
        path = os.path.join(render_dir, folder)
        if folder == 'flux' or not os.path.isfile(os.path.join(path, 'kustomization.yaml')):
            continue
        for name in sorted(os.listdir(path)):
            if name != 'kustomization.yaml':
                with open(os.path.join(path, name)) as handle:
                    obj = yaml.safe_load(handle)
                by_kind.setdefault(obj['kind'], {})[obj['metadata']['name']] = obj
    return by_kind
