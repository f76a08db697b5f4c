"""The servers' config.yaml carries k3s's own etcd snapshot settings from ai_platform_backup (offline:
rendered from the example inventory, no k3s runs here)."""

import json
import os

import pytest

from helpers import REPO, run_playbook

HERE = os.path.dirname(os.path.abspath(__file__))
# Flags k3s server takes for snapshots (k3s documentation, etcd-snapshot options of `k3s server`).
K3S_SNAPSHOT_FLAGS = {'etcd-snapshot-schedule-cron', 'etcd-snapshot-retention', 'etcd-snapshot-dir', 'etcd-s3',
                      'etcd-s3-config-secret', 'secrets-encryption'}


def configs(tmp_path, backup):
    extra = tmp_path / 'extra.json'
    extra.write_text(json.dumps({'ai_platform_backup': backup} if backup else {}))
    proc = run_playbook(os.path.join(HERE, 'k3s_config.yml'), '-e', '@%s' % extra,
                        inventory=os.path.join(REPO, 'inventories', 'example'), json_output=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    task = proc.result['plays'][0]['tasks'][-1]
    return dict((host, result['__k3s_config']) for host, result in task['hosts'].items())


def snapshot_keys(config):
    return dict((key, value) for key, value in config.items() if key.startswith('etcd-') or key == 'secrets-encryption')


def test_nfs_target_writes_snapshots_to_the_site_folder_of_the_mounted_export(tmp_path):
    found = configs(tmp_path, {'target': 'nfs', 'nfs': {'server': '10.20.0.5', 'path': '/export/ai-platform'},
                               'retention': 9, 'schedule': {'etcd': '5 */4 * * *'}})
    assert sorted(found) == ['nuc1', 'nuc2', 'nuc3']
    for config in found.values():
        assert snapshot_keys(config) == {
            'etcd-snapshot-schedule-cron': '5 */4 * * *', 'etcd-snapshot-retention': 9,
            'etcd-snapshot-dir': '/var/lib/rancher/k3s-snapshots/example', 'secrets-encryption': True}
        assert set(snapshot_keys(config)) <= K3S_SNAPSHOT_FLAGS


def test_s3_target_uses_k3s_upload_with_the_settings_secret(tmp_path):
    found = configs(tmp_path, {'target': 's3', 's3': {'endpoint': 'https://s3.example.internal', 'bucket': 'bk'}})
    for config in found.values():
        keys = snapshot_keys(config)
        assert keys['etcd-s3'] is True and keys['etcd-s3-config-secret'] == 'k3s-etcd-snapshot-s3-config'
        assert keys['etcd-snapshot-dir'] == '/var/lib/rancher/k3s-snapshots'
        assert set(keys) <= K3S_SNAPSHOT_FLAGS


@pytest.mark.parametrize('backup', [None, {'target': 'none'}])
def test_without_a_target_snapshots_stay_local_with_the_default_schedule(tmp_path, backup):
    for config in configs(tmp_path, backup).values():
        keys = snapshot_keys(config)
        assert keys['etcd-snapshot-schedule-cron'] == '0 */6 * * *' and 'etcd-s3' not in keys
