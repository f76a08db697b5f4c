"""tests/tools/promql_names.py: the metric names a PromQL expression reads, nothing else."""

import os
import sys

import pytest

from helpers import REPO

sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
from promql_names import metric_names  # noqa: E402


@pytest.mark.parametrize('expr, names', [
    ('sum by (team_alias) (rate(litellm_spend_metric_total[5m])) * 3600', {'litellm_spend_metric_total'}),
    ('sum(rate(a_total[5m])) without (instance) / on (job) group_left (team) b_info', {'a_total', 'b_info'}),
    ('histogram_quantile(0.95, sum by (le) (rate(x_seconds_bucket{model="m", le!="+Inf"}[5m:1m])))',
     {'x_seconds_bucket'}),
    ('max(up{namespace="ai-observability", service="spark-vllm"}) == 0 or absent(up{service="by"})', {'up'}),
    ('sum(rate(vllm:generation_tokens_total{job="spark"}[1m] offset 5m))', {'vllm:generation_tokens_total'}),
    ('a > bool 1e3 and b unless c', {'a', 'b', 'c'}),
    ('sum(x) by (rate, sum)', {'x'}),
    ("count(y{path=~'/(a|b)'}) > 0x10", {'y'}),
    ('max_over_time(z[1h]) - min(z)', {'z'}),
])
def test_metric_names_only(expr, names):
    assert metric_names(expr) == names


@pytest.mark.parametrize('expr', ['sum(rate(x[5m])', 'x{job="a}', 'x{job="a"'])
def test_broken_expression_refused(expr):
    with pytest.raises(ValueError):
        metric_names(expr)
