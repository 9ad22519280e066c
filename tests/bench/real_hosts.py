"""Time what the emulator cannot: one read-only command of the collection against one of ``query user``, on real
hosts (``make bench-real INVENTORY=...``).

On an emulated host with the real engine a command costs what PowerShell 7 on Linux costs; a real Windows host
starts Windows PowerShell 5.1, and its .NET Framework defines the wts payload's WTS functions with
System.Reflection.Emit (docs/performance.md). This runs three plays against the hosts of an inventory, each
``--repeat`` times, and keeps the fastest run of each:

0. ``startup.yml``: ansible-playbook's start-up; no host is contacted;
1. ``real_session_info.yml``: ``win_rds_session_info``, one command per host (PowerShell, the bootstrap, the helper
   load, the WTS API);
2. ``real_query_user.yml``: ``raw: query user``, one command per host (PowerShell and ``query``);

and, ``--repeat`` times, ``real_helper_load.yml``: a probe that times, inside PowerShell on each host, the engine's
start (from the process's start time to the probe's first statement), the first cmdlet (``New-Object``, which
loads its module, as the bootstrap's unpacking does) and the helper load: the payload's own ``New-WtsFunctions``,
defined and run.

Nothing is changed on the hosts: the plays only read the sessions, and the probe only defines the functions.
Connection settings (``ansible_connection``, credentials, transport, certificate validation) must be in the
inventory; no ansible.cfg is read.

From the wall times, less the start-up, it projects the per-host time of the benchmark's variants on these hosts:
the collection's first run costs two commands like 1, its rerun one, and the status quo one command like 2 per
session plus one. The projection assumes, as the emulated sweep shows, that the controller's share is small
against seconds of PowerShell; run with ``--forks`` at least the number of hosts so that all run in one wave.

Usage (from the repository root, with the test environment's Python)::

    python -m tests.bench.real_hosts -i INVENTORY [--forks 50] [--repeat 3] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.bench.measure import BenchError, run_playbook  # noqa: E402

HERE = Path(__file__).resolve().parent
PLAYS = {
    'startup': HERE / 'startup.yml',
    'session_info': HERE / 'real_session_info.yml',
    'query_user': HERE / 'real_query_user.yml',
}
PROBE_PLAY = HERE / 'real_helper_load.yml'
PROBE_FIGURES = ('engine_start_ms', 'first_cmdlet_ms', 'helper_load_ms')
_PROBE_LINE = re.compile(r'winrds-probe (\S+) rc=(-?\d+) ?([0-9 ]*)')
PROJECTED_K = (1, 5, 20)


def probe_script():
    """The probe's PowerShell: three times in milliseconds, on one line (see the module docstring)."""
    from tests.bench.phases import helper_definition  # imports the collection: only when a probe is built

    return '\n'.join([
        '$ErrorActionPreference = \'Stop\'',
        '$engine = ([DateTime]::Now - [Diagnostics.Process]::GetCurrentProcess().StartTime).TotalMilliseconds',
        '$watch = [Diagnostics.Stopwatch]::StartNew()',
        '$null = New-Object IO.MemoryStream',
        '$cmdlet = $watch.Elapsed.TotalMilliseconds',
        helper_definition(),
        '$watch.Restart()',
        '$null = New-WtsFunctions',
        '$helper = $watch.Elapsed.TotalMilliseconds',
        "'{0:0} {1:0} {2:0}' -f $engine, $cmdlet, $helper",
    ])


def write_probe_vars(path):
    """The probe as an extra-vars file, marked unsafe so that Jinja leaves its braces alone."""
    body = '\n'.join('  ' + line for line in probe_script().split('\n'))
    path.write_text('---\nwinrds_probe: !unsafe |\n%s\n' % body, encoding='utf-8')
    return path


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('-i', '--inventory', type=Path, required=True, help='the inventory of the real hosts')
    parser.add_argument('--forks', type=int, default=50, help='ansible-playbook -f (default 50)')
    parser.add_argument('--repeat', type=int, default=3, help='runs of each play; the fastest is kept (default 3)')
    parser.add_argument('--out', type=Path, default=REPO / '.build' / 'bench-real',
                        help='folder for the logs and results.json (default .build/bench-real)')
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    if not args.inventory.is_file():
        parser.error('%s is not a file' % args.inventory)
    if args.forks < 1 or args.repeat < 1:
        parser.error('--forks and --repeat must be at least 1')
    return args


def time_plays(args):
    """``{play: fastest wall seconds}``; every wall time is kept in ``{play: [...]}`` as the second value.

    :raises BenchError: a play failed; the end of its log says why.
    """
    walls = dict((name, []) for name in PLAYS)
    args.out.mkdir(parents=True, exist_ok=True)
    for attempt in range(args.repeat):
        for name, playbook in PLAYS.items():
            log_path = args.out / ('%s-%d.log' % (name, attempt + 1))
            rc, wall, _cpu = run_playbook(playbook, args.inventory.resolve(), args.forks, args.out, log_path)
            if rc != 0:
                tail = log_path.read_text(encoding='utf-8', errors='replace')[-3000:]
                raise BenchError('%s failed (rc=%d); the end of %s:\n%s' % (name, rc, log_path, tail))
            walls[name].append(round(wall, 3))
    return dict((name, min(times)) for name, times in walls.items()), walls


def read_probe_log(text):
    """``({host: [figures, ...]}, [problems])`` from the log of the probe play."""
    found, problems = {}, []
    for host, rc, numbers in _PROBE_LINE.findall(text):
        values = numbers.split()
        if rc != '0' or len(values) != len(PROBE_FIGURES):
            problems.append('%s: the probe gave no figures (rc %s)' % (host, rc))
            continue
        found.setdefault(host, []).append(dict(zip(PROBE_FIGURES, (float(value) for value in values))))
    return found, problems


def time_probe(args):
    """The probe's figures: per host every run, and the medians over all hosts and runs (None when no host could
    run it, with the reasons)."""
    vars_file = write_probe_vars(args.out / 'probe-vars.yml')
    hosts, problems = {}, []
    for attempt in range(args.repeat):
        log_path = args.out / ('helper_load-%d.log' % (attempt + 1))
        rc, _wall, _cpu = run_playbook(PROBE_PLAY, args.inventory.resolve(), args.forks, args.out, log_path,
                                       extra_args=['-e', '@%s' % vars_file])
        text = log_path.read_text(encoding='utf-8', errors='replace')
        if rc != 0:
            raise BenchError('the helper-load probe failed (rc=%d); the end of %s:\n%s' % (rc, log_path, text[-3000:]))
        found, more = read_probe_log(text)
        problems += more
        for host, runs in found.items():
            hosts.setdefault(host, []).extend(runs)
    runs = [run for values in hosts.values() for run in values]
    medians = dict((name, statistics.median(run[name] for run in runs) if runs else None) for name in PROBE_FIGURES)
    return {'medians': medians, 'hosts': hosts, 'problems': sorted(set(problems))}


def projection(fastest):
    """Per-host seconds of each variant of the benchmark, projected from one command of each kind."""
    info = max(0.0, fastest['session_info'] - fastest['startup'])
    raw = max(0.0, fastest['query_user'] - fastest['startup'])
    rows = []
    for sessions in PROJECTED_K:
        collection, status_quo = 2 * info, (1 + sessions) * raw
        rows.append({'sessions': sessions, 'collection': collection, 'rerun': info, 'status_quo': status_quo,
                     'ratio': status_quo / collection if collection else None})
    return {'one_collection_command': info, 'one_raw_command': raw, 'rows': rows}


def report(fastest, projected, probe=None):
    lines = ['| play | fastest wall s | less the start-up, s |', '| --- | --: | --: |']
    for name in PLAYS:
        net = fastest[name] - fastest['startup'] if name != 'startup' else 0.0
        lines.append('| %s | %.2f | %.2f |' % (name, fastest[name], net))
    extra = projected['one_collection_command'] - projected['one_raw_command']
    lines += ['', 'One command of win_rds_session_info costs %.2f s more than one raw query user: the bootstrap, '
                  'the helper load and the payload.' % extra, '']
    if probe is not None:
        medians = probe['medians']
        if medians['helper_load_ms'] is None:
            lines += ['The helper-load probe gave no figures: %s' % ('; '.join(probe['problems']) or 'no host ran it'),
                      '']
        else:
            lines += ['Inside PowerShell on these hosts (medians over %d hosts and every run): the engine starts in '
                      '%.0f ms, its first cmdlet takes %.0f ms (loading its module), the helper load (the WTS '
                      'functions defined with System.Reflection.Emit) %.0f ms.'
                      % (len(probe['hosts']), medians['engine_start_ms'], medians['first_cmdlet_ms'],
                         medians['helper_load_ms'])]
            lines += ['Hosts without figures: %s' % '; '.join(probe['problems'])] if probe['problems'] else []
            lines.append('')
    lines += ['| K | win_rds_logoff (2 commands), s | rerun (1), s | status quo (1 + K), s | status quo / '
              'win_rds_logoff |', '| --: | --: | --: | --: | --: |']
    for row in projected['rows']:
        lines.append('| %d | %.2f | %.2f | %.2f | %s |' % (
            row['sessions'], row['collection'], row['rerun'], row['status_quo'],
            '-' if row['ratio'] is None else '%.2fx' % row['ratio']))
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    fastest, walls = time_plays(args)
    projected = projection(fastest)
    probe = time_probe(args)
    document = {'inventory': str(args.inventory), 'forks': args.forks, 'repeat': args.repeat, 'walls': walls,
                'fastest': fastest, 'projection': projected, 'probe': probe}
    (args.out / 'results.json').write_text(json.dumps(document, indent=2), encoding='utf-8')
    print(report(fastest, projected, probe))
    return document


if __name__ == '__main__':
    try:
        main()
    except BenchError as error:
        print('real-host timing failed: %s' % error, file=sys.stderr)
        sys.exit(1)
