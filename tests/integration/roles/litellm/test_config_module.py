"""litellm_config as a module run by ansible-playbook: writes only on change, check mode, --diff,
sha256 of the bytes written, and refusals that name the inventory variable."""

import copy
import hashlib
import json

from conftest import INVENTORY
from helpers import run_playbook

PLAYBOOK = 'tests/integration/roles/litellm/playbooks/render_config.yml'


def run(model, tmp_path, *args):
    vars_file = tmp_path / 'vars.json'
    vars_file.write_text(json.dumps(dict(model, config_dest=str(tmp_path / 'out' / 'config.yaml'))))
    return run_playbook(PLAYBOOK, '-e', '@%s' % vars_file, *args, inventory=INVENTORY)


def recap_changed(proc):
    return int(proc.stdout.split('changed=')[1].split()[0])


def test_check_mode_write_rerun_and_diff(example_model, tmp_path):
    dest = tmp_path / 'out' / 'config.yaml'
    proc = run(example_model, tmp_path, '--check')
    assert proc.returncode == 0, proc.stdout
    assert recap_changed(proc) == 1 and not dest.exists()

    proc = run(example_model, tmp_path)
    assert proc.returncode == 0 and recap_changed(proc) == 1
    sha = proc.stdout.split('sha256=')[1].split()[0].strip('"')
    assert sha == hashlib.sha256(dest.read_bytes()).hexdigest()
    mtime = dest.stat().st_mtime_ns

    proc = run(example_model, tmp_path)
    assert proc.returncode == 0 and recap_changed(proc) == 0
    assert dest.stat().st_mtime_ns == mtime

    changed = copy.deepcopy(example_model)
    changed['ai_platform_router']['num_retries'] = 2
    proc = run(changed, tmp_path, '--check', '--diff')
    assert proc.returncode == 0 and recap_changed(proc) == 1
    assert '-  num_retries: 1' in proc.stdout and '+  num_retries: 2' in proc.stdout
    assert dest.stat().st_mtime_ns == mtime


def test_refusal_names_the_variable(example_model, tmp_path):
    broken = copy.deepcopy(example_model)
    broken['ai_platform_model_aliases'][0]['fallbacks'] = ['smart']
    broken['ai_platform_secrets'] = [s for s in broken['ai_platform_secrets'] if s['env'] != 'GEMINI_API_KEY']
    proc = run(broken, tmp_path)
    assert proc.returncode != 0
    assert "ai_platform_model_aliases[0] (fast).fallbacks[0]: 'smart' is not a defined alias" in proc.stdout
    assert "ai_platform_providers[2] (google).api_key_env: 'GEMINI_API_KEY' has no entry in ai_platform_secrets" \
        in proc.stdout
    assert not (tmp_path / 'out' / 'config.yaml').exists()
