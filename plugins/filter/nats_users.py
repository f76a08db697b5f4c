# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.module_utils import platform_names

# Server environment variable holding the JetStream controller's password.
_CONTROLLER_ENV = 'NACK_PASSWORD'


def _agent_user(identity, delegate_identities):
    stream, consumer = identity['stream'], identity['consumer']
    # Its own subjects, sub-tasks to the agents it delegates to (their tasks subject only), plus the
    # JetStream API calls a pull consumer of its own stream makes.
    publish = [identity['subjects']] + [d['tasks_subject'] for d in delegate_identities] + [
        '$JS.API.INFO',
        '$JS.API.STREAM.INFO.%s' % stream,
        '$JS.API.CONSUMER.INFO.%s.%s' % (stream, consumer),
        '$JS.API.CONSUMER.MSG.NEXT.%s.%s' % (stream, consumer),
        '$JS.ACK.%s.%s.>' % (stream, consumer),
    ]
    return {
        'user': identity['user'],
        'password': '<< $%s >>' % identity['password_env'],
        'permissions': {
            'publish': {'allow': publish},
            'subscribe': {'allow': [identity['subjects'], '%s.>' % identity['inbox_prefix']]},
        },
    }


def nats_users(agents, vault_settings, controller_user):
    """The NATS account, its users and the Vault entries their passwords come from.

    users: one per agent (only its own subjects and consumer, and the tasks subjects of the agents
    it delegates to) and the JetStream controller (the JetStream API); each password is a server environment variable. secrets: env/path/key entries
    for the ExternalSecret that fills those variables.
    """
    if not isinstance(agents, (list, tuple)):
        raise AnsibleFilterError('nats_users: ai_platform_agents must be a list, got %r' % (agents,))
    try:
        identities = [platform_names.agent_identity(agent, vault_settings) for agent in agents]
        delegates = [[platform_names.agent_identity(name, vault_settings) for name in agent.get('delegates') or []]
                     for agent in agents]
        controller_path = platform_names.platform_secret_paths(vault_settings)['nats_controller']
    except (AttributeError, ValueError) as err:
        raise AnsibleFilterError('nats_users: %s' % err)
    users = [_agent_user(identity, handed) for identity, handed in zip(identities, delegates)]
    users.append({
        'user': controller_user,
        'password': '<< $%s >>' % _CONTROLLER_ENV,
        'permissions': {'publish': {'allow': ['$JS.API.>']}, 'subscribe': {'allow': ['_INBOX.>']}},
    })
    secrets = [{'env': i['password_env'], 'path': i['secret_path'], 'key': 'nats_password'} for i in identities]
    secrets.append({'env': _CONTROLLER_ENV, 'path': controller_path, 'key': 'password'})
    return {'account': platform_names.NATS_ACCOUNT, 'users': users, 'secrets': secrets}


class FilterModule(object):
    def filters(self):
        return {'nats_users': nats_users}
