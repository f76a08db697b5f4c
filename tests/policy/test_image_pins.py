"""Every image the platform renders is pinned: by an explicit tag other than latest, or by digest.

The count of each kind is printed (pytest -s) so a site that pins by digest can see how far it got.
Images a chart keeps as its own defaults are not visible offline and are pinned by the chart version;
where a chart's values take a digest (checked against the chart at its pinned version), a role variable
pins it, and the test below fails if one of them stops reaching its image.
"""

import json

import pytest

import manifest_policy as policy
from helpers import render_roles
from manifest_policy import TEST_SECRETS

DIGEST = 'sha256:' + '5e' * 32
# The digest variables the roles offer, and the start of the reference each one pins.
DIGEST_VARS = {
    'backup_rclone_image_digest': 'docker.io/rclone/rclone:',
    'backup_vault_image_digest': 'docker.io/hashicorp/vault:',
    'backup_postgres_image_digest': 'docker.io/bitnamilegacy/postgresql:',
    'backup_clickhouse_image_digest': 'docker.io/bitnamilegacy/clickhouse:',
    'vault_image_digest': 'hashicorp/vault:',
    'litellm_image_digest': 'ghcr.io/berriai/litellm:',
}
# Chart images pinned through the chart's own digest field, or through a tag the role writes only with a
# digest: the variable, its value, the HelmChart and the values path of each image it pins.
CHART_DIGEST_VARS = {
    'external_secrets_image_digest': (DIGEST, 'external-secrets', ['image', 'webhook.image', 'certController.image']),
    'external_secrets_reloader_image_digest': (DIGEST, 'reloader', ['image']),
    'ingress_traefik_image_digest': (DIGEST, 'ingress-traefik', ['image']),
    'ingress_cert_manager_image_digests': (
        dict.fromkeys(['controller', 'webhook', 'cainjector', 'acmesolver', 'startupapicheck'], DIGEST),
        'cert-manager', ['image', 'webhook.image', 'cainjector.image', 'acmesolver.image', 'startupapicheck.image']),
    'litellm_postgres_image_digest': (DIGEST, 'litellm-postgres', ['image']),
    'litellm_valkey_image_digest': (DIGEST, 'litellm-valkey', ['image']),
    'keda_image_digests': (dict.fromkeys(['operator', 'metrics_apiserver', 'webhooks'], DIGEST),
                           'keda', ['image.keda', 'image.metricsApiServer', 'image.webhooks']),
    'nats_image_digests': (dict.fromkeys(['nats', 'config_reloader', 'prom_exporter'], DIGEST),
                           'nats', ['container.image', 'reloader.image', 'promExporter.image']),
    'langfuse_image_digests': (dict.fromkeys(['web', 'worker'], DIGEST),
                               'langfuse', ['langfuse.web.image', 'langfuse.worker.image']),
    'open_webui_image_digests': (dict.fromkeys(['open_webui', 'redis'], DIGEST),
                                 'open-webui', ['image', 'websocket.redis.image']),
}
# Every role that takes an image digest variable, in the order platform.yml runs them.
DIGEST_ROLES = ('ingress', 'vault', 'external_secrets', 'backup', 'litellm', 'keda', 'nats', 'langfuse', 'open_webui')


def _count(objects):
    counts, problems = {'digest': 0, 'tag': 0}, []
    for obj in objects:
        for where, ref in policy.image_refs(obj):
            kind = policy.image_pin(ref)
            if kind is None:
                problems.append('%s: %r is neither repo:tag (not latest) nor pinned by sha256 digest' % (where, ref))
            else:
                counts[kind] += 1
    return counts, problems


def test_every_image_is_pinned_by_tag_or_digest(site):
    counts, problems = _count(site['objects'])
    print('images pinned by digest: %(digest)d, by tag: %(tag)d' % counts)
    assert problems == []
    # The example pins by tag; a reference that stops being recognised would make this count drop.
    assert counts['tag'] + counts['digest'] >= 10


@pytest.mark.parametrize('ref, kind', [
    ('docker.io/rclone/rclone:1.71.2', 'tag'),
    ('localhost:5000/a/b:1.0', 'tag'),
    ('docker.io/rclone/rclone:1.71.2@' + DIGEST, 'digest'),
    ('docker.io/rclone/rclone@' + DIGEST, 'digest'),
    ('docker.io/rclone/rclone', None),
    ('localhost:5000/a/b', None),
    ('docker.io/rclone/rclone:latest', None),
    ('docker.io/rclone/rclone@sha256:abc', None),
    ('docker.io/rclone/rclone:1@' + DIGEST.upper(), None),
    ('', None),
])
@pytest.mark.offline
def test_image_pin_kinds_offline(ref, kind):
    assert policy.image_pin(ref) == kind


@pytest.mark.offline
def test_chart_values_images_are_counted_offline():
    chart = {'apiVersion': 'helm.cattle.io/v1', 'kind': 'HelmChart', 'metadata': {'name': 'v', 'namespace': 'kube-system'},
             'spec': {'chart': 'vault', 'valuesContent': 'server:\n  image: {repository: hashicorp/vault, tag: latest}\n'}}
    assert _count([chart]) == ({'digest': 0, 'tag': 0},
                               ["HelmChart kube-system/v: values server.image: 'hashicorp/vault:latest' is neither "
                                'repo:tag (not latest) nor pinned by sha256 digest'])


def _render_with_digests(tmp_path, digests):
    proc = render_roles(DIGEST_ROLES, tmp_path, '-e', 'ai_platform_apply=false',
                        '-e', 'vault_secrets_catalog_file=%s' % (tmp_path / 'catalog.yml'),
                        '-e', json.dumps(digests), env=TEST_SECRETS)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return [pair for obj in policy.load_objects([str(tmp_path / 'build')]) for pair in policy.image_refs(obj)]


@pytest.mark.parametrize('role, digests', [
    ('litellm', {'litellm_image_digest': 'sha256:abc'}),
    ('litellm', {'litellm_postgres_image_digest': DIGEST.upper()}),
    ('litellm', {'litellm_valkey_image_digest': DIGEST[len('sha256:'):]}),
    ('keda', {'keda_image_digests': {'operator': '', 'metrics_apiserver': '', 'webhooks': DIGEST + ' '}}),
    ('nats', {'nats_image_digests': {'nats': '', 'config_reloader': '', 'prom_exporter': 'sha256:' + 'g' * 64}}),
    ('langfuse', {'langfuse_image_digests': {'web': '', 'worker': 'sha512:' + '5e' * 32}}),
    ('open_webui', {'open_webui_image_digests': {'open_webui': '', 'redis': DIGEST + '5e'}}),
], ids=['litellm', 'litellm-postgres', 'litellm-valkey', 'keda', 'nats', 'langfuse', 'open-webui'])
def test_a_malformed_digest_stops_the_render(tmp_path, role, digests):
    """Each variable goes through image_ref's check: anything but sha256:<64 lowercase hex> fails the
    run before its role writes anything (k8s_ship reports it as a template error only)."""
    proc = render_roles([role], tmp_path, '-e', 'ai_platform_apply=false', '-e', json.dumps(digests), env=TEST_SECRETS)
    assert proc.returncode != 0 and 'Error rendering template' in proc.stdout, proc.stdout[-3000:]
    assert not (tmp_path / 'build').exists()


def test_a_digest_variable_pins_its_image(tmp_path):
    digests = dict.fromkeys(DIGEST_VARS, DIGEST)
    digests.update((var, value) for var, (value, _chart, _paths) in CHART_DIGEST_VARS.items())
    pairs = _render_with_digests(tmp_path, digests)
    refs = [ref for _where, ref in pairs]
    print('references rendered with every digest variable set: %s' % sorted(set(refs)))
    for prefix in DIGEST_VARS.values():
        mine = [ref for ref in refs if ref.startswith(prefix)]
        assert mine, 'no image %s... rendered' % prefix
        for ref in mine:
            tag, _at, digest = ref[len(prefix):].partition('@')
            # The tag stays for a reader; the runtime pulls the digest.
            assert tag and digest == DIGEST and policy.image_pin(ref) == 'digest', ref
    # Each chart image a variable pins carries the digest at the path the chart reads it from.
    wanted = sorted('%s/%s: values %s' % ('HelmChart kube-system', chart, path)
                    for _value, chart, paths in CHART_DIGEST_VARS.values() for path in paths)
    pinned = sorted(where for where, ref in pairs
                    if policy.image_pin(ref) == 'digest' and ref.endswith('@' + DIGEST) and where in wanted)
    assert pinned == wanted
    counts, problems = _count(policy.load_objects([str(tmp_path / 'build')]))
    print('images pinned by digest with every digest variable set: %(digest)d, by tag: %(tag)d' % counts)
    assert problems == [] and counts['digest'] == len(refs) - counts['tag'] >= len(wanted) + len(DIGEST_VARS)


# Charts whose image the role always names by its own tag (the digest variable only adds the digest).
ROLE_TAGGED_CHARTS = {'litellm-postgres', 'litellm-valkey'}


def test_without_a_digest_each_chart_keeps_its_default_image(site):
    """The inventories set no digest: the values then name none of the chart-default images (the chart's
    default by tag, unchanged), and nothing is counted as pinned by digest."""
    charts = tuple('HelmChart kube-system/%s:' % chart for _value, chart, _paths in CHART_DIGEST_VARS.values()
                   if chart not in ROLE_TAGGED_CHARTS)
    assert [where for obj in site['objects'] for where, _ref in policy.image_refs(obj) if where.startswith(charts)] == []
    assert _count(site['objects'])[0]['digest'] == 0
