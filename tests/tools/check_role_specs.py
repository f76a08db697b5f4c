#!/usr/bin/env python
"""Check that every role's defaults/main.yml and meta/argument_specs.yml name the same variables.

Each key of defaults/main.yml must be an option of the role's argument specs (any entry point), and
each option must have a default there unless it is `required` (a required option has no default by
definition). A role without defaults/main.yml (validate: its options are the inventory model) is
skipped. Exit status 1 and one line per difference when they disagree.

Usage: check_role_specs.py [ROLES_DIR]   (default: roles/ of this checkout)
"""

import os
import sys

import yaml


def role_differences(role_dir):
    """Messages for one role; empty when its defaults and argument specs agree."""
    role = os.path.basename(role_dir)
    defaults_file = os.path.join(role_dir, 'defaults', 'main.yml')
    specs_file = os.path.join(role_dir, 'meta', 'argument_specs.yml')
    if not os.path.isfile(specs_file):
        return ['%s: meta/argument_specs.yml is missing' % role]
    if not os.path.isfile(defaults_file):
        return []
    with open(defaults_file) as handle:
        defaults = yaml.safe_load(handle) or {}
    with open(specs_file) as handle:
        entry_points = (yaml.safe_load(handle) or {}).get('argument_specs') or {}
    options = {}
    for entry_point in entry_points.values():
        options.update((entry_point or {}).get('options') or {})
    messages = ['%s: defaults/main.yml sets %s, which meta/argument_specs.yml does not declare' % (role, name)
                for name in sorted(set(defaults) - set(options))]
    messages += ['%s: meta/argument_specs.yml declares %s, which defaults/main.yml does not set (and it is not required)'
                 % (role, name)
                 for name in sorted(set(options) - set(defaults)) if not (options[name] or {}).get('required')]
    return messages


def main(argv):
    roles_dir = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'roles')
    messages = []
    for role in sorted(os.listdir(roles_dir)):
        if os.path.isdir(os.path.join(roles_dir, role)):
            messages += role_differences(os.path.join(roles_dir, role))
    for message in messages:
        print(message)
    return 1 if messages else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
