# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Five-field cron schedules (minute hour day-of-month month day-of-week), as Kubernetes CronJobs
and k3s's etcd snapshots read them: parsing, and the longest gap between two runs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

_FIELDS = (('minute', 0, 59), ('hour', 0, 23), ('day of month', 1, 31), ('month', 1, 12), ('day of week', 0, 7))
_MACROS = {'@hourly': '0 * * * *', '@daily': '0 0 * * *', '@midnight': '0 0 * * *',
           '@weekly': '0 0 * * 0', '@monthly': '0 0 1 * *', '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *'}


class CronError(ValueError):
    pass


def _field(text, name, low, high):
    values = set()
    for part in text.split(','):
        spec, _sep, step = part.partition('/')
        if step and not step.isdigit() or step == '0':
            raise CronError('%s: step %r is not a positive number' % (name, step))
        if spec == '*':
            first, last = low, high
        elif '-' in spec:
            first, _dash, last = spec.partition('-')
            if not (first.isdigit() and last.isdigit()):
                raise CronError('%s: %r is not a range of numbers' % (name, spec))
            first, last = int(first), int(last)
        elif spec.isdigit():
            first = int(spec)
            last = high if step else first
        else:
            raise CronError('%s: %r is not a number, range or *' % (name, spec))
        if not low <= first <= last <= high:
            raise CronError('%s: %r is outside %d-%d' % (name, spec, low, high))
        values.update(range(first, last + 1, int(step or 1)))
    return values


def parse(schedule):
    """The sets of minutes, hours, days, months and weekdays (0 = Sunday) a schedule runs at."""
    text = _MACROS.get(str(schedule).strip(), str(schedule).strip())
    parts = text.split()
    if len(parts) != 5:
        raise CronError('expected 5 fields (minute hour day-of-month month day-of-week), got %d' % len(parts))
    fields = [_field(part, *spec) for part, spec in zip(parts, _FIELDS)]
    fields[4] = set(day % 7 for day in fields[4])
    restricted = (parts[2] != '*', parts[4] != '*')
    return fields, restricted


# The days the scan covers: a leap year, a common year and the January after (a schedule on the 29th
# waits longest in a common year, one on the 30th in a leap year), as (day of month, month, weekday
# with 0 = Sunday). Built once: the validation checks every schedule of an inventory, and the unit tests
# (and each mutant of make mutation) run the validation hundreds of times.
_CALENDAR = tuple((day.day, day.month, (day.weekday() + 1) % 7)
                  for day in (datetime.date(2024, 1, 1) + datetime.timedelta(days=index)
                              for index in range(366 + 365 + 31)))
_FIRST_DAY_OF_SECOND_YEAR = 366


def max_interval_seconds(schedule):
    """The longest time between two consecutive runs over the days of _CALENDAR; raises CronError for
    a schedule that is malformed or never runs."""
    fields, restricted = parse(schedule)
    minutes, hours, days, months, weekdays = fields
    # Seconds after midnight of the runs on a day that runs.
    times = sorted(hour * 3600 + minute * 60 for hour in hours for minute in minutes)
    # Like cron: when both day fields are restricted, a day matching either runs.
    either = all(restricted)
    run_days = [index for index, (day, month, weekday) in enumerate(_CALENDAR)
                if month in months and ((day in days or weekday in weekdays) if either
                                        else (day in days and weekday in weekdays))]
    # A schedule that misses a year (February 29th) would leave a gap of years the scan cannot see.
    if not (run_days and run_days[0] < _FIRST_DAY_OF_SECOND_YEAR <= run_days[-1]):
        raise CronError('the schedule %r does not run every year' % schedule)
    # Within a day the runs are `times` apart; from one run day to the next, last run to first run.
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    gaps += [(later - earlier) * 86400 + times[0] - times[-1] for earlier, later in zip(run_days, run_days[1:])]
    return max(gaps)
