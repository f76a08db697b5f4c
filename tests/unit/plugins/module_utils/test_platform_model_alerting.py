"""platform_model's rules for ai_platform_alerting: each refused receiver names its path and value."""


import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils import platform_model as pm
from unit.plugins.module_utils.example_inventory import EXAMPLE


def refused(model, expected):
    found = pm.format_errors(pm.check_platform(model))
    assert any(expected in error for error in found), found


def test_example_receivers_pass(model):
    assert len(model['ai_platform_alerting']['receivers']) == 3
    assert pm.check_platform(model) == []


def test_unknown_variable_close_to_alerting_is_named(model):
    model['variables']['nuc1'].append('ai_platform_alertng')
    refused(model, "ai_platform_alertng: is not a known variable (set for nuc1); did you mean 'ai_platform_alerting'?")


@pytest.mark.parametrize('change, expected', [
    (lambda r: r[0].pop('webhook'), 'ai_platform_alerting.receivers[0] (oncall): has neither webhook nor email'),
    (lambda r: r[0].update(name='null'), "ai_platform_alerting.receivers[0] (null).name: 'null' is Alertmanager's"),
    (lambda r: r[1].update(name='oncall'), "ai_platform_alerting.receivers[1] (oncall).name: duplicate receiver name"),
    (lambda r: r[0].update(areas=['budgets']), "ai_platform_alerting.receivers[0] (oncall).areas[0]: 'budgets' is not one of"),
    (lambda r: r[0].update(severities=['info']), "ai_platform_alerting.receivers[0] (oncall).severities[0]: 'info' is not"),
    (lambda r: r[0].update(slack={}), 'ai_platform_alerting.receivers[0] (oncall).slack: is not a receiver setting'),
    (lambda r: r[0]['webhook'].update(url_env='ALERT_NOWHERE'),
     "ai_platform_alerting.receivers[0] (oncall).webhook.url_env: 'ALERT_NOWHERE' has no entry in ai_platform_secrets"),
    (lambda r: r[0]['webhook'].update(port=70000), 'ai_platform_alerting.receivers[0] (oncall).webhook.port: 70000 must be <= 65535'),
    (lambda r: r[1]['email'].update(smarthost='smtp.example.internal'),
     "ai_platform_alerting.receivers[1] (platform-mail).email.smarthost: 'smtp.example.internal' is not host:port"),
    (lambda r: r[1]['email'].update(to=['platform']), "ai_platform_alerting.receivers[1] (platform-mail).email.to[0]: 'platform' is not an e-mail"),
    (lambda r: r[1]['email'].pop('username'),
     'ai_platform_alerting.receivers[1] (platform-mail).email: sets password_env without username'),
])
def test_broken_receiver_refused_with_its_path(model, change, expected):
    change(model['ai_platform_alerting']['receivers'])
    refused(model, expected)


def test_alerting_must_be_a_mapping_of_receivers(model):
    model['ai_platform_alerting'] = {'receiver': []}
    refused(model, 'ai_platform_alerting.receiver: is not a setting (known: receivers)')
    model['ai_platform_alerting'] = ['oncall']
    refused(model, "ai_platform_alerting: must be a mapping, got ['oncall']")


def test_secret_envs_of_the_receivers():
    assert pm.alert_secret_envs(EXAMPLE['ai_platform_alerting']) == ['ALERT_ONCALL_WEBHOOK_URL', 'ALERT_SMTP_PASSWORD']
