"""Live against OpenBao: the vault role's bootstrap (the one owner of every secret) puts every NATS
password in Vault once, logged in with VAULT_TOKEN from the environment (the explicit override)."""

import json
import re

import hvac

from helpers import run_playbook

PLAYBOOK = """---
- name: The secret bootstrap only
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Every secret of the catalog in Vault
      ansible.builtin.include_role:
        name: baremetal.ai_platform.vault
        tasks_from: secrets.yml
"""


def _run(tmp_path, openbao):
    address, token = openbao
    playbook = tmp_path / 'credentials.yml'
    playbook.write_text(PLAYBOOK)
    vault = {'address': address, 'kv_mount': 'secret', 'path_prefix': 'ai-platform',
             'secret_store': 'vault', 'refresh_interval': '1h'}
    # The providers' keys and the alert receivers' secrets are the operator's; here stand-ins, seeded once.
    operator = {'OPENAI_API_KEY': 'sk-o', 'ANTHROPIC_API_KEY': 'sk-a', 'GEMINI_API_KEY': 'g',
                'ALERT_ONCALL_WEBHOOK_URL': 'https://chat.example.internal/hooks/t0k3n', 'ALERT_SMTP_PASSWORD': 'smtp'}
    return run_playbook(str(playbook), '-e', json.dumps({'ai_platform_vault': vault, 'vault_operator_secrets': operator}),
                        '-vvv',
                        inventory='inventories/example', env={'VAULT_TOKEN': token}, json_output=False)


def _versions(client, paths):
    return {p: client.secrets.kv.v2.read_secret_version(path=p, mount_point='secret',
                                                        raise_on_deleted_version=True)['data']['metadata']['version']
            for p in paths}


def test_nats_passwords_generated_once_and_parseable_by_nats(tmp_path, openbao, rendered_platform):
    address, token = openbao
    client = hvac.Client(url=address, token=token)
    # One agent already has a password: it must survive.
    client.secrets.kv.v2.create_or_update_secret(path='ai-platform/agents/doc-fetcher', mount_point='secret',
                                                 secret={'nats_password': 'kept-by-rerun', 'litellm_key': 'sk-x'})
    first = _run(tmp_path, openbao)
    assert first.returncode == 0, first.stdout[-3000:]
    _values, by_kind = rendered_platform
    agents = sorted(c['spec']['durableName'] for c in by_kind['Consumer'].values())
    paths = ['ai-platform/agents/%s' % a for a in agents] + ['ai-platform/nats/nack']
    stored = {p: client.secrets.kv.v2.read_secret_version(path=p, mount_point='secret', raise_on_deleted_version=True)
              ['data']['data'] for p in paths}
    assert stored['ai-platform/agents/doc-fetcher'] == {'nats_password': 'kept-by-rerun', 'litellm_key': 'sk-x'}
    generated = [stored[p]['nats_password'] for p in paths[:-1] if p != 'ai-platform/agents/doc-fetcher']
    assert len(set(generated)) == len(agents) - 1
    assert all(re.match(r'^[A-Za-z][A-Za-z0-9]{31,}$', v) for v in generated + [stored[paths[-1]]['password']])
    assert stored['ai-platform/nats/nack']['user'] == 'nack'
    versions = _versions(client, paths)

    second = _run(tmp_path, openbao)
    assert second.returncode == 0
    assert re.search(r'changed=0\b', second.stdout), second.stdout[-1500:]
    assert _versions(client, paths) == versions
    # -vvv output never shows a password.
    for output in (first.stdout + first.stderr, second.stdout + second.stderr):
        assert not [v for v in generated if v in output]
