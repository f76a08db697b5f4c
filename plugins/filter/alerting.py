# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.module_utils import platform_model

# kube-prometheus-stack mounts each Secret of alertmanagerSpec.secrets here, one file per key.
SECRETS_DIR = '/etc/alertmanager/secrets'
DEFAULT_WEBHOOK_PORT = 443
# The chart's own default route: its Watchdog heartbeat goes nowhere (Helm replaces lists, so the
# route list restates it).
WATCHDOG_ROUTE = {'receiver': 'null', 'matchers': ['alertname = "Watchdog"']}


def _receivers(alerting):
    if alerting is None:
        return []
    if not isinstance(alerting, dict):
        raise AnsibleFilterError('alerting: ai_platform_alerting must be a mapping, got %r' % (alerting,))
    return alerting.get('receivers') or []


def alert_secret_envs(alerting):
    """The ai_platform_secrets envs the receivers read, in order (webhook URLs, SMTP passwords)."""
    return platform_model.alert_secret_envs({'receivers': _receivers(alerting)})


def alert_egress_ports(alerting):
    """TCP ports Alertmanager must reach outside the cluster: the webhooks' and the SMTP servers'."""
    ports = set()
    for receiver in _receivers(alerting):
        if 'webhook' in receiver:
            ports.add(int(receiver['webhook'].get('port') or DEFAULT_WEBHOOK_PORT))
        if 'email' in receiver:
            ports.add(int(receiver['email']['smarthost'].rsplit(':', 1)[1]))
    return sorted(ports)


def _alternatives(values):
    return '|'.join(values)


def alertmanager_config(alerting, secret_name, timing):
    """Alertmanager's route and receivers for kube-prometheus-stack's alertmanager.config.

    Each receiver gets the alerts whose `area` and `severity` labels it lists (all the platform's
    areas and both severities when absent); routes continue, so an alert reaches every receiver
    that asks for it. Secrets are read from files of the mounted Secret secret_name, never inlined.
    """
    routes = [dict(WATCHDOG_ROUTE)]
    receivers = [{'name': 'null'}]
    for receiver in _receivers(alerting):
        name = receiver['name']
        areas = receiver.get('areas') or list(platform_model.ALERT_AREAS)
        severities = receiver.get('severities') or list(platform_model.ALERT_SEVERITIES)
        routes.append({
            'receiver': name,
            'matchers': ['area =~ "%s"' % _alternatives(areas), 'severity =~ "%s"' % _alternatives(severities)],
            'continue': True,
        })
        entry = {'name': name}
        if 'webhook' in receiver:
            entry['webhook_configs'] = [{
                'url_file': '%s/%s/%s' % (SECRETS_DIR, secret_name, receiver['webhook']['url_env']),
                'send_resolved': True,
            }]
        if 'email' in receiver:
            email = receiver['email']
            config = {'to': ', '.join(email['to']), 'from': email['from'], 'smarthost': email['smarthost'],
                      'send_resolved': True}
            if email.get('username'):
                config['auth_username'] = email['username']
                config['auth_password_file'] = '%s/%s/%s' % (SECRETS_DIR, secret_name, email['password_env'])
            entry['email_configs'] = [config]
        receivers.append(entry)
    route = {'receiver': 'null', 'group_by': ['alertname', 'area', 'team'], 'routes': routes}
    route.update((key, timing[key]) for key in ('group_wait', 'group_interval', 'repeat_interval'))
    return {'route': route, 'receivers': receivers}


class FilterModule(object):
    def filters(self):
        return {
            'alertmanager_config': alertmanager_config,
            'alert_secret_envs': alert_secret_envs,
            'alert_egress_ports': alert_egress_ports,
        }
