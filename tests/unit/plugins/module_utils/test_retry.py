"""The shared time-budget backoff (offline, with a fake clock)."""

import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils.retry import DEFAULT_BUDGET, Backoff


class Clock(object):
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.mark.offline
def test_offline_waits_grow_to_ten_seconds_and_stop_at_the_budget():
    clock = Clock()
    backoff = Backoff(DEFAULT_BUDGET, clock.sleep, clock)
    while backoff.wait():
        clock.now += 1.0  # each attempt itself takes a second
    assert clock.sleeps[:7] == [0.5, 1, 2, 4, 8, 10, 10]
    assert clock.now - 100.0 >= DEFAULT_BUDGET
    assert sum(clock.sleeps) + backoff.attempts - 1 <= DEFAULT_BUDGET + 1
    assert backoff.summary().startswith('after %d attempt(s) over 1' % backoff.attempts)
    assert 'retry_budget 120 s' in backoff.summary()


@pytest.mark.offline
def test_offline_a_zero_budget_tries_once():
    clock = Clock()
    backoff = Backoff(0, clock.sleep, clock)
    assert backoff.wait() is False and clock.sleeps == [] and backoff.attempts == 1


@pytest.mark.offline
def test_offline_the_last_wait_is_cut_to_the_budget_left():
    clock = Clock()
    backoff = Backoff(2, clock.sleep, clock)
    assert backoff.wait() and backoff.wait()  # 0.5 s then 1 s
    assert backoff.wait() and clock.sleeps[-1] == 0.5  # 2 s wanted, 0.5 s left
    assert not backoff.wait()
