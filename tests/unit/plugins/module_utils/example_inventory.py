"""The example inventory's group_vars as the validation module sees them, read once (every mutant of
make mutation runs the tests that use them again), and fresh copies of them for a test to change."""

import glob
import os
import pickle

import yaml

from helpers import REPO


def _load():
    model = {}
    for path in sorted(glob.glob(os.path.join(REPO, 'inventories', 'example', 'group_vars', 'all', '*.yml'))):
        with open(path) as handle:
            model.update(yaml.safe_load(handle))
    # What templating gives the module.
    model['ai_platform_render_dir'] = '/srv/build/example'
    model['ai_platform_vault']['address'] = 'https://vault.ai.example.internal:8200'
    for provider in model['ai_platform_providers']:
        if 'api_base' in provider:
            provider['api_base'] = provider['api_base'].replace('{{ ai_platform_spark_address }}', '10.20.0.20')
    model['groups'] = {'k3s_servers': ['nuc1', 'nuc2', 'nuc3'], 'k3s_agents': [], 'dgx': ['spark']}
    model['hosts'] = {'localhost': None, 'nuc1': '10.20.0.11', 'nuc2': '10.20.0.12', 'nuc3': '10.20.0.13',
                      'spark': '10.20.0.20'}
    model['variables'] = dict((host, sorted(name for name in model if name.startswith('ai_platform_')))
                              for host in model['hosts'])
    model['vllm'] = {'spark': {}}
    return model


EXAMPLE = _load()


def copies_of(data):
    """A function that returns a new deep copy of data at each call. A pickle round trip: a fifth of
    copy.deepcopy's time, which was a tenth of a validation test's."""
    frozen = pickle.dumps(data)
    return lambda: pickle.loads(frozen)


fresh_example = copies_of(EXAMPLE)
