"""Live: a real nats-server with the rendered NATS accounts, users and JetStream objects.

Shown live: per-agent subject isolation (publish, subscribe and the JetStream API of another agent's
consumer are refused), an agent publishing to and consuming its own stream, and the lag KEDA's
nats-jetstream scaler reads (/jsz?acc=...&consumers=true&config=true, consumer num_pending)
matching messages published and acknowledged.
"""

import asyncio
import json
import urllib.request

import nats
import pytest
from nats.errors import TimeoutError as NatsTimeout

# B is not among A's delegates (doc-fetcher may hand sub-tasks to doc-chunker's tasks subject).
A, B = 'doc-fetcher', 'doc-summariser'


def _agent_env(server, agent):
    deployment = server['by_kind']['Deployment']['agent-' + agent]
    env = deployment['spec']['template']['spec']['containers'][0]['env']
    return {e['name']: e.get('value') for e in env}


async def _connect(server, agent, errors):
    env = _agent_env(server, agent)

    async def on_error(err):
        errors.append(str(err))

    return await nats.connect(server['url'], user=env['NATS_USER'], password=server['password'][env['NATS_USER']],
                              inbox_prefix=env['NATS_INBOX_PREFIX'], error_cb=on_error,
                              allow_reconnect=False)


def _run(coro):
    return asyncio.run(coro)


def _scaler(server, agent):
    return server['by_kind']['ScaledObject']['agent-' + agent]['spec']['triggers'][0]['metadata']


def _jsz_pending(server, agent):
    """num_pending as KEDA's nats-jetstream scaler reads it from the monitoring endpoint."""
    meta = _scaler(server, agent)
    url = '%s/jsz?acc=%s&consumers=true&config=true' % (server['monitor'], meta['account'])
    with urllib.request.urlopen(url, timeout=5) as response:
        jsz = json.load(response)
    account = next(a for a in jsz['account_details'] if a['name'] == meta['account'])
    stream = next(s for s in account['stream_detail'] if s['name'] == meta['stream'])
    consumer = next(c for c in stream['consumer_detail'] if c['name'] == meta['consumer'])
    return consumer['num_pending'], consumer['num_ack_pending']


def test_the_server_runs_the_rendered_users_and_env_passwords(nats_server):
    assert '$AGENT_DOC_FETCHER_PASSWORD' in nats_server['conf']
    assert not [p for p in nats_server['password'].values() if p in nats_server['conf']]
    # One work queue per agent, plus the outbox of every agent's results and dead letters.
    agents = [c['spec']['durableName'] for c in nats_server['by_kind']['Consumer'].values()]
    assert len(agents) == 18
    assert sorted(nats_server['by_kind']['Stream']) == sorted(['agent-%s' % a for a in agents] + ['agents-outbox'])


def test_agent_cannot_publish_on_another_agents_subjects(nats_server):
    async def scenario():
        errors = []
        nc = await _connect(nats_server, A, errors)
        await nc.publish(_agent_env(nats_server, B)['NATS_SUBJECT'], b'not yours')
        await nc.flush()
        await asyncio.sleep(0.2)
        await nc.close()
        return errors

    errors = _run(scenario())
    assert any('permissions violation for publish' in e.lower() and 'agents.%s.tasks' % B in e for e in errors), errors


def test_agent_cannot_subscribe_to_or_pull_from_another_agent(nats_server):
    async def scenario():
        errors = []
        nc = await _connect(nats_server, A, errors)
        await nc.subscribe('agents.%s.>' % B)
        env_b = _agent_env(nats_server, B)
        with pytest.raises(NatsTimeout):
            await nc.request('$JS.API.CONSUMER.MSG.NEXT.%s.%s' % (env_b['NATS_STREAM'], env_b['NATS_CONSUMER']),
                             b'{"batch":1}', timeout=0.5)
        await nc.flush()
        await asyncio.sleep(0.2)
        await nc.close()
        return errors

    errors = [e.lower() for e in _run(scenario())]
    assert any('permissions violation for subscription' in e and 'agents.%s.>' % B in e for e in errors), errors
    assert any('permissions violation for publish' in e and '$js.api.consumer.msg.next' in e for e in errors), errors


def test_agent_cannot_read_the_wide_inbox(nats_server):
    async def scenario():
        errors = []
        nc = await _connect(nats_server, A, errors)
        await nc.subscribe('_INBOX.>')
        await nc.flush()
        await asyncio.sleep(0.2)
        await nc.close()
        return errors

    assert any('permissions violation for subscription' in e.lower() for e in _run(scenario()))


def test_agent_publishes_and_consumes_its_own_tasks_and_lag_matches(nats_server):
    env = _agent_env(nats_server, A)
    published, taken = 7, 3

    async def scenario():
        errors = []
        nc = await _connect(nats_server, A, errors)
        js = nc.jetstream()
        for index in range(published):
            ack = await js.publish(env['NATS_SUBJECT'], b'task %d' % index, stream=env['NATS_STREAM'])
            assert ack.stream == env['NATS_STREAM']
        info = await js.consumer_info(env['NATS_STREAM'], env['NATS_CONSUMER'])
        before = (info.num_pending, _jsz_pending(nats_server, A))
        sub = await js.pull_subscribe_bind(env['NATS_CONSUMER'], env['NATS_STREAM'])
        messages = await sub.fetch(taken, timeout=2)
        unacked = _jsz_pending(nats_server, A)
        for message in messages:
            await message.ack_sync()
        info = await js.consumer_info(env['NATS_STREAM'], env['NATS_CONSUMER'])
        after = (info.num_pending, info.num_ack_pending, _jsz_pending(nats_server, A))
        await nc.close()
        return errors, before, [m.data for m in messages], unacked, after

    errors, before, bodies, unacked, after = _run(scenario())
    assert errors == []
    assert before == (published, (published, 0))
    assert bodies == [b'task %d' % i for i in range(taken)]
    # Fetched but not yet acked: no longer pending delivery, but awaiting ack.
    assert unacked == (published - taken, taken)
    assert after == (published - taken, 0, (published - taken, 0))
    assert int(_scaler(nats_server, A)['lagThreshold']) > 0


@pytest.mark.parametrize('password, starts', [('pSafe_-09aZ', True), ('-leading-dash', False), ('two words', False)])
def test_generated_passwords_must_start_with_a_letter(nats_server, nats_launcher, tmp_path, password, starts):
    """nats-server parses a $VAR password as config: generated NATS passwords must match
    ^[A-Za-z][A-Za-z0-9_-]*$ (what the test passwords above use)."""
    write_conf, start_nats = nats_launcher
    conf = write_conf(nats_server['values'], tmp_path, 14230, 18230)
    passwords = {name: 'pOk' for name in nats_server['env_vars']}
    passwords[nats_server['env_vars'][0]] = password
    proc, log = start_nats(nats_server['binary'], conf, passwords, 18230)
    try:
        assert (proc.poll() is None) is starts, log
        if not starts:
            assert 'could not be parsed' in log
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
