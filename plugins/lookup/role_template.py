# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: role_template
author: baremetal.ai_platform contributors (@baremetal)
short_description: Render a role's templates with the task's variables, without copying them
description:
  - Renders each template file found in the calling role's C(templates/) folder, as
    P(ansible.builtin.template#lookup) does, and returns the rendered text in the order given.
  - The task's variables are read through a layer of their own instead of being deep-copied for each
    template. With a full platform inventory that copy was most of the run time of a render; every
    object template of P(baremetal.ai_platform.k8s_ship#role), every chart's values template and every
    dashboard is one lookup.
  - Templates may import or include files beside them or in the role's C(templates/) folder.
  - Unlike P(ansible.builtin.template#lookup), no C(template_*) variables and no C(ansible_managed)
    are added, and there are no options for other delimiters.
options:
  _terms:
    description: Template paths, relative to the role's C(templates/) folder.
    type: list
    elements: str
    required: true
notes:
  - Templates must not change the variables they read (for example with C(.append) on a variable's
    list); the variables are shared, not copied.
"""

EXAMPLES = r"""
- name: A chart's values, rendered from the role's templates/values/ folder
  ansible.builtin.set_fact:
    litellm_values: "{{ lookup('baremetal.ai_platform.role_template', 'values/postgresql.yml.j2') | from_yaml }}"
"""

RETURN = r"""
_raw:
  description: The rendered text of each template, in the order of the terms.
  type: list
  elements: str
"""

import os
from collections import ChainMap

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase
from ansible.template import trust_as_template


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        variables = variables or {}
        # Jinja finds imported files in each search path's templates/ folder and the path itself.
        search = [path for base in variables.get('ansible_search_path', []) for path in (os.path.join(base, 'templates'), base)]
        rendered = []
        for term in terms:
            found = self.find_file_in_search_path(variables, 'templates', term)
            if not found:
                raise AnsibleError('role_template: no template %s in the role\'s templates folder' % term)
            # Whatever rendering writes lands in the empty top layer, never in the shared variables.
            templar = self._templar.copy_with_new_env(available_variables=ChainMap({}, variables),
                                                      searchpath=[os.path.dirname(found)] + search)
            text = trust_as_template(self._loader.get_text_file_contents(found))
            rendered.append(templar.template(text, escape_backslashes=False))
        return rendered
