"""platform_model's rules, each on one broken copy of the example inventory, against the whole list of
errors it gives: the path, the value quoted, the message with its advice, and nothing else reported.
Cases that must pass are here too (limits, and what a rule must not catch). test_platform_model_example
holds the first such cases; this file the rest (one rule per case, every rule that reports)."""


import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils import platform_model as pm
from unit.plugins.module_utils.example_inventory import EXAMPLE
from unit.plugins.module_utils.test_platform_model_example import _delete, _set

EXAMPLE_SECRETS = EXAMPLE['ai_platform_secrets']

R = 'ai_platform_alerting'
V = 'vllm'
A = 'ai_platform_agents'
T = 'ai_platform_teams'
P = 'ai_platform_providers'
M = 'ai_platform_model_aliases'


def _email(**fields):
    """Set (None: remove) fields of the platform-mail receiver's email."""
    def mutate(model):
        email = model[R]['receivers'][1]['email']
        email.update(fields)
        for key in [key for key, value in fields.items() if value is None]:
            del email[key]
    return mutate


# 64 GB for the model: 20 weights + 32 KV cache (131072 bytes x 32768 tokens x 8) + 4 overhead, 8 spare.
_SPARK = {'vllm_gpu_memory_utilization': 0.5, 'vllm_memory_total_gb': 128, 'vllm_model_weights_gb': 20,
          'vllm_kv_cache_bytes_per_token': 131072, 'vllm_max_model_len': 32768, 'vllm_max_num_seqs': 8,
          'vllm_runtime_overhead_gb': 4}


_SECRETS_RULE = {'api_groups': [''], 'resources': ['secrets'], 'verbs': ['get']}


def _both(*mutations):
    def mutate(model):
        for mutation in mutations:
            mutation(model)
    return mutate


def _rule(**rule):
    """incident-summariser's first permission rule, with these fields."""
    return _set((A, 13, 'permissions', 0), dict({'api_groups': [''], 'resources': ['pods'], 'verbs': ['get']}, **rule))


CASES = {
    'email to not an address': (_email(to=['platform@ai.example.internal', 'platform']), [
        "ai_platform_alerting.receivers[1] (platform-mail).email.to[1]: 'platform' is not an e-mail address",
    ]),
    'email from not an address': (_email(**{'from': 'alertmanager'}), [
        "ai_platform_alerting.receivers[1] (platform-mail).email.from: 'alertmanager' is not an e-mail address",
    ]),
    'smarthost without port': (_email(smarthost='smtp.example.internal'), [
        "ai_platform_alerting.receivers[1] (platform-mail).email.smarthost: 'smtp.example.internal' is not host:port "
        '(the SMTP server and its port, e.g. smtp.example.org:587)',
    ]),
    'smarthost port 0': (_email(smarthost='smtp.example.internal:0'), [
        "ai_platform_alerting.receivers[1] (platform-mail).email.smarthost: 'smtp.example.internal:0' has a port "
        'that is not a number from 1 to 65535',
    ]),
    'smarthost port 65536': (_email(smarthost='smtp.example.internal:65536'), [
        "ai_platform_alerting.receivers[1] (platform-mail).email.smarthost: 'smtp.example.internal:65536' has a port "
        'that is not a number from 1 to 65535',
    ]),
    'smarthost ports 1 and 65535': (_both(_email(smarthost='smtp.example.internal:1'),
                                          _set((R, 'receivers', 2, 'email', 'smarthost'), 'smtp.example.internal:65535')), []),
    'username not a string': (_email(username=5), [
        'ai_platform_alerting.receivers[1] (platform-mail).email.username: must be a string, got 5',
        'ai_platform_alerting.receivers[1] (platform-mail).email: sets password_env without username: SMTP login '
        'needs both or neither',
    ]),
    'password env not an env name': (_email(password_env='smtp-password'), [
        "ai_platform_alerting.receivers[1] (platform-mail).email.password_env: 'smtp-password' is not an environment "
        'variable name',
        "ai_platform_alerting.receivers[1] (platform-mail).email.password_env: 'smtp-password' has no entry in "
        'ai_platform_secrets (add one with env: smtp-password, path and key)',
    ]),
    'username without password': (_email(password_env=None), [
        'ai_platform_alerting.receivers[1] (platform-mail).email: sets username without password_env: SMTP login '
        'needs both or neither',
    ]),
    'password without username': (_email(username=None), [
        'ai_platform_alerting.receivers[1] (platform-mail).email: sets password_env without username: SMTP login '
        'needs both or neither',
    ]),
    'no smtp login at all': (_email(username=None, password_env=None), []),
    'reserved receiver name': (_set((R, 'receivers', 0, 'name'), 'null'), [
        "ai_platform_alerting.receivers[0] (null).name: 'null' is Alertmanager's receiver for alerts sent nowhere",
    ]),
    'receiver name not a label': (_set((R, 'receivers', 0, 'name'), 'On Call'), [
        "ai_platform_alerting.receivers[0] (On Call).name: 'On Call' is not a valid receiver name (DNS-1123 label: "
        'lowercase letters, digits and -, starting and ending with a letter or digit, at most 63)',
    ]),
    'unknown area': (_set((R, 'receivers', 2, 'areas'), ['budget', 'money']), [
        "ai_platform_alerting.receivers[2] (finance-mail).areas[1]: 'money' is not one of budget, gateway, spark, "
        'backup',
    ]),
    'unknown severity': (_set((R, 'receivers', 0, 'severities'), ['critical', 'urgent']), [
        "ai_platform_alerting.receivers[0] (oncall).severities[1]: 'urgent' is not one of critical, warning",
    ]),
    'receiver without a kind': (_delete((R, 'receivers', 0, 'webhook')), [
        'ai_platform_alerting.receivers[0] (oncall): has neither webhook nor email: a receiver needs at least one',
    ]),
    'unknown receiver setting': (_set((R, 'receivers', 0, 'slack'), {}), [
        'ai_platform_alerting.receivers[0] (oncall).slack: is not a receiver setting (known: name, areas, '
        'severities, webhook, email)',
    ]),
    'unknown alerting setting': (_set((R, 'routes'), []), [
        'ai_platform_alerting.routes: is not a setting (known: receivers)',
    ]),
    'webhook env not an env name': (_set((R, 'receivers', 0, 'webhook', 'url_env'), 'oncall-url'), [
        "ai_platform_alerting.receivers[0] (oncall).webhook.url_env: 'oncall-url' is not an environment variable name",
        "ai_platform_alerting.receivers[0] (oncall).webhook.url_env: 'oncall-url' has no entry in "
        'ai_platform_secrets (add one with env: oncall-url, path and key)',
    ]),
    'webhook port too high': (_set((R, 'receivers', 0, 'webhook', 'port'), 70000), [
        'ai_platform_alerting.receivers[0] (oncall).webhook.port: 70000 must be <= 65535',
    ]),
    'webhook env without a secret': (_set((R, 'receivers', 0, 'webhook', 'url_env'), 'ALERT_OTHER_URL'), [
        "ai_platform_alerting.receivers[0] (oncall).webhook.url_env: 'ALERT_OTHER_URL' has no entry in "
        'ai_platform_secrets (add one with env: ALERT_OTHER_URL, path and key)',
    ]),
    'email env without a secret': (_set((R, 'receivers', 1, 'email', 'password_env'), 'ALERT_OTHER_PASSWORD'), [
        "ai_platform_alerting.receivers[1] (platform-mail).email.password_env: 'ALERT_OTHER_PASSWORD' has no entry "
        'in ai_platform_secrets (add one with env: ALERT_OTHER_PASSWORD, path and key)',
    ]),
    'duplicate receiver': (_set((R, 'receivers', 2, 'name'), 'oncall'), [
        "ai_platform_alerting.receivers[2] (oncall).name: duplicate receiver name 'oncall' (first at "
        'ai_platform_alerting.receivers[0] (oncall).name)',
    ]),
    'receivers not a list': (_set((R, 'receivers'), 'oncall'), [
        "ai_platform_alerting.receivers: must be a list, got 'oncall'",
    ]),
    'receiver not a mapping': (_set((R, 'receivers', 1), 'platform-mail'), [
        "ai_platform_alerting.receivers[1]: must be a mapping, got 'platform-mail'",
    ]),
    'alerting not a mapping': (_set((R,), ['oncall']), [
        "ai_platform_alerting: must be a mapping, got ['oncall']",
    ]),
    'webhook not a mapping': (_set((R, 'receivers', 0, 'webhook'), 'url'), [
        "ai_platform_alerting.receivers[0] (oncall).webhook: must be a mapping, got 'url'",
    ]),
    'email not a mapping': (_set((R, 'receivers', 1, 'email'), 'platform@ai.example.internal'), [
        'ai_platform_alerting.receivers[1] (platform-mail).email: must be a mapping, got '
        "'platform@ai.example.internal'",
    ]),
    'site missing': (_delete(('ai_platform_site',)), [
        'ai_platform_site: is required',
    ]),
    'apply not a boolean': (_set(('ai_platform_apply',), 'yes'), [
        "ai_platform_apply: must be a boolean, got 'yes'",
    ]),
    'kubeconfig not a string': (_set(('ai_platform_kubeconfig',), 5), [
        'ai_platform_kubeconfig: must be a string, got 5',
    ]),
    'render dir blank': (_set(('ai_platform_render_dir',), '  '), [
        "ai_platform_render_dir: '  ' is empty",
    ]),
    'namespaces not a mapping': (_set(('ai_platform_namespaces',), ['ai-gateway']), [
        "ai_platform_namespaces: must be a mapping, got ['ai-gateway']",
    ]),
    'unknown namespace component': (_set(('ai_platform_namespaces', 'search'), 'ai-search'), [
        'ai_platform_namespaces.search: is not a known component (known: gateway, secrets, observability, messaging, '
        'workflows, agents, webui)',
    ]),
    'two components one namespace': (_set(('ai_platform_namespaces', 'webui'), 'ai-agents'), [
        'ai_platform_namespaces.webui: duplicate namespace (each component group needs its own: their policies and '
        "quotas differ) 'ai-agents' (first at ai_platform_namespaces.agents)",
    ]),
    'kube- namespace': (_set(('ai_platform_namespaces', 'webui'), 'kube-webui'), [
        "ai_platform_namespaces.webui: 'kube-webui' starts with 'kube-', which Kubernetes reserves for its system "
        'namespaces',
    ]),
    'default namespace': (_set(('ai_platform_namespaces', 'webui'), 'default'), [
        "ai_platform_namespaces.webui: 'default' is the cluster's default namespace: the platform labels its "
        'namespaces restricted and puts a default-deny policy in them; pick a namespace of its own',
    ]),
    'spark address with a space': (_set(('ai_platform_spark_address',), 'spark host'), [
        "ai_platform_spark_address: 'spark host' is neither an IP address nor a host name",
    ]),
    'spark address loopback': (_set(('ai_platform_spark_address',), '127.0.0.1'), [
        "ai_platform_spark_address: '127.0.0.1' is a loopback address: each machine would reach itself",
    ]),
    'spark address broadcast': (_set(('ai_platform_spark_address',), '255.255.255.255'), [
        "ai_platform_spark_address: '255.255.255.255' is the broadcast address",
    ]),
    'spark address multicast': (_set(('ai_platform_spark_address',), '224.0.0.1'), [
        "ai_platform_spark_address: '224.0.0.1' is a multicast address",
    ]),
    'spark address link-local': (_set(('ai_platform_spark_address',), '169.254.1.1'), [
        "ai_platform_spark_address: '169.254.1.1' is a link-local address",
    ]),
    'spark address unspecified': (_set(('ai_platform_spark_address',), '0.0.0.0'), [
        "ai_platform_spark_address: '0.0.0.0' is the unspecified address (any interface), not one machine",
    ]),
    'spark address a host name': (_set(('ai_platform_spark_address',), 'spark.ai.example.internal'), []),
    'interface missing': (_delete(('k3s_vip_interface',)), [
        'k3s_vip_interface: is required',
    ]),
    'vip is a host address': (_set(('k3s_api_vip',), '10.20.0.12'), [
        "k3s_api_vip: '10.20.0.12' is the address of host 'nuc2': kube-vip would announce a machine's own address "
        'and the API would follow whoever answers ARP',
    ]),
    'vip outside the servers subnet': (_set(('k3s_api_vip',), '10.21.0.10'), [
        "k3s_api_vip: '10.21.0.10' is outside the subnet of k3s server nuc1 (10.20.0.11/24): kube-vip announces it "
        "by ARP, so it must be on the servers' LAN (k3s_api_vip_prefix sets the subnet length)",
    ]),
    'vip inside a wider prefix': (_both(_set(('k3s_api_vip',), '10.21.0.10'), _set(('k3s_api_vip_prefix',), 15)), []),
    'vip ipv6 with ipv4 servers': (_set(('k3s_api_vip',), 'fd00::10'), [
        "k3s_api_vip: 'fd00::10' is outside the subnet of k3s server nuc1 (10.20.0.11/24): kube-vip announces it by "
        "ARP, so it must be on the servers' LAN (k3s_api_vip_prefix sets the subnet length)",
    ]),
    'vip prefix 0': (_set(('k3s_api_vip_prefix',), 0), [
        'k3s_api_vip_prefix: 0 must be >= 1',
    ]),
    'vip prefix 129': (_set(('k3s_api_vip_prefix',), 129), [
        'k3s_api_vip_prefix: 129 must be <= 128',
    ]),
    'vip prefix 33 on ipv4': (_set(('k3s_api_vip_prefix',), 33), [
        "k3s_api_vip: '10.20.0.10' is outside the subnet of k3s server nuc1 (10.20.0.11/33): kube-vip announces it "
        "by ARP, so it must be on the servers' LAN (k3s_api_vip_prefix sets the subnet length)",
    ]),
    'vip prefix 32 on ipv4': (_set(('k3s_api_vip_prefix',), 32), [
        "k3s_api_vip: '10.20.0.10' is outside the subnet of k3s server nuc1 (10.20.0.11/32): kube-vip announces it "
        "by ARP, so it must be on the servers' LAN (k3s_api_vip_prefix sets the subnet length)",
    ]),
    'vip loopback': (_set(('k3s_api_vip',), '127.0.0.2'), [
        "k3s_api_vip: '127.0.0.2' is a loopback address: each machine would reach itself",
    ]),
    'vip without server addresses': (_set(('hosts',), {}), []),
    'vault not a mapping': (_set(('ai_platform_vault',), 'https://vault'), [
        "ai_platform_vault: must be a mapping, got 'https://vault'",
    ]),
    'vault address missing': (_delete(('ai_platform_vault', 'address')), [
        'ai_platform_vault.address: is required',
    ]),
    'vault address port 0': (_set(('ai_platform_vault', 'address'), 'https://vault.ai.example.internal:0'), [
        "ai_platform_vault.address: 'https://vault.ai.example.internal:0' has port 0, which is not a number from 1 "
        'to 65535',
    ]),
    'vault address loopback': (_set(('ai_platform_vault', 'address'), 'https://127.0.0.1:8200'), [
        "ai_platform_vault.address: 'https://127.0.0.1:8200' points at 127.0.0.1, a loopback address: each machine "
        'would reach itself',
    ]),
    'kv mount with slashes': (_set(('ai_platform_vault', 'kv_mount'), '/secret/'), [
        "ai_platform_vault.kv_mount: '/secret/' has a leading or trailing /",
    ]),
    'path prefix with a dot segment': (_set(('ai_platform_vault', 'path_prefix'), 'ai/../platform'), [
        "ai_platform_vault.path_prefix: 'ai/../platform' has a '.' or '..' segment, so it resolves to another path",
    ]),
    'path prefix with an empty segment': (_set(('ai_platform_vault', 'path_prefix'), 'ai//platform'), [
        "ai_platform_vault.path_prefix: 'ai//platform' has an empty segment ('//')",
    ]),
    'path prefix with spaces': (_set(('ai_platform_vault', 'path_prefix'), ' ai-platform'), [
        "ai_platform_vault.path_prefix: ' ai-platform' has leading or trailing spaces",
    ]),
    'path prefix blank': (_set(('ai_platform_vault', 'path_prefix'), ' '), [
        "ai_platform_vault.path_prefix: ' ' is empty",
    ]),
    'secret store not a name': (_set(('ai_platform_vault', 'secret_store'), 'Vault_Store'), [
        "ai_platform_vault.secret_store: 'Vault_Store' is not a valid ClusterSecretStore name prefix (DNS-1123 subdomain "
        "of at most 189 characters: <secret_store>-<namespace> names each namespace's store)",
    ]),
    'refresh interval zero': (_set(('ai_platform_vault', 'refresh_interval'), '0s'), [
        "ai_platform_vault.refresh_interval: '0s' is zero: re-reading Vault less than a second apart (0 means never) "
        "is refused; use at least '1s', for example '1h'",
    ]),
    'refresh interval under a second': (_set(('ai_platform_vault', 'refresh_interval'), '500ms'), [
        "ai_platform_vault.refresh_interval: '500ms' is under a second: re-reading Vault less than a second apart (0 "
        "means never) is refused; use at least '1s', for example '1h'",
    ]),
    'refresh interval 1s and 1h30m pass': (_set(('ai_platform_vault', 'refresh_interval'), '1s'), []),
    'backup not a mapping': (_set(('ai_platform_backup',), 'nfs'), [
        "ai_platform_backup: must be a mapping, got 'nfs'",
    ]),
    'backup target unknown': (_set(('ai_platform_backup', 'target'), 'tape'), [
        "ai_platform_backup.target: 'tape' must be one of nfs, s3, none",
    ]),
    'backup target none': (_set(('ai_platform_backup',), {'target': 'none'}), []),
    'nfs not a mapping': (_set(('ai_platform_backup', 'nfs'), 'nas:/export'), [
        "ai_platform_backup.nfs: must be a mapping, got 'nas:/export'",
        'ai_platform_backup.nfs.server: is required',
        'ai_platform_backup.nfs.path: is required',
    ]),
    'nfs server with a space': (_set(('ai_platform_backup', 'nfs', 'server'), 'nas 1'), [
        "ai_platform_backup.nfs.server: 'nas 1' is not a host name or address",
    ]),
    'nfs server blank': (_set(('ai_platform_backup', 'nfs', 'server'), ' '), [
        "ai_platform_backup.nfs.server: ' ' is not a host name or address",
    ]),
    'nfs path relative': (_set(('ai_platform_backup', 'nfs', 'path'), 'export/ai'), [
        "ai_platform_backup.nfs.path: 'export/ai' must be an absolute export path without .. or //",
    ]),
    'nfs path with ..': (_set(('ai_platform_backup', 'nfs', 'path'), '/export/../ai'), [
        "ai_platform_backup.nfs.path: '/export/../ai' must be an absolute export path without .. or //",
    ]),
    'nfs path with //': (_set(('ai_platform_backup', 'nfs', 'path'), '/export//ai'), [
        "ai_platform_backup.nfs.path: '/export//ai' must be an absolute export path without .. or //",
    ]),
    's3 over http': (_set(('ai_platform_backup',), {'target': 's3', 's3': {'endpoint': 'http://minio.example.internal:9000', 'bucket': 'ai-backup'}}), [
        "ai_platform_backup.s3.endpoint: 'http://minio.example.internal:9000' must be https: credentials travel with "
        'each request',
    ]),
    's3 endpoint not a url': (_set(('ai_platform_backup',), {'target': 's3', 's3': {'endpoint': 'minio:9000', 'bucket': 'ai-backup'}}), [
        "ai_platform_backup.s3.endpoint: 'minio:9000' is not an http(s) URL",
    ]),
    's3 bucket not a name': (_set(('ai_platform_backup',), {'target': 's3', 's3': {'endpoint': 'https://minio.example.internal', 'bucket': 'AI_Backup'}}), [
        "ai_platform_backup.s3.bucket: 'AI_Backup' is not a valid bucket name (lowercase letters, digits, . and -)",
    ]),
    's3 not a mapping': (_set(('ai_platform_backup',), {'target': 's3', 's3': 'minio'}), [
        "ai_platform_backup.s3: must be a mapping, got 'minio'",
        'ai_platform_backup.s3.endpoint: is required',
        'ai_platform_backup.s3.bucket: is required',
    ]),
    's3 passes': (_set(('ai_platform_backup',), {'target': 's3', 's3': {'endpoint': 'https://minio.example.internal', 'bucket': 'ai.backup'}}), []),
    'retention zero': (_set(('ai_platform_backup', 'retention'), 0), [
        'ai_platform_backup.retention: 0 must be >= 1',
    ]),
    'schedule not a mapping': (_set(('ai_platform_backup', 'schedule'), '0 * * * *'), [
        "ai_platform_backup.schedule: must be a mapping, got '0 * * * *'",
    ]),
    'schedule of an unknown component': (_set(('ai_platform_backup', 'schedule', 'redis'), '0 * * * *'), [
        'ai_platform_backup.schedule.redis: is not a component (etcd, vault, postgres)',
    ]),
    'schedule not a string': (_set(('ai_platform_backup', 'schedule', 'etcd'), 5), [
        'ai_platform_backup.schedule.etcd: 5 is not a cron schedule',
    ]),
    'schedule malformed': (_set(('ai_platform_backup', 'schedule', 'vault'), '61 * * * *'), [
        "ai_platform_backup.schedule.vault: '61 * * * *' is not a usable cron schedule: minute: '61' is outside 0-59",
    ]),
    'schedule not every year': (_set(('ai_platform_backup', 'schedule', 'postgres'), '0 0 29 2 *'), [
        "ai_platform_backup.schedule.postgres: '0 0 29 2 *' is not a usable cron schedule: the schedule '0 0 29 2 *' "
        'does not run every year',
    ]),
    'gitops not a mapping': (_set(('ai_platform_gitops',), 'ssh://git@git/x.git'), [
        "ai_platform_gitops: must be a mapping, got 'ssh://git@git/x.git'",
    ]),
    'gitops unknown setting': (_set(('ai_platform_gitops', 'interval'), '1m'), [
        'ai_platform_gitops.interval: is not a setting (known: url, branch, path, secret)',
    ]),
    'gitops scp-like url': (_set(('ai_platform_gitops', 'url'), 'git@git.ai.example.internal:platform/ai.git'), [
        "ai_platform_gitops.url: 'git@git.ai.example.internal:platform/ai.git' is not an http(s):// or ssh:// URL "
        '(ssh://git@host/org/repo.git; Flux refuses scp-like git@host:repo)',
    ]),
    'gitops branch with ..': (_set(('ai_platform_gitops', 'branch'), 'release..1'), [
        "ai_platform_gitops.branch: 'release..1' is not a Git branch name",
    ]),
    'gitops path absolute': (_set(('ai_platform_gitops', 'path'), '/clusters/example'), [
        "ai_platform_gitops.path: '/clusters/example' must be relative to the repository root (clusters/<site>), not "
        'an absolute path',
    ]),
    'gitops path with ..': (_set(('ai_platform_gitops', 'path'), 'clusters/../example'), [
        "ai_platform_gitops.path: 'clusters/../example' must name a folder inside the repository, without .., // or "
        'an empty path',
    ]),
    'gitops path with //': (_set(('ai_platform_gitops', 'path'), 'clusters//example'), [
        "ai_platform_gitops.path: 'clusters//example' must name a folder inside the repository, without .., // or an "
        'empty path',
    ]),
    'gitops path dot': (_set(('ai_platform_gitops', 'path'), './'), [
        "ai_platform_gitops.path: './' must name a folder inside the repository, without .., // or an empty path",
    ]),
    'gitops path not a string': (_set(('ai_platform_gitops', 'path'), 5), [
        'ai_platform_gitops.path: must be a string, got 5',
    ]),
    'gitops secret not a name': (_set(('ai_platform_gitops', 'secret'), 'Git_Secret'), [
        "ai_platform_gitops.secret: 'Git_Secret' is not a Secret name (DNS-1123 subdomain)",
    ]),
    'gitops without secret': (_delete(('ai_platform_gitops', 'secret')), []),
    'gitops missing when applying': (_both(_delete(('ai_platform_gitops',)), _set(('ai_platform_apply',), True),
                                           _set(('ai_platform_kubeconfig',), '/k')), []),
    'provider name not a label': (_set((P, 0, 'name'), 'Open AI'), [
        "ai_platform_providers[0] (Open AI).name: 'Open AI' is not a valid provider name (DNS-1123 label: lowercase "
        'letters, digits and -, starting and ending with a letter or digit, at most 63)',
        "ai_platform_model_aliases[0] (fast).deployments[0] (fast-openai-gpt-4o-mini).provider: 'openai' is not a "
        'defined provider (defined: Open AI, anthropic, google, spark)',
    ]),
    'provider kind not a string': (_set((P, 0, 'kind'), 5), [
        'ai_platform_providers[0] (openai).kind: must be a string, got 5',
    ]),
    'provider key env not an env name': (_set((P, 0, 'api_key_env'), 'openai-key'), [
        "ai_platform_providers[0] (openai).api_key_env: 'openai-key' is not an environment variable name",
        "ai_platform_providers[0] (openai).api_key_env: 'openai-key' has no entry in ai_platform_secrets (add one "
        'with env: openai-key, path and key)',
    ]),
    'provider api base not a url': (_set((P, 0, 'api_base'), 'api.openai.com'), [
        "ai_platform_providers[0] (openai).api_base: 'api.openai.com' is not an http(s) URL",
    ]),
    'provider budget not a mapping': (_set((P, 0, 'budget'), 200), [
        'ai_platform_providers[0] (openai).budget: must be a mapping, got 200',
    ]),
    'provider budget zero': (_set((P, 0, 'budget', 'max_budget'), 0), [
        'ai_platform_providers[0] (openai).budget.max_budget: 0 must be > 0 (a budget of 0 refuses every request: '
        'remove the entry instead)',
    ]),
    'provider budget empty': (_set((P, 0, 'budget'), {}), [
        'ai_platform_providers[0] (openai).budget.max_budget: is required',
        'ai_platform_providers[0] (openai).budget.budget_duration: is required',
    ]),
    'provider budget without duration': (_delete((P, 0, 'budget', 'budget_duration')), [
        'ai_platform_providers[0] (openai).budget.budget_duration: is required',
    ]),
    'deployments not a list': (_set((M, 0, 'deployments'), 'fast-openai'), [
        "ai_platform_model_aliases[0] (fast).deployments: must be a list, got 'fast-openai'",
    ]),
    'deployment not a mapping': (_set((M, 0, 'deployments', 0), 'fast-openai'), [
        "ai_platform_model_aliases[0] (fast).deployments[0]: must be a mapping, got 'fast-openai'",
    ]),
    'deployment provider not a string': (_set((M, 0, 'deployments', 0, 'provider'), 5), [
        'ai_platform_model_aliases[0] (fast).deployments[0] (fast-openai-gpt-4o-mini).provider: must be a string, '
        'got 5',
    ]),
    'deployment model blank': (_set((M, 0, 'deployments', 0, 'model'), ' '), [
        "ai_platform_model_aliases[0] (fast).deployments[0] (fast-openai-gpt-4o-mini).model: ' ' is empty",
    ]),
    'deployment tpm zero': (_set((M, 0, 'deployments', 0, 'tpm'), 0), [
        'ai_platform_model_aliases[0] (fast).deployments[0] (fast-openai-gpt-4o-mini).tpm: 0 must be >= 1',
    ]),
    'deployment timeout zero': (_set((M, 0, 'deployments', 0, 'timeout'), 0), [
        'ai_platform_model_aliases[0] (fast).deployments[0] (fast-openai-gpt-4o-mini).timeout: 0 must be > 0',
    ]),
    'deployment stream timeout not a number': (_set((M, 0, 'deployments', 0, 'stream_timeout'), 'soon'), [
        "ai_platform_model_aliases[0] (fast).deployments[0] (fast-openai-gpt-4o-mini).stream_timeout: 'soon' is not "
        'a number',
    ]),
    'fallbacks not a list': (_set((M, 0, 'fallbacks'), 'local'), [
        "ai_platform_model_aliases[0] (fast).fallbacks: must be a list, got 'local'",
    ]),
    'fallback not a string': (_set((M, 0, 'fallbacks'), [5]), [
        'ai_platform_model_aliases[0] (fast).fallbacks[0]: must be a string, got 5',
    ]),
    'router not a mapping': (_set(('ai_platform_router',), 'simple-shuffle'), [
        "ai_platform_router: must be a mapping, got 'simple-shuffle'",
    ]),
    'routing strategy not a string': (_set(('ai_platform_router', 'routing_strategy'), 5), [
        'ai_platform_router.routing_strategy: must be a string, got 5',
    ]),
    'allowed fails not an integer': (_set(('ai_platform_router', 'allowed_fails'), 'x'), [
        "ai_platform_router.allowed_fails: 'x' is not an integer",
    ]),
    'cooldown negative': (_set(('ai_platform_router', 'cooldown_time'), -1), [
        'ai_platform_router.cooldown_time: -1 must be >= 0',
    ]),
    'cooldown zero passes': (_set(('ai_platform_router', 'cooldown_time'), 0), []),
    'router stream timeout zero': (_set(('ai_platform_router', 'stream_timeout'), 0), [
        'ai_platform_router.stream_timeout: 0 must be > 0',
    ]),
    'all deployments self-hosted and fallback self-hosted': (_set((M, 2, 'deployments'), [{'id': 'r-spark', 'provider': 'spark', 'model': 'qwen3-32b'}]), [
        "ai_platform_model_aliases[2] (reasoning).fallbacks[1]: 'local' has a self-hosted deployment, and so has "
        "every deployment of 'reasoning': when those are cooled down, LiteLLM 1.108.7 counts the failure against the "
        "fallback's deployment and cools it down too; fall back to an alias of cloud deployments",
    ]),
    'team name not a label': (_set((T, 4, 'name'), 'Platform'), [
        "ai_platform_teams[4] (Platform).name: 'Platform' is not a valid team name (DNS-1123 label: lowercase "
        'letters, digits and -, starting and ending with a letter or digit, at most 63)',
        "ai_platform_agents[16] (cost-watcher).team: 'platform' is not a defined team (defined: Platform, "
        'engineering, operations, research, support)',
        "ai_platform_agents[17] (eval-judge).team: 'platform' is not a defined team (defined: Platform, engineering, "
        'operations, research, support)',
    ]),
    'team models missing': (_delete((T, 4, 'models')), [
        'ai_platform_teams[4] (platform).models: is required',
        "ai_platform_agents[16] (cost-watcher).model: 'local' is not in the models of team 'platform' (none)",
        "ai_platform_agents[17] (eval-judge).model: 'reasoning' is not in the models of team 'platform' (none)",
    ]),
    'team model twice': (_set((T, 4, 'models'), ['local', 'reasoning', 'local']), [
        "ai_platform_teams[4] (platform).models[2]: duplicate model 'local' (first at ai_platform_teams[4] "
        '(platform).models[0])',
    ]),
    'team unlimited not a boolean': (_set((T, 4, 'unlimited'), 'yes'), [
        "ai_platform_teams[4] (platform).unlimited: must be a boolean, got 'yes'",
        'ai_platform_teams[4] (platform).max_budget: is required',
        'ai_platform_teams[4] (platform).budget_duration: is required',
    ]),
    'team rpm limit not an integer': (_set((T, 0, 'rpm_limit'), 'many'), [
        "ai_platform_teams[0] (research).rpm_limit: 'many' is not an integer",
    ]),
    'team budget and duration on an unlimited team': (_both(_set((T, 4, 'max_budget'), 10), _set((T, 4, 'budget_duration'), '1d')), [
        'ai_platform_teams[4] (platform): unlimited: true and max_budget and budget_duration are both set: drop one',
    ]),
    'agent team not a string': (_set((A, 0, 'team'), 5), [
        'ai_platform_agents[0] (doc-fetcher).team: must be a string, got 5',
    ]),
    'agent model not a string': (_set((A, 0, 'model'), 5), [
        'ai_platform_agents[0] (doc-fetcher).model: must be a string, got 5',
    ]),
    'agent name reserved': (_set((A, 0, 'name'), 'litellm'), [
        "ai_platform_agents[0] (litellm).name: 'litellm' is an identity the platform already uses (NATS user, "
        'ServiceAccount or component: nack, sys, system, keda, nats, litellm, open-webui, langfuse, vault, '
        'external-secrets, argo, prometheus, default, agents); two would share credentials',
    ]),
    'agent name too long for its derived names': (_set((A, 0, 'name'), 'a' * 41), [
        'ai_platform_agents[0] (aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa).name: '
        "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is too long: its pod name "
        "'agent-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-xxxxxxxxxx-xxxxx' would have 64 characters (at most 63); "
        'keep agent names to 40',
    ]),
    'agent name longest allowed': (_set((A, 0, 'name'), 'a' * 40), []),
    'agent without tools': (_delete((A, 0, 'tools')), []),
    'agent tools not a list': (_set((A, 0, 'tools'), 'fetch'), [
        "ai_platform_agents[0] (doc-fetcher).tools: must be a list, got 'fetch'",
    ]),
    'agent image not a string': (_set((A, 0, 'image'), 5), [
        'ai_platform_agents[0] (doc-fetcher).image: must be a string, got 5',
    ]),
    'agent image with a space': (_set((A, 0, 'image'), 'registry/agent :1'), [
        "ai_platform_agents[0] (doc-fetcher).image: 'registry/agent :1' is not a pinned image (name:tag or "
        'name@sha256:digest, tag not latest)',
    ]),
    'agent image tag empty': (_set((A, 0, 'image'), 'registry:5000/agent:'), [
        "ai_platform_agents[0] (doc-fetcher).image: 'registry:5000/agent:' is not a pinned image (name:tag or "
        'name@sha256:digest, tag not latest)',
    ]),
    'agent delegates not a list': (_set((A, 0, 'delegates'), 'doc-chunker'), [
        "ai_platform_agents[0] (doc-fetcher).delegates: must be a list, got 'doc-chunker'",
    ]),
    'permissions not a list': (_set((A, 13, 'permissions'), 'read pods'), [
        "ai_platform_agents[13] (incident-summariser).permissions: must be a list, got 'read pods'",
    ]),
    'permission not a mapping': (_set((A, 13, 'permissions', 0), 'pods'), [
        "ai_platform_agents[13] (incident-summariser).permissions[0]: must be a mapping, got 'pods'",
    ]),
    'api group wildcard': (_rule(api_groups=['*']), [
        "ai_platform_agents[13] (incident-summariser).permissions[0].api_groups[0]: '*' grants every API group, "
        'present and future: list the groups the agent needs',
    ]),
    'resources empty': (_rule(resources=[]), [
        'ai_platform_agents[13] (incident-summariser).permissions[0].resources: is empty',
    ]),
    'verbs empty': (_rule(verbs=[]), [
        'ai_platform_agents[13] (incident-summariser).permissions[0].verbs: is empty',
    ]),
    'verbs missing': (_set((A, 13, 'permissions', 0), {'api_groups': [''], 'resources': ['pods']}), [
        'ai_platform_agents[13] (incident-summariser).permissions[0].verbs: is required',
    ]),
    'escalating verb': (_rule(verbs=['get', 'escalate']), [
        "ai_platform_agents[13] (incident-summariser).permissions[0].verbs[1]: 'escalate' raises its own roles: an "
        'agent may not escalate its rights',
    ]),
    'secrets resource': (_rule(resources=['secrets']), [
        "ai_platform_agents[13] (incident-summariser).permissions[0].resources[0]: 'secrets' is refused for agents: "
        "every agent's LiteLLM key and NATS password are Secrets in the shared agents namespace",
    ]),
    'pods exec': (_rule(resources=['pods/exec']), [
        "ai_platform_agents[13] (incident-summariser).permissions[0].resources[0]: 'pods/exec' is refused for "
        "agents: runs commands in other agents' pods",
    ]),
    'roles subresource': (_rule(resources=['roles/finalizers']), [
        "ai_platform_agents[13] (incident-summariser).permissions[0].resources[0]: 'roles/finalizers' is refused for "
        'agents: lets the agent grant itself rights',
    ]),
    'resource subresource wildcard': (_rule(resources=['pods/*']), [
        "ai_platform_agents[13] (incident-summariser).permissions[0].resources[0]: 'pods/*' grants every resource: "
        'list the resources the agent needs',
    ]),
    'workload create': (_rule(resources=['deployments'], verbs=['get', 'create', 'patch']), [
        "ai_platform_agents[13] (incident-summariser).permissions[0].resources[0]: 'deployments' with create, patch "
        "is refused for agents: a workload it starts in the shared namespace can run as any agent's ServiceAccount "
        'and mount its secrets',
    ]),
    'workload read': (_rule(resources=['deployments', 'jobs/status'], verbs=['get', 'list']), []),
    'resources not a mapping': (_set((A, 0, 'resources'), '500m'), [
        "ai_platform_agents[0] (doc-fetcher).resources: must be a mapping, got '500m'",
    ]),
    'resources requests missing': (_delete((A, 0, 'resources', 'requests')), [
        'ai_platform_agents[0] (doc-fetcher).resources.requests: is required',
    ]),
    'cpu limit below request': (_set((A, 0, 'resources', 'limits', 'cpu'), '50m'), [
        "ai_platform_agents[0] (doc-fetcher).resources.requests.cpu: '100m' is more than the limit '50m'",
    ]),
    'request equal to limit passes': (_set((A, 0, 'resources', 'requests', 'memory'), '256Mi'), []),
    'scaling not a mapping': (_set((A, 0, 'scaling'), 2), [
        'ai_platform_agents[0] (doc-fetcher).scaling: must be a mapping, got 2',
    ]),
    'min replicas negative': (_set((A, 0, 'scaling', 'min_replicas'), -1), [
        'ai_platform_agents[0] (doc-fetcher).scaling.min_replicas: -1 must be >= 0',
    ]),
    'min replicas zero and equal pass': (_both(_set((A, 0, 'scaling', 'min_replicas'), 0), _set((A, 1, 'scaling', 'min_replicas'), 4),
                                               _set((A, 1, 'scaling', 'max_replicas'), 4)), []),
    'lag threshold zero': (_set((A, 0, 'scaling', 'lag_threshold'), 0), [
        'ai_platform_agents[0] (doc-fetcher).scaling.lag_threshold: 0 must be >= 1',
    ]),
    'secret key blank': (_set(('ai_platform_secrets', 0, 'key'), ' / '), [
        "ai_platform_secrets[0] (OPENAI_API_KEY).key: ' / ' is empty",
    ]),
    'secret path with an empty segment': (_set(('ai_platform_secrets', 0, 'path'), 'ai-platform//openai'), [
        "ai_platform_secrets[0] (OPENAI_API_KEY).path: 'ai-platform//openai' has an empty segment ('//')",
    ]),
    'secret env not a string': (_set(('ai_platform_secrets', 0, 'env'), 5), [
        'ai_platform_secrets[0].env: must be a string, got 5',
        "ai_platform_providers[0] (openai).api_key_env: 'OPENAI_API_KEY' has no entry in ai_platform_secrets (add "
        'one with env: OPENAI_API_KEY, path and key)',
    ]),
    'secrets without the master key': (_set(('ai_platform_secrets',), [e for e in EXAMPLE_SECRETS if e['env'] != 'LITELLM_MASTER_KEY']), [
        "ai_platform_secrets: has no entry for 'LITELLM_MASTER_KEY', the LiteLLM master key (litellm, agents): add "
        'one with env: LITELLM_MASTER_KEY, path and key',
    ]),
    'secret under the agents path without prefix slashes': (_both(_set(('ai_platform_vault', 'path_prefix'), 'kv'),
                                                                  _set(('ai_platform_secrets', 0, 'path'), 'kv/agents')), [
        "ai_platform_secrets[0] (OPENAI_API_KEY).path: 'kv/agents' is under 'kv/agents/', where the collection "
        "writes the agents' generated secrets",
    ]),
    'unknown gitops settings, one not a string': (_both(_set(('ai_platform_gitops', 5), 'x'),
                                                        _set(('ai_platform_gitops', 'extra'), 1)), [
        'ai_platform_gitops.5: is not a setting (known: url, branch, path, secret)',
        'ai_platform_gitops.extra: is not a setting (known: url, branch, path, secret)',
    ]),
    'vault path prefix not a string': (_set(('ai_platform_vault', 'path_prefix'), 5), [
        'ai_platform_vault.path_prefix: must be a string, got 5',
    ]),
    'secret under the agents path of a prefix with a slash': (_both(_set(('ai_platform_vault', 'path_prefix'), '/kv'),
                                                                    _set(('ai_platform_secrets', 0, 'path'), 'kv/agents/openai')), [
        "ai_platform_vault.path_prefix: '/kv' has a leading or trailing /",
        "ai_platform_secrets[0] (OPENAI_API_KEY).path: 'kv/agents/openai' is under 'kv/agents/', where the collection "
        "writes the agents' generated secrets",
    ]),
    'secret with slashes under the agents path': (_set(('ai_platform_secrets', 0, 'path'), '/ai-platform/agents/openai'), [
        "ai_platform_secrets[0] (OPENAI_API_KEY).path: '/ai-platform/agents/openai' has a leading or trailing /",
        "ai_platform_secrets[0] (OPENAI_API_KEY).path: '/ai-platform/agents/openai' is under 'ai-platform/agents/', "
        "where the collection writes the agents' generated secrets",
    ]),
    'spark address IPv6': (_set(('ai_platform_spark_address',), 'fd00::20'), []),
    'deployment checks go on past one that is not a mapping': (_both(
        _set((M, 0, 'deployments', 0, 'provider'), 'nope'), _set((M, 0, 'deployments', 0, 'timeout'), 0),
        lambda model: model[M][0]['deployments'].insert(0, 'fast-openai')), [
        "ai_platform_model_aliases[0] (fast).deployments[0]: must be a mapping, got 'fast-openai'",
        "ai_platform_model_aliases[0] (fast).deployments[1] (fast-openai-gpt-4o-mini).provider: 'nope' is not a defined "
        'provider (defined: anthropic, google, openai, spark)',
        'ai_platform_model_aliases[0] (fast).deployments[1] (fast-openai-gpt-4o-mini).timeout: 0 must be > 0',
    ]),
    'groups left out': (_delete(('groups',)), [
        "groups['k3s_servers']: 0 hosts (none): embedded etcd needs an odd number (1, 3, 5...) for quorum",
        "groups['dgx']: is empty but alias(es) local use a vllm provider: add the inference host",
    ]),
    'apply without a kubeconfig': (_both(_set(('ai_platform_apply',), True), _delete(('ai_platform_kubeconfig',))), [
        "ai_platform_kubeconfig: is empty but ai_platform_apply is true: set the path of the cluster's kubeconfig, or "
        'set ai_platform_apply: false to render',
    ]),
    'vault path with a policy wildcard': (_set(('ai_platform_secrets', 0, 'path'), 'ai-platform/openai*'), [
        "ai_platform_secrets[0] (OPENAI_API_KEY).path: 'ai-platform/openai*' has '*', '+' or '\"', which a Vault "
        'policy granting the path would read as a wildcard or its end',
    ]),
    'groups not a mapping': (_set(('groups',), ['nuc1']), [
        "groups: must be a mapping, got ['nuc1']",
        "groups['k3s_servers']: 0 hosts (none): embedded etcd needs an odd number (1, 3, 5...) for quorum",
        "groups['dgx']: is empty but alias(es) local use a vllm provider: add the inference host",
    ]),
    'server also an agent': (_set(('groups', 'k3s_agents'), ['nuc3']), [
        "groups['k3s_agents']: 'nuc3' is also in k3s_servers: a host has one role (k3s_servers or k3s_agents)",
    ]),
    'server also the dgx': (_set(('groups', 'dgx'), ['nuc2']), [
        "groups['dgx']: 'nuc2' is also in k3s_servers: a host has one role (k3s_servers or dgx)",
    ]),
    'localhost in a group': (_set(('groups', 'dgx'), ['localhost']), [
        "groups['dgx']: 'localhost' is the controller the platform plays run on, not a machine of the cluster: list "
        'the machine under its own name',
    ]),
    'vip on a server with a /32': (_both(_set(('k3s_api_vip',), '10.20.0.11'), _set(('k3s_api_vip_prefix',), 32)), [
        "k3s_api_vip: '10.20.0.11' is the address of host 'nuc1': kube-vip would announce a machine's own address and "
        'the API would follow whoever answers ARP',
        "k3s_api_vip: '10.20.0.11' is outside the subnet of k3s server nuc2 (10.20.0.12/32): kube-vip announces it by "
        "ARP, so it must be on the servers' LAN (k3s_api_vip_prefix sets the subnet length)",
    ]),
    'two hosts one address': (_set(('hosts', 'spark'), '10.20.0.11'), [
        "hostvars['spark'].ansible_host: '10.20.0.11' is also the address of nuc1: one machine in two roles",
    ]),
    'host without an address uses its name': (_both(_set(('hosts', 'spark'), None), _set(('groups', 'k3s_agents'), ['spark2']),
                                                    _set(('hosts', 'spark2'), 'spark')), [
        "hostvars['spark2'].ansible_host: 'spark' is also the address of spark: one machine in two roles",
    ]),
    'five servers pass': (_both(_set(('groups', 'k3s_servers'), ['nuc1', 'nuc2', 'nuc3', 'nuc4', 'nuc5']),
                                _set(('hosts', 'nuc4'), '10.20.0.14'), _set(('hosts', 'nuc5'), '10.20.0.15')), []),
    'replicas not an integer': (_set(('litellm_hpa_max_replicas',), 'many'), [
        "litellm_hpa_max_replicas: 'many' is not an integer",
    ]),
    'redis not a boolean': (_both(_set(('litellm_hpa_max_replicas',), 2), _set(('litellm_redis_enabled',), 'yes')), [
        "litellm_redis_enabled: must be a boolean, got 'yes'",
    ]),
    'replicas without redis': (_set(('litellm_hpa_max_replicas',), 2), [
        'litellm_redis_enabled: is false but up to 2 LiteLLM proxies (litellm_hpa_max_replicas) share the config: '
        'without Redis each keeps its own rate-limit counters, provider budgets, cooldowns and cache, so every cap '
        'is multiplied by 2; set litellm_redis_enabled: true',
    ]),
    'one replica without redis passes': (_set(('litellm_hpa_max_replicas',), 1), []),
    'vllm share not below its max': (_set((V, 'spark'), {'vllm_gpu_memory_utilization': 0.8, 'vllm_gpu_memory_utilization_max': 0.8}), [
        "hostvars['spark'].vllm_gpu_memory_utilization: 0.8 must stay below vllm_gpu_memory_utilization_max 0.8: the "
        'GPU shares its memory with the OS, the container runtime and k3s',
    ]),
    'vllm share below its max passes': (_set((V, 'spark'), {'vllm_gpu_memory_utilization': 0.7, 'vllm_gpu_memory_utilization_max': 0.8}), []),
    'vllm model does not fit': (_set((V, 'spark'), dict(_SPARK, vllm_kv_cache_bytes_per_token=262144)), [
        "hostvars['spark'].vllm_max_model_len: 32768 x vllm_max_num_seqs 8 needs about 88.0 GB (weights 20.0 + KV "
        'cache 64.0 + overhead 4.0) but vllm_gpu_memory_utilization 0.5 x vllm_memory_total_gb 128.0 gives 64.0 GB: '
        'lower one of them',
    ]),
    'vllm model fits exactly': (_set((V, 'spark'), dict(_SPARK, vllm_runtime_overhead_gb=12)), []),
    'vllm template values are the roles': (_set((V, 'spark'), {'vllm_max_model_len': '{{ x }}', 'vllm_port': 0}), [
        "hostvars['spark'].vllm_port: 0 must be >= 1",
    ]),
    'vllm tensor parallel inline': (_set((V, 'spark'), {'vllm_extra_args': ['--served-model-name', 'x', '-tp=two']}), [
        "hostvars['spark'].vllm_extra_args[2] (-tp): 'two' is not an integer",
    ]),
    'vllm tensor parallel value after its flag': (_set((V, 'spark'), {'vllm_extra_args': ['--tensor-parallel-size',
                                                                                          'two', '--enforce-eager']}), [
        "hostvars['spark'].vllm_extra_args[0] (--tensor-parallel-size): 'two' is not an integer",
    ]),
    'vllm tensor parallel last without value': (_set((V, 'spark'), {'vllm_extra_args': ['--pipeline-parallel-size']}), [
        "hostvars['spark'].vllm_extra_args[0] (--pipeline-parallel-size): is required",
    ]),
    'vllm settings of no host': (_set((V,), {'spark': None}), []),
    'unknown variable without a close name': (_set(('variables', 'nuc1'), ['ai_platform_zzz']), [
        'ai_platform_zzz: is not a known variable (set for nuc1): the platform reads only ai_platform_site, '
        'ai_platform_domain, ai_platform_apply, ai_platform_kubeconfig, ai_platform_render_dir, '
        'ai_platform_kubernetes_minor, ai_platform_namespaces, ai_platform_spark_address, ai_platform_providers, '
        'ai_platform_model_aliases, ai_platform_router, ai_platform_teams, ai_platform_agents, ai_platform_vault, '
        'ai_platform_secrets, ai_platform_backup, ai_platform_litellm_url, ai_platform_alerting, ai_platform_gitops',
    ]),
    'unknown variable on many hosts': (_set(('variables',), dict((h, ['ai_platform_sitee']) for h in ('localhost', 'nuc1', 'nuc2', 'nuc3', 'spark'))), [
        'ai_platform_sitee: is not a known variable (set for localhost, nuc1, nuc2 and 2 more hosts); did you mean '
        "'ai_platform_site'?",
    ]),
    'other variables are not ours': (_set(('variables', 'nuc1'), ['k3s_version', 'ai_platform_site']), []),
    'first namespace missing, a later one wrong': (_both(_delete(('ai_platform_namespaces', 'gateway')),
                                                         _set(('ai_platform_namespaces', 'webui'), 'kube-webui')), [
        'ai_platform_namespaces.gateway: is required',
        "ai_platform_namespaces.webui: 'kube-webui' starts with 'kube-', which Kubernetes reserves for its system "
        'namespaces',
    ]),
    'first namespace not a string, a later one wrong': (_both(_set(('ai_platform_namespaces', 'gateway'), 5),
                                                              _set(('ai_platform_namespaces', 'webui'), 'kube-webui')), [
        'ai_platform_namespaces.gateway: must be a string, got 5',
        "ai_platform_namespaces.webui: 'kube-webui' starts with 'kube-', which Kubernetes reserves for its system "
        'namespaces',
    ]),
    'unknown components of any key type': (_both(_set(('ai_platform_namespaces', 7), 'ai-seven'),
                                                 _set(('ai_platform_namespaces', 'search'), 'ai-search')), [
        'ai_platform_namespaces.7: is not a known component (known: gateway, secrets, observability, messaging, '
        'workflows, agents, webui)',
        'ai_platform_namespaces.search: is not a known component (known: gateway, secrets, observability, messaging, '
        'workflows, agents, webui)',
    ]),
    'a rule that is not a mapping before a wrong one': (_set((A, 13, 'permissions'), ['pods', _SECRETS_RULE]), [
        "ai_platform_agents[13] (incident-summariser).permissions[0]: must be a mapping, got 'pods'",
        "ai_platform_agents[13] (incident-summariser).permissions[1].resources[0]: 'secrets' is refused for agents: "
        "every agent's LiteLLM key and NATS password are Secrets in the shared agents namespace",
    ]),
    'agent without permissions': (_delete((A, 13, 'permissions')), []),
    'rolebindings subresource': (_rule(resources=['rolebindings/status']), [
        "ai_platform_agents[13] (incident-summariser).permissions[0].resources[0]: 'rolebindings/status' is refused "
        'for agents: lets the agent grant itself rights',
    ]),
    'clusterroles subresource': (_rule(resources=['clusterroles/x']), [
        "ai_platform_agents[13] (incident-summariser).permissions[0].resources[0]: 'clusterroles/x' is refused for "
        'agents: lets the agent grant itself rights',
    ]),
    'clusterrolebindings subresource': (_rule(resources=['clusterrolebindings/x']), [
        "ai_platform_agents[13] (incident-summariser).permissions[0].resources[0]: 'clusterrolebindings/x' is "
        'refused for agents: lets the agent grant itself cluster-wide rights',
    ]),
    'secrets subresource': (_rule(resources=['secrets/x']), [
        "ai_platform_agents[13] (incident-summariser).permissions[0].resources[0]: 'secrets/x' is refused for "
        "agents: every agent's LiteLLM key and NATS password are Secrets in the shared agents namespace",
    ]),
    'workload subresource write': (_rule(resources=['pods/status'], verbs=['update']), [
        "ai_platform_agents[13] (incident-summariser).permissions[0].resources[0]: 'pods/status' with update is "
        "refused for agents: a workload it starts in the shared namespace can run as any agent's ServiceAccount and "
        'mount its secrets',
    ]),
    'workload with every verb': (_rule(resources=['deployments'], verbs=['*']), [
        "ai_platform_agents[13] (incident-summariser).permissions[0].verbs[0]: '*' grants every verb, bind, escalate "
        'and impersonate included: list the verbs the agent needs',
        "ai_platform_agents[13] (incident-summariser).permissions[0].resources[0]: 'deployments' with * is refused for "
        "agents: a workload it starts in the shared namespace can run as any agent's ServiceAccount and mount its "
        'secrets',
    ]),
    'gitops path with a trailing slash passes': (_set(('ai_platform_gitops', 'path'), 'clusters/example/'), []),
    'gitops path of one folder passes': (_set(('ai_platform_gitops', 'path'), 'X'), []),
    'agent image with an empty digest': (_set((A, 0, 'image'), 'registry/agent@sha256:'), [
        "ai_platform_agents[0] (doc-fetcher).image: 'registry/agent@sha256:' is not a pinned image (name:tag or "
        'name@sha256:digest, tag not latest)',
    ]),
    'agent image with a digest and a space': (_set((A, 0, 'image'), 'registry/agent @sha256:' + 'a' * 64), [
        "ai_platform_agents[0] (doc-fetcher).image: 'registry/agent @sha256:%s' is not a pinned image (name:tag or "
        'name@sha256:digest, tag not latest)' % ('a' * 64),
    ]),
    'agent image with a tag and a digest passes': (_set((A, 0, 'image'), 'registry:5000/agent:1.4@sha256:' + 'a' * 64), []),
    'agent image digest without a name': (_set((A, 0, 'image'), '@sha256:' + 'a' * 64), [
        "ai_platform_agents[0] (doc-fetcher).image: '@sha256:%s' is not a pinned image (name:tag or "
        'name@sha256:digest, tag not latest)' % ('a' * 64),
    ]),
}


@pytest.mark.parametrize('mutate, expected', list(CASES.values()), ids=list(CASES))
def test_whole_errors_of_one_broken_rule(model, mutate, expected):
    mutate(model)
    assert pm.format_errors(pm.check_platform(model)) == expected


def test_alert_secret_envs_skip_receivers_that_are_not_mappings():
    assert pm.alert_secret_envs({'receivers': ['oncall', {'webhook': {'url_env': 'HOOK_URL'}}]}) == ['HOOK_URL']


def test_values_are_quoted_as_given():
    assert (pm.show("it's"), pm.show(5), pm.show(None)) == ("'it's'", '5', 'None')
