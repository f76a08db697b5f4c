"""Rendered Vault/External Secrets objects and the consumers' ExternalSecrets validate against the CRDs (offline)."""

import glob
import os

import pytest
import yaml

from ansible_collections.baremetal.ai_platform.plugins.filter.external_secret import external_secret
from helpers import REPO, render_roles, run_playbook

EXAMPLE = os.path.join(REPO, 'inventories', 'example')


def group_vars(name):
    with open(os.path.join(EXAMPLE, 'group_vars', 'all', name)) as handle:
        return yaml.safe_load(handle)


def render(out, *args):
    init_file = out / 'vault-init.vault'
    proc = run_playbook(os.path.join(REPO, 'tests', 'unit', 'roles', 'external_secrets', 'render.yml'),
                        '-e', 'ai_platform_render_dir=%s' % out, '-e', 'vault_init_file=%s' % init_file, *args,
                        inventory=EXAMPLE)
    assert proc.returncode == 0, proc.stdout[-3000:]
    objects = {}
    for path in sorted(glob.glob(str(out / '*' / '*.yaml'))):
        if not path.endswith('kustomization.yaml'):
            with open(path) as handle:
                obj = yaml.safe_load(handle)
            objects[(obj['kind'], obj['metadata']['name'])] = obj
    return objects, init_file, proc


@pytest.fixture(scope='module')
def rendered(tmp_path_factory):
    return render(tmp_path_factory.mktemp('render'))


@pytest.mark.offline
def test_offline_render_mode_only_renders_and_every_object_validates(rendered, manifest_validator):
    objects, init_file, proc = rendered
    assert not init_file.exists()  # the example's address does not answer: no bootstrap attempted
    assert 'initialise Vault once' in proc.stdout and 'skipping: [localhost]' in proc.stdout
    assert {('HelmChart', 'vault'), ('HelmChart', 'external-secrets'), ('HelmChart', 'reloader'),
            ('ClusterSecretStore', 'vault-ai-gateway'), ('Namespace', 'vault')} <= set(objects)
    errors = dict((key, manifest_validator.errors(obj)) for key, obj in objects.items())
    assert errors == dict((key, []) for key in objects)


@pytest.mark.offline
def test_offline_vault_chart_is_pinned_raft_ha_one_pod_per_node(rendered):
    chart = rendered[0][('HelmChart', 'vault')]['spec']
    assert (chart['chart'], chart['version'], chart['targetNamespace']) == ('vault', '0.32.0', 'vault')
    values = yaml.safe_load(chart['valuesContent'])['server']
    assert values['image'] == {'repository': 'hashicorp/vault', 'tag': '1.21.2'}
    assert values['ha']['replicas'] == 3 and values['ha']['raft']['enabled'] is True
    assert values['ha']['raft']['config'].count('retry_join') == 3
    rule = values['affinity']['podAntiAffinity']['requiredDuringSchedulingIgnoredDuringExecution'][0]
    assert rule['topologyKey'] == 'kubernetes.io/hostname'
    assert values['statefulSet']['securityContext']['container']['capabilities'] == {'drop': ['ALL']}


@pytest.mark.offline
def test_offline_each_reading_namespace_gets_a_store_admitting_it_alone_with_its_own_vault_identity(rendered):
    objects = rendered[0]
    vault_settings = group_vars('secrets.yml')['ai_platform_vault']
    stores = dict((name, obj) for (kind, name), obj in objects.items() if kind == 'ClusterSecretStore')
    # Every namespace the example's consumers ship ExternalSecrets into (the vault role's catalog decides).
    readers = ['ai-agents', 'ai-gateway', 'ai-messaging', 'ai-observability', 'ai-webui', 'ai-workflows', 'vault']
    assert sorted(stores) == ['%s-%s' % (vault_settings['secret_store'], ns) for ns in readers]
    store = stores['vault-ai-gateway']['spec']
    assert store['conditions'] == [{'namespaces': ['ai-gateway']}]
    assert store['provider']['vault'] == {
        'server': 'http://vault.vault.svc:8200', 'path': vault_settings['kv_mount'], 'version': 'v2',
        'auth': {'kubernetes': {'mountPath': 'kubernetes', 'role': 'eso-ai-gateway',
                                'serviceAccountRef': {'name': 'eso-ai-gateway', 'namespace': 'vault'}}}}
    # The service accounts live beside the operator and mount no token anywhere.
    accounts = dict((name, obj) for (kind, name), obj in objects.items()
                    if kind == 'ServiceAccount' and name.startswith('eso-'))
    assert sorted(accounts) == ['eso-%s' % ns for ns in readers]
    assert all(obj['metadata']['namespace'] == 'vault' and obj['automountServiceAccountToken'] is False
               for obj in accounts.values())
    chart = objects[('HelmChart', 'external-secrets')]['spec']
    assert (chart['repo'], chart['version']) == ('https://charts.external-secrets.io', '2.9.0')


def consumers():
    """The consumers' ExternalSecrets, built from the example inventory the way their roles do."""
    settings = group_vars('secrets.yml')
    entries, vault = settings['ai_platform_secrets'], settings['ai_platform_vault']
    prefix = vault['path_prefix']

    def by_path(*paths):
        return [e for e in entries if any(e['path'].startswith(p) for p in paths)]

    built = [
        external_secret(by_path(prefix + '/providers/', prefix + '/litellm'), 'litellm-secrets', 'ai-gateway', vault),
        external_secret(by_path(prefix + '/langfuse'), 'langfuse-keys', 'ai-observability', vault),
        external_secret([{'env': 'WEBUI_SECRET_KEY', 'path': prefix + '/open-webui', 'key': 'secret_key'}],
                        'open-webui-secret', 'ai-webui', vault),
    ]
    for agent in group_vars('agents.yml')['ai_platform_agents']:
        path = '%s/agents/%s' % (prefix, agent['name'])
        built.append(external_secret([{'env': 'LITELLM_API_KEY', 'path': path, 'key': 'litellm_key'},
                                      {'env': 'NATS_PASSWORD', 'path': path, 'key': 'nats_password'}],
                                     'agent-%s' % agent['name'], 'ai-agents', vault))
    return built


@pytest.mark.offline
def test_offline_consumer_external_secrets_validate_against_the_crd(manifest_validator):
    built = consumers()
    assert len(built) == 3 + 18
    litellm = built[0]['spec']['data']
    assert [d['secretKey'] for d in litellm] == [
        'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'SPARK_VLLM_API_KEY', 'LITELLM_MASTER_KEY',
        'LITELLM_SALT_KEY', 'DATABASE_URL']
    errors = dict((obj['metadata']['name'], manifest_validator.errors(obj)) for obj in built)
    assert errors == dict((name, []) for name in errors)


@pytest.mark.offline
def test_offline_tls_variant_serves_https_and_the_store_trusts_the_ca(tmp_path, manifest_validator):
    objects = render(tmp_path, '-e', 'vault_tls_secret=vault-tls', '-e', 'external_secrets_vault_ca_secret=vault-tls')[0]
    stores = [obj for (kind, _name), obj in objects.items() if kind == 'ClusterSecretStore']
    assert len(stores) == 7
    for store in stores:
        assert store['spec']['provider']['vault']['server'] == 'https://vault.vault.svc:8200'
        assert store['spec']['provider']['vault']['caProvider'] == {
            'type': 'Secret', 'name': 'vault-tls', 'namespace': 'vault', 'key': 'ca.crt'}
    values = yaml.safe_load(objects[('HelmChart', 'vault')]['spec']['valuesContent'])
    assert values['global']['tlsDisable'] is False
    assert values['server']['ha']['raft']['config'].count('leader_ca_cert_file') == 3
    assert [manifest_validator.errors(obj) for obj in objects.values()] == [[]] * len(objects)


@pytest.mark.offline
def test_offline_external_secrets_without_the_vault_role_stops_before_shipping(tmp_path):
    proc = render_roles(['external_secrets'], tmp_path, inventory=EXAMPLE)
    assert proc.returncode == 2
    assert 'external_secrets: run the vault role first' in proc.stdout
    assert not (tmp_path / 'build').exists()
