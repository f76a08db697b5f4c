"""The collection builds with only its own files, installs, and its playbooks run by FQCN from the installed copy."""

import glob
import os
import re
import subprocess
import tarfile

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


# Files a checkout may hold that must never ship: tooling, tests, build output, and site inventories
# with their kubeconfigs, tokens and vault files (even inside the example).
PLANTED = [
    '.cache/lab/ssh/id_ed25519', '.venv/bin/python', 'build/lab/kustomization.yaml', 'clusters/example/kustomization.yaml',
    'inventories/prod/hosts.yml', 'inventories/prod/kubeconfig.yaml', 'inventories/edge/group_vars/all/secrets-vault',
    'inventories/example2/hosts.yml', 'inventories/exam/hosts.yml', 'inventories/example/k3s-token.vault',
    'inventories/example/group_vars/all/kubeconfig', 'changelogs/.plugin-cache.yaml',
]
NEVER_SHIPPED = ('tests/', 'molecule/', 'Makefile', '.cache/', '.venv/', 'build/', 'clusters/', 'collections/',
                 '.ci/',
                 '.pre-commit-config.yaml', 'pytest.ini', 'changelogs/.plugin-cache.yaml')
SHIPPED = ['MANIFEST.json', 'FILES.json', 'README.md', 'CHANGELOG.md', 'meta/runtime.yml',
           'changelogs/changelog.yaml', 'changelogs/config.yaml', 'docs/architecture.md',
           'docs/docsite/extra-docs.yml', 'docs/docsite/links.yml', 'playbooks/site.yml',
           'roles/base/tasks/main.yml', 'plugins/modules/litellm_config.py',
           'inventories/example/hosts.yml', 'inventories/example/group_vars/all/platform.yml']


def test_tarball_holds_the_collection_and_no_site_or_tooling_files(tmp_path):
    src = tmp_path / 'src'
    src.mkdir()
    # The working tree as git sees it (tracked and new files), plus what a user's checkout collects.
    files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=REPO, capture_output=True,
                           check=True).stdout
    packed = subprocess.run(['tar', '-c', '--null', '-T', '-'], cwd=REPO, input=files, capture_output=True, check=True)
    subprocess.run(['tar', '-x', '-C', str(src)], input=packed.stdout, check=True)
    for planted in PLANTED:
        (src / planted).parent.mkdir(parents=True, exist_ok=True)
        (src / planted).write_text('planted\n')
    env = ansible_env()
    env.pop('ANSIBLE_CONFIG')
    built = _run([os.path.join(VENV_BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(tmp_path)],
                 cwd=src, env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    (tarball,) = glob.glob(str(tmp_path / 'baremetal-ai_platform-*.tar.gz'))
    with tarfile.open(tarball) as archive:
        members = {name.removeprefix('./') for name in archive.getnames()}

    assert not sorted(m for m in members if m.startswith(NEVER_SHIPPED) or m in NEVER_SHIPPED)
    assert not sorted(m for m in members if m.startswith('inventories/') and not m.startswith('inventories/example/')
                      and m != 'inventories/example')
    assert not sorted(m for m in members if re.search(r'kubeconfig|token|vault', m) and m.startswith('inventories/'))
    assert not sorted(set(SHIPPED) - members)
