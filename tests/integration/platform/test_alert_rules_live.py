"""Live: Prometheus' own rule engine (promtool test rules) evaluates the rendered PrometheusRule.

The series use LiteLLM's metric names and labels (see the unit test that reads them from the
installed LiteLLM): a team spending faster than its budget allows fires TeamBudgetBurnRate, one
within pace does not; failed requests, fallbacks and an unreachable Spark fire their alerts.
"""

import shutil
import subprocess

import pytest
import yaml

PROMTOOL = shutil.which('promtool')
pytestmark = pytest.mark.skipif(PROMTOOL is None, reason='promtool not installed (Debian package prometheus)')


def _rules(by_kind):
    return by_kind['PrometheusRule']['ai-platform']


def _annotations(rule_obj, alert, team=None):
    for group in rule_obj['spec']['groups']:
        for rule in group['rules']:
            if rule.get('alert') == alert and (team is None or rule['labels'].get('team') == team):
                return rule['annotations']
    raise KeyError(alert)


def _promtool(tmp_path, rule_obj, tests):
    (tmp_path / 'rules.yml').write_text(yaml.safe_dump({'groups': rule_obj['spec']['groups']}))
    (tmp_path / 'tests.yml').write_text(yaml.safe_dump({'rule_files': ['rules.yml'], 'evaluation_interval': '1m',
                                                        'tests': tests}))
    return subprocess.run([PROMTOOL, 'test', 'rules', 'tests.yml'], cwd=tmp_path, capture_output=True, text=True, check=False,
                          timeout=120)


def test_budget_burn_rate_fires_only_for_the_team_spending_too_fast(tmp_path, rendered_platform):
    _values, by_kind = rendered_platform
    rules = _rules(by_kind)
    spend = 'litellm_spend_metric_total{team_alias="%s", team="%s-id", model="%s"}'
    tests = [{
        'interval': '1m',
        'input_series': [
            # research: 40 USD/day allows ~1.67 USD/h; it spends 0.05 USD/min = 3 USD/h.
            {'series': spend % ('research', 'research', 'gpt-4o-mini'), 'values': '0+0.05x180'},
            # support: 25 USD/day allows ~1.04 USD/h; it spends 0.01 USD/min = 0.6 USD/h.
            {'series': spend % ('support', 'support', 'qwen3-32b'), 'values': '0+0.01x180'},
            # platform is unlimited: no budget rule, however fast it spends.
            {'series': spend % ('platform', 'platform', 'qwen3-32b'), 'values': '0+1x180'},
        ],
        'alert_rule_test': [
            {'eval_time': '30m', 'alertname': 'TeamBudgetBurnRate', 'exp_alerts': []},
            {'eval_time': '120m', 'alertname': 'TeamBudgetBurnRate', 'exp_alerts': [{
                'exp_labels': {'severity': 'warning', 'area': 'budget', 'team': 'research'},
                'exp_annotations': _annotations(rules, 'TeamBudgetBurnRate', 'research')}]},
        ],
    }]
    proc = _promtool(tmp_path, rules, tests)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'SUCCESS' in proc.stdout


def test_gateway_errors_fallbacks_and_spark_down_fire(tmp_path, rendered_platform):
    _values, by_kind = rendered_platform
    rules = _rules(by_kind)
    namespace = by_kind['ServiceMonitor']['spark-vllm']['metadata']['namespace']
    up = 'up{namespace="%s", service="spark-vllm", job="spark-vllm"}' % namespace
    tests = [{
        'interval': '1m',
        'input_series': [
            {'series': 'litellm_proxy_total_requests_metric_total{team_alias="research"}', 'values': '0+100x60'},
            # 10% failures (threshold 5%) and 30% fallbacks (threshold 20%).
            {'series': 'litellm_proxy_failed_requests_metric_total{team_alias="research"}', 'values': '0+10x60'},
            {'series': 'litellm_deployment_successful_fallbacks_total{requested_model="fast"}', 'values': '0+25x60'},
            {'series': 'litellm_deployment_failed_fallbacks_total{requested_model="fast"}', 'values': '0+5x60'},
            {'series': up, 'values': '1x5 0x30'},
        ],
        'alert_rule_test': [
            {'eval_time': '40m', 'alertname': 'GatewayErrorRate', 'exp_alerts': [{
                'exp_labels': {'severity': 'critical', 'area': 'gateway'},
                'exp_annotations': _annotations(rules, 'GatewayErrorRate')}]},
            {'eval_time': '40m', 'alertname': 'GatewayFallbackRate', 'exp_alerts': [{
                'exp_labels': {'severity': 'warning', 'area': 'gateway'},
                'exp_annotations': _annotations(rules, 'GatewayFallbackRate')}]},
            {'eval_time': '5m', 'alertname': 'SparkDown', 'exp_alerts': []},
            {'eval_time': '20m', 'alertname': 'SparkDown', 'exp_alerts': [{
                'exp_labels': {'severity': 'critical', 'area': 'spark', 'namespace': namespace, 'service': 'spark-vllm',
                               'job': 'spark-vllm'},
                'exp_annotations': _annotations(rules, 'SparkDown')}]},
        ],
    }]
    proc = _promtool(tmp_path, rules, tests)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_healthy_gateway_fires_nothing(tmp_path, rendered_platform):
    _values, by_kind = rendered_platform
    rules = _rules(by_kind)
    namespace = by_kind['ServiceMonitor']['spark-vllm']['metadata']['namespace']
    tests = [{
        'interval': '1m',
        'input_series': [
            {'series': 'litellm_proxy_total_requests_metric_total{team_alias="research"}', 'values': '0+100x60'},
            {'series': 'litellm_proxy_failed_requests_metric_total{team_alias="research"}', 'values': '0+1x60'},
            {'series': 'litellm_deployment_successful_fallbacks_total{requested_model="fast"}', 'values': '0+2x60'},
            {'series': 'litellm_deployment_failed_fallbacks_total{requested_model="fast"}', 'values': '0+0x60'},
            {'series': 'up{namespace="%s", service="spark-vllm", job="spark-vllm"}' % namespace, 'values': '1x60'},
        ],
        'alert_rule_test': [{'eval_time': '40m', 'alertname': name, 'exp_alerts': []}
                            for name in ('GatewayErrorRate', 'GatewayFallbackRate', 'SparkDown', 'TeamBudgetBurnRate')],
    }]
    proc = _promtool(tmp_path, rules, tests)
    assert proc.returncode == 0, proc.stdout + proc.stderr
