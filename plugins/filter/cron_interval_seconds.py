# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.baremetal.ai_platform.plugins.module_utils.cron import CronError, max_interval_seconds


def cron_interval_seconds(schedule):
    try:
        return max_interval_seconds(schedule)
    except CronError as exc:
        raise AnsibleFilterError('cron_interval_seconds: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {'cron_interval_seconds': cron_interval_seconds}
