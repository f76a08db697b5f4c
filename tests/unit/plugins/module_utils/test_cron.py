"""Cron schedules: parsing as CronJobs read them, and the longest gap between runs (the stale-backup alert)."""

import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils.cron import CronError, max_interval_seconds, parse


@pytest.mark.parametrize('schedule, seconds', [
    ('15 */6 * * *', 6 * 3600),
    ('30 2 * * *', 86400),
    ('0 0 * * 0', 7 * 86400),
    ('0 0 * * 7', 7 * 86400),
    ('*/5 * * * *', 300),
    ('0 8-18/2 * * 1-5', (14 + 48) * 3600),  # Friday 18:00 to Monday 08:00
    ('0 3 1,15 * *', 17 * 86400),  # 15th to the 1st of a 31-day month
    ('@daily', 86400),
    ('@monthly', 31 * 86400),
    ('@yearly', 366 * 86400),  # 2024 is a leap year
    ('0 0 1 6 *', 365 * 86400),  # two runs in the span: June 2024 and June 2025
    ('0 0 1 12 *', 365 * 86400),  # December 2025 is in the span too
    ('0 0 29 * *', 59 * 86400),  # January 29th to March 29th when February has 28 days
    ('0 0 30 * *', 60 * 86400),  # January 30th to March 30th when it has 29
    ('5/15 * * * *', 900),  # from minute 5, every 15 minutes
    ('0 1,23 * * *', 22 * 3600),  # the longest gap is inside the day
])
def test_longest_gap_between_runs(schedule, seconds):
    assert max_interval_seconds(schedule) == seconds


def test_restricted_day_of_month_and_weekday_run_on_either():
    # Every 1st and every Monday (every 13th and every Friday): the weekday alone keeps runs a week
    # apart at most, and a week it is where no such date falls between.
    assert max_interval_seconds('0 0 1 * 1') == 7 * 86400
    assert max_interval_seconds('0 0 13 * 5') == 7 * 86400


@pytest.mark.parametrize('schedule, problem', [
    ('61 * * * *', "minute: '61' is outside 0-59"),
    ('* * *', 'expected 5 fields (minute hour day-of-month month day-of-week), got 3'),
    ('*/0 * * * *', "minute: step '0' is not a positive number"),
    ('0 */x * * *', "hour: step 'x' is not a positive number"),
    ('a * * * *', "minute: 'a' is not a number, range or *"),
    ('1-x * * * *', "minute: '1-x' is not a range of numbers"),
    ('0 0 31 2 *', "the schedule '0 0 31 2 *' does not run every year"),
    ('0 0,12 29 2 *', "the schedule '0 0,12 29 2 *' does not run every year"),
    ('0 5-3 * * *', "hour: '5-3' is outside 0-23"),
])
def test_unusable_schedules_are_refused_naming_the_field(schedule, problem):
    with pytest.raises(CronError) as raised:
        max_interval_seconds(schedule)
    assert str(raised.value) == problem


def test_weekday_seven_is_sunday():
    assert parse('0 0 * * 7')[0][4] == {0}
