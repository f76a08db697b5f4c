"""The naming filters: endpoints, API addresses, generated secret paths, an agent's identity and the reference
runtime's image, each defined once."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.platform_names import (
    agent_identity,
    agent_runtime_image,
    apiserver_cidrs,
    platform_endpoints,
    platform_secret_paths,
    secret_reader,
)
from ansible_collections.baremetal.ai_platform.plugins.module_utils import platform_names as pn

NAMESPACES = {'gateway': 'gw', 'secrets': 'vault', 'observability': 'obs', 'messaging': 'msg',
              'workflows': 'wf', 'agents': 'ag', 'webui': 'ui'}
VAULT = {'path_prefix': 'ai-platform/', 'kv_mount': 'secret'}


def test_endpoints_follow_the_namespaces():
    assert platform_endpoints(NAMESPACES) == {
        'gateway_url': 'http://litellm.gw.svc.cluster.local:4000',
        'langfuse_url': 'http://langfuse-web.obs.svc.cluster.local:3000',
        'nats_url': 'nats://nats.msg.svc.cluster.local:4222',
        'nats_account': 'AGENTS',
        'nats_monitor_address': 'nats.msg.svc.cluster.local:8222',
        'vault_address': 'vault.vault.svc:8200',
        'agents_outbox_stream': 'agents-outbox',
        'agents_outbox_subjects': ['agents.*.results', 'agents.*.dead'],
        'agents_metrics_port': 9090,
        'gateway_labels': {'app.kubernetes.io/name': 'litellm', 'app.kubernetes.io/part-of': 'ai-platform'},
    }


def test_endpoints_name_the_missing_namespace():
    with pytest.raises(AnsibleFilterError, match=r'platform_endpoints: ai_platform_namespaces\.messaging must be'):
        platform_endpoints(dict(NAMESPACES, messaging=''))


def test_secret_paths_hang_under_the_prefix_without_doubled_slashes():
    assert platform_secret_paths(VAULT) == {
        'agents': 'ai-platform/agents',
        'backup': 'ai-platform/backup',
        'backup_s3': 'ai-platform/backup/s3',
        'backup_vault_snapshot': 'ai-platform/backup/vault-snapshot',
        'grafana': 'ai-platform/grafana',
        'litellm': 'ai-platform/litellm',
        'langfuse': 'ai-platform/langfuse',
        'nats_controller': 'ai-platform/nats/nack',
        'open_webui': 'ai-platform/open-webui',
    }


def test_secret_paths_need_a_prefix():
    with pytest.raises(AnsibleFilterError) as raised:
        platform_secret_paths({'kv_mount': 'secret'})
    assert str(raised.value) == 'platform_secret_paths: ai_platform_vault.path_prefix must be a non-empty string, got None'
    assert platform_secret_paths({'path_prefix': '/kv/'})['agents'] == 'kv/agents'


@pytest.mark.parametrize('render, what', [(platform_secret_paths, 'ai_platform_vault'),
                                          (platform_endpoints, 'ai_platform_namespaces')])
def test_settings_that_are_not_a_mapping_are_refused_naming_them(render, what):
    with pytest.raises(AnsibleFilterError) as raised:
        render(['x'])
    assert str(raised.value) == "%s: %s must be a mapping, got ['x']" % (render.__name__, what)


def test_secret_reader_names_one_identity_per_namespace():
    assert secret_reader('ai-gateway', {'secret_store': 'vault'}) == {
        'namespace': 'ai-gateway', 'store': 'vault-ai-gateway', 'service_account': 'eso-ai-gateway',
        'vault_role': 'eso-ai-gateway', 'vault_policy': 'eso-ai-gateway'}
    # Two namespaces never share a name.
    a, b = (secret_reader(ns, {'secret_store': 'vault'}) for ns in ('a', 'b'))
    assert not set(a.values()) & set(b.values())


@pytest.mark.parametrize('namespace, settings, missing', [
    ('', {'secret_store': 'vault'}, 'namespace'),
    ('ns', {}, 'ai_platform_vault.secret_store'),
    ('ns', None, 'ai_platform_vault must be a mapping'),
])
def test_secret_reader_names_what_is_missing(namespace, settings, missing):
    with pytest.raises(AnsibleFilterError, match='secret_reader: %s' % missing):
        secret_reader(namespace, settings)


def test_agent_identity_from_an_entry_names_everything_and_labels_the_team():
    identity = agent_identity({'name': 'doc-fetcher', 'team': 'research'}, VAULT)
    assert identity == {
        'name': 'doc-fetcher',
        'workload': 'agent-doc-fetcher',
        'selector': {'ai-platform/agent': 'doc-fetcher'},
        'labels': {'ai-platform/agent': 'doc-fetcher', 'ai-platform/team': 'research',
                   'app.kubernetes.io/part-of': 'ai-platform', 'app.kubernetes.io/name': 'doc-fetcher',
                   'app.kubernetes.io/component': 'agent'},
        'account': 'AGENTS',
        'user': 'doc-fetcher',
        'password_env': 'AGENT_DOC_FETCHER_PASSWORD',
        'stream': 'agent-doc-fetcher',
        'consumer': 'doc-fetcher',
        'subject_prefix': 'agents',
        'tasks_subject': 'agents.doc-fetcher.tasks',
        'results_subject': 'agents.doc-fetcher.results',
        'dead_letter_subject': 'agents.doc-fetcher.dead',
        'subjects': 'agents.doc-fetcher.>',
        'inbox_prefix': '_INBOX.doc-fetcher',
        'secret_path': 'ai-platform/agents/doc-fetcher',
    }


def test_agent_identity_from_a_name_matches_the_entry_but_has_no_team_label():
    by_name = agent_identity('doc-fetcher', VAULT)
    by_entry = agent_identity({'name': 'doc-fetcher', 'team': 'research'}, VAULT)
    assert 'ai-platform/team' not in by_name['labels']
    by_entry['labels'].pop('ai-platform/team')
    assert by_name == by_entry


def test_tasks_subject_is_inside_the_subjects_the_agent_owns():
    identity = agent_identity('a', VAULT)
    assert identity['tasks_subject'].startswith(identity['subjects'][:-1])


def _matches(pattern, subject):
    """NATS subject matching for the single-token wildcard the outbox uses."""
    want, have = pattern.split('.'), subject.split('.')
    return len(want) == len(have) and all(w in ('*', h) for w, h in zip(want, have))


def test_results_and_dead_letters_are_own_subjects_kept_by_the_outbox_not_the_work_queue():
    identity = agent_identity('a', VAULT)
    outbox = platform_endpoints(NAMESPACES)['agents_outbox_subjects']
    for subject in (identity['results_subject'], identity['dead_letter_subject']):
        assert subject.startswith(identity['subjects'][:-1])
        assert [p for p in outbox if _matches(p, subject)]
    assert not [p for p in outbox if _matches(p, identity['tasks_subject'])]
    assert identity['tasks_subject'] == '%s.a.tasks' % identity['subject_prefix']


@pytest.mark.parametrize('agent', [None, '', {'team': 'x'}])
def test_agent_identity_refuses_an_agent_without_a_name(agent):
    with pytest.raises(AnsibleFilterError, match='agent_identity: agent name must be a non-empty string'):
        agent_identity(agent, VAULT)


# hostvars as Ansible gives them: every inventory host, servers or not.
HOSTVARS = {'nuc1': {'ansible_host': '10.20.0.11'}, 'nuc2': {'ansible_host': '10.20.0.12'},
            'nuc3': {'ansible_host': '10.20.0.13'}, 'spark': {'ansible_host': '10.20.0.20'}}


def test_api_cidrs_are_the_vip_and_each_server_as_one_host():
    assert apiserver_cidrs(['nuc1', 'nuc2', 'nuc3'], HOSTVARS, '10.20.0.10') == \
        ['10.20.0.10/32', '10.20.0.11/32', '10.20.0.12/32', '10.20.0.13/32']


def test_api_cidrs_name_no_other_host_and_no_address_twice():
    hostvars = dict(HOSTVARS, nuc2={'ansible_host': '10.20.0.11'})
    assert apiserver_cidrs(['nuc1', 'nuc2'], hostvars, '10.20.0.10') == ['10.20.0.10/32', '10.20.0.11/32']


@pytest.mark.parametrize('address', [None, 'nuc1.site.example'])
def test_api_cidrs_cover_a_server_without_an_ip_address_by_the_servers_subnet(address):
    hostvars = dict(HOSTVARS, nuc1={} if address is None else {'ansible_host': address})
    assert apiserver_cidrs(['nuc1', 'nuc2'], hostvars, '10.20.0.10', 26) == \
        ['10.20.0.10/32', '10.20.0.0/26', '10.20.0.12/32']


def test_api_cidrs_of_ipv6_addresses_are_single_hosts_too():
    hostvars = {'nuc1': {'ansible_host': 'fd00::11'}}
    assert apiserver_cidrs(['nuc1'], hostvars, 'fd00::10') == ['fd00::10/128', 'fd00::11/128']


@pytest.mark.parametrize('vip', [None, '', 'api.site.example'])
def test_api_cidrs_need_the_vip_as_an_address(vip):
    with pytest.raises(AnsibleFilterError, match='apiserver_cidrs: k3s_api_vip must be an IP address'):
        apiserver_cidrs(['nuc1'], HOSTVARS, vip)


@pytest.mark.parametrize('registry, image', [
    ('', 'localhost/ai-platform/agent-runtime:1.0.0'),
    (None, 'localhost/ai-platform/agent-runtime:1.0.0'),
    ('registry.example.internal:5000/team', 'registry.example.internal:5000/team/ai-platform/agent-runtime:1.0.0'),
    ('registry.example.internal/', 'registry.example.internal/ai-platform/agent-runtime:1.0.0'),
])
def test_agent_runtime_image_is_localhost_without_a_registry(registry, image):
    assert agent_runtime_image(registry) == image


@pytest.mark.parametrize('registry', ['https://registry.example.internal', ' registry', 5000])
def test_agent_runtime_image_refuses_what_is_not_a_registry(registry):
    with pytest.raises(AnsibleFilterError, match='agent_runtime_image: the registry'):
        agent_runtime_image(registry)


def test_api_cidrs_take_a_slash_24_subnet_when_not_told():
    assert apiserver_cidrs(['nuc1'], dict(HOSTVARS, nuc1={}), '10.20.0.10') == ['10.20.0.10/32', '10.20.0.0/24']
    assert pn.apiserver_cidrs('10.20.0.10', [('nuc1', None)]) == ['10.20.0.10/32', '10.20.0.0/24']


def test_secret_paths_keep_a_prefix_that_ends_in_a_capital_x():
    assert platform_secret_paths({'path_prefix': '/ai-X/'})['agents'] == 'ai-X/agents'
