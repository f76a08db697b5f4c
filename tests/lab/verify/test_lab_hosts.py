"""Outcomes of site.yml and playbooks/upgrade.yml on the lab's four hosts (`lab.sh check` runs these
after its idempotence check and tests/lab/upgrade.yml).

Real here: files, modes, systemd units, the nftables firewall, the network between the
containers, SSH. Stand-ins (tests/fixtures/artifacts): the k3s binary (and so etcd, the node list and
kube-vip's address), the GPU, nvidia-smi, nvidia-ctk, docker and the vLLM server. Tests that read
what a stand-in recorded or served say so in their name (`_standin`).
"""

import hashlib
import json
import os
import re
import socket

import pytest
import testinfra
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
LAB_CACHE = os.path.join(REPO, '.cache', 'lab')
LAB_VARS = os.path.join(REPO, 'inventories', 'lab', 'group_vars', 'all')
SERVERS = ['nuc1', 'nuc2', 'nuc3']


def _controller_held_spark_key():
    """The vLLM API key the vault role generated on the controller (inventories/lab/group_vars/all/vault.yml):
    ansible-vault encrypted with the lab's throw-away passphrase beside the lab's other controller files."""
    from ansible.parsing.vault import VaultLib, VaultSecret
    with open(os.path.join(REPO, 'tests', 'fixtures', 'artifacts', 'lab-vault-password'), 'rb') as handle:
        passphrase = handle.read().strip()
    with open(os.path.join(LAB_CACHE, 'vault', 'controller-secrets.vault'), 'rb') as handle:
        held = yaml.safe_load(VaultLib([('default', VaultSecret(passphrase))]).decrypt(handle.read()))
    return held['SPARK_VLLM_API_KEY']


API_KEY = _controller_held_spark_key()
SERVED = 'qwen3-32b'  # the inventory's local deployment (models.yml)


@pytest.fixture(scope='module')
def hosts():
    """Over SSH, as Ansible reaches them: the ssh_config lab.sh wrote maps names to addresses."""
    ssh_config = os.path.join(LAB_CACHE, 'ssh', 'config')
    return {name: testinfra.get_host('ssh://' + name, ssh_config=ssh_config) for name in SERVERS + ['spark']}


@pytest.fixture(scope='module')
def vip():
    with open(os.path.join(LAB_VARS, 'platform.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['k3s_api_vip']


def config(host):
    return yaml.safe_load(host.file('/etc/rancher/k3s/config.yaml').content_string)


def kube_vip_env(host):
    pod = yaml.safe_load(host.file('/var/lib/rancher/k3s/agent/pod-manifests/kube-vip.yaml').content_string)
    container = pod['spec']['containers'][0]
    return container, {e['name']: e['value'] for e in container['env']}


def test_first_server_initialises_etcd_and_the_others_join_through_the_vip(hosts, vip):
    first = config(hosts['nuc1'])
    assert first['cluster-init'] is True
    assert 'server' not in first
    for name in SERVERS[1:]:
        joined = config(hosts[name])
        assert 'cluster-init' not in joined
        assert joined['server'] == 'https://%s:6443' % vip
    for name in SERVERS:
        cfg = config(hosts[name])
        assert vip in cfg['tls-san'] and set(SERVERS) <= set(cfg['tls-san'])
        assert cfg['disable'] == ['servicelb', 'traefik']
        assert cfg['node-name'] == name
        assert cfg['token-file'] == '/etc/rancher/k3s/cluster-token'
        assert hosts[name].file('/etc/rancher/k3s/config.yaml').mode == 0o600


def test_kube_vip_static_pod_announces_the_vip_on_the_interface(hosts, vip):
    for name in SERVERS:
        container, env = kube_vip_env(hosts[name])
        assert env['address'] == vip
        assert env['vip_interface'] == 'eth0'
        assert env['vip_arp'] == 'true' and env['vip_leaderelection'] == 'true'
        assert env['port'] == '6443'
        assert re.match(r'^ghcr\.io/kube-vip/kube-vip:v\d+\.\d+\.\d+$', container['image'])


def test_token_file_identical_on_every_server_and_private(hosts):
    digests = set()
    for name in SERVERS:
        token = hosts[name].file('/etc/rancher/k3s/cluster-token')
        assert token.mode == 0o600 and token.user == 'root'
        digests.add(hashlib.sha256(token.content).hexdigest())
    assert len(digests) == 1


def test_k3s_units_active_and_enabled(hosts):
    for name in SERVERS:
        service = hosts[name].service('k3s')
        assert service.is_running and service.is_enabled


def test_every_server_ready_standin(hosts):
    out = hosts['nuc2'].check_output('k3s kubectl get nodes --no-headers')
    status = {line.split()[0]: line.split()[1] for line in out.splitlines()}
    assert status == {name: 'Ready' for name in SERVERS}


def test_join_order_nuc1_then_nuc2_then_nuc3_standin(hosts):
    """Each server's first `ready` in the stand-in's log comes after the previous server's."""
    first_ready = {}
    for name in SERVERS:
        for line in hosts[name].file('/var/log/k3s-standin.log').content_string.splitlines():
            entry = json.loads(line)
            if entry['event'] == 'ready':
                first_ready[name] = entry['ts']
                break
    assert first_ready['nuc1'] < first_ready['nuc2'] < first_ready['nuc3']
    # And nuc3 had not even started before nuc2 was ready (one join at a time).
    starts = [json.loads(line)['ts'] for line in hosts['nuc3'].file('/var/log/k3s-standin.log').content_string.splitlines()
              if json.loads(line)['event'] == 'start']
    assert starts[0] > first_ready['nuc2']


def test_vip_held_by_first_server_standin(hosts, vip):
    assert vip in hosts['nuc1'].interface('eth0').addresses


def test_kubeconfig_on_the_controller_points_at_the_vip(vip):
    path = os.path.join(LAB_CACHE, 'k3s', 'kubeconfig.yaml')
    assert os.stat(path).st_mode & 0o777 == 0o600
    with open(path, encoding='utf-8') as fh:
        kubeconfig = yaml.safe_load(fh)
    assert [c['cluster']['server'] for c in kubeconfig['clusters']] == ['https://%s:6443' % vip]


def http_from(host, url, key=None):
    """(status, body) of a GET made on `host`."""
    script = ('import urllib.request, urllib.error, sys\n'
              'r = urllib.request.Request(sys.argv[1])\n'
              'if len(sys.argv) > 2: r.add_header("Authorization", "Bearer " + sys.argv[2])\n'
              'try:\n  resp = urllib.request.urlopen(r, timeout=5); print(resp.status); print(resp.read().decode())\n'
              'except urllib.error.HTTPError as e:\n  print(e.code)\n')
    args = [url] + ([key] if key else [])
    out = host.check_output('python3 -c %s ' + ' '.join(['%s'] * len(args)), script, *args)
    status, _newline, body = out.partition('\n')
    return int(status), body


def test_vllm_unit_active_and_answering_health_and_models_from_a_cluster_node_standin(hosts):
    assert hosts['spark'].service('vllm').is_running and hosts['spark'].service('vllm').is_enabled
    assert http_from(hosts['nuc1'], 'http://spark:8000/health')[0] == 200
    status, body = http_from(hosts['nuc3'], 'http://spark:8000/v1/models', API_KEY)
    assert status == 200
    assert [m['id'] for m in json.loads(body)['data']] == [SERVED]
    assert http_from(hosts['nuc1'], 'http://spark:8000/v1/models')[0] == 401
    status, body = http_from(hosts['nuc2'], 'http://spark:8000/metrics')
    assert status == 200 and 'vllm:' in body


def test_vllm_port_closed_to_a_machine_outside_the_cluster(hosts):
    """The controller is on the same podman network but is no cluster node: nftables drops it."""
    spark_ip = hosts['spark'].interface('eth0').addresses[0]
    with pytest.raises(OSError):
        socket.create_connection((spark_ip, 8000), timeout=3).close()


def test_firewall_opens_8000_only_to_cluster_nodes(hosts):
    ruleset = hosts['spark'].check_output('nft list ruleset')
    rules_with_8000 = [line.strip() for line in ruleset.splitlines() if re.search(r'\b8000\b', line)]
    assert rules_with_8000 and all(re.match(r'^ip6? saddr @cluster_v[46] ', r) for r in rules_with_8000)
    node_ips = {hosts[n].interface('eth0').addresses[0] for n in SERVERS}
    cluster_set = re.search(r'set cluster_v4 \{.*?elements = \{(.*?)\}', ruleset, re.S).group(1)
    assert node_ips <= {e.strip() for e in cluster_set.replace('\n', ' ').split(',')}


def test_exact_vllm_flags_recorded_standin(hosts):
    runs = [line for line in hosts['spark'].file('/var/log/docker-standin.log').content_string.splitlines()
            if ' docker run ' in line]
    argv = runs[-1].split(' docker run ', 1)[1].split()
    image = argv.index('nvcr.io/nvidia/vllm:26.04-py3')
    assert argv[image + 1:] == [
        'vllm', 'serve', 'nvidia/Qwen3-32B-NVFP4', '--host', '0.0.0.0', '--port', '8000',
        '--served-model-name', SERVED, '--max-model-len', '32768', '--gpu-memory-utilization', '0.7',
        '--kv-cache-dtype', 'fp8', '--max-num-seqs', '8', '--enable-prefix-caching',
        '--enable-auto-tool-choice', '--tool-call-parser', 'hermes', '--reasoning-parser', 'qwen3']
    runtime = argv[:image]
    assert runtime[runtime.index('--gpus') + 1] == 'all'
    assert '/var/lib/vllm/huggingface:/root/.cache/huggingface' in runtime
    assert runtime[runtime.index('--env-file') + 1] == '/etc/vllm/vllm.env'


def test_api_key_only_in_the_private_env_file(hosts):
    spark = hosts['spark']
    env = spark.file('/etc/vllm/vllm.env')
    assert env.mode == 0o600 and env.user == 'root'
    assert 'VLLM_API_KEY=' + API_KEY in env.content_string
    assert API_KEY not in spark.check_output('systemctl cat vllm')
    assert API_KEY not in spark.file('/var/log/docker-standin.log').content_string


def test_nvidia_ctk_configured_docker_and_wrote_cdi_spec_standin(hosts):
    spark = hosts['spark']
    calls = spark.file('/var/log/nvidia-standin.log').content_string
    assert 'nvidia-ctk runtime configure --runtime=docker' in calls
    assert 'nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml' in calls
    daemon = json.loads(spark.file('/etc/docker/daemon.json').content_string)
    assert daemon['runtimes']['nvidia']['path'] == 'nvidia-container-runtime'
    spec = yaml.safe_load(spark.file('/etc/cdi/nvidia.yaml').content_string)
    assert spec['kind'] == 'nvidia.com/gpu' and 'all' in [d['name'] for d in spec['devices']]


def test_dgx_os_driver_left_alone(hosts):
    """DGX OS: no CUDA repository added, no driver package installed."""
    spark = hosts['spark']
    assert not spark.file('/etc/apt/sources.list.d/cuda.sources').exists
    assert not spark.package('nvidia-open').is_installed


def test_rolling_upgrade_one_server_at_a_time_standin(hosts):
    """tests/lab/upgrade.yml ran playbooks/upgrade.yml to v1.33.6+k3s1 (a stand-in reporting it).

    Every server now runs it, is Ready and schedulable again, and the restarts happened in
    order: each server's first start on the new version after the previous one was Ready again.
    """
    new = 'v1.33.6+k3s1'
    started, ready = {}, {}
    for name in SERVERS:
        assert new in hosts[name].check_output('k3s --version')
        entries = [json.loads(line) for line in hosts[name].file('/var/log/k3s-standin.log').content_string.splitlines()]
        started[name] = min(e['ts'] for e in entries if e['event'] == 'start' and e.get('version') == new)
        ready[name] = min(e['ts'] for e in entries if e['event'] == 'ready' and e.get('version') == new)
    assert ready['nuc1'] < started['nuc2'] and ready['nuc2'] < started['nuc3']
    out = hosts['nuc1'].check_output('k3s kubectl get nodes --no-headers')
    assert {line.split()[0]: line.split()[1] for line in out.splitlines()} == {n: 'Ready' for n in SERVERS}
    assert [line.split()[4] for line in out.splitlines()] == ['v1.33.6+k3s1'] * 3
    # Cordon and uncordon went through the API for every server (upgrade.yml's drain/uncordon).
    calls = ' '.join(hosts['nuc1'].file('/var/log/k3s-standin.log').content_string.splitlines()
                     + hosts['nuc2'].file('/var/log/k3s-standin.log').content_string.splitlines()
                     + hosts['nuc3'].file('/var/log/k3s-standin.log').content_string.splitlines())
    for name in SERVERS:
        assert '"drain", "%s"' % name in calls and '"uncordon", "%s"' % name in calls
