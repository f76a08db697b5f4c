"""Running the secrets playbooks and reading what they did."""

import json
import os

from helpers import REPO, run_playbook

HERE = os.path.dirname(os.path.abspath(__file__))
INVENTORY = os.path.join(HERE, 'inventory.yml')


def run(playbook, tmp_path, extra_vars, *args, json_output=True):
    """Run one of this folder's playbooks with extra vars from a JSON file (never on the command line)."""
    vars_file = tmp_path / ('vars-%d.json' % len(list(tmp_path.glob('vars-*.json'))))
    vars_file.write_text(json.dumps(extra_vars))
    return run_playbook(os.path.join(HERE, 'playbooks', playbook), '-e', '@%s' % vars_file, *args,
                        inventory=INVENTORY, json_output=json_output)


def task_result(proc, index=0):
    """Result of the index-th task of the first play (json callback)."""
    assert proc.result, proc.stdout + proc.stderr
    return proc.result['plays'][0]['tasks'][index]['hosts']['localhost']


def versions(client, mount, paths):
    """current_version of each path (0 when it does not exist)."""
    found = {}
    for path in paths:
        try:
            meta = client.secrets.kv.v2.read_secret_metadata(path=path, mount_point=mount)
            found[path] = meta['data']['current_version']
        except Exception:  # noqa: BLE001 - absent path
            found[path] = 0
    return found


def values(client, mount, path):
    return client.secrets.kv.v2.read_secret_version(path=path, mount_point=mount,
                                                    raise_on_deleted_version=True)['data']['data']


__all__ = ['REPO', 'run', 'task_result', 'versions', 'values']
