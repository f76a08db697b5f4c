"""tests/tools/check_role_specs.py: every role's defaults and argument specs name the same variables."""

import os
import subprocess
import sys

import pytest

from helpers import REPO

CHECK = os.path.join(REPO, 'tests', 'tools', 'check_role_specs.py')


def _check(roles_dir):
    return subprocess.run([sys.executable, CHECK, str(roles_dir)], capture_output=True, text=True, check=False)


def _role(roles_dir, defaults, options):
    role = roles_dir / 'demo'
    (role / 'defaults').mkdir(parents=True)
    (role / 'meta').mkdir()
    (role / 'defaults' / 'main.yml').write_text(defaults)
    (role / 'meta' / 'argument_specs.yml').write_text('argument_specs:\n  main:\n    options:\n' + options)


def test_the_collections_roles_agree():
    result = _check(os.path.join(REPO, 'roles'))
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize('defaults, options, message', [
    ('demo_a: 1\ndemo_b: 2\n', '      demo_a: {type: int}\n', 'defaults/main.yml sets demo_b'),
    ('demo_a: 1\n', '      demo_a: {type: int}\n      demo_b: {type: int}\n', 'declares demo_b'),
])
def test_a_key_on_one_side_only_fails(tmp_path, defaults, options, message):
    _role(tmp_path, defaults, options)
    result = _check(tmp_path)
    assert result.returncode == 1
    assert message in result.stdout


def test_a_required_option_needs_no_default(tmp_path):
    _role(tmp_path, 'demo_a: 1\n', '      demo_a: {type: int}\n      demo_b: {type: int, required: true}\n')
    assert _check(tmp_path).returncode == 0
