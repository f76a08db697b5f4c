"""The collection's metadata agrees with what is tested: one minimum Ansible everywhere."""

import glob
import os

import ansible.release
import yaml
from packaging.specifiers import SpecifierSet

from helpers import REPO


def _load(path):
    with open(os.path.join(REPO, path)) as handle:
        return yaml.safe_load(handle)


REQUIRES_ANSIBLE = SpecifierSet(_load('meta/runtime.yml')['requires_ansible'])


def test_requires_ansible_admits_the_tested_ansible_core():
    assert ansible.release.__version__ in REQUIRES_ANSIBLE


def test_every_role_declares_the_collections_minimum():
    minimum = {spec.version for spec in REQUIRES_ANSIBLE if spec.operator == '>='}
    assert len(minimum) == 1
    wanted = '.'.join(minimum.pop().split('.')[:2])
    found = {os.path.basename(os.path.dirname(os.path.dirname(path))): _load(path)['galaxy_info']['min_ansible_version']
             for path in glob.glob(os.path.join(REPO, 'roles', '*', 'meta', 'main.yml'))}
    assert found and {role: version for role, version in found.items() if str(version) != wanted} == {}
