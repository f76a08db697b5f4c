"""The way in, on the whole rendered platform (example and lab): every route's backend is a Service
the platform renders, on a port it serves, and the policies at both ends let the controller through.

Flows come from the wiring check (tests/tools/wiring_check.py), which treats each Ingress as a flow
from the ingress controller's pods to its backend and judges it on the pods' own port.
"""

import os
import sys

import yaml

from helpers import REPO

sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import wiring_check  # noqa: E402
from test_wiring import _apply_order  # noqa: E402

UI_HOSTS = ('chat', 'langfuse', 'grafana', 'litellm', 'argo', 'vault')


def _render(site):
    with open(site['catalog']) as handle:
        catalog = yaml.safe_load(handle)
    render = wiring_check.Render(wiring_check.load(site['dir'], _apply_order(site)))
    return render, catalog


def _route_flows(render, catalog):
    found, findings = wiring_check.flows(render, catalog)
    return [flow for flow in found if ' Ingress ' in ' %s ' % flow[3]], findings


def test_every_ui_host_routes_to_a_rendered_service_through_allowed_flows(site):
    render, catalog = _render(site)
    domain = site['platform']['ai_platform_domain']
    routes, findings = _route_flows(render, catalog)
    # Every UI host has a backend the render serves (a missing Service or port would be a finding
    # instead of a flow), and nothing about any Ingress is wrong.
    assert [f for f in findings if 'Ingress' in f] == []
    hosts = set(where.split(' host ')[1].split(' ')[0] for _pod, _server, _labels, where, _port in routes)
    assert hosts == set('%s.%s' % (label, domain) for label in UI_HOSTS)
    assert all(pod.chart == 'ingress-traefik' for pod, _server, _labels, _where, _port in routes)
    assert list(wiring_check.check_flows(render, routes)) == []


def test_a_route_whose_networkpolicy_is_missing_is_found(site):
    render, catalog = _render(site)
    render.policies = [policy for policy in render.policies
                       if (policy['metadata']['namespace'], policy['metadata']['name'])
                       != (site['namespaces']['gateway'], 'ingress-litellm')]
    routes, _findings = _route_flows(render, catalog)
    assert [f.split(' (')[0] for f in wiring_check.check_flows(render, routes)] == [
        'flow: HelmChart kube-system/ingress-traefik -> %s/litellm:4000' % site['namespaces']['gateway']]
