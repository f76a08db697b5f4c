# Copyright: (c) 2026, baremetal.ai_platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The metric names a PromQL expression reads, by a small tokenizer.

Skipped: function and aggregation names (an identifier followed by '(', or an aggregation followed by
by/without), keywords and binary
operators spelled as words, label names inside {...} matchers and in by/without/on/ignoring/
group_left/group_right lists, strings, numbers, durations (after offset, in [...] ranges and subqueries).
Metric names may contain ':' (recording rules, vLLM's 'vllm:' prefix); label names may not.
"""

import re

_TOKEN = re.compile(r'''
    (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<range>\[[^\]]*\])
  | (?P<duration>(?:\d+(?:ms|[smhdwy]))+(?![a-zA-Z0-9_:]))
  | (?P<number>(?:0x[0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)
  | (?P<open>[({])
  | (?P<close>[)}])
  | (?P<space>\s+)
  | (?P<other>.)
''', re.X)
# Words that are never metric names where they stand: keywords, word operators and modifiers.
KEYWORDS = {'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless',
            'offset', 'atan2', 'inf', 'nan', 'start', 'end'}
# Aggregations may take their by/without clause before the parenthesised argument.
AGGREGATIONS = {'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk',
                'topk', 'quantile', 'limitk', 'limit_ratio'}
# Followed by a parenthesised list of label names.
LABEL_LISTS = {'by', 'without', 'on', 'ignoring', 'group_left', 'group_right'}


def tokens(expr):
    """(kind, text) pairs, whitespace dropped; ValueError on an unterminated string."""
    result = []
    position = 0
    while position < len(expr):
        match = _TOKEN.match(expr, position)
        kind = match.lastgroup
        if kind == 'other' and match.group() in '"\'`':
            raise ValueError('unterminated string at %d in %r' % (position, expr))
        if kind != 'space':
            result.append((kind, match.group()))
        position = match.end()
    return result


def metric_names(expr):
    """The set of metric names expr selects."""
    found = set()
    items = tokens(expr)
    stack = []          # '{' or '(' or 'labels' for each open bracket
    expect_labels = False
    for index, (kind, text) in enumerate(items):
        following = items[index + 1] if index + 1 < len(items) else (None, None)
        if kind == 'open':
            stack.append('labels' if (text == '(' and expect_labels) or text == '{' else '(')
            expect_labels = False
        elif kind == 'close':
            if stack:
                stack.pop()
        elif kind == 'name':
            if stack and stack[-1] == 'labels':
                continue
            if text in KEYWORDS:
                expect_labels = text in LABEL_LISTS
                continue
            if following == ('open', '(') or (text in AGGREGATIONS and following[1] in ('by', 'without')):
                continue  # a function or an aggregation
            found.add(text)
    if stack:
        raise ValueError('unbalanced brackets in %r' % expr)
    return found
