"""Outcomes of the base role on a Debian 12 systemd container (molecule/base)."""

import re

PACKAGES = ['chrony', 'nftables', 'openssh-server', 'kmod', 'curl', 'gnupg', 'conntrack', 'socat']
CLUSTER_TCP = ['6443', '2379-2380', '10250', '5001', '9100']


def test_packages_installed(host):
    missing = [name for name in PACKAGES if not host.package(name).is_installed]
    assert not missing


def test_modules_persisted(host):
    lines = host.file('/etc/modules-load.d/90-ai-platform.conf').content_string.splitlines()
    assert {'overlay', 'br_netfilter'} <= {line.strip() for line in lines}


def test_sysctls_persisted(host):
    content = host.file('/etc/sysctl.d/90-ai-platform.conf').content_string
    for line in ('net.ipv4.ip_forward = 1', 'net.bridge.bridge-nf-call-iptables = 1',
                 'net.bridge.bridge-nf-call-ip6tables = 1'):
        assert line in content.splitlines()


def test_journald_limited(host):
    dropin = host.file('/etc/systemd/journald.conf.d/90-ai-platform.conf')
    assert '[Journal]' in dropin.content_string
    assert 'SystemMaxUse=2G' in dropin.content_string.splitlines()
    # journald was restarted with the drop-in and is running.
    assert host.service('systemd-journald').is_running
    assert '90-ai-platform.conf' in host.check_output('systemd-analyze cat-config systemd/journald.conf')


def test_sshd_effective_config(host):
    effective = dict(line.split(' ', 1) for line in host.check_output('sshd -T').splitlines() if ' ' in line)
    assert effective['passwordauthentication'] == 'no'
    assert effective['kbdinteractiveauthentication'] == 'no'
    assert effective['permitrootlogin'] == 'without-password'
    assert host.service('ssh').is_running


def _input_chain(host):
    return host.check_output('nft list chain inet ai_platform_base input')


def _set_elements(host, name):
    listing = host.check_output('nft list set inet ai_platform_base %s' % name)
    match = re.search(r'elements = \{([^}]*)\}', listing)
    return {element.strip() for element in match.group(1).split(',')} if match else set()


def test_firewall_drops_by_default(host):
    assert 'policy drop;' in _input_chain(host)
    assert host.service('nftables').is_running


def test_cluster_ports_only_from_nodes(host):
    address = host.check_output("ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1")
    assert {address, '192.0.2.10', '10.42.0.0/16'} <= _set_elements(host, 'cluster_v4')
    rules = [line.strip() for line in _input_chain(host).splitlines() if 'dport' in line]
    cluster = [rule for rule in rules if rule.startswith('ip saddr @cluster_v4 tcp dport')]
    assert len(cluster) == 1
    # The DGX's vLLM port joins the cluster ports on a dgx member.
    for port in CLUSTER_TCP + ['8000']:
        assert port in cluster[0]
    # No rule opens a cluster port to every source.
    for rule in rules:
        if 'saddr' not in rule:
            assert not any(re.search(r'\b%s\b' % port, rule) for port in ('6443', '10250', '2379-2380', '8000'))
    assert 'ip saddr @cluster_v4 udp dport { 8472, 51820-51821 } accept' in rules


def test_ssh_only_from_admin_networks(host):
    assert '10.0.0.0/8' in _set_elements(host, 'admin_v4')
    assert 'ip saddr @admin_v4 tcp dport { 22, 6443 } accept' in _input_chain(host)


def test_time_sync_running(host):
    assert host.service('chrony').is_running
    assert host.service('chrony').is_enabled
    assert '127.0.0.1' in host.check_output('chronyc -n sources')


def test_swap_absent_from_fstab(host):
    entries = [line.split() for line in host.file('/etc/fstab').content_string.splitlines()
               if line.strip() and not line.lstrip().startswith('#')]
    assert not [fields for fields in entries if len(fields) > 2 and fields[2] == 'swap']
    assert '# /swap.img none swap sw 0 0' in host.file('/etc/fstab').content_string
