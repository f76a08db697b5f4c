"""platform_model at its limits: DNS-1123 lengths, parsers' edges, and messages that name path and value.

Assertions look for one expected error among all of them, so a new rule elsewhere does not break these.
"""


import pytest

from ansible_collections.baremetal.ai_platform.plugins.module_utils import platform_model as pm


def _subdomain(length):
    """A valid DNS-1123 subdomain of exactly `length` characters: 63-character labels and a shorter last one."""
    labels, left = [], length
    while left > 63:
        labels.append('a' * 63)
        left -= 64
    labels.append('b' * left)
    value = '.'.join(labels)
    assert len(value) == length
    return value


def errors_at(model, path):
    return [message for where, message in pm.check_platform(model) if where == path]


# DNS-1123: a label is at most 63 characters, a subdomain at most 253 (Kubernetes' IsDNS1123*).
@pytest.mark.parametrize('length, ok', [(1, True), (252, True), (253, True), (254, False), (300, False)])
def test_dns1123_subdomain_length_limit_is_253(length, ok):
    assert pm.is_dns1123_subdomain(_subdomain(length)) is ok


@pytest.mark.parametrize('value', ['', 'a..b', '.a', 'a.', 'A.b', 'a_b.c', '-a.b', 'a-.b', None, 5])
def test_dns1123_subdomain_rejects_bad_shapes(value):
    assert pm.is_dns1123_subdomain(value) is False


@pytest.mark.parametrize('value', ['a', 'a.b', 'ai.example.internal', '0.1-2.x9'])
def test_dns1123_subdomain_accepts(value):
    assert pm.is_dns1123_subdomain(value) is True


@pytest.mark.parametrize('length, ok', [(62, True), (63, True), (64, False)])
def test_dns1123_label_length_limit_is_63(length, ok):
    assert pm.is_dns1123_label('x' * length) is ok


def test_domain_of_253_characters_passes_and_254_is_refused_naming_the_value(model):
    model['ai_platform_domain'] = _subdomain(253)
    assert errors_at(model, 'ai_platform_domain') == []
    model['ai_platform_domain'] = _subdomain(254)
    assert errors_at(model, 'ai_platform_domain') == ["%s is not a DNS name" % pm.show(_subdomain(254))]


def test_names_of_63_characters_pass_and_64_are_refused(model):
    # Team names are plain DNS labels (agent names are held shorter, for the names derived from them).
    model['ai_platform_teams'][0]['name'] = 'a' * 63
    assert errors_at(model, 'ai_platform_teams[0] (%s).name' % ('a' * 63)) == []
    model['ai_platform_teams'][0]['name'] = 'a' * 64
    errors = errors_at(model, 'ai_platform_teams[0] (%s).name' % ('a' * 64))
    assert len(errors) == 1 and errors[0].startswith("'%s' is not a valid team name" % ('a' * 64))
    assert 'at most 63' in errors[0]


def test_spark_address_may_be_a_host_name_up_to_253_characters(model):
    model['ai_platform_spark_address'] = _subdomain(253)
    assert errors_at(model, 'ai_platform_spark_address') == []
    model['ai_platform_spark_address'] = _subdomain(254)
    assert errors_at(model, 'ai_platform_spark_address') != []


def test_secret_store_prefix_leaves_room_for_a_namespace(model):
    # Each namespace's store is <secret_store>-<namespace>: 189 + 1 + 63 = 253.
    model['ai_platform_vault']['secret_store'] = _subdomain(189)
    assert errors_at(model, 'ai_platform_vault.secret_store') == []
    model['ai_platform_vault']['secret_store'] = _subdomain(190)
    assert errors_at(model, 'ai_platform_vault.secret_store') != []


# Each parser's own words for each way a value fails: the rules quote them after the value.
PARSER_REFUSALS = [
    (pm.parse_int, {}, True, 'is not an integer'),
    (pm.parse_int, {}, '1.5', 'is not an integer'),
    (pm.parse_int, {}, 0, 'must be >= 1'),
    (pm.parse_int, {'maximum': 65535}, 65536, 'must be <= 65535'),
    (pm.parse_money, {}, True, 'is not an amount'),
    (pm.parse_money, {}, [5], 'is not an amount'),
    (pm.parse_money, {}, 'five', 'is not an amount'),
    (pm.parse_money, {}, 'nan', 'is not an amount'),
    (pm.parse_money, {}, -1, 'must be >= 0'),
    (pm.parse_money, {'strict': True}, 0,
     'must be > 0 (a budget of 0 refuses every request: remove the entry instead)'),
    (pm.parse_number, {}, True, 'is not a number'),
    (pm.parse_number, {}, 'many', 'is not a number'),
    (pm.parse_number, {}, None, 'is not a number'),
    (pm.parse_number, {}, float('nan'), 'is not a number'),
    (pm.parse_number, {}, float('inf'), 'is not a number'),
    (pm.parse_number, {}, '-inf', 'is not a number'),
    (pm.parse_quantity, {}, True, 'is not a quantity'),
    (pm.parse_quantity, {}, [1], 'is not a quantity'),
    (pm.parse_quantity, {}, '1 Gi', 'is not a quantity'),
    (pm.parse_quantity, {}, '0', 'must be more than 0'),
    (pm.parse_quantity, {'unit': 'cpu'}, '1Gi', "is not a CPU quantity: use cores ('1', '0.5') or millicores ('500m')"),
    (pm.parse_quantity, {'unit': 'memory'}, '512',
     "is not a memory quantity: give a unit, for example '256Mi' or '1Gi' (a bare number is bytes)"),
    (pm.parse_quantity, {'unit': 'memory'}, '512m',
     "is not a memory quantity: give a unit, for example '256Mi' or '1Gi' ('m' means thousandths of a byte)"),
    (pm.parse_url, {}, 'https://:8200', 'has no host'),
    (pm.parse_url, {}, 'https://vault:http', 'has a port that is not a number from 1 to 65535'),
    (pm.parse_url, {}, 'https://vault:0', 'has port 0, which is not a number from 1 to 65535'),
]


@pytest.mark.parametrize('parser, options, value, message', PARSER_REFUSALS,
                         ids=['%s(%r)' % (case[0].__name__, case[2]) for case in PARSER_REFUSALS])
def test_parser_names_what_is_wrong(parser, options, value, message):
    with pytest.raises(ValueError) as refused:
        parser(value, **options)
    assert str(refused.value) == message


@pytest.mark.parametrize('parser, options, value, parsed', [
    (pm.parse_int, {'maximum': 65535}, 65535, 65535),
    (pm.parse_int, {}, ' 7 ', 7),
    (pm.parse_money, {}, 0, 0.0),
    (pm.parse_url, {}, 'http://vault:1', ('http', 'vault', 1)),
    (pm.parse_url, {}, 'http://vault:65535', ('http', 'vault', 65535)),
])
def test_parser_accepts_its_limits(parser, options, value, parsed):
    assert parser(value, **options) == parsed
