# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.baremetal.ai_platform.plugins.module_utils.manifests import (
    component_selector,
    object_id,
    object_key,
    prune_selection,
    with_component_label,
)


def k8s_apply_order(objects):
    """Objects in the order the render path writes them, so both paths ship alike."""
    return sorted(objects, key=object_key)


def k8s_component_labelled(objects, component):
    """The objects labelled ai-platform/component=<component>, the label apply mode prunes by."""
    return with_component_label(objects, component)


def k8s_component_selector(components):
    """Label selector matching the objects k8s_ship labelled with any of these components."""
    return component_selector(components)


def k8s_object_ids(objects):
    """kind/namespace/name of each object."""
    return [object_id(obj) for obj in objects]


def k8s_prune_selection(live, shipped, field_manager):
    """Live objects of the components shipped in this run that they no longer ship (see manifests.prune_selection)."""
    return prune_selection(live, shipped, field_manager)


class FilterModule(object):
    def filters(self):
        return {
            'k8s_apply_order': k8s_apply_order,
            'k8s_component_labelled': k8s_component_labelled,
            'k8s_component_selector': k8s_component_selector,
            'k8s_object_ids': k8s_object_ids,
            'k8s_prune_selection': k8s_prune_selection,
        }
