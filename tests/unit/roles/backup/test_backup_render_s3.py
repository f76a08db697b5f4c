"""The backup role rendered for an S3 target (the shipped inventories use NFS, which tests/policy
covers): objects validate against their schemas and CRDs, pods meet the restricted profile, and the
bucket credentials come only from Vault (offline: no cluster here)."""

import json
import os
import sys

import pytest
import yaml

from helpers import REPO, run_playbook

sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import manifest_policy as policy  # noqa: E402
import wiring_check  # noqa: E402
from validate_manifests import Validator  # noqa: E402

S3 = {'target': 's3', 'retention': 5, 's3': {'endpoint': 'https://s3.example.internal:9000', 'bucket': 'bk'}}


@pytest.fixture(scope='module')
def work(tmp_path_factory):
    work = tmp_path_factory.mktemp('backup-s3')
    extra = work / 'extra.json'
    extra.write_text(json.dumps({'ai_platform_backup': S3, 'ai_platform_render_dir': str(work / 'render'),
                                 'vault_secrets_catalog_file': str(work / 'catalog.yml')}))
    proc = run_playbook('playbooks/platform.yml', '-e', '@%s' % extra,
                        inventory=os.path.join(REPO, 'inventories', 'example'), env=policy.TEST_SECRETS)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return work


@pytest.fixture(scope='module')
def objects(work):
    return policy.load_objects([str(work / 'render' / 'backup')])


def test_every_object_validates(objects):
    validator = Validator(os.environ.get('AI_PLATFORM_CRD_DIR', os.path.join(REPO, '..', 'shared', 'crds')),
                          os.environ.get('AI_PLATFORM_K8S_MINOR', '1.33'))
    assert {obj['kind'] for obj in objects} >= {'CronJob', 'ExternalSecret', 'NetworkPolicy', 'PrometheusRule'}
    assert [(obj['kind'], obj['metadata']['name'], validator.errors(obj)) for obj in objects
            if validator.errors(obj)] == []


def test_no_nas_volume_and_the_bucket_reached_over_https(objects):
    assert not [obj for obj in objects if obj['kind'] in ('PersistentVolume', 'PersistentVolumeClaim')]
    egress = [rule for obj in objects if obj['kind'] == 'NetworkPolicy' and obj['metadata']['name'].endswith('-egress')
              for rule in obj['spec']['egress']]
    assert {'protocol': 'TCP', 'port': 443} in [port for rule in egress for port in rule['ports']]


def test_pods_are_restricted_with_limits(objects):
    cronjobs = [obj for obj in objects if obj['kind'] == 'CronJob']
    assert sorted(obj['metadata']['name'] for obj in cronjobs) == [
        'backup-langfuse-clickhouse', 'backup-langfuse-postgres', 'backup-litellm-postgres', 'backup-vault']
    assert [(obj['metadata']['name'], policy.pss_restricted(obj), policy.resources_set(obj))
            for obj in cronjobs if policy.pss_restricted(obj) or policy.resources_set(obj)] == []


def test_bucket_credentials_come_from_vault(objects):
    k3s = [obj for obj in objects if obj['metadata']['name'] == 'k3s-etcd-snapshot-s3-config'][0]
    assert k3s['metadata']['namespace'] == 'kube-system'
    assert k3s['spec']['target']['template']['data']['etcd-s3-endpoint'] == 's3.example.internal:9000'
    assert {ref['remoteRef']['property'] for ref in k3s['spec']['data']} == {'access_key_id', 'secret_access_key'}
    stores = [obj for obj in objects if obj['kind'] == 'ExternalSecret' and obj['metadata']['name'] == 'backup']
    assert len(stores) == 3
    assert all({'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'} <= {d['secretKey'] for d in obj['spec']['data']}
               for obj in stores)


def test_the_bucket_credentials_are_granted_to_exactly_the_namespaces_that_read_them(work):
    """The operator writes them into Vault (catalog owner site); kube-system (k3s's etcd snapshots) and each
    backup namespace read them, each through its own store."""
    with open(str(work / 'catalog.yml')) as handle:
        catalog = yaml.safe_load(handle)
    [s3] = [entry for entry in catalog if entry['path'] == 'ai-platform/backup/s3']
    assert (s3['owner'], s3['namespaces']) == ('site', ['ai-gateway', 'ai-observability', 'kube-system', 'vault'])
    render = str(work / 'render')
    loaded = wiring_check.Render(wiring_check.load(render, sorted(os.listdir(render))))
    assert wiring_check.check_stores(loaded) + wiring_check.check_grants(loaded, catalog) == []
    assert ('ClusterSecretStore', None, 'vault-kube-system') in loaded.stores


def test_clickhouse_backs_itself_up_through_langfuses_minio(objects):
    """ClickHouse writes its BACKUP archive to Langfuse's MinIO; the store step moves it from there. The
    backup pod may reach ClickHouse's and MinIO's native ports and the bucket, nothing else."""
    job = [obj for obj in objects if obj['kind'] == 'CronJob' and obj['metadata']['name'] == 'backup-langfuse-clickhouse'][0]
    pod = job['spec']['jobTemplate']['spec']['template']['spec']
    dump, store = pod['initContainers'][0], pod['containers'][0]
    assert dump['image'].startswith('docker.io/bitnamilegacy/clickhouse:') and dump['command'][-1].endswith('clickhouse-backup.sh')
    env = dict((item['name'], item) for item in store['env'])
    assert env['BACKUP_STAGED']['value'] == 'staging:langfuse/ai-platform-backup'
    assert env['RCLONE_CONFIG_STAGING_SECRET_ACCESS_KEY']['valueFrom'] == {'secretKeyRef': {'name': 'langfuse', 'key': 'S3_PASSWORD'}}
    egress = [obj for obj in objects if obj['kind'] == 'NetworkPolicy'
              and obj['metadata']['name'] == 'backup-langfuse-clickhouse-egress'][0]['spec']['egress']
    assert [(rule['to'][0].get('podSelector', {}).get('matchLabels', {}).get('app.kubernetes.io/name'), rule['ports'])
            for rule in egress] == [('clickhouse', [{'protocol': 'TCP', 'port': 9000}]),
                                    ('s3', [{'protocol': 'TCP', 'port': 9000}]),
                                    (None, [{'protocol': 'TCP', 'port': 443}])]
    ingress = [obj['spec']['podSelector']['matchLabels']['app.kubernetes.io/name'] for obj in objects
               if obj['kind'] == 'NetworkPolicy' and obj['metadata']['name'].startswith('backup-langfuse-clickhouse-ingress')]
    assert sorted(ingress) == ['clickhouse', 's3']
