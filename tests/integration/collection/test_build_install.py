"""The collection builds, installs, and its playbooks run by FQCN from the installed copy."""

import glob
import os
import subprocess

import ansible_collections.kubernetes.core as kubernetes_core

from helpers import REPO, VENV_BIN, ansible_env


def _run(cmd, cwd, env):
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_build_install_and_run_by_fqcn(tmp_path):
    src = tmp_path / 'src'
    src.mkdir()
    # Build from what git tracks, as a release would.
    archive = subprocess.run(['git', 'archive', 'HEAD'], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(['tar', '-x', '-C', str(src)], input=archive, check=True)
    env = ansible_env()
    env.pop('ANSIBLE_CONFIG')
    built = _run([os.path.join(VENV_BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(tmp_path)],
                 cwd=src, env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    tarball = glob.glob(str(tmp_path / 'baremetal-ai_platform-*.tar.gz'))
    assert len(tarball) == 1

    installed = tmp_path / 'collections'
    inst = _run([os.path.join(VENV_BIN, 'ansible-galaxy'), 'collection', 'install', '--no-deps', '--force', '-p',
                 str(installed), tarball[0]], cwd=tmp_path, env=env)
    assert inst.returncode == 0, inst.stdout + inst.stderr
    assert (installed / 'ansible_collections' / 'baremetal' / 'ai_platform' / 'MANIFEST.json').is_file()

    # Outside the checkout, with only the installed copy on the collections path.
    # Dependencies come from the ansible package's bundle, as they would from Galaxy.
    bundle = os.path.dirname(os.path.dirname(os.path.dirname(kubernetes_core.__path__[0])))
    env['ANSIBLE_COLLECTIONS_PATH'] = str(installed) + os.pathsep + bundle
    inventory = os.path.join(REPO, 'inventories', 'example')
    syntax = _run([os.path.join(VENV_BIN, 'ansible-playbook'), '-i', inventory, 'baremetal.ai_platform.site',
                   '--syntax-check'], cwd=tmp_path, env=env)
    assert syntax.returncode == 0, syntax.stdout + syntax.stderr

    validate = _run([os.path.join(VENV_BIN, 'ansible-playbook'), '-i', inventory, 'baremetal.ai_platform.validate'],
                    cwd=tmp_path, env=env)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert 'failed=0' in validate.stdout
