"""litellm_config's builder and refusals on the example inventory (pure Python, no proxy)."""

import copy
import hashlib
import os

import pytest
import yaml

from ansible_collections.baremetal.ai_platform.plugins.module_utils import litellm_config as lc
from ansible_collections.baremetal.ai_platform.plugins.module_utils.litellm_api import (
    field_changes,
    key_hash,
    view,
)
from ansible_collections.baremetal.ai_platform.plugins.module_utils.manifests import dump_yaml
from helpers import REPO
from unit.plugins.module_utils.example_inventory import EXAMPLE as INVENTORY, copies_of

OPTIONS = dict(master_key_env='LITELLM_MASTER_KEY', database_url_env='DATABASE_URL', langfuse=True,
               tag_budgets=False, metrics_require_auth=False, vllm_provider='openai', replicas=1,
               redis_host='', redis_port=6379, redis_password_env='REDIS_PASSWORD', response_cache=False,
               response_cache_ttl=600)


# The example inventory's gateway variables (read once: each mutant of make mutation runs these tests again).
EXAMPLE = dict((key, value) for key, value in INVENTORY.items() if key in lc.GATEWAY_VARS)
fresh_gateway_vars = copies_of(EXAMPLE)


@pytest.fixture
def model():
    return fresh_gateway_vars()


def build(model, **options):
    opts = dict(OPTIONS, **options)
    errors = lc.check_gateway(model, lc.required_envs(opts))
    assert errors == []
    return lc.build_config(model, opts)


def errors_of(model, **options):
    opts = dict(OPTIONS, **options)
    return '\n'.join(lc.check_gateway(model, lc.required_envs(opts)))


def test_model_list_from_aliases(model):
    config, _warnings = build(model)
    entries = dict((e['model_info']['id'], e) for e in config['model_list'])
    assert list(entries) == ['fast-openai-gpt-4o-mini', 'fast-anthropic-claude-haiku', 'local-spark-qwen3-32b',
                             'reasoning-anthropic-claude-sonnet', 'reasoning-google-gemini-pro']
    assert entries['fast-anthropic-claude-haiku']['litellm_params'] == {
        'model': 'anthropic/claude-haiku-4-5', 'api_key': 'os.environ/ANTHROPIC_API_KEY'}
    assert entries['reasoning-google-gemini-pro']['litellm_params']['model'] == 'gemini/gemini-2.5-pro'
    # Only the self-hosted Spark is ever cooled down (see COOLED_DOWN_KINDS).
    assert [i for i, e in entries.items() if e['model_info'].get('cooldown_time') != 0] == ['local-spark-qwen3-32b']
    assert entries['local-spark-qwen3-32b'] == {
        'model_name': 'local', 'model_info': {'id': 'local-spark-qwen3-32b'},
        'litellm_params': {'model': 'openai/qwen3-32b', 'api_base': 'http://10.20.0.20:8000/v1',
                           'api_key': 'os.environ/SPARK_VLLM_API_KEY', 'timeout': 30.0, 'stream_timeout': 5.0}}


def test_router_budgets_callbacks_and_env(model):
    config, warnings = build(model)
    router = config['router_settings']
    assert router['routing_strategy'] == 'simple-shuffle'
    assert (router['num_retries'], router['allowed_fails'], router['cooldown_time']) == (1, 1, 60)
    assert (router['timeout'], router['stream_timeout']) == (60, 15)
    # A timed-out call is not retried and cools its deployment down at once; a 429 is not retried.
    assert router['retry_policy'] == {'TimeoutErrorRetries': 0, 'RateLimitErrorRetries': 0}
    assert router['allowed_fails_policy'] == {'TimeoutErrorAllowedFails': 0}
    assert 'enable_pre_call_checks' not in router and 'redis_host' not in router
    assert router['fallbacks'] == [{'fast': ['local']}, {'local': ['fast']}, {'reasoning': ['fast', 'local']}]
    assert router['provider_budget_config'] == {
        'openai': {'budget_limit': 200.0, 'time_period': '1d'},
        'anthropic': {'budget_limit': 150.0, 'time_period': '1d'},
        'gemini': {'budget_limit': 50.0, 'time_period': '1d'}}
    # The Spark reaches LiteLLM as provider 'openai' too: the shared budget is called out.
    assert any("'spark'" in warning for warning in warnings)
    assert warnings == [
        "provider 'openai' budget is LiteLLM provider 'openai' budget, which also counts and caps 'spark' (same LiteLLM "
        'provider id): once it is spent those deployments stop too; vllm_provider: hosted_vllm gives the vLLM endpoint '
        'its own id']
    # The whole of litellm_settings: unsupported params dropped, /metrics open to the monitoring namespace.
    assert config['litellm_settings'] == {'callbacks': ['prometheus'], 'require_auth_for_metrics_endpoint': False,
                                          'drop_params': True, 'success_callback': ['langfuse'],
                                          'failure_callback': ['langfuse']}
    assert build(model, metrics_require_auth=True)[0]['litellm_settings']['require_auth_for_metrics_endpoint'] is True
    assert config['general_settings'] == {'master_key': 'os.environ/LITELLM_MASTER_KEY',
                                          'database_url': 'os.environ/DATABASE_URL'}


def test_hosted_vllm_keeps_the_spark_out_of_the_openai_budget(model):
    config, warnings = build(model, vllm_provider='hosted_vllm')
    spark = [e for e in config['model_list'] if e['model_info']['id'] == 'local-spark-qwen3-32b'][0]
    assert spark['litellm_params']['model'] == 'hosted_vllm/qwen3-32b'
    assert warnings == []


def test_tag_budgets_one_per_budgeted_team(model):
    config, _warnings = build(model, tag_budgets=True)
    assert config['litellm_settings']['tag_budget_config'] == {
        'team:research': {'max_budget': 40.0, 'budget_duration': '1d'},
        'team:support': {'max_budget': 25.0, 'budget_duration': '1d'},
        'team:engineering': {'max_budget': 60.0, 'budget_duration': '1d'},
        'team:operations': {'max_budget': 15.0, 'budget_duration': '1d'}}


def test_deployment_limits_and_budgets(model):
    model['ai_platform_router']['routing_strategy'] = 'usage-based-routing-v2'
    deployment = model['ai_platform_model_aliases'][0]['deployments'][0]
    deployment.update(rpm=60, tpm=100000, max_budget=5, budget_duration='1h')
    config, _warnings = build(model)
    params = config['model_list'][0]['litellm_params']
    assert (params['rpm'], params['tpm'], params['max_budget'], params['budget_duration']) == (60, 100000, 5.0, '1h')


def test_same_input_same_bytes(model):
    first = dump_yaml(build(model)[0])
    second = dump_yaml(build(copy.deepcopy(model))[0])
    assert first == second
    model['ai_platform_teams'].reverse()  # teams do not enter the config without tag budgets
    assert dump_yaml(build(model)[0]) == first


@pytest.mark.parametrize('mutate, var', [
    (lambda m: m['ai_platform_model_aliases'][0]['fallbacks'].append('nope'),
     "ai_platform_model_aliases[0] (fast).fallbacks[1]: 'nope' is not a defined alias"),
    (lambda m: m['ai_platform_model_aliases'][1].update(deployments=[]),
     'ai_platform_model_aliases[1] (local).deployments: is empty'),
    (lambda m: m['ai_platform_secrets'].pop(0),
     "ai_platform_providers[0] (openai).api_key_env: 'OPENAI_API_KEY' has no entry in ai_platform_secrets"),
    (lambda m: m['ai_platform_router'].update(routing_strategy='round-robin'),
     "ai_platform_router.routing_strategy: 'round-robin' is not a LiteLLM routing strategy"),
    (lambda m: m['ai_platform_model_aliases'][0]['deployments'][0].update(rpm=0),
     "ai_platform_model_aliases[0] (fast).deployments[0] (fast-openai-gpt-4o-mini).rpm: 0 must be >= 1"),
    (lambda m: m['ai_platform_model_aliases'][1]['deployments'][0].update(timeout=0),
     "ai_platform_model_aliases[1] (local).deployments[0] (local-spark-qwen3-32b).timeout: 0 must be > 0"),
    (lambda m: m['ai_platform_router'].update(stream_timeout='soon'),
     "ai_platform_router.stream_timeout: 'soon' is not a number"),
    (lambda m: m.update(litellm_hpa_max_replicas=2, litellm_redis_enabled=False),
     'litellm_redis_enabled: is false but up to 2 LiteLLM proxies'),
    (lambda m: m['ai_platform_providers'][0]['budget'].update(max_budget=-1),
     'ai_platform_providers[0] (openai).budget.max_budget'),
    (lambda m: m['ai_platform_teams'][0].update(max_budget=-5),
     'ai_platform_teams[0] (research).max_budget'),
    (lambda m: m['ai_platform_providers'][1]['budget'].update(budget_duration='1 day'),
     'ai_platform_providers[1] (anthropic).budget.budget_duration'),
    (lambda m: m['ai_platform_model_aliases'][0]['deployments'][0].update(max_budget=1, budget_duration='soon'),
     'deployments[0] (fast-openai-gpt-4o-mini).budget_duration'),
    (lambda m: m['ai_platform_model_aliases'][2]['deployments'][0].update(id='fast-openai-gpt-4o-mini'),
     "'fast-openai-gpt-4o-mini'"),
    (lambda m: m.update(ai_platform_secrets=[s for s in m['ai_platform_secrets'] if s['env'] != 'LANGFUSE_SECRET_KEY']),
     "ai_platform_secrets: has no entry for 'LANGFUSE_SECRET_KEY'"),
])
def test_refusals_name_the_variable(model, mutate, var):
    mutate(model)
    assert var in errors_of(model)


def test_duplicate_deployment_id_is_refused(model):
    model['ai_platform_model_aliases'][2]['deployments'][0]['id'] = 'fast-openai-gpt-4o-mini'
    assert 'duplicate' in errors_of(model).lower()


def test_two_budgets_on_one_litellm_provider_refused(model):
    model['ai_platform_providers'][3]['budget'] = {'max_budget': 1, 'budget_duration': '1d'}
    with pytest.raises(ValueError) as info:
        build(model)
    assert str(info.value) == ("ai_platform_providers: 'openai', 'spark' all reach LiteLLM as provider 'openai' and "
                               'each has a budget; LiteLLM keeps one budget per provider id: keep the budget on one of '
                               'them')


def test_providers_without_a_budget_do_not_end_the_budget_list(model):
    # Sorted by LiteLLM id, anthropic's comes first: one without a budget must not stop the others.
    model['ai_platform_providers'][1].pop('budget')
    config, _warnings = build(model)
    assert sorted(config['router_settings']['provider_budget_config']) == ['gemini', 'openai']


def test_an_env_the_config_reads_without_a_secret_entry_is_refused_naming_reader_and_fix(model):
    # Envs platform_model already requires (DATABASE_URL, the Langfuse keys) are its to report; others are here.
    assert errors_of(model, master_key_env='GATEWAY_KEY', database_url_env='GATEWAY_DB') == (
        "ai_platform_secrets: 'GATEWAY_KEY' is read by the LiteLLM config (general_settings.master_key) but has no "
        'entry: add one with env: GATEWAY_KEY, path and key\n'
        "ai_platform_secrets: 'GATEWAY_DB' is read by the LiteLLM config (general_settings.database_url) but has no "
        'entry: add one with env: GATEWAY_DB, path and key')
    model['ai_platform_secrets'].append({'env': 'GATEWAY_KEY', 'path': 'ai-platform/litellm', 'key': 'master_key'})
    assert errors_of(model, master_key_env='GATEWAY_KEY') == ''


def test_required_envs_name_what_reads_each():
    assert lc.required_envs(OPTIONS) == [('LITELLM_MASTER_KEY', 'general_settings.master_key'),
                                         ('DATABASE_URL', 'general_settings.database_url'),
                                         ('LANGFUSE_PUBLIC_KEY', 'langfuse callback'),
                                         ('LANGFUSE_SECRET_KEY', 'langfuse callback')]
    assert lc.required_envs(dict(OPTIONS, database_url_env='', langfuse=False)) == [
        ('LITELLM_MASTER_KEY', 'general_settings.master_key')]


def test_response_cache_without_redis_is_the_proxys_own(model):
    config, _warnings = build(model, response_cache=True, response_cache_ttl='30')
    assert config['litellm_settings']['cache_params'] == {'type': 'local', 'ttl': 30}


def test_compare_only_user_set_fields_and_mask():
    current = {'team_id': 't', 'max_budget': 40, 'spend': 12.5, 'models': ['local', 'fast'],
               'metadata': {'tags': ['team:t'], 'owner': 'ops'}}
    assert field_changes({'max_budget': 40.0, 'models': ['fast', 'local'], 'metadata': {'tags': ['team:t']}},
                         current, ('max_budget', 'models', 'metadata')) == {}
    assert field_changes({'metadata': {'tags': ['team:u']}}, current, ('metadata',)) == {
        'metadata': {'tags': ['team:u'], 'owner': 'ops'}}
    assert field_changes({'max_budget': None}, current, ('max_budget',)) == {'max_budget': None}
    assert view({'key': 'sk-secret', 'team_id': 't'}, ('key', 'team_id'), mask=('key',)) == {
        'key': '********', 'team_id': 't'}
    # LiteLLM's hash_token: sha256 hex of the value.
    assert key_hash('sk-1234') == hashlib.sha256(b'sk-1234').hexdigest()


def test_defaults_to_hosted_vllm_like_the_role():
    from ansible_collections.baremetal.ai_platform.plugins.modules import litellm_config as module
    role = yaml.safe_load(open(os.path.join(REPO, 'roles', 'litellm', 'defaults', 'main.yml')))
    spec = yaml.safe_load(module.DOCUMENTATION)['options']
    assert spec['vllm_provider']['default'] == role['litellm_vllm_provider'] == 'hosted_vllm'


def test_redis_shared_state_and_response_cache(model):
    config, _warnings = build(model, replicas=6, redis_host='litellm-valkey.ai-gateway.svc', response_cache=True)
    router = config['router_settings']
    assert (router['redis_host'], router['redis_port'], router['redis_password']) == (
        'litellm-valkey.ai-gateway.svc', 6379, 'os.environ/REDIS_PASSWORD')
    assert config['litellm_settings']['cache'] is True
    assert config['litellm_settings']['cache_params'] == {
        'type': 'redis', 'host': 'litellm-valkey.ai-gateway.svc', 'port': 6379,
        'password': 'os.environ/REDIS_PASSWORD', 'ttl': 600}


def test_one_replica_needs_no_redis_more_do(model):
    assert errors_of(dict(model, litellm_hpa_max_replicas=1, litellm_redis_enabled=False)) == ''
    assert errors_of(dict(model, litellm_hpa_max_replicas=6, litellm_redis_enabled=True)) == ''
    assert 'multiplied by 6' in errors_of(dict(model, litellm_hpa_max_replicas=6, litellm_redis_enabled=False))


def test_rpm_under_simple_shuffle_turns_on_pre_call_checks_and_states_the_cap(model):
    model['ai_platform_model_aliases'][1]['deployments'][0]['rpm'] = 10
    config, warnings = build(model, replicas=6, redis_host='valkey')
    assert config['router_settings']['enable_pre_call_checks'] is True
    assert lc.rpm_tpm_caps(model, dict(OPTIONS, replicas=6, redis_host='valkey')) == [
        {'id': 'local-spark-qwen3-32b', 'limit': 'rpm', 'nominal': 10, 'effective': 60, 'how': 'counted per proxy'}]
    assert any('up to 60 a minute across 6 replicas' in warning for warning in warnings)
    model['ai_platform_router']['routing_strategy'] = 'usage-based-routing-v2'
    config, _warnings = build(model, replicas=2, redis_host='valkey')
    assert 'enable_pre_call_checks' not in config['router_settings']
    assert lc.rpm_tpm_caps(model, dict(OPTIONS, replicas=2, redis_host='valkey'))[0]['effective'] == 18


def test_each_limit_of_each_deployment_has_its_cap_and_warning(model):
    # Under the example's simple-shuffle each proxy counts for itself.
    model['ai_platform_model_aliases'][0]['deployments'][0]['tpm'] = 1000
    model['ai_platform_model_aliases'][1]['deployments'][0]['rpm'] = 10
    assert lc.has_limits(model)
    assert lc.rpm_tpm_caps(model, dict(OPTIONS, replicas=1)) == [
        {'id': 'fast-openai-gpt-4o-mini', 'limit': 'tpm', 'nominal': 1000, 'effective': 1000, 'how': 'one proxy'},
        {'id': 'local-spark-qwen3-32b', 'limit': 'rpm', 'nominal': 10, 'effective': 10, 'how': 'one proxy'}]
    config, warnings = build(model, replicas=3, redis_host='valkey')
    assert config['router_settings']['enable_pre_call_checks'] is True
    assert warnings[1:] == [
        "deployment 'fast-openai-gpt-4o-mini' tpm 1000 is counted per proxy: up to 3000 a minute across 3 replicas",
        "deployment 'local-spark-qwen3-32b' rpm 10 is counted per proxy: up to 30 a minute across 3 replicas"]
    model['ai_platform_router']['routing_strategy'] = 'usage-based-routing-v2'
    assert lc.rpm_tpm_caps(model, dict(OPTIONS, replicas=3, redis_host='valkey'))[1]['how'] == \
        'shared through Redis (paced: 10)'


def test_a_tpm_limit_alone_turns_on_pre_call_checks(model):
    model['ai_platform_model_aliases'][0]['deployments'][0]['tpm'] = 1000
    assert build(model)[0]['router_settings']['enable_pre_call_checks'] is True


def test_secret_env_entries_are_what_the_config_reads(model):
    entries = lc.secret_env_entries(model, dict(OPTIONS, langfuse=False))
    # LITELLM_SALT_KEY is in the inventory but the config never names it: LiteLLM reads it from its
    # environment, and the litellm role's env ExternalSecret adds it next to these entries. The alert
    # receivers' secrets (ALERT_*) are Alertmanager's, never the gateway's.
    assert [entry['env'] for entry in entries] == [
        entry['env'] for entry in model['ai_platform_secrets']
        if entry['env'] not in ('LANGFUSE_PUBLIC_KEY', 'LANGFUSE_SECRET_KEY', 'LITELLM_SALT_KEY')
        and not entry['env'].startswith('ALERT_')]
    assert 'LITELLM_SALT_KEY' in [entry['env'] for entry in model['ai_platform_secrets']]


def test_a_provider_budget_shared_by_several_names_them_all(model):
    model['ai_platform_providers'].append({'name': 'openai-eu', 'kind': 'openai', 'api_key_env': 'OPENAI_API_KEY',
                                           'api_base': 'https://eu.api.openai.com/v1'})
    _config, warnings = lc.provider_budgets(model['ai_platform_providers'], 'openai')
    assert warnings == [
        "provider 'openai' budget is LiteLLM provider 'openai' budget, which also counts and caps 'spark', 'openai-eu' "
        '(same LiteLLM provider id): once it is spent those deployments stop too; vllm_provider: hosted_vllm gives the '
        'vLLM endpoint its own id']
