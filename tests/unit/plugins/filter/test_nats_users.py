"""nats_users: each agent confined to its own subjects and consumer; the controller to the JetStream API."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.nats_users import nats_users

VAULT = {'path_prefix': 'ai-platform'}
AGENTS = [{'name': 'doc-fetcher', 'team': 'research'}, {'name': 'reviewer', 'team': 'eng'}]


def test_one_user_per_agent_then_the_controller():
    result = nats_users(AGENTS, VAULT, 'nack')
    assert result['account'] == 'AGENTS'
    assert [u['user'] for u in result['users']] == ['doc-fetcher', 'reviewer', 'nack']
    assert result['users'][0] == {
        'user': 'doc-fetcher',
        'password': '<< $AGENT_DOC_FETCHER_PASSWORD >>',
        'permissions': {
            'publish': {'allow': [
                'agents.doc-fetcher.>',
                '$JS.API.INFO',
                '$JS.API.STREAM.INFO.agent-doc-fetcher',
                '$JS.API.CONSUMER.INFO.agent-doc-fetcher.doc-fetcher',
                '$JS.API.CONSUMER.MSG.NEXT.agent-doc-fetcher.doc-fetcher',
                '$JS.ACK.agent-doc-fetcher.doc-fetcher.>',
            ]},
            'subscribe': {'allow': ['agents.doc-fetcher.>', '_INBOX.doc-fetcher.>']},
        },
    }
    assert result['users'][-1] == {
        'user': 'nack', 'password': '<< $NACK_PASSWORD >>',
        'permissions': {'publish': {'allow': ['$JS.API.>']}, 'subscribe': {'allow': ['_INBOX.>']}},
    }


def test_no_agent_may_touch_another_agents_subjects():
    users = nats_users(AGENTS, VAULT, 'nack')['users']
    fetcher = users[0]['permissions']
    allowed = fetcher['publish']['allow'] + fetcher['subscribe']['allow']
    assert not [subject for subject in allowed if 'reviewer' in subject]


def test_a_delegating_agent_may_publish_only_to_its_delegates_tasks_subject():
    agents = [dict(AGENTS[0], delegates=['reviewer']), AGENTS[1]]
    users = nats_users(agents, VAULT, 'nack')['users']
    fetcher = users[0]['permissions']
    assert [s for s in fetcher['publish']['allow'] if 'reviewer' in s] == ['agents.reviewer.tasks']
    assert not [s for s in fetcher['subscribe']['allow'] if 'reviewer' in s]
    # Delegation is one way: the reviewer gains nothing of the fetcher's.
    assert not [s for s in users[1]['permissions']['publish']['allow'] if 'doc-fetcher' in s]


def test_every_password_variable_has_a_vault_entry():
    result = nats_users(AGENTS, VAULT, 'nack')
    assert result['secrets'] == [
        {'env': 'AGENT_DOC_FETCHER_PASSWORD', 'path': 'ai-platform/agents/doc-fetcher', 'key': 'nats_password'},
        {'env': 'AGENT_REVIEWER_PASSWORD', 'path': 'ai-platform/agents/reviewer', 'key': 'nats_password'},
        {'env': 'NACK_PASSWORD', 'path': 'ai-platform/nats/nack', 'key': 'password'},
    ]
    variables = {u['password'][4:-3] for u in result['users']}
    assert variables == {entry['env'] for entry in result['secrets']}


def test_no_agents_leaves_only_the_controller():
    assert [u['user'] for u in nats_users([], VAULT, 'nack')['users']] == ['nack']


@pytest.mark.parametrize('agents, message', [
    ('doc-fetcher', 'must be a list'),
    ([{'team': 'x'}], 'agent name must be a non-empty string'),
])
def test_wrong_input_is_refused(agents, message):
    with pytest.raises(AnsibleFilterError, match=message):
        nats_users(agents, VAULT, 'nack')
