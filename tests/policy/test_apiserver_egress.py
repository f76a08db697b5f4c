"""Pods reach the Kubernetes API only at the cluster's API addresses: k3s_api_vip and each server's.

The expected addresses are read from the inventory files here, not from the apiserver_cidrs filter
the roles use, so a filter that widens the list fails these tests too.
"""

import ipaddress
import os

import pytest
import yaml

import manifest_policy as policy
from helpers import REPO

HERE = os.path.dirname(os.path.abspath(__file__))
API_PORT = 6443

with open(os.path.join(HERE, 'apiserver_egress_exceptions.yml')) as _handle:
    EXCEPTIONS = yaml.safe_load(_handle)['exceptions'] or {}


def _servers(inventory):
    with open(os.path.join(REPO, 'inventories', inventory, 'hosts.yml')) as handle:
        hosts = yaml.safe_load(handle)
    servers = hosts['all']['children']['k3s_cluster']['children']['k3s_servers']['hosts'] or {}
    return {name: (host or {}).get('ansible_host') for name, host in servers.items()}


def api_addresses(inventory, platform):
    """(allowed CIDRs, documented subnets): the VIP and every server as /32; the servers' subnet
    stands in only for servers the inventory gives no address (the lab's containers get theirs at start)."""
    vip = platform['k3s_api_vip']
    cidrs, subnets = {'%s/32' % vip}, set()
    for address in _servers(inventory).values():
        if address:
            cidrs.add('%s/32' % address)
        else:
            subnets.add(str(ipaddress.ip_network('%s/%d' % (vip, platform.get('k3s_api_vip_prefix', 24)), strict=False)))
    return cidrs | subnets, subnets


@pytest.fixture(params=('example', 'lab'))
def inventory(request):
    return request.param


def test_api_egress_reaches_only_the_api_addresses(inventory, rendered):
    site = rendered[inventory]
    cidrs, subnets = api_addresses(inventory, site['platform'])
    objects = [o for o in site['objects'] if policy.name_of(o) not in EXCEPTIONS]
    problems = policy.apiserver_egress(objects, cidrs, API_PORT, subnets)
    assert problems == [], '\n'.join(problems)


def test_every_api_address_is_allowed(inventory, rendered):
    """Narrowing must not lose a server: each policy's API rule names every API address."""
    site = rendered[inventory]
    cidrs, _subnets = api_addresses(inventory, site['platform'])
    rules = [(policy.name_of(o), rule) for o in site['objects']
             if o.get('kind') == 'NetworkPolicy' and policy.name_of(o) not in EXCEPTIONS
             for rule in (o.get('spec') or {}).get('egress') or []
             if any('ipBlock' in peer for peer in rule.get('to') or []) and policy.covers_port(rule, API_PORT)]
    # Agents (with RBAC), Argo, KEDA, Vault, External Secrets and NACK.
    assert len(rules) >= 6
    for name, rule in rules:
        assert {peer['ipBlock']['cidr'] for peer in rule['to']} == cidrs, name


def test_example_servers_are_single_hosts():
    """The example site gives every server an address: no subnet stands in there."""
    assert all(_servers('example').values())


def test_api_egress_exceptions_are_all_still_needed(rendered):
    for name in EXCEPTIONS:
        objects = [o for site in rendered.values() for o in site['objects'] if policy.name_of(o) == name]
        assert objects, 'exception for %s, which is not rendered' % name
        assert any(policy.apiserver_egress([o], set(), API_PORT) for o in objects), \
            'exception for %s is not needed' % name


def _egress(*rules):
    return {'apiVersion': 'networking.k8s.io/v1', 'kind': 'NetworkPolicy', 'metadata': {'name': 'p', 'namespace': 'n'},
            'spec': {'podSelector': {}, 'policyTypes': ['Egress'], 'egress': list(rules)}}


API_CIDRS = {'10.0.0.10/32', '10.0.0.11/32'}
_API = [{'protocol': 'TCP', 'port': API_PORT}]
BREAKS = {
    'anywhere (the old default)': {'to': [{'ipBlock': {'cidr': '0.0.0.0/0'}}], 'ports': _API},
    'the servers\' subnet': {'to': [{'ipBlock': {'cidr': '10.0.0.0/24'}}], 'ports': _API},
    'another host': {'to': [{'ipBlock': {'cidr': '10.0.0.99/32'}}], 'ports': _API},
    'anywhere, every port': {'to': [{'ipBlock': {'cidr': '0.0.0.0/0', 'except': ['10.42.0.0/16']}}]},
    'no destinations on the API port': {'ports': _API},
    'a port range over the API port': {'to': [{'ipBlock': {'cidr': '0.0.0.0/0'}}],
                                       'ports': [{'protocol': 'TCP', 'port': 6000, 'endPort': 7000}]},
}


@pytest.mark.offline
@pytest.mark.parametrize('case', sorted(BREAKS))
def test_api_egress_check_fails_offline(case):
    good = {'to': [{'ipBlock': {'cidr': c}} for c in sorted(API_CIDRS)], 'ports': _API}
    other_port = {'to': [{'ipBlock': {'cidr': '0.0.0.0/0'}}], 'ports': [{'protocol': 'TCP', 'port': 443}]}
    assert policy.apiserver_egress([_egress(good, other_port)], API_CIDRS) == []
    assert policy.apiserver_egress([_egress(good, BREAKS[case])], API_CIDRS)


@pytest.mark.offline
def test_api_egress_subnet_only_when_documented_offline():
    rule = {'to': [{'ipBlock': {'cidr': '10.0.0.0/24'}}], 'ports': _API}
    assert policy.apiserver_egress([_egress(rule)], API_CIDRS | {'10.0.0.0/24'})
    assert policy.apiserver_egress([_egress(rule)], API_CIDRS | {'10.0.0.0/24'}, subnets={'10.0.0.0/24'}) == []
