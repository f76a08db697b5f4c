"""playbooks/summary.yml prints the routing table, the team budgets and the backups of the inventory."""

from helpers import run_playbook


def test_summary_shows_routing_and_budgets():
    proc = run_playbook('playbooks/summary.yml', inventory='inventories/example', json_output=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    messages = [outcome['msg'] for play in proc.result['plays'] for task in play['tasks']
                for outcome in task['hosts'].values() if 'msg' in outcome]
    # One line per list entry, so every stdout callback prints it readably.
    assert isinstance(messages[-1], list)
    summary = '\n'.join(messages[-1]) + '\n'
    for line in [
        'Site example: rendered to ',
        '  fast:\n    fast-openai-gpt-4o-mini = openai/gpt-4o-mini\n'
        '    fast-anthropic-claude-haiku = anthropic/claude-haiku-4-5\n    fallbacks: local\n',
        '  local:\n    local-spark-qwen3-32b = spark/qwen3-32b\n    fallbacks: fast\n',
        '    fallbacks: fast -> local\n',
        '  research: $40.00 per 1d, 300 rpm, 400000 tpm\n',
        '  platform: unlimited, 1000 rpm, 1000000 tpm',
        'Backups: to nfs://10.20.0.5/export/ai-platform/example, newest 14 kept\n  etcd: 0 */6 * * * (UTC)\n',
    ]:
        assert line in summary, summary
