# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.baremetal.ai_platform.plugins.module_utils.manifests import object_key


def k8s_apply_order(objects):
    """Objects in the order the render path writes them, so both paths ship alike."""
    return sorted(objects, key=object_key)


class FilterModule(object):
    def filters(self):
        return {'k8s_apply_order': k8s_apply_order}
