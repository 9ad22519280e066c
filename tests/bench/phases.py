"""Where one command's time goes on the real engine: engine start, bootstrap, helper load, payload work, exit.

The fleet benchmark times every command from outside (the emulated host records when each PowerShell process
started and ended, and when the stand-in WTS library or tool first asked the host). What happens between the start
of the process and that first call, the engine's own start, the bootstrap and the definition of the WTS functions,
cannot be seen from outside without changing the payloads. So this runs copies of the bootstrap and of the wts
payload, as the controller sends them, with time marks added between their statements: each mark writes
``winrds-phase <name> <UTC ticks>`` to standard error and changes nothing else. The collection's own scripts stay
as they are.

Marks (in the bootstrap: ``boot`` first, ``read`` once standard input is read, ``unpacked`` once the payload is
unpacked; in the payload: ``payload`` first, ``helper`` and ``helper-end`` around ``$Wts = New-WtsFunctions``,
``end`` last) give the phases of a wts command:

===============  ===================================================================================================
engine_start     from the start of the process (the host's record) to the bootstrap's first statement
read_stdin       the bootstrap reads its standard input
unpack           it inflates the packed payload (the first cmdlet of the process, ``New-Object``, loads its module)
payload_parse    Invoke-Expression parses the payload and starts it
helper_load      ``New-WtsFunctions``: the WTS functions defined with System.Reflection.Emit
payload_work     the rest of the payload: reading its input, the WTS calls, writing the answer
exit             from the payload's last statement to the end of the process
===============  ===================================================================================================

A raw command (``query user``, ``logoff <id>``, as the status quo sends them) has ``engine_start``,
``payload_work`` (the native tool: its start and its answer) and ``exit``.

Every kind runs ``runs`` times in a fresh process, first one at a time (a host with a CPU of its own), then as
many at once as the emulator runs processes (``WINRDS_EMU_ENGINE_PROCESSES``), which is how the fleet benchmark's
commands run on this machine.

Usage (from the repository root, with the test environment's Python; needs pwsh, as the real engine does)::

    python -m tests.bench.phases [--runs 10] [--sessions 5] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# tests.bench.measure imports tests.conftest, which makes the collection importable: it comes first.
from tests.bench.measure import BenchError  # noqa: E402
from tests.bench.fleet_config import FIRST_ID, host_entry, matched_users  # noqa: E402
from tests.emulator.surfaces.engine import pwsh  # noqa: E402
from tests.emulator.windows import load_config, testing  # noqa: E402
from ansible_collections.winrds.sessions.plugins.module_utils.snapshot import sessions_from_wts  # noqa: E402
from ansible_collections.winrds.sessions.plugins.plugin_utils import _transport  # noqa: E402

KINDS = {
    'wts_snapshot': 'wts snapshot (the first command of win_rds_logoff, the only one of its rerun)',
    'wts_logoff': 'wts logoff of K sessions (the second command of win_rds_logoff)',
    'raw_query': 'raw: query user (the first command of the status quo)',
    'raw_logoff': 'raw: logoff <id> (each of the K other commands of the status quo)',
}
WTS_PHASES = ('engine_start', 'read_stdin', 'unpack', 'payload_parse', 'helper_load', 'payload_work', 'exit')
RAW_PHASES = ('engine_start', 'payload_work', 'exit')
_MARK = ("[Console]::Error.WriteLine('winrds-phase %s ' + [DateTime]::UtcNow.Ticks + ' ' + "
         "[Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime.Ticks)")
_MARK_LINE = re.compile(rb'winrds-phase (\S+) (\d+) (\d+)')
_TICKS_AT_EPOCH = 621355968000000000
"""DateTime ticks (100 ns since 0001-01-01) at 1970-01-01, the epoch of ``time.time()``."""
HELPER_LINE = '$Wts = New-WtsFunctions'
"""The statement of the wts payload that defines the WTS functions (timed as the helper load)."""


def _marked(code, name, marks):
    """``code`` (lines) with a mark statement inserted at each anchor: ``(mark, line, 'before'|'after')``; a mark with
    line None goes after the first line (the header), one with line '' at the end.

    :raises BenchError: an anchor is not exactly one line of the script (the script changed: update ``marks``).
    """
    lines = list(code.split('\n'))
    for mark, anchor, where in marks:
        if anchor is None:
            index = 1
        elif anchor == '':
            index = len(lines)
        else:
            found = [number for number, line in enumerate(lines) if line.startswith(anchor)]
            if len(found) != 1:
                raise BenchError('%s has %d lines starting with %r, where the benchmark puts its time mark %r: '
                                 'update tests/bench/phases.py' % (name, len(found), anchor, mark))
            index = found[0] + (1 if where == 'after' else 0)
        lines.insert(index, _MARK % mark)
    return '\n'.join(lines)


def marked_bootstrap():
    """The bootstrap's command line with its time marks."""
    code = _transport.strip_comments(_transport.payload_script('bootstrap'))
    code = _marked(code, 'bootstrap.ps1', [('boot', None, None), ('read', '$lines = @($input)', 'after'),
                                           ('unpacked', 'if ($s) { Invoke-Expression $s }', 'before')])
    return testing.powershell_command(code)


def marked_wts_payload(op):
    """The wts payload's code for operation ``op`` (only the code the controller sends for it) with its time marks,
    packed as the controller sends it."""
    code = _transport.strip_comments(_transport.for_operation(_transport.payload_script('wts'), op))
    code = _marked(code, 'wts.ps1', [('payload', None, None), ('helper', HELPER_LINE, 'before'),
                                     ('helper-end', HELPER_LINE, 'after'), ('end', '', None)])
    return _transport.pack(code)


def helper_definition():
    """The wts payload's ``function New-WtsFunctions { ... }``, as the controller sends it (comments stripped): what
    a probe on a real host defines and times (``real_hosts.py``).

    :raises BenchError: the payload has no such function, or its braces do not close (update this).
    """
    lines = _transport.strip_comments(_transport.payload_script('wts')).split('\n')
    found = [number for number, line in enumerate(lines) if line.startswith('function New-WtsFunctions ')]
    if len(found) != 1:
        raise BenchError('wts.ps1 has %d definitions of New-WtsFunctions: update tests/bench/phases.py' % len(found))
    depth = 0
    for number in range(found[0], len(lines)):
        # Braces inside the function's strings would miscount; it has none (a test runs what this returns).
        depth += lines[number].count('{') - lines[number].count('}')
        if depth == 0:
            return '\n'.join(lines[found[0]:number + 1])
    raise BenchError('the definition of New-WtsFunctions in wts.ps1 does not close: update tests/bench/phases.py')


def raw_command(statement):
    """A raw command as the status quo sends it, between two time marks."""
    return testing.powershell_command('\n'.join([_MARK % 'boot', statement, _MARK % 'end']))


class Runner:
    """Runs marked commands on one in-process emulated host with the real engine and K sessions to log off."""

    def __init__(self, name, sessions):
        config = host_entry(name, sessions, engine='pwsh')
        self.host = load_config({'hosts': [config]})[0].host
        self.sessions = sessions
        self.command = marked_bootstrap()
        self.payloads = dict((op, marked_wts_payload(op)) for op in ('snapshot', 'logoff'))

    def close(self):
        self.host.close()

    def _execute(self, kind, command_line, stdin=b''):
        result = self.host.execute(command_line, stdin, testing.context(self.host, auth='ntlm'))
        entry = self.host.state()['commands'][-1]
        return result, entry['engine']['timing']

    def wts(self, kind, data):
        stdin = (json.dumps(data, separators=(',', ':'), sort_keys=True) + '\n' + self.payloads[data['op']]).encode('ascii')
        result, timing = self._execute(kind, self.command, stdin)
        answer = _transport.CommandResult(result.rc, result.stdout, result.stderr, 0.0, 0)
        try:
            document = _transport.parse_json_answer('wts', answer)
        except _transport.PayloadError as error:
            raise BenchError('%s: %s' % (kind, error)) from None
        if document.get('error'):
            raise BenchError('%s: the payload answered an error: %s' % (kind, document['error']))
        return document, phases_of(kind, result.stderr, timing)

    def raw(self, kind, statement):
        result, timing = self._execute(kind, raw_command(statement))
        if result.rc != 0:
            raise BenchError('%s: %r ended with %d: %s' % (kind, statement, result.rc, result.stderr[-500:]))
        return phases_of(kind, result.stderr, timing)

    def round(self):
        """One command of each kind; ``{kind: phases}``."""
        found = {}
        self.host.reset()
        document, found['wts_snapshot'] = self.wts('wts_snapshot', {'op': 'snapshot', 'server': None})
        users = set(matched_users(self.sessions))
        targets = [dict(session.identity, id=session.id) for session in sessions_from_wts(document)
                   if (session.identity.get('user') or '') in users]
        if len(targets) != self.sessions:
            raise BenchError('the snapshot found %d of the %d sessions to log off' % (len(targets), self.sessions))
        answer, found['wts_logoff'] = self.wts('wts_logoff', {
            'op': 'logoff', 'server': None, 'notice': None, 'wait': True, 'timeout_seconds': 120, 'targets': targets})
        outcomes = [item['outcome'] for item in answer['results']]
        if outcomes != ['done'] * self.sessions:
            raise BenchError('wts logoff: outcomes %s' % outcomes)
        self.host.reset()
        found['raw_query'] = self.raw('raw_query', 'query user')
        found['raw_logoff'] = self.raw('raw_logoff', 'logoff %d' % FIRST_ID)
        return found


def _spans(kind, marks, start, end):
    """Each phase's length from ``marks`` (``{name: moment}``) between ``start`` and ``end`` (None: unknown)."""
    def span(first, last):
        return None if first is None or last is None else last - first

    if kind.startswith('raw'):
        return {'engine_start': span(start, marks['boot']), 'payload_work': span(marks['boot'], marks['end']),
                'exit': span(marks['end'], end)}
    helper = marks['helper-end'] - marks['helper']
    return {'engine_start': span(start, marks['boot']), 'read_stdin': marks['read'] - marks['boot'],
            'unpack': marks['unpacked'] - marks['read'], 'payload_parse': marks['payload'] - marks['unpacked'],
            'helper_load': helper, 'payload_work': marks['end'] - marks['payload'] - helper,
            'exit': span(marks['end'], end)}


def phases_of(kind, stderr, timing):
    """The phases of one command from its time marks and the host's timing record: wall seconds per phase, and in
    ``cpu`` the CPU seconds the process spent in each (all its threads; from its start for the engine start, unknown
    for the exit, which comes after the last mark).

    The CPU figures hold when the machine is busy with other work; the wall figures then grow.
    """
    walls = dict((match.group(1).decode('ascii'), (int(match.group(2)) - _TICKS_AT_EPOCH) / 1e7)
                 for match in _MARK_LINE.finditer(stderr))
    cpus = dict((match.group(1).decode('ascii'), int(match.group(3)) / 1e7) for match in _MARK_LINE.finditer(stderr))
    started, ended = timing['started'], timing['started'] + timing['process']
    try:
        found = _spans(kind, walls, started, ended)
        found['cpu'] = _spans(kind, cpus, 0.0, None)
    except KeyError as missing:
        raise BenchError('%s: the time mark %s is missing (the command did not run through); its stderr: %r'
                         % (kind, missing, stderr[-500:])) from None
    found['total'] = timing['process']
    found['slot_wait'] = timing['slot_wait']
    return found


def run_level(level, runs, sessions, say=print):
    """``runs`` commands of every kind, ``level`` at once (one host per thread); ``{kind: [phases, ...]}``."""
    rounds = int(math.ceil(runs / float(level)))
    collected = dict((kind, []) for kind in KINDS)
    failures = []
    lock = threading.Lock()

    def work(number):
        runner = Runner('rdsp%04d' % (number + 1), sessions)
        try:
            for _round in range(rounds):
                found = runner.round()
                with lock:
                    for kind, phases in found.items():
                        collected[kind].append(phases)
        except BenchError as error:
            failures.append(error)
        finally:
            runner.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(number,)) for number in range(level)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    say('phases: %d at once, %d rounds of %d commands in %.1fs'
        % (level, rounds * level, len(KINDS), time.perf_counter() - started))
    return collected


def _figures(values):
    values = [1000.0 * value for value in values if value is not None]
    if not values:
        return None
    return {'median': statistics.median(values), 'min': min(values), 'max': max(values)}


def summarize(collected):
    """``{kind: {phase: {"median", "min", "max"}, "cpu": {phase: ...}}}`` in milliseconds."""
    summary = {}
    for kind, runs in collected.items():
        summary[kind] = {'cpu': {}}
        for phase in runs[0] if runs else ():
            if phase == 'cpu':
                for name in runs[0]['cpu']:
                    figure = _figures(run['cpu'][name] for run in runs)
                    if figure is not None:
                        summary[kind]['cpu'][name] = figure
            else:
                summary[kind][phase] = _figures(run[phase] for run in runs)
    return summary


def measure(runs=10, sessions=5, levels=None, say=print):
    """The phase document: ``levels`` (default: 1 and the emulator's process limit), each with every run and the
    summary (milliseconds)."""
    levels = sorted(set(levels or (1, pwsh.PROCESS_LIMIT)))
    if not pwsh.find_pwsh():
        raise BenchError('no PowerShell for the phases: set PWSH to a pwsh executable or put pwsh on PATH')
    document = {'engine_version': pwsh.engine_version(pwsh.find_pwsh()), 'runs': runs, 'sessions': sessions,
                'levels': {}}
    for level in levels:
        collected = run_level(level, runs, sessions, say)
        document['levels'][str(level)] = {'runs': collected, 'summary': summarize(collected)}
    return document


def markdown(document):
    """The phases as Markdown tables, one per level: wall time, the median and, in brackets, min-max, in ms; then the
    CPU time of each phase (medians, ms)."""
    lines = []
    for level, data in sorted(document['levels'].items(), key=lambda item: int(item[0])):
        summary = data['summary']
        lines += ['', 'Per command, %s at once (PowerShell %s, K = %d; wall time, median and min-max of %d runs, ms):'
                  % ('one' if level == '1' else level, document['engine_version'], document['sessions'],
                     len(data['runs']['wts_snapshot'])), '',
                  '| command | ' + ' | '.join(WTS_PHASES) + ' | total |',
                  '|---|' + '--:|' * (len(WTS_PHASES) + 1)]
        for kind in KINDS:
            cells = []
            for phase in WTS_PHASES + ('total',):
                figure = summary[kind].get(phase)
                cells.append('-' if figure is None else '%.0f (%.0f-%.0f)' % (
                    figure['median'], figure['min'], figure['max']))
            lines.append('| %s | %s |' % (kind, ' | '.join(cells)))
        if any(summary[kind].get('cpu') for kind in KINDS):
            lines += ['', 'The same, CPU time of the process in each phase (all its threads; median, ms; the exit is '
                      'after the last mark):', '', '| command | ' + ' | '.join(WTS_PHASES[:-1]) + ' |',
                      '|---|' + '--:|' * (len(WTS_PHASES) - 1)]
            for kind in KINDS:
                cpu = summary[kind].get('cpu') or {}
                lines.append('| %s | %s |' % (kind, ' | '.join(
                    '%.0f' % cpu[phase]['median'] if phase in cpu else '-' for phase in WTS_PHASES[:-1])))
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=10, help='commands of each kind per level (default 10)')
    parser.add_argument('--sessions', type=int, default=5, help='K, sessions the wts logoff acts on (default 5)')
    parser.add_argument('--levels', help='commands at once, comma-separated (default: 1 and the process limit)')
    parser.add_argument('--out', type=Path, help='write phases.json here')
    args = parser.parse_args(argv)
    levels = [int(value) for value in args.levels.split(',')] if args.levels else None
    document = measure(args.runs, args.sessions, levels)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / 'phases.json').write_text(json.dumps(document, indent=2), encoding='utf-8')
    print(markdown(document))
    return document


if __name__ == '__main__':
    try:
        main()
    except BenchError as error:
        print('phases failed: %s' % error, file=sys.stderr)
        sys.exit(1)
