# -*- coding: utf-8 -*-
# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retrying a call within a time budget, shared by the LiteLLM and Vault clients.

A rolling restart of the LiteLLM proxy or Vault makes calls fail for a while (connections refused
or reset, 502/503/504 from the Service or ingress in front). Retrying a fixed number of times with
a short backoff gives up after a few seconds, well inside such a rollout; a time budget rides it
out. The waits are 0.5 s, 1 s, 2 s, 4 s, 8 s, then 10 s each, and no new attempt starts once the
budget (seconds since the first attempt) is spent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

# The default budget of the modules' retry_budget option: a LiteLLM pod is serving about 10 s after
# it starts and Vault about as fast, so two minutes covers a rollout of a few replicas one at a
# time, including an image pull from a nearby registry.
DEFAULT_BUDGET = 120
FIRST_WAIT = 0.5
MAX_WAIT = 10.0


class Backoff(object):
    """Waits between attempts of one call; wait() says whether another attempt may start."""

    def __init__(self, budget, sleep=time.sleep, clock=time.monotonic):
        self.budget = max(0, budget)
        self._sleep = sleep
        self._clock = clock
        self._start = clock()
        self.attempts = 1

    @property
    def elapsed(self):
        return self._clock() - self._start

    def wait(self):
        """Sleep before the next attempt; False (without sleeping) when the budget is spent."""
        remaining = self.budget - self.elapsed
        if remaining <= 0:
            return False
        self._sleep(min(MAX_WAIT, FIRST_WAIT * (2 ** (self.attempts - 1)), remaining))
        self.attempts += 1
        return True

    def summary(self):
        """'after N attempt(s) over S s' for an error message."""
        return 'after %d attempt(s) over %.0f s (retry_budget %d s)' % (self.attempts, self.elapsed, self.budget)
