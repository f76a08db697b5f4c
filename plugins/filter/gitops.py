# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.baremetal.ai_platform.plugins.module_utils.gitops import dependencies, split_folders


def gitops_folders(objects, component):
    """[{folder, objects}]: a component's render folder, plus <component>-resources when needed."""
    try:
        return [{'folder': folder, 'objects': part} for folder, part in split_folders(component, objects)]
    except ValueError as err:
        raise AnsibleFilterError('gitops_folders(%s): %s' % (component, err))


def flux_dependencies(folders):
    """{folder: {depends_on, health_checks}} for {folder: objects}; refuses gaps and cycles."""
    try:
        return dependencies(folders)
    except ValueError as err:
        raise AnsibleFilterError('flux_dependencies: %s' % err)


class FilterModule(object):
    def filters(self):
        return {'gitops_folders': gitops_folders, 'flux_dependencies': flux_dependencies}
