"""The base role's nftables ruleset: cluster ports open to the inventory's nodes only.

Rendered on the controller and checked with `nft --check` (the role's own validation).
"""

import os
import re
import shutil

import pytest
import yaml

from helpers import REPO, run_playbook

PLAYBOOK = os.path.join(REPO, 'tests', 'unit', 'roles', 'base', 'render_firewall.yml')

INVENTORY = {
    'all': {
        'vars': {'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
        'children': {
            'k3s_cluster': {'hosts': {
                'nuc1': {'ansible_host': '10.20.0.11'},
                'nuc2': {'ansible_host': 'fd00:20::12'},
            }},
            'dgx': {'hosts': {'spark': {'ansible_host': '10.20.0.20'}}},
            # Not a node: its address must appear nowhere.
            'other': {'hosts': {'laptop': {'ansible_host': '10.20.0.99'}}},
        },
    },
}

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which('nft'),
                                reason='nft --check needs the nft binary and CAP_NET_ADMIN')


@pytest.fixture(scope='module')
def rulesets(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('firewall')
    inventory = workdir / 'hosts.yml'
    inventory.write_text(yaml.safe_dump(INVENTORY))
    extra = '{"render_dir": "%s", "base_firewall_admin_cidrs": ["192.168.10.0/24", "fd00:a::/64"]}' % workdir
    proc = run_playbook(PLAYBOOK, '-e', extra, inventory=str(inventory))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {host: (workdir / ('%s.nft' % host)).read_text() for host in ('nuc1', 'nuc2', 'spark', 'laptop')}


def elements(ruleset, name):
    match = re.search(r'set %s \{[^}]*?elements = \{ ([^}]*) \}' % name, ruleset)
    return {item.strip() for item in match.group(1).split(',')} if match else set()


def rule(ruleset, prefix):
    lines = [line.strip() for line in ruleset.splitlines() if line.strip().startswith(prefix)]
    assert len(lines) == 1, lines
    return lines[0]


def test_nodes_by_family_and_only_nodes(rulesets):
    ruleset = rulesets['nuc1']
    assert elements(ruleset, 'cluster_v4') == {'10.20.0.11', '10.20.0.20', '10.42.0.0/16', '10.43.0.0/16'}
    assert elements(ruleset, 'cluster_v6') == {'fd00:20::12'}
    assert '10.20.0.99' not in ruleset


def test_cluster_ports_restricted_to_node_sets(rulesets):
    ruleset = rulesets['nuc1']
    assert 'policy drop;' in ruleset
    tcp = rule(ruleset, 'ip saddr @cluster_v4 tcp dport')
    for port in ('6443', '2379-2380', '10250', '5001'):
        assert port in tcp
    assert rule(ruleset, 'ip6 saddr @cluster_v6 udp dport') == 'ip6 saddr @cluster_v6 udp dport { 8472, 51820-51821 } accept'
    # The only rule without a source restriction is the public (ingress) one.
    open_rules = [line.strip() for line in ruleset.splitlines() if 'dport' in line and 'saddr' not in line]
    assert open_rules == ['tcp dport { 80, 443 } accept']


def test_vllm_port_on_the_dgx_only(rulesets):
    assert '8000' in rule(rulesets['spark'], 'ip saddr @cluster_v4 tcp dport')
    assert '8000' not in rulesets['nuc1']


def test_admin_networks_by_family(rulesets):
    ruleset = rulesets['nuc2']
    assert elements(ruleset, 'admin_v4') == {'192.168.10.0/24'}
    assert elements(ruleset, 'admin_v6') == {'fd00:a::/64'}
    assert rule(ruleset, 'ip saddr @admin_v4 tcp dport') == 'ip saddr @admin_v4 tcp dport { 22, 6443 } accept'
