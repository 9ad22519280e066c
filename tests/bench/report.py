"""The benchmark's verdicts on the targets of the issue, and its results as Markdown tables.

Targets (per transport):

- ``commands``: the rerun costs 1 command per host and the first run 2, for every host and every K;
- ``bytes_per_task``: what a collection task ships per host, its command lines and standard input, is under
  16 KB (the issue sets it against the ~180 KB a PowerShell module ships per task). The bytes on the wire are
  reported beside it: WinRM's own envelopes, handshake and shell cost about 16 KB per task over NTLM even for an
  empty command, so no task that runs a command can move under 16 KB on the wire;
- ``speedup_k5``: at K = 5, the collection's run is at least 3 times faster (wall time) than the status quo, at
  fleet scale: at the largest N. The ratio at every N is reported beside it, and so is the ratio of both wall
  times less the start-up variant's (ansible-playbook's fixed cost, which both pay once per run and which
  weighs most on small fleets; a difference of small numbers, so noisy at small N);
- ``linear_in_n``: per-host commands, requests and bytes are the same for every N, and the controller CPU grows
  no faster than linearly (CPU per added host over the last segment of N at most 1.5 times that over the first;
  the wall time's slopes are shown alongside);
- ``flat_in_k``: the collection's commands and requests per host are the same for every K, and its controller
  CPU at the largest N changes by at most 25 % from the smallest K to the largest (CPU time, not wall time:
  the wall time also moves with whatever else the machine runs meanwhile; it is shown alongside).
"""

from __future__ import annotations

BYTES_PER_TASK_LIMIT = 16 * 1024
SPEEDUP_TARGET = 3.0
SPEEDUP_K = 5
LINEAR_SLACK = 1.5
FLAT_SLACK = 0.25
LABELS = {
    'collection': '1 win_rds_logoff',
    'collection_rerun': '2 win_rds_logoff, rerun',
    'status_quo': '3 query user + logoff loop',
}
"""The variants the targets are about."""
ALL_LABELS = dict([('startup', '0 start-up only, no host contacted')] + list(LABELS.items()))
COLLECTION = ('collection', 'collection_rerun')


def _index(results):
    return dict(((r['transport'], r['variant'], r['hosts'], r['sessions']), r) for r in results)


def _axes(results, transport):
    rows = [r for r in results if r['transport'] == transport]
    return sorted(set(r['hosts'] for r in rows)), sorted(set(r['sessions'] for r in rows))


def _verdict(met, detail):
    return {'met': bool(met), 'detail': detail}


def speedups(results, transport, sessions, net=False):
    """``{N: wall(status_quo) / wall(collection)}`` at K = ``sessions``; with ``net``, both walls less the
    start-up variant's (only for the N where it ran)."""
    index = _index(results)
    found = {}
    for hosts in _axes(results, transport)[0]:
        first = index.get((transport, 'collection', hosts, sessions))
        third = index.get((transport, 'status_quo', hosts, sessions))
        base = 0.0
        if net:
            startup = index.get((transport, 'startup', hosts, sessions))
            if startup is None:
                continue
            base = startup['wall_seconds']
        if first and third and first['wall_seconds'] > base:
            found[hosts] = (third['wall_seconds'] - base) / (first['wall_seconds'] - base)
    return found


def _commands_target(results, transport):
    bad = []
    for r in results:
        if r['transport'] != transport or r['variant'] not in COLLECTION:
            continue
        wanted = 2 if r['variant'] == 'collection' else 1
        if not r['commands_min'] == r['commands_max'] == wanted:
            bad.append('%s N=%d K=%d: %d..%d commands per host, expected %d' % (
                r['variant'], r['hosts'], r['sessions'], r['commands_min'], r['commands_max'], wanted))
    return _verdict(not bad, '; '.join(bad) or 'first run 2 commands, rerun 1, on every host for every N and K')


def _bytes_target(results, transport):
    rows = [r for r in results if r['transport'] == transport and r['variant'] in COLLECTION]
    most = max(rows, key=lambda r: r['sent_per_host'])
    wire = max(rows, key=lambda r: r['bytes_per_host'])
    floor = [r for r in results if r['transport'] == transport and r['variant'] == 'status_quo' and
             r['sessions'] == 1]
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


def _speedup_target(results, transport):
    raw = speedups(results, transport, SPEEDUP_K)
    if not raw:
        return {'met': None, 'detail': 'K=%d was not run' % SPEEDUP_K}
    net = speedups(results, transport, SPEEDUP_K, net=True)
    text = 'wall time: ' + ', '.join('N=%d: %.2fx' % item for item in sorted(raw.items()))
    if net:
        text += '; less the start-up: ' + ', '.join('N=%d: %.2fx' % item for item in sorted(net.items()))
    largest = max(raw)
    return _verdict(raw[largest] >= SPEEDUP_TARGET, 'at N=%d: %.2fx. %s' % (largest, raw[largest], text))


def _slopes(rows, key):
    """Milliseconds of ``key`` per added host over the first and the last segment of N."""
    first = (rows[1][key] - rows[0][key]) / (rows[1]['hosts'] - rows[0]['hosts'])
    last = (rows[-1][key] - rows[-2][key]) / (rows[-1]['hosts'] - rows[-2]['hosts'])
    return 1000.0 * first, 1000.0 * last


def _linear_target(results, transport):
    index = _index(results)
    hosts, sessions = _axes(results, transport)
    if len(hosts) < 3:
        return {'met': None, 'detail': 'fewer than three N'}
    bad, notes = [], []
    for variant in LABELS:
        for k in sessions:
            rows = [index[(transport, variant, n, k)] for n in hosts if (transport, variant, n, k) in index]
            for key in ('commands_per_host', 'requests_per_host', 'bytes_per_host'):
                values = [r[key] for r in rows]
                if values and max(values) > min(values) * 1.02 + 1e-9:
                    bad.append('%s K=%d: %s varies with N (%s)' % (variant, k, key, values))
            if len(rows) < 3:
                continue
            cpu, wall = _slopes(rows, 'cpu_seconds'), _slopes(rows, 'wall_seconds')
            notes.append('%s K=%d: CPU %.0f then %.0f, wall %.0f then %.0f ms per added host'
                         % ((variant, k) + cpu + wall))
            if cpu[1] > LINEAR_SLACK * max(cpu[0], 1e-3):
                bad.append('%s K=%d: the controller CPU grows faster than N (%.0f then %.0f ms per added host)'
                           % ((variant, k) + cpu))
    return _verdict(not bad, '; '.join(bad) or '; '.join(notes))


def _flat_target(results, transport):
    index = _index(results)
    hosts, sessions = _axes(results, transport)
    if len(sessions) < 2:
        return {'met': None, 'detail': 'one K only'}
    bad, notes = [], []
    for variant in COLLECTION:
        for n in hosts:
            rows = [index[(transport, variant, n, k)] for k in sessions if (transport, variant, n, k) in index]
            for key in ('commands_per_host', 'requests_per_host'):
                values = set(r[key] for r in rows)
                if len(values) > 1:
                    bad.append('%s N=%d: %s varies with K (%s)' % (variant, n, key, sorted(values)))
        rows = [index[(transport, variant, hosts[-1], k)] for k in sessions
                if (transport, variant, hosts[-1], k) in index]
        if len(rows) < 2:
            continue
        first, last = rows[0], rows[-1]
        cpu = last['cpu_seconds'] / first['cpu_seconds'] - 1
        wall = last['wall_seconds'] / first['wall_seconds'] - 1
        notes.append('%s N=%d, K=%d to K=%d: controller CPU %+.0f%%, wall %+.0f%%, bytes %+.0f%%'
                     % (variant, hosts[-1], first['sessions'], last['sessions'], 100 * cpu, 100 * wall,
                        100 * (last['bytes_per_host'] / first['bytes_per_host'] - 1)))
        if abs(cpu) > FLAT_SLACK:
            bad.append(notes[-1])
    return _verdict(not bad, '; '.join(bad) or '; '.join(notes))


def evaluate_targets(results):
    """``{transport: {target: {"met": bool, "detail": str}}}``."""
    verdicts = {}
    for transport in sorted(set(r['transport'] for r in results)):
        verdicts[transport] = {
            'commands': _commands_target(results, transport),
            'bytes_per_task': _bytes_target(results, transport),
            'speedup_k5': _speedup_target(results, transport),
            'linear_in_n': _linear_target(results, transport),
            'flat_in_k': _flat_target(results, transport),
        }
    return verdicts


def marginal_cpu(results, transport):
    """``{(variant, K): controller CPU ms per added host}`` between the two largest N (startup cost removed)."""
    index = _index(results)
    hosts, sessions = _axes(results, transport)
    found = {}
    if len(hosts) < 2:
        return found
    small, large = hosts[-2], hosts[-1]
    for variant in LABELS:
        for k in sessions:
            a, b = index.get((transport, variant, small, k)), index.get((transport, variant, large, k))
            if a and b:
                found[(variant, k)] = 1000.0 * (b['cpu_seconds'] - a['cpu_seconds']) / (large - small)
    return found


def _speedup_table(results, transport, title, net=False):
    hosts, sessions = _axes(results, transport)
    ratios = dict((k, speedups(results, transport, k, net=net)) for k in sessions)
    lines = ['', title, '', '| N | ' + ' | '.join('K=%d' % k for k in sessions) + ' |',
             '|--:|' + '--:|' * len(sessions)]
    for n in hosts:
        cells = ['%.2fx' % ratios[k][n] if n in ratios[k] else '-' for k in sessions]
        lines.append('| %d | %s |' % (n, ' | '.join(cells)))
    return lines


def markdown_report(document):
    """The results as Markdown: one table per transport, the speed-ups, the targets."""
    results = document['results']
    lines = []
    for transport in document['transports']:
        hosts, sessions = _axes(results, transport)
        index = _index(results)
        lines += ['### %s (forks %d)' % (transport.upper() if transport == 'ntlm' else 'Basic', document['forks']),
                  '',
                  '| N | K | variant | wall s | commands/host | HTTP requests/host | wire KB/host | sent KB/host '
                  '| controller CPU ms/host | emulator CPU ms/host | other work on the machine, CPU s |',
                  '|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|']
        for n in hosts:
            for k in sessions:
                for variant in ALL_LABELS:
                    r = index.get((transport, variant, n, k))
                    if r is None:
                        continue
                    emulator, other = r.get('emulator_cpu_seconds'), r.get('other_cpu_seconds')
                    lines.append('| %d | %d | %s | %.2f | %.1f | %.1f | %.1f | %.1f | %.0f | %s | %s |' % (
                        n, k, ALL_LABELS[variant], r['wall_seconds'], r['commands_per_host'], r['requests_per_host'],
                        r['bytes_per_host'] / 1024, r['sent_per_host'] / 1024, r['cpu_per_host_ms'],
                        '-' if emulator is None else '%.0f' % (1000.0 * emulator / n),
                        '-' if other is None else '%.1f' % other))
        lines += _speedup_table(results, transport, 'Wall time of 3 divided by that of 1 (%s):' % transport)
        if any(speedups(results, transport, k, net=True) for k in sessions):
            lines += _speedup_table(results, transport, 'The same, both wall times less that of 0, the start-up '
                                    '(%s):' % transport, net=True)
        marginal = marginal_cpu(results, transport)
        if marginal:
            lines += ['', 'Controller CPU per added host, ms (between N=%d and N=%d: the fixed start-up cost of '
                      'ansible-playbook removed):' % tuple(hosts[-2:]), '',
                      '| variant | ' + ' | '.join('K=%d' % k for k in sessions) + ' |',
                      '|---|' + '--:|' * len(sessions)]
            for variant in LABELS:
                lines.append('| %s | %s |' % (LABELS[variant], ' | '.join(
                    '%.0f' % marginal[(variant, k)] if (variant, k) in marginal else '-' for k in sessions)))
        lines.append('')
        for name, verdict in document.get('targets', {}).get(transport, {}).items():
            word = {True: 'met', False: 'NOT met', None: 'not measured'}[verdict['met']]
            lines.append('- %s: %s - %s' % (name, word, verdict['detail']))
        lines.append('')
    return '\n'.join(lines)
