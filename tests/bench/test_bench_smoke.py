"""The benchmark's own checks: a quick run (N=2, K=2) counts what the issue promises, and the checks can fail.

The quick run starts an emulated fleet and runs ansible-playbook eight times (about 12 s).
"""

from __future__ import annotations

import json

import pytest

from tests.bench import real_hosts, run_bench
from tests.bench.fleet_config import check_survivors, fleet_config, host_names, matched_users
from tests.bench.report import evaluate_targets
from tests.emulator.fleet import Fleet

SESSIONS = 2


@pytest.fixture(scope='module')
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp('bench')
    document = run_bench.main(['--quick', '--out', str(out)])
    return out, document


def by_variant(document):
    return dict((entry['variant'], entry) for entry in document['results'])


def test_quick_run_counts_commands_per_host(quick):
    document = quick[1]
    runs = by_variant(document)
    assert set(runs) == {'startup', 'collection', 'collection_rerun', 'status_quo'}
    assert runs['startup']['commands_max'] == 0 and runs['startup']['requests_per_host'] == 0
    assert all(entry['hosts'] == 2 and entry['sessions'] == SESSIONS for entry in runs.values())
    assert runs['collection']['commands_min'] == runs['collection']['commands_max'] == 2
    assert runs['collection_rerun']['commands_min'] == runs['collection_rerun']['commands_max'] == 1
    assert runs['status_quo']['commands_min'] == runs['status_quo']['commands_max'] == 1 + SESSIONS


def test_quick_run_measures_every_figure(quick):
    out, document = quick
    for entry in document['results']:
        assert entry['wall_seconds'] > 0 and entry['cpu_seconds'] > 0
        if entry['variant'] == 'startup':
            continue
        assert entry['requests_per_host'] > entry['commands_per_host']  # a command costs several requests
        assert entry['bytes_per_host'] > entry['sent_per_host'] > 0
    runs = by_variant(document)
    # Each command of the collection carries the payload script on stdin (packed); raw's carry none.
    assert 8000 < runs['collection']['sent_per_host'] < 16 * 1024 and runs['status_quo']['sent_per_host'] < 2000
    assert document['targets']['ntlm']['bytes_per_task']['met'] is True
    assert document['targets']['ntlm']['commands']['met'] is True
    assert json.loads((out / 'results.json').read_text(encoding='utf-8'))['results'] == document['results']
    assert '| 2 | 2 | 3 query user + logoff loop |' in (out / 'results.md').read_text(encoding='utf-8')


def test_a_relative_output_folder_is_the_same_for_ansible_playbook(tmp_path, monkeypatch):
    """ansible-playbook runs in a folder of the output: an inventory named relative to the caller's folder would not
    be found there (it parsed no inventory and ran on no host)."""
    monkeypatch.chdir(tmp_path)
    args = run_bench.parse_args(['--quick', '--out', 'results'])
    assert args.out == tmp_path / 'results'


def _host_state(sessions, drop=(), extra=()):
    entry = fleet_config(1, sessions)['hosts'][0]
    table = [{'user': s['user'], 'id': s['id']} for s in entry['sessions'] if s['user'] not in drop]
    table += [{'user': user, 'id': 90 + n} for n, user in enumerate(extra)]
    return {'name': entry['name'], 'sessions': table}


def test_survivor_check_accepts_only_the_right_result():
    assert check_survivors(_host_state(3, drop=matched_users(3)), 3) == []
    left_one = check_survivors(_host_state(3, drop=matched_users(3)[1:]), 3)
    assert left_one and 'still there' in left_one[0]
    too_many = check_survivors(_host_state(3, drop=matched_users(3) + ['kioskadmin']), 3)
    assert any('kioskadmin' in problem for problem in too_many)


def test_targets_fail_when_the_counts_are_wrong():
    row = {'transport': 'ntlm', 'hosts': 10, 'sessions': 5, 'forks': 10, 'wall_seconds': 1.0, 'cpu_seconds': 1.0,
           'requests_per_host': 9.0, 'bytes_per_host': 1000.0, 'sent_per_host': 500.0}
    results = [dict(row, variant='collection', commands_per_host=3.0, commands_min=3, commands_max=3),
               dict(row, variant='collection_rerun', commands_per_host=1.0, commands_min=1, commands_max=1),
               dict(row, variant='status_quo', commands_per_host=6.0, commands_min=6, commands_max=6,
                    wall_seconds=2.0)]
    verdicts = evaluate_targets(results)['ntlm']
    assert verdicts['commands']['met'] is False and 'collection N=10 K=5' in verdicts['commands']['detail']
    assert verdicts['bytes_per_task']['met'] is True
    assert verdicts['speedup_k5']['met'] is False  # 2x, not 3x


def _speed_rows(hosts, startup, collection, status_quo):
    row = {'transport': 'ntlm', 'hosts': hosts, 'sessions': 5, 'forks': 50, 'cpu_seconds': 1.0,
           'requests_per_host': 9.0, 'bytes_per_host': 1000.0, 'sent_per_host': 500.0}
    return [dict(row, variant='startup', wall_seconds=startup, commands_per_host=0.0, commands_min=0,
                 commands_max=0),
            dict(row, variant='collection', wall_seconds=collection, commands_per_host=2.0, commands_min=2,
                 commands_max=2),
            dict(row, variant='collection_rerun', wall_seconds=collection, commands_per_host=1.0, commands_min=1,
                 commands_max=1),
            dict(row, variant='status_quo', wall_seconds=status_quo, commands_per_host=6.0, commands_min=6,
                 commands_max=6)]


def test_speed_target_is_3x_at_the_largest_fleet_and_reports_every_n():
    # N=10: 2.0 s against 4.0 s is 2x, but less a 1.2 s start-up it is 2.8 / 0.8 = 3.5x.
    good = _speed_rows(10, 1.2, 2.0, 4.0) + _speed_rows(200, 1.2, 8.0, 25.0)
    verdict = evaluate_targets(good)['ntlm']['speedup_k5']
    assert verdict['met'] is True and verdict['detail'].startswith('at N=200: 3.12x')
    assert 'N=10: 2.00x' in verdict['detail'] and 'N=10: 3.50x' in verdict['detail']
    slow_at_scale = _speed_rows(10, 1.2, 2.0, 8.0) + _speed_rows(200, 1.2, 8.0, 23.0)  # 2.9x at N=200
    assert evaluate_targets(slow_at_scale)['ntlm']['speedup_k5']['met'] is False


def test_bytes_target_is_about_what_the_task_sends():
    rows = _speed_rows(10, 1.2, 2.0, 4.0)
    rows[1].update(sent_per_host=17000.0, bytes_per_host=52000.0)
    verdict = evaluate_targets(rows)['ntlm']['bytes_per_task']
    assert verdict['met'] is False and '16.6 KB per task' in verdict['detail'] and '50.8 KB' in verdict['detail']


def test_real_host_timing_runs_read_only_plays_and_projects(tmp_path):
    # Against emulated hosts this proves the script and its plays, not Windows: they answer at once.
    names = host_names(2)
    with Fleet(fleet_config(2, 1), tmp_path / 'fleet') as fleet:
        inventory = run_bench.write_inventory(fleet, tmp_path / 'inventory.yml', names, 'ntlm')
        before = [fleet.state(name)['sessions'] for name in names]
        document = real_hosts.main(['-i', str(inventory), '--forks', '2', '--repeat', '1',
                                    '--out', str(tmp_path / 'out')])
        states = [fleet.state(name) for name in names]
    assert [state['sessions'] for state in states] == before, 'the timing plays must change nothing'
    for state in states:
        # one command of session_info (the wts snapshot) and one raw query user; start-up contacts no host
        assert [entry.get('payload') or entry['script'] for entry in state['commands']] == ['wts', 'query user']
    rows = document['projection']['rows']
    assert [row['sessions'] for row in rows] == [1, 5, 20]
    info = document['projection']['one_collection_command']
    assert rows[1]['collection'] == 2 * info and rows[1]['rerun'] == info
    assert rows[1]['status_quo'] == 6 * document['projection']['one_raw_command']
    assert set(document['fastest']) == {'startup', 'session_info', 'query_user'}
