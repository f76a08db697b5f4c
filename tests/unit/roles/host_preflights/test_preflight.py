"""Preflight refusals of the host roles, run against the controller (no GPU here) with bad vars.

Each case runs the role's own preflight task files through ansible-playbook and checks the
message the user would read. Nothing on the controller is changed: preflights only read.
"""

import glob
import json
import os

import pytest

from helpers import REPO, run_playbook

PLAYBOOK = os.path.join(REPO, 'tests', 'unit', 'roles', 'host_preflights', 'preflight.yml')
EXAMPLE_VARS = os.path.join(REPO, 'inventories', 'example', 'group_vars', 'all')
HAS_NVIDIA_GPU = bool(glob.glob('/dev/nvidia[0-9]*')) or any(
    open(path).read().strip() == '0x10de' for path in glob.glob('/sys/bus/pci/devices/*/vendor'))


@pytest.fixture(scope='module')
def inventory(tmp_path_factory):
    """The controller as a k3s server and the DGX at once."""
    import sys
    path = tmp_path_factory.mktemp('inventory') / 'hosts.yml'
    path.write_text(json.dumps({'all': {'children': {
        'k3s_cluster': {'children': {'k3s_servers': {'hosts': {'localhost': {}}}}},
        'dgx': {'hosts': {'localhost': {}}}},
        'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}))
    return str(path)


def refusal(inventory, role, tasks, **extra):
    """The message of the task that failed (asserts one did)."""
    extra_vars = {'preflight_role': role, 'preflight_tasks': tasks}
    extra_vars.update(extra)
    args = []
    for name in ('platform.yml', 'models.yml', 'secrets.yml'):
        args += ['-e', '@' + os.path.join(EXAMPLE_VARS, name)]
    args += ['-e', json.dumps(extra_vars)]  # last: the case's vars win
    proc = run_playbook(PLAYBOOK, *args, inventory=inventory, json_output=True, timeout=300)
    assert proc.returncode != 0, proc.stdout[-2000:]
    messages = [result.get('msg', '')
                for play in proc.result['plays'] for task in play['tasks']
                for result in task['hosts'].values() if result.get('failed')]
    assert messages, proc.stdout[-2000:]
    return ' '.join(messages[-1].split())


VLLM_OK = {'vllm_memory_total_gb': 128, 'vllm_api_key': 'unused'}


@pytest.mark.skipif(HAS_NVIDIA_GPU, reason='this machine has an NVIDIA GPU')
def test_nvidia_driver_refuses_a_host_without_gpu(inventory):
    msg = refusal(inventory, 'nvidia_driver', ['detect.yml', 'preflight.yml'])
    assert 'nvidia_driver: no NVIDIA GPU on localhost' in msg


@pytest.mark.skipif(HAS_NVIDIA_GPU, reason='this machine has an NVIDIA GPU')
def test_vllm_refuses_a_host_without_gpu(inventory):
    msg = refusal(inventory, 'vllm', ['preflight.yml'], **VLLM_OK)
    assert 'vllm: no NVIDIA GPU on localhost' in msg


def test_nvidia_driver_refuses_an_unsupported_architecture(inventory):
    import platform
    msg = refusal(inventory, 'nvidia_driver', ['detect.yml', 'preflight.yml'],
                  nvidia_driver_architectures={'ppc64le': 'ppc64le'})
    assert 'nvidia_driver: architecture %s is not supported (supported: ppc64le)' % platform.machine() in msg


def test_nvidia_driver_refuses_an_unsupported_os(inventory):
    msg = refusal(inventory, 'nvidia_driver', ['detect.yml', 'preflight.yml'],
                  nvidia_driver_distributions={'Ubuntu-24.04': 'ubuntu2404'},
                  nvidia_driver_architectures={'x86_64': 'x86_64', 'aarch64': 'sbsa'})
    assert 'is not supported (DGX OS, or one of Ubuntu-24.04' in msg


def test_vllm_refuses_gpu_memory_utilization_095(inventory):
    msg = refusal(inventory, 'vllm', ['preflight.yml'], vllm_gpu_memory_utilization=0.95, **VLLM_OK)
    assert 'vllm: vllm_gpu_memory_utilization 0.95 must stay below 0.9' in msg


def test_vllm_refuses_a_model_that_does_not_fit(inventory):
    msg = refusal(inventory, 'vllm', ['preflight.yml'], vllm_memory_total_gb=24, vllm_api_key='unused')
    # 20 GB weights + 8 x 32768 tokens x 128 KiB (32 GB) + 4 GB overhead > 0.7 x 24 GB.
    assert 'needs about 56.0 GB' in msg and 'gives 16.8 GB' in msg
    assert 'Lower vllm_max_model_len or vllm_max_num_seqs' in msg


def test_vllm_refuses_when_no_deployment_uses_the_vllm_provider(inventory):
    msg = refusal(inventory, 'vllm', ['preflight.yml'], ai_platform_model_aliases=[], **VLLM_OK)
    assert 'vllm_served_model_name is empty' in msg


def test_k3s_refuses_a_binary_without_checksum(inventory):
    msg = refusal(inventory, 'k3s', ['preflight.yml'], k3s_api_vip='192.0.2.10', k3s_vip_interface='eth0')
    assert 'k3s: no sha256 for k3s' in msg and 'Set k3s_binary_sha256.' in msg


def test_k3s_standin_checksums_match_the_fixture_standin():
    """The lab's air-gap directory verifies like a release: its sha256sum files match the stand-in."""
    import hashlib
    base = os.path.join(REPO, 'tests', 'fixtures', 'artifacts', 'k3s')
    for arch, asset in (('amd64', 'k3s'), ('arm64', 'k3s-arm64')):
        with open(os.path.join(base, asset), 'rb') as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        with open(os.path.join(base, 'sha256sum-%s.txt' % arch), encoding='utf-8') as fh:
            assert fh.read().split() == [digest, asset]


def test_k3s_refuses_a_vip_that_is_a_node_address(inventory):
    msg = refusal(inventory, 'k3s', ['preflight.yml'], k3s_api_vip='127.0.0.1', k3s_vip_interface='lo',
                  ansible_host='127.0.0.1')
    assert 'k3s: k3s_api_vip 127.0.0.1 is the address of a node' in msg


def test_k3s_refuses_a_server_advertising_another_address_than_its_ansible_host(inventory):
    """The API egress policies allow ansible_host: a node-ip elsewhere would cut pods off the API."""
    msg = refusal(inventory, 'k3s', ['preflight.yml'], k3s_api_vip='192.0.2.10', k3s_vip_interface='eth0',
                  ansible_host='198.51.100.7', k3s_server_extra_config={'node-ip': '198.51.100.8'})
    assert 'k3s: server localhost has ansible_host 198.51.100.7 but k3s advertises 198.51.100.8' in msg


def test_k3s_accepts_a_server_whose_node_ip_is_its_ansible_host(inventory):
    msg = refusal(inventory, 'k3s', ['preflight.yml'], k3s_api_vip='192.0.2.10', k3s_vip_interface='eth0',
                  ansible_host='198.51.100.7', k3s_server_extra_config={'node-ip': '198.51.100.7'})
    assert 'k3s: no sha256 for k3s' in msg
