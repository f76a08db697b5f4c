"""The observability role rendered for inventories/example (three receivers) and without receivers:
Alertmanager's receivers come from ai_platform_alerting, every route matches labels the rendered rules
really carry, and Grafana and Alertmanager read the Secrets their ExternalSecrets produce (offline)."""

import json
import os
import re

import pytest
import yaml

from helpers import REPO, render_roles

_MATCHER = re.compile(r'^(\w+) (=~|=) "(.*)"$')


def _render(work, *extra):
    proc = render_roles(('backup', 'observability'), work, *extra)
    assert proc.returncode == 0, proc.stdout[-3000:]
    objects = {}
    # Every folder the two roles rendered (a chart's own custom resources go to <component>-resources).
    for folder in sorted(os.listdir(work / 'build')):
        if not (work / 'build' / folder / 'kustomization.yaml').is_file() or folder == 'flux':
            continue
        for name in sorted(os.listdir(work / 'build' / folder)):
            if name != 'kustomization.yaml':
                for obj in yaml.safe_load_all((work / 'build' / folder / name).read_text()):
                    objects[(obj['kind'], obj['metadata']['name'])] = obj
    values = yaml.safe_load(objects[('HelmChart', 'kube-prometheus-stack')]['spec']['valuesContent'])
    return objects, values


@pytest.fixture(scope='module')
def example(tmp_path_factory):
    return _render(tmp_path_factory.mktemp('alerting-example'))


def _rules(objects):
    """(alert, labels) of every rule the platform ships."""
    return [(rule['alert'], rule['labels']) for (kind, _name), obj in objects.items() if kind == 'PrometheusRule'
            for group in obj['spec']['groups'] for rule in group['rules'] if 'alert' in rule]


def _matches(matchers, labels):
    for matcher in matchers:
        name, op, value = _MATCHER.match(matcher).groups()
        actual = labels.get(name, '')
        if (op == '=' and actual != value) or (op == '=~' and not re.fullmatch(value, actual)):
            return False
    return True


def _receivers_of(route, labels):
    """Receivers an alert with these labels reaches (Alertmanager's walk: first match, then on while continue)."""
    reached = []
    for child in route['routes']:
        if _matches(child.get('matchers', []), labels):
            reached.append(child['receiver'])
            if not child.get('continue'):
                break
    return reached or [route['receiver']]


@pytest.mark.offline
def test_receivers_come_from_the_inventory_offline(example):
    _objects, values = example
    with open(os.path.join(REPO, 'inventories', 'example', 'group_vars', 'all', 'alerting.yml')) as handle:
        wanted = yaml.safe_load(handle)['ai_platform_alerting']['receivers']
    receivers = dict((r['name'], r) for r in values['alertmanager']['config']['receivers'])
    assert sorted(receivers) == sorted(['null'] + [r['name'] for r in wanted])
    assert receivers['oncall']['webhook_configs'][0]['url_file'] == \
        '/etc/alertmanager/secrets/alertmanager-receivers/ALERT_ONCALL_WEBHOOK_URL'
    assert receivers['finance-mail']['email_configs'][0]['to'] == 'finops@example.internal'
    assert receivers['finance-mail']['email_configs'][0]['smarthost'] == 'smtp.example.internal:587'
    # Nothing secret in the chart values, which land in the render directory and in Git.
    assert 'auth_password' not in json.dumps(values).replace('auth_password_file', '')


@pytest.mark.offline
def test_every_route_matches_rules_that_exist_and_every_rule_reaches_someone_offline(example):
    objects, values = example
    route = values['alertmanager']['config']['route']
    rules = _rules(objects)
    assert {alert for alert, _labels in rules} >= {'TeamBudgetBurnRate', 'GatewayErrorRate', 'GatewayFallbackRate',
                                                   'SparkDown', 'BackupStale'}
    for child in route['routes']:
        if child['receiver'] != 'null':
            assert [alert for alert, labels in rules if _matches(child['matchers'], labels)], child
    reached = dict(((alert, labels.get('team', labels.get('component'))), _receivers_of(route, labels))
                   for alert, labels in rules)
    assert reached[('TeamBudgetBurnRate', 'research')] == ['platform-mail', 'finance-mail']
    assert reached[('GatewayErrorRate', None)] == ['oncall', 'platform-mail']
    assert reached[('GatewayFallbackRate', None)] == ['platform-mail']
    assert reached[('SparkDown', None)] == ['oncall', 'platform-mail']
    assert reached[('BackupStale', 'vault')] == ['oncall', 'platform-mail']
    assert _receivers_of(route, {'alertname': 'Watchdog', 'severity': 'none'}) == ['null']


@pytest.mark.offline
def test_grafana_and_alertmanager_read_the_secrets_their_external_secrets_make_offline(example):
    objects, values = example
    grafana = objects[('ExternalSecret', 'grafana-admin')]
    admin = values['grafana']['admin']
    assert grafana['spec']['target']['name'] == admin['existingSecret']
    keys = dict((d['secretKey'], d['remoteRef']) for d in grafana['spec']['data'])
    assert keys[admin['userKey']] == {'key': 'ai-platform/grafana', 'property': 'admin_user'}
    assert keys[admin['passwordKey']] == {'key': 'ai-platform/grafana', 'property': 'admin_password'}
    assert 'adminPassword' not in values['grafana']
    receivers = objects[('ExternalSecret', 'alertmanager-receivers')]
    assert values['alertmanager']['alertmanagerSpec']['secrets'] == [receivers['spec']['target']['name']]
    assert sorted(d['secretKey'] for d in receivers['spec']['data']) == ['ALERT_ONCALL_WEBHOOK_URL', 'ALERT_SMTP_PASSWORD']
    egress = objects[('NetworkPolicy', 'alertmanager-egress')]['spec']['egress']
    assert egress == [{'ports': [{'port': 443, 'protocol': 'TCP'}, {'port': 587, 'protocol': 'TCP'}]}]


@pytest.mark.offline
def test_without_receivers_alerts_go_nowhere_and_nothing_is_mounted_offline(tmp_path):
    objects, values = _render(tmp_path, '-e', '{"ai_platform_alerting": {"receivers": []}}')
    assert values['alertmanager']['config']['receivers'] == [{'name': 'null'}]
    assert values['alertmanager']['alertmanagerSpec']['secrets'] == []
    assert ('ExternalSecret', 'alertmanager-receivers') not in objects
    assert ('NetworkPolicy', 'alertmanager-egress') not in objects
    # Grafana's login comes from Vault either way.
    assert ('ExternalSecret', 'grafana-admin') in objects
