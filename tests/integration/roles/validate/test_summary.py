"""playbooks/summary.yml prints the routing table, the effective deployment limits, the team budgets
(with where each is enforced) and the backups of the inventory."""

import copy
import json

import yaml

from helpers import REPO, run_playbook


def _summary(*args):
    proc = run_playbook('playbooks/summary.yml', *args, inventory='inventories/example', json_output=True,
                        timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    messages = [outcome['msg'] for play in proc.result['plays'] for task in play['tasks']
                for outcome in task['hosts'].values() if 'msg' in outcome]
    # One line per list entry, so every stdout callback prints it readably.
    assert isinstance(messages[-1], list)
    return '\n'.join(messages[-1]) + '\n'


def test_summary_states_the_effective_cap_not_the_nominal_one(tmp_path):
    with open('%s/inventories/example/group_vars/all/models.yml' % REPO) as handle:
        aliases = copy.deepcopy(yaml.safe_load(handle)['ai_platform_model_aliases'])
    aliases[0]['deployments'][0]['rpm'] = 60
    extra = tmp_path / 'caps.json'
    extra.write_text(json.dumps({'ai_platform_model_aliases': aliases}))
    summary = _summary('-e', '@%s' % extra)
    # simple-shuffle counts rpm in each proxy's memory (pre-call checks): 6 proxies at the HPA's maximum.
    assert '  fast-openai-gpt-4o-mini: rpm 60, at most 360 a minute (counted per proxy)\n' in summary, summary


def test_summary_shows_routing_and_budgets():
    summary = _summary()
    assert 'Deployment limits' not in summary
    for line in [
        'Site example: rendered to ',
        '  fast:\n    fast-openai-gpt-4o-mini = openai/gpt-4o-mini\n'
        '    fast-anthropic-claude-haiku = anthropic/claude-haiku-4-5\n    fallbacks: local\n',
        '  local:\n    local-spark-qwen3-32b = spark/qwen3-32b\n    fallbacks: fast\n',
        '    fallbacks: fast -> local\n',
        '  research: $40.00 per 1d, 300 rpm, 400000 tpm: not yet in force: run playbooks/gateway.yml after '
        'the GitOps sync\n',
        '  platform: unlimited, 1000 rpm, 1000000 tpm',
        'Backups: to nfs://10.20.0.5/export/ai-platform/example, newest 14 kept\n  etcd: 0 */6 * * * (UTC)\n',
    ]:
        assert line in summary, summary
