"""playbooks/rotate_key.yml against OpenBao: one new version of that provider's key, nothing else touched."""

import os
import pty
import re
import secrets as random
import select
import subprocess

from helpers import REPO, VENV_BIN, ansible_env, run_playbook
from helpers_secrets import values, versions

PROVIDER_PATHS = ['ai-platform/providers/%s' % name for name in ('openai', 'anthropic', 'google', 'spark')]
OTHER_PATHS = ['ai-platform/litellm', 'ai-platform/langfuse']


def rotate(dev_vault, tmp_path, provider, new_key, *args):
    """Run the playbook with the example inventory, the new key from a vars file (no prompt)."""
    key_file = tmp_path / 'new-key.yml'
    key_file.write_text('new_key: "%s"\n' % new_key)
    return run_playbook(os.path.join(REPO, 'playbooks', 'rotate_key.yml'), '-e', 'provider=%s' % provider,
                        '-e', '@%s' % key_file, '-e', 'vault_api_addr=%s' % dev_vault.url, *args,
                        inventory=os.path.join(REPO, 'inventories', 'example'), env={'VAULT_TOKEN': dev_vault.root})


def test_rotation_makes_one_new_version_of_that_key_only(dev_vault, tmp_path):
    client = dev_vault.client
    old = {}
    for path in PROVIDER_PATHS + OTHER_PATHS:
        old[path] = {'api_key': random.token_hex(16), 'other': random.token_hex(8)}
        client.secrets.kv.v2.create_or_update_secret(path=path, secret=old[path])
    before = versions(client, 'secret', PROVIDER_PATHS + OTHER_PATHS)

    new_key = 'sk-rotated-' + random.token_hex(16)
    dev_vault.audit.mark()
    proc = rotate(dev_vault, tmp_path, 'openai', new_key, '-vvv')
    assert proc.returncode == 0, proc.stdout[-3000:]
    after = versions(client, 'secret', PROVIDER_PATHS + OTHER_PATHS)
    assert after == dict(before, **{PROVIDER_PATHS[0]: before[PROVIDER_PATHS[0]] + 1})
    assert dev_vault.audit.writes('secret/') == [('update', 'secret/data/ai-platform/providers/openai')]
    # Only the key changed; the path's other keys and every other path are as they were.
    assert values(client, 'secret', PROVIDER_PATHS[0]) == dict(old[PROVIDER_PATHS[0]], api_key=new_key)
    assert all(values(client, 'secret', path) == old[path] for path in PROVIDER_PATHS[1:] + OTHER_PATHS)
    assert new_key not in proc.stdout + proc.stderr
    assert re.search(r'is at version\s+%d\s+\(rotated\)' % after[PROVIDER_PATHS[0]], proc.stdout)

    # The same value again: no new version.
    proc = rotate(dev_vault, tmp_path, 'openai', new_key)
    assert proc.returncode == 0
    assert versions(client, 'secret', PROVIDER_PATHS + OTHER_PATHS) == after


def test_unknown_provider_is_refused_naming_the_known_ones(dev_vault, tmp_path):
    proc = rotate(dev_vault, tmp_path, 'nope', 'sk-x')
    assert proc.returncode == 2
    assert 'providers: openai, anthropic, google, spark' in proc.stdout


def test_controller_held_spark_key_is_refused_naming_where_it_rotates(dev_vault, tmp_path):
    before = versions(dev_vault.client, 'secret', [PROVIDER_PATHS[3]])
    proc = rotate(dev_vault, tmp_path, 'spark', 'sk-x')
    assert proc.returncode == 2
    assert "spark's key is generated on the controller" in ' '.join(proc.stdout.split())
    assert versions(dev_vault.client, 'secret', [PROVIDER_PATHS[3]]) == before


def test_prompted_key_is_read_without_echo_and_written(dev_vault, tmp_path):
    """The interactive path: vars_prompt on a terminal (a pty), the typed key never shown."""
    path = PROVIDER_PATHS[1]
    dev_vault.client.secrets.kv.v2.create_or_update_secret(path=path, secret={'api_key': 'old-' + random.token_hex(8)})
    before = versions(dev_vault.client, 'secret', [path])[path]
    new_key = 'sk-ant-typed-' + random.token_hex(16)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [os.path.join(VENV_BIN, 'ansible-playbook'), os.path.join(REPO, 'playbooks', 'rotate_key.yml'),
         '-i', os.path.join(REPO, 'inventories', 'example'), '-e', 'provider=anthropic',
         '-e', 'vault_api_addr=%s' % dev_vault.url],
        cwd=REPO, env=ansible_env(VAULT_TOKEN=dev_vault.root), stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    output, answered = b'', False
    while True:
        ready = select.select([master], [], [], 120)[0]
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if not answered and b'New API key' in output:
            os.write(master, new_key.encode() + b'\n')
            answered = True
    assert proc.wait(timeout=60) == 0, output.decode(errors='replace')[-2000:]
    assert answered
    assert new_key.encode() not in output
    assert versions(dev_vault.client, 'secret', [path])[path] == before + 1
    assert values(dev_vault.client, 'secret', path) == {'api_key': new_key}
