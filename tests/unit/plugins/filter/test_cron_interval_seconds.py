"""cron_interval_seconds: the longest gap of a schedule (the stale-backup alert's window), refusals worded."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.baremetal.ai_platform.plugins.filter.cron_interval_seconds import (
    FilterModule, cron_interval_seconds)


def test_longest_gap_in_seconds():
    assert cron_interval_seconds('15 */6 * * *') == 6 * 3600


def test_unusable_schedule_is_refused_naming_the_filter_and_the_field():
    with pytest.raises(AnsibleFilterError) as raised:
        cron_interval_seconds('61 * * * *')
    assert str(raised.value) == "cron_interval_seconds: minute: '61' is outside 0-59"


def test_filter_is_registered():
    assert FilterModule().filters() == {'cron_interval_seconds': cron_interval_seconds}
