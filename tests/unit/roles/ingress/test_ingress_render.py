"""The ingress role rendered alone for the example site (offline): every UI gets an HTTPS route from
the site CA, the charts' values pass the charts' own schemas, and wrong settings stop the run."""

import glob
import json
import os

import jinja2
import jsonschema
import pytest
import yaml

from helpers import REPO, run_playbook

EXAMPLE = os.path.join(REPO, 'inventories', 'example')
PLAYBOOK = os.path.join(REPO, 'tests', 'unit', 'roles', 'ingress', 'render.yml')
SCHEMAS = os.path.join(REPO, 'tests', 'fixtures', 'charts')
# The UIs a user reaches, plus Vault (the controller's route to it in apply mode): host label -> Service.
ROUTES = {'chat': ('ai-webui', 'open-webui'), 'langfuse': ('ai-observability', 'langfuse-web'),
          'grafana': ('ai-observability', 'kube-prometheus-stack-grafana'), 'litellm': ('ai-gateway', 'litellm'),
          'argo': ('ai-workflows', 'argo-workflows-server'), 'vault': ('vault', 'vault')}


def group_vars(name):
    with open(os.path.join(EXAMPLE, 'group_vars', 'all', name)) as handle:
        return yaml.safe_load(handle)


def render(out, *args):
    proc = run_playbook(PLAYBOOK, '-e', 'ai_platform_render_dir=%s' % out, *args, inventory=EXAMPLE)
    objects = {}
    # The charts' own custom resources (issuers, the CA certificate) go to ingress-resources.
    for path in sorted(glob.glob(str(out / 'ingress*' / '*.yaml'))):
        if not path.endswith('kustomization.yaml'):
            with open(path) as handle:
                obj = yaml.safe_load(handle)
            objects[(obj['kind'], obj['metadata'].get('namespace'), obj['metadata']['name'])] = obj
    return objects, proc


@pytest.fixture(scope='module')
def rendered(tmp_path_factory):
    objects, proc = render(tmp_path_factory.mktemp('ingress'))
    assert proc.returncode == 0, proc.stdout[-3000:]
    return objects


def of_kind(objects, kind):
    return [obj for (k, _ns, _name), obj in objects.items() if k == kind]


def chart_values(objects, chart):
    helmchart = [obj for obj in of_kind(objects, 'HelmChart') if obj['spec']['chart'] == chart]
    assert len(helmchart) == 1
    return yaml.safe_load(helmchart[0]['spec']['valuesContent'])


def schema_errors(chart, values):
    with open(os.path.join(SCHEMAS, chart, 'values.schema.json')) as handle:
        schema = json.load(handle)
    validator = jsonschema.validators.validator_for(schema)(schema)
    return ['%s: %s' % ('.'.join(map(str, error.path)), error.message) for error in validator.iter_errors(values)]


@pytest.mark.offline
def test_offline_every_object_validates(rendered, manifest_validator):
    errors = dict((key, manifest_validator.errors(obj)) for key, obj in rendered.items())
    assert errors == dict((key, []) for key in rendered)


@pytest.mark.offline
def test_offline_every_ui_host_gets_one_https_route_from_the_site_issuer(rendered):
    domain = group_vars('platform.yml')['ai_platform_domain']
    traefik = chart_values(rendered, 'traefik')
    issuers = dict((obj['metadata']['name'], obj) for obj in of_kind(rendered, 'ClusterIssuer'))
    routes = {}
    for ingress in of_kind(rendered, 'Ingress'):
        spec = ingress['spec']
        (rule,) = spec['rules']
        (path,) = rule['http']['paths']
        (tls,) = spec['tls']
        # Served by the controller the role ships, with a certificate for exactly this host.
        assert spec['ingressClassName'] == traefik['ingressClass']['name']
        assert tls['hosts'] == [rule['host']] and tls['secretName']
        issuer = issuers[ingress['metadata']['annotations']['cert-manager.io/cluster-issuer']]
        assert 'ca' in issuer['spec']
        routes[rule['host']] = (ingress['metadata']['namespace'], path['backend']['service']['name'])
    assert routes == dict(('%s.%s' % (label, domain), backend) for label, backend in ROUTES.items())


@pytest.mark.offline
def test_offline_site_ca_is_self_signed_once_and_signs_every_route(rendered):
    (issuer,) = of_kind(rendered, 'ClusterIssuer')
    (ca,) = of_kind(rendered, 'Certificate')
    (selfsigned,) = of_kind(rendered, 'Issuer')
    assert ca['spec']['isCA'] is True
    assert ca['spec']['secretName'] == issuer['spec']['ca']['secretName']
    assert ca['spec']['issuerRef'] == {'name': selfsigned['metadata']['name'], 'kind': 'Issuer',
                                       'group': 'cert-manager.io'}
    assert selfsigned['spec'] == {'selfSigned': {}}
    assert selfsigned['metadata']['namespace'] == ca['metadata']['namespace']


@pytest.mark.offline
def test_offline_the_controllers_gateway_and_vault_addresses_are_routes(rendered):
    """ai_platform_litellm_url and ai_platform_vault.address (apply mode's way in) name routed hosts."""
    domain = group_vars('platform.yml')['ai_platform_domain']
    urls = [group_vars('platform.yml')['ai_platform_litellm_url'], group_vars('secrets.yml')['ai_platform_vault']['address']]
    hosts = set(rule['host'] for ingress in of_kind(rendered, 'Ingress') for rule in ingress['spec']['rules'])
    for url in urls:
        resolved = jinja2.Template(url).render(ai_platform_domain=domain)
        assert resolved.startswith('https://') and resolved[len('https://'):].rstrip('/') in hosts


@pytest.mark.offline
def test_offline_traefik_answers_on_the_api_vip_without_a_load_balancer(rendered):
    vip = group_vars('platform.yml')['k3s_api_vip']
    values = chart_values(rendered, 'traefik')
    assert values['service']['spec'] == {'type': 'ClusterIP', 'externalIPs': [vip]}
    assert values['providers']['kubernetesIngress']['ingressEndpoint'] == {'ip': vip}
    assert values['ports']['web']['http']['redirections']['entryPoint']['to'] == 'websecure'


@pytest.mark.offline
@pytest.mark.parametrize('chart', ['traefik', 'cert-manager'])
def test_offline_chart_values_pass_the_charts_own_schema(rendered, chart):
    values = chart_values(rendered, chart)
    assert schema_errors(chart, values) == []
    # The same check refuses a misspelt key, as Helm would before installing anything.
    assert schema_errors(chart, dict(values, replicaCounts=2)) != []


@pytest.mark.offline
def test_offline_image_digests_go_where_the_charts_schemas_take_them(tmp_path):
    digest = 'sha256:' + 'ab' * 32
    images = ['controller', 'webhook', 'cainjector', 'acmesolver', 'startupapicheck']
    objects, proc = render(tmp_path, '-e', json.dumps({'ingress_traefik_image_digest': digest,
                                                       'ingress_cert_manager_image_digests': dict.fromkeys(images, digest)}))
    assert proc.returncode == 0, proc.stdout[-3000:]
    traefik, cert_manager = chart_values(objects, 'traefik'), chart_values(objects, 'cert-manager')
    assert traefik['image'] == {'digest': digest}
    assert [(cert_manager if name == 'controller' else cert_manager[name])['image'] for name in images] == \
        [{'digest': digest}] * 5
    assert schema_errors('traefik', traefik) == [] and schema_errors('cert-manager', cert_manager) == []
    # A malformed digest stops the run before anything is rendered (k8s_ship's template query reports it only
    # as a template error: the filter's own message does not reach the output).
    _objects, bad = render(tmp_path / 'bad', '-e', 'ingress_traefik_image_digest=sha256:abc')
    assert bad.returncode != 0 and 'Error rendering template' in bad.stdout
    assert not (tmp_path / 'bad').exists()


@pytest.mark.offline
def test_offline_operator_ca_replaces_the_self_signed_one(tmp_path):
    objects, proc = render(tmp_path, '-e', 'ingress_ca_secret=corp-intermediate-ca')
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert of_kind(objects, 'Issuer') == [] and of_kind(objects, 'Certificate') == []
    (issuer,) = of_kind(objects, 'ClusterIssuer')
    assert issuer['spec'] == {'ca': {'secretName': 'corp-intermediate-ca'}}


@pytest.mark.offline
@pytest.mark.parametrize('extra, message', [
    ({'ingress_address': 'ingress.example.internal'}, 'must be an IPv4 address'),
    ({'ingress_hosts': {'open_webui': 'chat', 'langfuse': 'chat', 'grafana': 'grafana', 'litellm': 'litellm',
                        'argo_workflows': 'argo', 'vault': 'vault'}}, 'one distinct DNS label per UI'),
])
def test_offline_wrong_settings_stop_before_rendering(tmp_path, extra, message):
    objects, proc = render(tmp_path, '-e', json.dumps(extra))
    assert proc.returncode != 0 and message in proc.stdout
    assert objects == {}
