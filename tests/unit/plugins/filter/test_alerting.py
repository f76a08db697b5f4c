"""alerting filters: Alertmanager's routes and receivers, the secrets they read, the ports they reach."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.alerting import (
    alert_egress_ports,
    alert_secret_envs,
    alertmanager_config,
)

TIMING = {'group_wait': '30s', 'group_interval': '5m', 'repeat_interval': '4h'}
ALERTING = {'receivers': [
    {'name': 'oncall', 'severities': ['critical'], 'webhook': {'url_env': 'HOOK_URL', 'port': 8443}},
    {'name': 'finance', 'areas': ['budget'],
     'email': {'to': ['a@example.org', 'b@example.org'], 'from': 'am@example.org', 'smarthost': 'smtp.example.org:587',
               'username': 'am', 'password_env': 'SMTP_PASSWORD'}},
    {'name': 'relay', 'email': {'to': ['c@example.org'], 'from': 'am@example.org', 'smarthost': 'relay.example.org:25'}},
]}


def test_each_receiver_gets_a_continuing_route_on_its_areas_and_severities():
    route = alertmanager_config(ALERTING, 'am-secrets', TIMING)['route']
    assert route['receiver'] == 'null'
    assert route['repeat_interval'] == '4h'
    # The chart's heartbeat stays first and goes nowhere.
    assert route['routes'][0] == {'receiver': 'null', 'matchers': ['alertname = "Watchdog"']}
    assert route['routes'][1:] == [
        {'receiver': 'oncall', 'matchers': ['area =~ "budget|gateway|spark|backup"', 'severity =~ "critical"'],
         'continue': True},
        {'receiver': 'finance', 'matchers': ['area =~ "budget"', 'severity =~ "critical|warning"'], 'continue': True},
        {'receiver': 'relay', 'matchers': ['area =~ "budget|gateway|spark|backup"', 'severity =~ "critical|warning"'],
         'continue': True},
    ]


def test_secrets_are_files_of_the_mounted_secret_never_values():
    receivers = dict((r['name'], r) for r in alertmanager_config(ALERTING, 'am-secrets', TIMING)['receivers'])
    assert receivers['null'] == {'name': 'null'}
    assert receivers['oncall']['webhook_configs'] == [
        {'url_file': '/etc/alertmanager/secrets/am-secrets/HOOK_URL', 'send_resolved': True}]
    mail = receivers['finance']['email_configs'][0]
    assert mail['to'] == 'a@example.org, b@example.org'
    assert mail['auth_username'] == 'am'
    assert mail['auth_password_file'] == '/etc/alertmanager/secrets/am-secrets/SMTP_PASSWORD'
    assert not [key for key in mail if key in ('auth_password', 'auth_secret')]
    # A relay without login gets no credentials at all.
    assert 'auth_username' not in receivers['relay']['email_configs'][0]


def test_no_receivers_keeps_the_charts_null_receiver_only():
    config = alertmanager_config({}, 'am-secrets', TIMING)
    assert config['receivers'] == [{'name': 'null'}]
    assert [r['receiver'] for r in config['route']['routes']] == ['null']
    assert alert_secret_envs(None) == [] and alert_egress_ports({}) == []


def test_secret_envs_listed_once_in_order_and_ports_from_webhooks_and_smarthosts():
    shared = {'receivers': ALERTING['receivers'] + [
        {'name': 'copy', 'email': dict(ALERTING['receivers'][1]['email'])},
        {'name': 'default-port', 'webhook': {'url_env': 'OTHER_URL'}}]}
    assert alert_secret_envs(shared) == ['HOOK_URL', 'SMTP_PASSWORD', 'OTHER_URL']
    assert alert_egress_ports(shared) == [25, 443, 587, 8443]


def test_the_whole_email_config_and_the_grouping_of_alerts():
    config = alertmanager_config(ALERTING, 'am-secrets', TIMING)
    assert dict((r['name'], r) for r in config['receivers'])['relay']['email_configs'] == [
        {'to': 'c@example.org', 'from': 'am@example.org', 'smarthost': 'relay.example.org:25', 'send_resolved': True}]
    assert config['route']['group_by'] == ['alertname', 'area', 'team']


def test_settings_that_are_not_a_mapping_are_refused():
    with pytest.raises(AnsibleFilterError) as raised:
        alertmanager_config(['oncall'], 'am-secrets', TIMING)
    assert str(raised.value) == "alerting: ai_platform_alerting must be a mapping, got ['oncall']"
