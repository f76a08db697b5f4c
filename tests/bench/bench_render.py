#!/usr/bin/env python
"""The platform render with the collection's role_template lookup against the same render with
ansible.builtin.template (a script, not a test): one run of each, alternating, per inventory.

    .venv/bin/python tests/bench/bench_render.py [inventory ...]   (default: lab example)

The builtin variant is a copy of the checkout with every role_template lookup turned back into
ansible.builtin.template. Prints each render's seconds, their ratio, and whether the two rendered
trees are byte-identical (they must be).
"""

import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests'))

from helpers import ansible_env  # noqa: E402

OURS, BUILTIN = 'baremetal.ai_platform.role_template', 'ansible.builtin.template'


def builtin_copy(root):
    """A copy of the checkout whose roles use ansible.builtin.template; its path."""
    copy = os.path.join(root, 'builtin')
    shutil.copytree(REPO, copy, symlinks=True,
                    ignore=shutil.ignore_patterns('.git', '.venv', '.cache', 'build', '.hypothesis', '__pycache__'))
    for folder, _dirs, files in os.walk(os.path.join(copy, 'roles')):
        for name in files:
            path = os.path.join(folder, name)
            with open(path) as handle:
                text = handle.read()
            if OURS in text:
                with open(path, 'w') as handle:
                    handle.write(text.replace(OURS, BUILTIN))
    return copy


def render(checkout, inventory, dest):
    """Seconds of one playbooks/platform.yml render run from checkout."""
    env = ansible_env(ANSIBLE_CONFIG=os.path.join(checkout, 'ansible.cfg'))
    start = time.time()
    subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), 'playbooks/platform.yml',
                    '-i', 'inventories/%s' % inventory, '-e', 'ai_platform_render_dir=%s' % dest,
                    '-e', 'vault_secrets_catalog_file=%s.catalog.yml' % dest,
                    '-e', '{"vault_operator_secrets": {}}'],
                   cwd=checkout, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.time() - start


def same_tree(left, right):
    compare = filecmp.dircmp(left, right)
    if compare.left_only or compare.right_only or compare.funny_files:
        return False
    if filecmp.cmpfiles(left, right, compare.common_files, shallow=False)[1:] != ([], []):
        return False
    return all(same_tree(os.path.join(left, sub), os.path.join(right, sub)) for sub in compare.common_dirs)


def main(inventories):
    root = tempfile.mkdtemp(prefix='bench-render-')
    try:
        builtin = builtin_copy(root)
        print('%-10s %12s %12s %7s %10s' % ('inventory', 'builtin s', 'role_tmpl s', 'ratio', 'identical'))
        for inventory in inventories:
            theirs = render(builtin, inventory, os.path.join(root, inventory + '-builtin'))
            ours = render(REPO, inventory, os.path.join(root, inventory + '-ours'))
            print('%-10s %12.1f %12.1f %7.2f %10s' % (
                inventory, theirs, ours, ours / theirs,
                same_tree(os.path.join(root, inventory + '-builtin'), os.path.join(root, inventory + '-ours'))))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
    main(sys.argv[1:] or ['lab', 'example'])
