"""The benchmark's own checks: a quick run (N=2, K=2) counts what the issue promises, and the checks can fail.

The quick run starts an emulated fleet on the emulator's default engine (the real one where pwsh is found) and runs
ansible-playbook eight times (about 12 s on the contract engine, 25 s on the real one, which also measures the
per-command phases once). Nothing here judges a time: only counts, and that every figure is there.
"""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from ansible_collections.winrds.sessions.plugins.plugin_utils import _transport
from tests.bench import phases, real_hosts, run_bench
from tests.bench.fleet_config import check_survivors, fleet_config, host_names, matched_users
from tests.bench.measure import BenchError
from tests.bench.report import add_results, evaluate_targets, markdown_report
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
    [engine] = document['engines']
    assert all(entry['engine'] == engine for entry in document['results'])
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
    targets = document['targets'][document['engines'][0]]['ntlm']
    assert targets['bytes_per_task']['met'] is True
    assert targets['commands']['met'] is True
    written = json.loads((out / 'results.json').read_text(encoding='utf-8'))
    assert written['results'] == document['results'] and written['complete'] is True
    assert '| 2 | 2 | 3 query user + logoff loop |' in (out / 'results.md').read_text(encoding='utf-8')


def test_quick_run_on_the_real_engine_times_every_command_and_its_phases(quick):
    out, document = quick
    if document['engines'] != ['pwsh']:
        pytest.skip('the quick run used the %s engine (no pwsh here, or WINRDS_EMU_ENGINE chose it)'
                    % document['engines'][0])
    runs = by_variant(document)
    # Every command of every host has its timing record: the first run's two wts commands, the rerun's snapshot,
    # the status quo's query and its K logoffs.
    kinds = dict((variant, dict((kind, figures['count']) for kind, figures in runs[variant]['commands_by_kind'].items()))
                 for variant in ('collection', 'collection_rerun', 'status_quo'))
    assert kinds == {'collection': {'wts snapshot': 2, 'wts logoff': 2}, 'collection_rerun': {'wts snapshot': 2},
                     'status_quo': {'raw query': 2, 'raw logoff': 2 * SESSIONS}}
    for variant in kinds:
        entry = runs[variant]
        assert entry['engine_cpu_seconds'] > 0 and entry['host_seconds_per_host'] > 0
        for figures in entry['commands_by_kind'].values():
            assert 0 < figures['first_call'] < figures['process']
    level = document['phases']['levels']['1']
    for kind, wanted in (('wts_snapshot', phases.WTS_PHASES), ('wts_logoff', phases.WTS_PHASES),
                         ('raw_query', phases.RAW_PHASES), ('raw_logoff', phases.RAW_PHASES)):
        [run] = level['runs'][kind]
        assert set(run) == set(wanted) | {'total', 'slot_wait', 'cpu'}
        assert abs(sum(run[phase] for phase in wanted) - run['total']) < 1e-6  # the phases cover the process
        # The process's CPU time at each mark: every phase up to the last mark has one, the exit has none.
        assert set(run['cpu']) == set(wanted) and run['cpu']['exit'] is None
        assert run['cpu']['engine_start'] > 0 and all(run['cpu'][phase] >= 0 for phase in wanted[:-1])
    assert document['targets']['pwsh']['ntlm']['helper_load']['met'] is not None
    report = (out / 'results.md').read_text(encoding='utf-8')
    assert '| wts_snapshot |' in report and '| 2 | 2 | 1 win_rds_logoff | wts logoff | 2 |' in report


def test_the_pictures_are_drawn_from_a_run(quick, tmp_path):
    pytest.importorskip('matplotlib')
    from tests.bench.plots import draw_all

    document = quick[1]
    paths = draw_all(document, tmp_path)
    names = sorted(path.name for path in paths)
    suffix = '' if document['engines'] == ['pwsh'] else '-contract'
    expected = ['bench-wall-vs-hosts%s.png' % suffix, 'bench-wall-vs-sessions%s.png' % suffix]
    if document.get('phases'):
        expected.append('bench-command-phases.png')
    assert names == sorted(expected)
    for path in paths:
        assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


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
    verdicts = evaluate_targets(results)['contract']['ntlm']  # rows without an engine: the contract engine
    assert verdicts['commands']['met'] is False and 'collection N=10 K=5' in verdicts['commands']['detail']
    assert verdicts['bytes_per_task']['met'] is True
    assert verdicts['speedup_k5']['met'] is True  # 2x is the target at N = 10
    assert 'helper_load' not in verdicts


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


def test_a_sweep_stopped_early_keeps_the_figures_it_measured(tmp_path):
    # While the sweep runs, the results so far are written with "complete" false and no phases yet.
    args = run_bench.parse_args(['--quick', '--out', str(tmp_path)])
    engine = args.engines[0]  # the quick run's engine: the real one where pwsh is found
    rows = [dict(row, cpu_per_host_ms=100.0, engine=engine) for row in _speed_rows(10, 1.2, 2.0, 4.0)]
    run_bench.write_document(args, rows, None, 12.5, False)
    written = json.loads((tmp_path / 'results.json').read_text(encoding='utf-8'))
    assert written['complete'] is False and written['phases'] is None and written['results'] == rows
    assert written['targets'][engine]['ntlm']['commands']['met'] is True
    assert '| 10 | 5 | 1 win_rds_logoff |' in (tmp_path / 'results.md').read_text(encoding='utf-8')


def test_rows_of_another_run_are_added_and_a_combination_is_kept_once():
    first = {'results': _speed_rows(10, 1.2, 2.0, 4.0) + _speed_rows(50, 1.2, 3.0, 9.0), 'hosts': [10, 50],
             'sessions': [5], 'hosts_for': {'5': [10, 50]}}
    other = {'results': _speed_rows(25, 1.2, 2.5, 6.5), 'hosts': [25], 'sessions': [5], 'hosts_for': {}}
    merged = add_results(first, other)
    assert len(merged['results']) == 12 and merged['hosts'] == [10, 25, 50]
    assert merged['hosts_for'] == {'5': [10, 25, 50]} and merged['runs_added'] == 1
    # With three N the linearity target can be judged (it needs three).
    assert evaluate_targets(merged['results'])['contract']['ntlm']['linear_in_n']['met'] is True
    with pytest.raises(ValueError, match='both runs measured .*N=25 K=5'):
        add_results(merged, {'results': _speed_rows(25, 1.2, 2.5, 6.5)})


def test_k_is_measured_in_the_order_given():
    args = run_bench.parse_args(['--sessions', '5,1,20,5', '--out', 'x'])
    assert args.sessions == [5, 1, 20]


def test_speed_target_is_3x_from_50_hosts_and_2x_below_and_reports_every_n():
    # N=10: 2.0 s against 4.0 s is 2x, and less a 1.2 s start-up it is 2.8 / 0.8 = 3.5x.
    good = _speed_rows(10, 1.2, 2.0, 4.0) + _speed_rows(50, 1.2, 3.0, 9.0) + _speed_rows(200, 1.2, 8.0, 25.0)
    verdict = evaluate_targets(good)['contract']['ntlm']['speedup_k5']
    assert verdict['met'] is True
    assert 'N=10: 2.00x (target 2x)' in verdict['detail'] and 'N=10: 3.50x' in verdict['detail']
    assert 'N=50: 3.00x (target 3x)' in verdict['detail'] and 'N=200: 3.12x (target 3x)' in verdict['detail']
    slow_at_scale = _speed_rows(10, 1.2, 2.0, 8.0) + _speed_rows(200, 1.2, 8.0, 23.0)  # 2.9x at N=200
    assert evaluate_targets(slow_at_scale)['contract']['ntlm']['speedup_k5']['met'] is False
    slow_at_50 = _speed_rows(10, 1.2, 2.0, 4.0) + _speed_rows(50, 1.2, 3.0, 8.5) + _speed_rows(200, 1.2, 8.0, 25.0)
    assert evaluate_targets(slow_at_50)['contract']['ntlm']['speedup_k5']['met'] is False
    slow_at_10 = _speed_rows(10, 1.2, 2.0, 3.9) + _speed_rows(200, 1.2, 8.0, 25.0)  # 1.95x at N=10
    assert evaluate_targets(slow_at_10)['contract']['ntlm']['speedup_k5']['met'] is False


def _phase_document(helper_ms):
    run = {'helper_load': helper_ms / 1000.0}
    return {'sessions': 5, 'levels': {'1': {'runs': {'wts_snapshot': [run] * 3, 'wts_logoff': [run] * 2},
                                            'summary': {}}}}


def test_helper_load_target_is_the_median_of_the_phases_on_the_real_engine():
    rows = [dict(row, engine='pwsh') for row in _speed_rows(10, 1.2, 2.0, 4.0)]
    assert evaluate_targets(rows, _phase_document(80.0))['pwsh']['ntlm']['helper_load']['met'] is True
    slow = evaluate_targets(rows, _phase_document(120.0))['pwsh']['ntlm']['helper_load']
    assert slow['met'] is False and '1 at once: 120 ms' in slow['detail']
    assert evaluate_targets(rows)['pwsh']['ntlm']['helper_load']['met'] is None  # no phases measured


def test_polls_while_a_command_waits_do_not_count_against_linearity():
    rows = []
    for hosts, polls in ((10, 0.0), (50, 1.0), (200, 3.0)):
        for row in _speed_rows(hosts, 1.0, 1.0 + hosts / 50.0, 2.0 + hosts / 10.0):
            row.update(cpu_seconds=0.05 * hosts, polls_per_host=polls, requests_per_host=row['requests_per_host'] + polls)
            rows.append(row)
    assert evaluate_targets(rows)['contract']['ntlm']['linear_in_n']['met'] is True
    rows[-2]['requests_per_host'] += 1  # one more request per host at N=200 that is no poll
    verdict = evaluate_targets(rows)['contract']['ntlm']['linear_in_n']
    assert verdict['met'] is False and 'requests per host less polls varies with N' in verdict['detail']


def test_the_report_shows_each_engine_and_transport_measured():
    rows = _speed_rows(10, 1.2, 2.0, 4.0) + [dict(row, engine='pwsh') for row in _speed_rows(10, 1.2, 3.0, 4.0)]
    for row in rows:
        row['cpu_per_host_ms'] = 100.0
    document = {'results': rows, 'transports': ['ntlm'], 'forks': 50, 'engines': ['pwsh', 'contract']}
    document['targets'] = evaluate_targets(rows)
    text = markdown_report(document)
    assert text.index('### real engine') < text.index('### contract engine')
    assert '- speedup_k5: NOT met - wall time: N=10: 1.33x (target 2x)' in text


@pytest.mark.parametrize('op', ['snapshot', 'logoff'])
def test_the_time_marks_go_where_the_phases_need_them(op):
    packed = phases.marked_wts_payload(op)
    code = zlib.decompress(base64.b64decode(packed[len(_transport.DEFLATE_MARK):]), -15).decode('ascii')
    lines = code.split('\n')
    helper = lines.index(phases.HELPER_LINE)
    assert 'winrds-phase helper ' in lines[helper - 1] and 'winrds-phase helper-end ' in lines[helper + 1]
    assert 'winrds-phase payload ' in lines[1] and 'winrds-phase end ' in lines[-1]
    # Only mark lines were added: without them the code is what the collection sends for that operation, no more.
    shipped = _transport.strip_comments(_transport.for_operation(_transport.payload_script('wts'), op))
    assert [line for line in lines if 'winrds-phase' not in line] == shipped.split('\n')
    assert shipped != _transport.strip_comments(_transport.payload_script('wts'))
    with pytest.raises(BenchError, match='update tests/bench/phases.py'):
        phases._marked(shipped.replace(phases.HELPER_LINE, '$Wts = Get-Something'), 'wts.ps1',
                       [('helper', phases.HELPER_LINE, 'before')])


def test_bytes_target_is_about_what_the_task_sends():
    rows = _speed_rows(10, 1.2, 2.0, 4.0)
    rows[1].update(sent_per_host=17000.0, bytes_per_host=52000.0)
    verdict = evaluate_targets(rows)['contract']['ntlm']['bytes_per_task']
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
        # one command of session_info (the wts snapshot), one raw query user and the probe; start-up contacts no host
        kinds = [entry.get('payload') or entry['script'].split('\n', 1)[0] for entry in state['commands']]
        assert kinds == ['wts', 'query user', "$ErrorActionPreference = 'Stop'"]
    probe = document['probe']
    if states[0]['engine']['name'] == 'pwsh':
        # The payload's own New-WtsFunctions ran in the probe on every host: three figures per host.
        assert sorted(probe['hosts']) == names and probe['problems'] == []
        assert all(value is not None for value in probe['medians'].values())
    else:
        # The contract engine runs only the collection's payloads: the probe's figures are missing, and said so.
        assert probe['hosts'] == {} and probe['medians']['helper_load_ms'] is None
        assert [problem.split(':')[0] for problem in probe['problems']] == names
    rows = document['projection']['rows']
    assert [row['sessions'] for row in rows] == [1, 5, 20]
    info = document['projection']['one_collection_command']
    assert rows[1]['collection'] == 2 * info and rows[1]['rerun'] == info
    assert rows[1]['status_quo'] == 6 * document['projection']['one_raw_command']
    assert set(document['fastest']) == {'startup', 'session_info', 'query_user'}


@pytest.fixture(scope='module')
def profiled(tmp_path_factory):
    """win_rds_logoff profiled on 2 emulated hosts of the contract engine (K = 1): the folder of its profiles."""
    from tests.bench import profile_run

    out = tmp_path_factory.mktemp('profile')
    assert profile_run.profile_emulated('contract', 2, 1, 'collection', out) == 0
    return out / 'pstats'


def test_the_profiler_sees_the_collection_in_every_worker_of_an_emulated_run(profiled):
    import pstats

    workers = sorted(profiled.glob('worker-*.pstats'))
    assert len(workers) == 2 and (profiled / 'main.pstats').is_file()
    for path in workers:
        functions = pstats.Stats(str(path)).stats
        assert any(name == 'run_module' and file.endswith('_runner.py') for file, _line, name in functions)


def test_the_profile_parts_split_the_cpu_by_who_spends_it(profiled):
    from tests.bench import profile_run

    figures = profile_run.parts(profiled, 2)
    # Two commands per host, each answered by its first Receive (nothing outlasts the operation timeout here).
    assert figures['receives'] == 2.0
    assert 0 < figures['receive'] < figures['connection']
    assert figures['collection'] > 0 and figures['ansible'] > 0 and figures['json'] > 0
    assert figures['workers'] >= figures['connection'] + figures['collection']
    # The main process waited for the two results at least once, checking at most its two worker slots a pass.
    assert figures['main_polls'] >= 1 and 0 < figures['worker_checks'] <= 2 * figures['main_polls']
    assert 0 < figures['main_polling'] < figures['main']
