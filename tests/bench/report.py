"""The benchmark's verdicts on the targets of the issue, and its results as Markdown tables.

Targets (per engine and transport):

- ``commands``: the rerun costs 1 command per host and the first run 2, for every host and every K;
- ``bytes_per_task``: what a collection task ships per host, its command lines and standard input, is under
  16 KB (the issue sets it against the ~180 KB a PowerShell module ships per task). The bytes on the wire are
  reported beside it: WinRM's own envelopes, handshake and shell cost about 16 KB per task over NTLM even for an
  empty command, so no task that runs a command can move under 16 KB on the wire;
- ``speedup_k5``: at K = 5, the collection's run is at least 3 times faster (wall time) than the status quo for
  every N of at least 50 hosts, and at least 2 times for smaller N. The ratio of both wall times less the start-up
  variant's (ansible-playbook's fixed cost, which both pay once per run and which weighs most on small fleets; a
  difference of small numbers, so noisy at small N) is shown alongside;
- ``linear_in_n``: per-host commands, requests (less the OperationTimeout polls, which come from waiting, not
  from the work) and bytes sent are the same for every N, and the controller's CPU, and on the real engine the
  engine's, grow no faster than linearly (CPU per added host over the last segment of N at most 1.5 times that
  over the first; the wall time's slopes are shown alongside);
- ``flat_in_k``: the collection's commands and requests per host are the same for every K, and its controller
  CPU (and the engine's) at the largest N every K ran changes by at most 25 % from the smallest K to the largest
  (CPU time, not wall time: the wall time also moves with whatever else the machine runs meanwhile; it is shown
  alongside);
- ``helper_load`` (real engine): the definition of the WTS functions takes at most 100 ms per command, the median
  of the per-command phases run one at a time (``phases.py``); the median with as many at once as the emulator
  runs is shown alongside.
"""

from __future__ import annotations

import math
import statistics

BYTES_PER_TASK_LIMIT = 16 * 1024
SPEEDUP_K = 5
SPEEDUP_TARGETS = ((50, 3.0), (1, 2.0))
"""``(smallest N, ratio)``: the first row whose N is at most the fleet's size applies."""
LINEAR_SLACK = 1.5
FLAT_SLACK = 0.25
HELPER_LOAD_LIMIT_MS = 100.0
LABELS = {
    'collection': '1 win_rds_logoff',
    'collection_rerun': '2 win_rds_logoff, rerun',
    'status_quo': '3 query user + logoff loop',
}
"""The variants the targets are about."""
ALL_LABELS = dict([('startup', '0 start-up only, no host contacted')] + list(LABELS.items()))
COLLECTION = ('collection', 'collection_rerun')
ENGINE_LABELS = {'pwsh': 'real engine (a PowerShell process per command)', 'contract': 'contract engine (answers at once)'}


def engine_of(row):
    """The engine a result row was measured on (rows of older sweeps have none: the contract engine)."""
    return row.get('engine') or 'contract'


def _index(results):
    return dict(((engine_of(r), r['transport'], r['variant'], r['hosts'], r['sessions']), r) for r in results)


def _rows(results, engine, transport):
    return [r for r in results if engine_of(r) == engine and r['transport'] == transport]


def _axes(results, engine, transport):
    rows = _rows(results, engine, transport)
    return sorted(set(r['hosts'] for r in rows)), sorted(set(r['sessions'] for r in rows))


def _verdict(met, detail):
    return {'met': bool(met), 'detail': detail}


def speedup_needed(hosts):
    """The speed-up the issue asks for at this fleet size."""
    return next(ratio for smallest, ratio in SPEEDUP_TARGETS if hosts >= smallest)


def speedups(results, engine, transport, sessions, net=False):
    """``{N: wall(status_quo) / wall(collection)}`` at K = ``sessions``; with ``net``, both walls less the
    start-up variant's (only for the N where it ran)."""
    index = _index(results)
    found = {}
    for hosts in _axes(results, engine, transport)[0]:
        first = index.get((engine, transport, 'collection', hosts, sessions))
        third = index.get((engine, transport, 'status_quo', hosts, sessions))
        base = 0.0
        if net:
            startup = index.get((engine, transport, 'startup', hosts, sessions))
            if startup is None:
                continue
            base = startup['wall_seconds']
        if first and third and first['wall_seconds'] > base:
            found[hosts] = (third['wall_seconds'] - base) / (first['wall_seconds'] - base)
    return found


def _commands_target(results, engine, transport):
    bad = []
    for r in _rows(results, engine, transport):
        if r['variant'] not in COLLECTION:
            continue
        wanted = 2 if r['variant'] == 'collection' else 1
        if not r['commands_min'] == r['commands_max'] == wanted:
            bad.append('%s N=%d K=%d: %d..%d commands per host, expected %d' % (
                r['variant'], r['hosts'], r['sessions'], r['commands_min'], r['commands_max'], wanted))
    return _verdict(not bad, '; '.join(bad) or 'first run 2 commands, rerun 1, on every host for every N and K')


def _bytes_target(results, engine, transport):
    rows = [r for r in _rows(results, engine, transport) if r['variant'] in COLLECTION]
    most = max(rows, key=lambda r: r['sent_per_host'])
    wire = max(rows, key=lambda r: r['bytes_per_host'])
    floor = [r for r in _rows(results, engine, transport) if r['variant'] == 'status_quo' and r['sessions'] == 1]
    floor_text = ''
    if floor:
        # At K = 1 the status quo runs two tasks of one raw command each, which send almost nothing.
        floor_text = ('; a task of one raw command that sends almost nothing moves %.1f KB (the status quo at K=1)'
                      % (min(r['bytes_per_host'] for r in floor) / 2 / 1024))
    return _verdict(most['sent_per_host'] < BYTES_PER_TASK_LIMIT,
                    'largest: the collection sends %.1f KB per task (command lines and stdin; %s, K=%d); limit '
                    '%.0f KB. On the wire the largest is %.1f KB per task (%s, K=%d)%s'
                    % (most['sent_per_host'] / 1024, most['variant'], most['sessions'],
                       BYTES_PER_TASK_LIMIT / 1024, wire['bytes_per_host'] / 1024, wire['variant'],
                       wire['sessions'], floor_text))


def _speedup_target(results, engine, transport):
    raw = speedups(results, engine, transport, SPEEDUP_K)
    if not raw:
        return {'met': None, 'detail': 'K=%d was not run' % SPEEDUP_K}
    net = speedups(results, engine, transport, SPEEDUP_K, net=True)
    short = dict((n, ratio) for n, ratio in raw.items() if ratio < speedup_needed(n))
    text = 'wall time: ' + ', '.join('N=%d: %.2fx (target %.0fx)' % (n, ratio, speedup_needed(n))
                                     for n, ratio in sorted(raw.items()))
    if net:
        text += '; less the start-up: ' + ', '.join('N=%d: %.2fx' % item for item in sorted(net.items()))
    return _verdict(not short, text)


def _slopes(rows, key):
    """Milliseconds of ``key`` per added host over the first and the last segment of N."""
    first = (rows[1][key] - rows[0][key]) / (rows[1]['hosts'] - rows[0]['hosts'])
    last = (rows[-1][key] - rows[-2][key]) / (rows[-1]['hosts'] - rows[-2]['hosts'])
    return 1000.0 * first, 1000.0 * last


def _requests_less_polls(row):
    return row['requests_per_host'] - row.get('polls_per_host', 0.0)


def _linear_target(results, engine, transport):
    index = _index(results)
    hosts, sessions = _axes(results, engine, transport)
    if len(hosts) < 3:
        return {'met': None, 'detail': 'fewer than three N'}
    bad, notes = [], []
    for variant in LABELS:
        for k in sessions:
            rows = [index[(engine, transport, variant, n, k)] for n in hosts
                    if (engine, transport, variant, n, k) in index]
            for name, value in (('commands per host', lambda r: r['commands_per_host']),
                                ('requests per host less polls', _requests_less_polls),
                                ('bytes sent per host', lambda r: r['sent_per_host'])):
                values = [value(r) for r in rows]
                if values and max(values) > min(values) * 1.02 + 1e-9:
                    bad.append('%s K=%d: %s varies with N (%s)' % (variant, k, name, ['%.1f' % v for v in values]))
            if len(rows) < 3:
                continue
            cpu, wall = _slopes(rows, 'cpu_seconds'), _slopes(rows, 'wall_seconds')
            text = '%s K=%d: controller CPU %.0f then %.0f' % ((variant, k) + cpu)
            if cpu[1] > LINEAR_SLACK * max(cpu[0], 1e-3):
                bad.append('%s K=%d: the controller CPU grows faster than N (%.0f then %.0f ms per added host)'
                           % ((variant, k) + cpu))
            if all(r.get('engine_cpu_seconds') is not None for r in rows) and engine == 'pwsh':
                engine_cpu = _slopes(rows, 'engine_cpu_seconds')
                text += ', engine CPU %.0f then %.0f' % engine_cpu
                if engine_cpu[1] > LINEAR_SLACK * max(engine_cpu[0], 1e-3):
                    bad.append('%s K=%d: the engine CPU grows faster than N (%.0f then %.0f ms per added host)'
                               % ((variant, k) + engine_cpu))
            notes.append(text + ', wall %.0f then %.0f ms per added host' % wall)
    return _verdict(not bad, '; '.join(bad) or '; '.join(notes))


def _flat_target(results, engine, transport):
    index = _index(results)
    hosts, sessions = _axes(results, engine, transport)
    if len(sessions) < 2:
        return {'met': None, 'detail': 'one K only'}
    common = [n for n in hosts if all((engine, transport, 'collection', n, k) in index for k in sessions)]
    bad, notes = [], []
    for variant in COLLECTION:
        for n in hosts:
            rows = [index[(engine, transport, variant, n, k)] for k in sessions
                    if (engine, transport, variant, n, k) in index]
            for name, value in (('commands per host', lambda r: r['commands_per_host']),
                                ('requests per host less polls', _requests_less_polls)):
                values = set(round(value(r), 3) for r in rows)
                if len(values) > 1:
                    bad.append('%s N=%d: %s varies with K (%s)' % (variant, n, name, sorted(values)))
        if not common:
            continue
        rows = [index[(engine, transport, variant, common[-1], k)] for k in sessions]
        first, last = rows[0], rows[-1]
        changes = [('controller CPU', last['cpu_seconds'] / first['cpu_seconds'] - 1)]
        if engine == 'pwsh' and first.get('engine_cpu_seconds') and last.get('engine_cpu_seconds') is not None:
            changes.append(('engine CPU', last['engine_cpu_seconds'] / first['engine_cpu_seconds'] - 1))
        text = '%s N=%d, K=%d to K=%d: %s, wall %+.0f%%, bytes %+.0f%%' % (
            variant, common[-1], first['sessions'], last['sessions'],
            ', '.join('%s %+.0f%%' % (name, 100 * change) for name, change in changes),
            100 * (last['wall_seconds'] / first['wall_seconds'] - 1),
            100 * (last['bytes_per_host'] / first['bytes_per_host'] - 1))
        notes.append(text)
        if any(abs(change) > FLAT_SLACK for _name, change in changes):
            bad.append(text)
    return _verdict(not bad, '; '.join(bad) or '; '.join(notes))


def helper_load(phases):
    """``{level: median ms}`` of the helper load over every wts command of the phases document."""
    found = {}
    for level, data in (phases or {}).get('levels', {}).items():
        runs = [1000.0 * run['helper_load'] for kind in ('wts_snapshot', 'wts_logoff')
                for run in data['runs'].get(kind, ())]
        if runs:
            found[int(level)] = statistics.median(runs)
    return found


def _helper_target(phases):
    medians = helper_load(phases)
    if 1 not in medians:
        return {'met': None, 'detail': 'the per-command phases were not measured'}
    text = ', '.join('%d at once: %.0f ms' % (level, value) for level, value in sorted(medians.items()))
    return _verdict(medians[1] <= HELPER_LOAD_LIMIT_MS,
                    'median of every wts command of the phases (limit %.0f ms): %s' % (HELPER_LOAD_LIMIT_MS, text))


def evaluate_targets(results, phases=None):
    """``{engine: {transport: {target: {"met": bool or None, "detail": str}}}}``."""
    verdicts = {}
    for engine in sorted(set(engine_of(r) for r in results)):
        verdicts[engine] = {}
        for transport in sorted(set(r['transport'] for r in results if engine_of(r) == engine)):
            verdicts[engine][transport] = {
                'commands': _commands_target(results, engine, transport),
                'bytes_per_task': _bytes_target(results, engine, transport),
                'speedup_k5': _speedup_target(results, engine, transport),
                'linear_in_n': _linear_target(results, engine, transport),
                'flat_in_k': _flat_target(results, engine, transport),
            }
            if engine == 'pwsh':
                verdicts[engine][transport]['helper_load'] = _helper_target(phases)
    return verdicts


def marginal_cpu(results, engine, transport, key='cpu_seconds'):
    """``{(variant, K): CPU ms per added host}`` between the two largest N of each K (startup cost removed)."""
    index = _index(results)
    _hosts, sessions = _axes(results, engine, transport)
    found = {}
    for variant in LABELS:
        for k in sessions:
            sizes = sorted(n for (e, t, v, n, kk) in index if (e, t, v, kk) == (engine, transport, variant, k))
            if len(sizes) < 2:
                continue
            a, b = index[(engine, transport, variant, sizes[-2], k)], index[(engine, transport, variant, sizes[-1], k)]
            if a.get(key) is not None and b.get(key) is not None:
                found[(variant, k)] = 1000.0 * (b[key] - a[key]) / (sizes[-1] - sizes[-2])
    return found


def host_side_seconds(phases, sessions=SPEEDUP_K):
    """Seconds one host spends on each variant when it has a CPU of its own: the medians of the phases run one at a
    time, added up per variant (the wts logoff was measured for ``phases['sessions']`` sessions)."""
    if not phases or '1' not in phases.get('levels', {}):
        return None
    summary = phases['levels']['1']['summary']

    def total(kind):
        return summary[kind]['total']['median'] / 1000.0

    return {'collection': total('wts_snapshot') + total('wts_logoff'), 'collection_rerun': total('wts_snapshot'),
            'status_quo': total('raw_query') + sessions * total('raw_logoff')}


def projection(document, transport):
    """At K = phases' K: per N, the contract engine's wall time (the controller and the wire) plus the host-side
    time of each wave of ``forks`` hosts on hosts with CPUs of their own. ``{N: {variant: (low, high)}}``: low when
    the controller overlaps the hosts completely, high when it does not at all."""
    phases = document.get('phases')
    sessions = (phases or {}).get('sessions', SPEEDUP_K)
    host = host_side_seconds(phases, sessions)
    if host is None:
        return {}
    index = _index(document['results'])
    found = {}
    for n in _axes(document['results'], 'contract', transport)[0]:
        rows = dict((v, index.get(('contract', transport, v, n, sessions))) for v in LABELS)
        if not all(rows.values()):
            continue
        waves = int(math.ceil(n / float(document['forks'])))
        found[n] = dict((v, (max(rows[v]['wall_seconds'], waves * host[v]), rows[v]['wall_seconds'] + waves * host[v]))
                        for v in LABELS)
    return found


def machine_cpu(row):
    """CPU seconds the run cost this machine: the controller, the emulator and the engine's processes."""
    return row['cpu_seconds'] + (row.get('emulator_cpu_seconds') or 0.0) + (row.get('engine_cpu_seconds') or 0.0)


def cpu_ratios(results, engine, transport, sessions):
    """``{N: machine CPU of the status quo / that of win_rds_logoff}`` at K = ``sessions``: on a machine whose every
    core is busy the wall time follows the CPU, and CPU time does not grow when other work shares the machine."""
    index = _index(results)
    found = {}
    for hosts in _axes(results, engine, transport)[0]:
        first = index.get((engine, transport, 'collection', hosts, sessions))
        third = index.get((engine, transport, 'status_quo', hosts, sessions))
        if first and third:
            found[hosts] = machine_cpu(third) / machine_cpu(first)
    return found


def _cpu_ratio_table(results, engine, transport):
    hosts, sessions = _axes(results, engine, transport)
    ratios = dict((k, cpu_ratios(results, engine, transport, k)) for k in sessions)
    lines = ['', 'CPU time the machine spent on 3 (controller, emulator and engine) divided by that on 1 (%s, %s):'
             % (engine, transport), '', '| N | ' + ' | '.join('K=%d' % k for k in sessions) + ' |',
             '|--:|' + '--:|' * len(sessions)]
    for n in hosts:
        cells = ['%.2fx' % ratios[k][n] if n in ratios[k] else '-' for k in sessions]
        lines.append('| %d | %s |' % (n, ' | '.join(cells)))
    return lines


def _speedup_table(results, engine, transport, title, net=False):
    hosts, sessions = _axes(results, engine, transport)
    ratios = dict((k, speedups(results, engine, transport, k, net=net)) for k in sessions)
    lines = ['', title, '', '| N | ' + ' | '.join('K=%d' % k for k in sessions) + ' |',
             '|--:|' + '--:|' * len(sessions)]
    for n in hosts:
        cells = ['%.2fx' % ratios[k][n] if n in ratios[k] else '-' for k in sessions]
        lines.append('| %d | %s |' % (n, ' | '.join(cells)))
    return lines


def _ms(value):
    return '-' if value is None else '%.0f' % (1000.0 * value)


def _main_table(results, engine, transport):
    hosts, sessions = _axes(results, engine, transport)
    index = _index(results)
    real = engine == 'pwsh'
    head = ('| N | K | variant | wall s | commands/host | HTTP requests/host | polls/host | wire KB/host | sent KB/host '
            '| controller CPU ms/host | emulator CPU ms/host | engine CPU ms/host |')
    if real:
        head += ' engine process s/host | slot wait s/host |'
    head += ' other work on the machine, CPU s |'
    lines = [head, '|' + '--:|' * 2 + '---|' + '--:|' * (head.count('|') - 4)]
    for n in hosts:
        for k in sessions:
            for variant in ALL_LABELS:
                r = index.get((engine, transport, variant, n, k))
                if r is None:
                    continue
                emulator, other = r.get('emulator_cpu_seconds'), r.get('other_cpu_seconds')
                engine_cpu = r.get('engine_cpu_seconds')
                cells = [str(n), str(k), ALL_LABELS[variant], '%.2f' % r['wall_seconds'],
                         '%.1f' % r['commands_per_host'], '%.1f' % r['requests_per_host'],
                         '%.1f' % r.get('polls_per_host', 0.0), '%.1f' % (r['bytes_per_host'] / 1024),
                         '%.1f' % (r['sent_per_host'] / 1024), '%.0f' % r['cpu_per_host_ms'],
                         '-' if emulator is None else '%.0f' % (1000.0 * emulator / n),
                         '-' if engine_cpu is None else '%.0f' % (1000.0 * engine_cpu / n)]
                if real:
                    cells += ['-' if r.get('host_seconds_per_host') is None else '%.2f' % r['host_seconds_per_host'],
                              '-' if r.get('slot_wait_per_host') is None else '%.2f' % r['slot_wait_per_host']]
                cells.append('-' if other is None else '%.1f' % other)
                lines.append('| %s |' % ' | '.join(cells))
    return lines


def _command_table(results, engine, transport):
    """Per kind of command of the real engine: medians of its process, its first WTS or tool call, its wait."""
    hosts, sessions = _axes(results, engine, transport)
    index = _index(results)
    lines = ['', 'Per command on the real engine (%s), medians in ms: the process from start to end; its first request '
             'to the host (the first WTS call, or the native tool asking); from its last request to its end; the '
             'wait for one of the emulator\'s process slots before it started:' % transport, '',
             '| N | K | variant | command | count | process | to first call | after last call | slot wait | '
             'longest slot wait |', '|--:|--:|---|---|--:|--:|--:|--:|--:|--:|']
    for n in hosts:
        for k in sessions:
            for variant in LABELS:
                r = index.get((engine, transport, variant, n, k))
                for kind, figures in sorted(((r or {}).get('commands_by_kind') or {}).items()):
                    lines.append('| %d | %d | %s | %s | %d | %s | %s | %s | %s | %s |' % (
                        n, k, LABELS[variant], kind, figures['count'], _ms(figures['process']),
                        _ms(figures['first_call']), _ms(figures['after_last_call']), _ms(figures['slot_wait']),
                        _ms(figures['slot_wait_max'])))
    return lines


def _projection_table(document, transport):
    found = projection(document, transport)
    if not found:
        return []
    sessions = document['phases']['sessions']
    lines = ['', 'On hosts with CPUs of their own (%s, K=%d): the contract engine\'s wall time plus, per wave of %d '
             'hosts, the host-side time of the phases run one at a time; low: the controller overlaps the hosts, '
             'high: it does not:' % (transport, sessions, document['forks']), '',
             '| N | win_rds_logoff s | rerun s | status quo s | status quo / win_rds_logoff |',
             '|--:|--:|--:|--:|--:|']
    for n, rows in sorted(found.items()):
        first, rerun, third = rows['collection'], rows['collection_rerun'], rows['status_quo']
        lines.append('| %d | %.1f-%.1f | %.1f-%.1f | %.1f-%.1f | %.2fx-%.2fx |' % (
            n, first[0], first[1], rerun[0], rerun[1], third[0], third[1], third[0] / first[0], third[1] / first[1]))
    return lines


def markdown_report(document):
    """The results as Markdown: the per-command phases, then per engine and transport the tables and targets."""
    from tests.bench.phases import markdown as phase_markdown

    results = document['results']
    lines = []
    if document.get('phases'):
        lines += ['### Per-command phases on the real engine', phase_markdown(document['phases']), '']
    for engine in document.get('engines') or sorted(set(engine_of(r) for r in results)):
        for transport in document['transports']:
            if not _rows(results, engine, transport):
                continue
            hosts, sessions = _axes(results, engine, transport)
            lines += ['### %s, %s (forks %d)' % (ENGINE_LABELS.get(engine, engine),
                                                 transport.upper() if transport == 'ntlm' else 'Basic',
                                                 document['forks']), '']
            lines += _main_table(results, engine, transport)
            if engine == 'pwsh':
                lines += _command_table(results, engine, transport)
            lines += _speedup_table(results, engine, transport, 'Wall time of 3 divided by that of 1 (%s, %s):'
                                    % (engine, transport))
            if any(speedups(results, engine, transport, k, net=True) for k in sessions):
                lines += _speedup_table(results, engine, transport, 'The same, both wall times less that of 0, the '
                                        'start-up (%s, %s):' % (engine, transport), net=True)
            lines += _cpu_ratio_table(results, engine, transport)
            for key, what in (('cpu_seconds', 'Controller CPU'), ('engine_cpu_seconds', 'Engine CPU')):
                marginal = marginal_cpu(results, engine, transport, key)
                if not marginal or (key == 'engine_cpu_seconds' and engine != 'pwsh'):
                    continue
                lines += ['', '%s per added host, ms (between the two largest N of each K: the fixed start-up cost '
                          'of ansible-playbook removed):' % what, '',
                          '| variant | ' + ' | '.join('K=%d' % k for k in sessions) + ' |',
                          '|---|' + '--:|' * len(sessions)]
                for variant in LABELS:
                    lines.append('| %s | %s |' % (LABELS[variant], ' | '.join(
                        '%.0f' % marginal[(variant, k)] if (variant, k) in marginal else '-' for k in sessions)))
            if engine == 'pwsh':
                lines += _projection_table(document, transport)
            lines.append('')
            for name, verdict in document.get('targets', {}).get(engine, {}).get(transport, {}).items():
                word = {True: 'met', False: 'NOT met', None: 'not measured'}[verdict['met']]
                lines.append('- %s: %s - %s' % (name, word, verdict['detail']))
            lines.append('')
    return '\n'.join(lines)


def add_results(document, other):
    """Add to ``document`` the result rows of ``other`` (another run's results document), e.g. a fleet size measured
    in a run of its own; the axes (``hosts``, ``sessions``, ``hosts_for``) become those of both.

    :raises ValueError: both measured one combination (engine, transport, variant, N, K): keep one run of each.
    """
    keys = set(_index(document['results']))
    both = sorted(key for key in _index(other['results']) if key in keys)
    if both:
        raise ValueError('both runs measured %s' % ', '.join('%s %s %s N=%d K=%d' % key for key in both))
    document['results'] = document['results'] + other['results']
    document['hosts'] = sorted(set(document.get('hosts', [])) | set(other.get('hosts', [])))
    document['sessions'] = list(dict.fromkeys(list(document.get('sessions', [])) + list(other.get('sessions', []))))
    measured = {}
    for row in document['results']:
        measured.setdefault(str(row['sessions']), set()).add(row['hosts'])
    document['hosts_for'] = dict((sessions, sorted(hosts)) for sessions, hosts in measured.items())
    document['runs_added'] = document.get('runs_added', 0) + 1
    return document


def main(argv=None):
    """Write ``results.md`` again from a ``results.json`` (and the targets in it), optionally with the per-command
    phases of another run (``phases.py --out``), e.g. ones measured again on a quieter machine, and the rows of other
    runs (``--add``), e.g. a fleet size measured apart."""
    import argparse
    import json
    from pathlib import Path

    parser = argparse.ArgumentParser(description=main.__doc__.split('\n', 1)[0])
    parser.add_argument('results', type=Path, help='results.json of run_bench')
    parser.add_argument('--phases', type=Path, help='phases.json to use instead of the run\'s own phases')
    parser.add_argument('--add', type=Path, action='append', default=[],
                        help='results.json of another run whose rows to add (repeatable)')
    args = parser.parse_args(argv)
    document = json.loads(args.results.read_text(encoding='utf-8'))
    for path in args.add:
        add_results(document, json.loads(path.read_text(encoding='utf-8')))
    if args.phases:
        document['phases'] = json.loads(args.phases.read_text(encoding='utf-8'))
        document['phases_from'] = args.phases.name
    document['targets'] = evaluate_targets(document['results'], document.get('phases'))
    args.results.write_text(json.dumps(document, indent=2), encoding='utf-8')
    text = markdown_report(document)
    (args.results.parent / 'results.md').write_text(text, encoding='utf-8')
    print(text)
    return document


if __name__ == '__main__':
    main()
