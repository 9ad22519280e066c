"""Benchmark win_rds_logoff against the status-quo playbook on an emulated fleet (``make bench``).

For every K in ``--sessions`` and every engine in ``--engines`` one emulator serves the largest N of ``--hosts``
hosts with K sessions to log off on each: ``pwsh`` runs every command line in a real PowerShell process,
``contract`` answers at once by the payloads' contract. For every N the first N hosts of each engine run, the
engines of one N back to back:

0. ``startup``: a play over the same inventory that contacts no host: ansible-playbook's fixed cost;
1. ``collection``: win_rds_logoff logs off the K matched sessions of every host;
2. ``collection_rerun``: the same task again, with nothing left to do;
3. ``status_quo``: ``raw: query user``, a Jinja parse, ``raw: logoff {{ item }}`` in a loop.

After each variant every host must have lost exactly its K matched sessions and kept the others. With the real
engine, the phases of one command (``phases.py``: engine start, bootstrap, helper load, payload work) are measured
after the sweep. Results go to ``OUT/results.json`` and ``OUT/results.md`` (rewritten after every combination, so
that a run stopped early keeps its figures), the pictures (unless ``--no-plots``) to ``OUT/*.png``.

Usage (from the repository root, with the test environment's Python)::

    python -m tests.bench.run_bench --hosts 10,50,200 --sessions 1,5,20 --forks 50 --out .build/bench
    python -m tests.bench.run_bench --hosts-for 20:10,50,100 ...   # a smaller largest fleet for K=20
    python -m tests.bench.run_bench --quick --out /some/dir
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.bench.fleet_config import check_survivors, fleet_config, host_names  # noqa: E402
from tests.bench.measure import BenchError, measure_variant  # noqa: E402
from tests.bench.report import SPEEDUP_K as SPEEDUP_SESSIONS, evaluate_targets, markdown_report  # noqa: E402
from tests.emulator.fleet import Fleet  # noqa: E402
from tests.emulator.surfaces.engine import default_engine  # noqa: E402
from tests.emulator.surfaces.engine.pwsh import PROCESS_LIMIT  # noqa: E402

VARIANTS = ('startup', 'collection', 'collection_rerun', 'status_quo')
ENGINES = ('pwsh', 'contract')
QUICK = {'hosts': [2], 'sessions': [2], 'forks': 2, 'phase_runs': 1}


def _numbers(text):
    try:
        values = [int(part) for part in text.split(',') if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not a comma-separated list of numbers' % text) from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError('%r: give positive numbers' % text)
    return values


def _hosts_for(text):
    """``K:N,N...`` -> ``(K, [N...])``."""
    key, _colon, values = text.partition(':')
    try:
        sessions = int(key)
    except ValueError:
        raise argparse.ArgumentTypeError('%r: give K:N,N... (for example 20:10,50,100)' % text) from None
    return sessions, _numbers(values)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', type=_numbers, help='N, the fleet sizes (default 10,50,200)')
    parser.add_argument('--sessions', type=_numbers, help='K, the sessions to log off per host (default 1,5,20)')
    parser.add_argument('--forks', type=int, help='ansible-playbook -f (default 50)')
    parser.add_argument('--hosts-for', type=_hosts_for, action='append', default=[], metavar='K:N,N',
                        help='the fleet sizes for one K instead of --hosts (repeatable), to keep the largest runs '
                             'of the real engine within a time budget')
    parser.add_argument('--transports', default='ntlm',
                        help='comma-separated: ntlm (the default, as on real fleets) and/or basic')
    parser.add_argument('--engines',
                        help='comma-separated: pwsh (a real PowerShell per command) and/or contract (default: both '
                             'when pwsh is found, else contract; --quick: the emulator\'s default engine)')
    parser.add_argument('--phase-runs', type=int,
                        help='runs of each kind of command for the per-command phases, one at a time and as many '
                             'at once as the emulator runs processes (default 10; 0: none); real engine only')
    parser.add_argument('--out', required=True, type=Path, help='folder for results, logs and pictures')
    parser.add_argument('--collections-path', type=Path,
                        help='run the collection found in this ANSIBLE_COLLECTIONS_PATH instead of the checkout '
                             '(to measure a change against the same fleet)')
    parser.add_argument('--repeat', type=int, default=1,
                        help='run each combination this many times and keep the fastest run of each variant')
    parser.add_argument('--quick', action='store_true', help='a smoke run: N=2, K=2, 2 forks, no pictures')
    parser.add_argument('--no-plots', action='store_true', help='do not draw the pictures')
    args = parser.parse_args(argv)
    quick = QUICK if args.quick else {'hosts': [10, 50, 200], 'sessions': [1, 5, 20], 'forks': 50, 'phase_runs': 10}
    args.hosts = sorted(set(args.hosts or quick['hosts']))
    # K in the order given (the first ones are measured first: put the one that matters most first).
    args.sessions = list(dict.fromkeys(args.sessions or quick['sessions']))
    args.hosts_for = dict((k, sorted(set(ns))) for k, ns in args.hosts_for)
    if set(args.hosts_for) - set(args.sessions):
        parser.error('--hosts-for names a K that is not in --sessions')
    args.forks = args.forks or quick['forks']
    args.phase_runs = quick['phase_runs'] if args.phase_runs is None else args.phase_runs
    args.transports = [name.strip() for name in args.transports.split(',') if name.strip()]
    if args.engines:
        args.engines = [name.strip() for name in args.engines.split(',') if name.strip()]
    elif args.quick or default_engine() == 'contract':
        args.engines = [default_engine()]
    else:
        args.engines = list(ENGINES)
    # ansible-playbook runs in a folder of the output, so every path handed to it must be absolute.
    args.out = args.out.resolve()
    if args.collections_path:
        args.collections_path = args.collections_path.resolve()
    if args.repeat < 1 or args.phase_runs < 0:
        parser.error('--repeat: at least 1; --phase-runs: at least 0')
    if set(args.transports) - {'ntlm', 'basic'} or not args.transports:
        parser.error('--transports: ntlm and/or basic')
    if set(args.engines) - set(ENGINES) or not args.engines:
        parser.error('--engines: pwsh and/or contract')
    args.plots = not (args.quick or args.no_plots)
    return args


def write_inventory(fleet, path, names, transport):
    """An inventory of the hosts ``names`` only (in that order)."""
    fleet.inventory(path, transport=transport)
    document = yaml.safe_load(path.read_text(encoding='utf-8'))
    hosts = document['all']['hosts']
    document['all']['hosts'] = dict((name, hosts[name]) for name in names)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding='utf-8')
    return path


def reset_hosts(fleet, names):
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(fleet.reset, names))


def verify(states, sessions, variant):
    """Raise when any host did not lose exactly its K matched sessions."""
    problems = [problem for state in states.values() for problem in check_survivors(state, sessions)]
    if problems:
        raise BenchError('%s logged off the wrong sessions on %d hosts:\n  %s'
                         % (variant, len(problems), '\n  '.join(problems[:10])))


def fleet_sizes(args, sessions):
    """The N to run for this K."""
    return args.hosts_for.get(sessions, args.hosts)


def measure_combination(args, fleet, inventory, names, sessions, transport, workdir, say, engine='contract'):
    """Run the three variants ``args.repeat`` times on ``names``; keep each variant's fastest run.

    The fastest of several runs is the one least disturbed by whatever else the machine was doing; every wall
    time is kept in ``wall_runs``.
    """
    best, walls = {}, dict((variant, []) for variant in VARIANTS)
    for _attempt in range(args.repeat):
        for variant in VARIANTS:
            if variant in ('collection', 'status_quo'):
                reset_hosts(fleet, names)
            measurement, states = measure_variant(fleet, variant, inventory, names, sessions, args.forks, transport,
                                                  workdir / 'runs', collections=args.collections_path,
                                                  engine=engine)
            if variant == 'startup':
                if measurement.commands_max:
                    raise BenchError('the start-up variant ran %d commands on a host' % measurement.commands_max)
            else:
                verify(states, sessions, variant)
            walls[variant].append(round(measurement.wall_seconds, 3))
            if variant not in best or measurement.wall_seconds < best[variant].wall_seconds:
                best[variant] = measurement
            other, engine_cpu = measurement.other_cpu_seconds, measurement.engine_cpu_seconds
            say('  %-8s %-5s N=%-4d K=%-3d %-17s %7.2fs wall  %5.1f commands/host  %5.1f requests/host  '
                '%7.0f bytes/host  %6.1f ms CPU/host  engine %s  other work %s'
                % (engine, transport, len(names), sessions, variant, measurement.wall_seconds,
                   measurement.commands_per_host, measurement.requests_per_host, measurement.bytes_per_host,
                   measurement.cpu_per_host_ms, '-' if engine_cpu is None else '%.1fs' % engine_cpu,
                   '-' if other is None else '%.1fs' % other))
    found = []
    for variant in VARIANTS:
        entry = best[variant].to_dict()
        entry['wall_runs'] = walls[variant]
        found.append(entry)
    return found


def run_sweep(args, say=print, measured=None):
    """Run every (K, transport, N, engine) combination; return the list of measurement dictionaries.

    The fleets of every engine for one K run side by side, and the engines of one N run back to back, so that
    what the machine does meanwhile weighs on both alike. ``measured(results)`` is called after every combination
    (the figures so far).
    """
    results = []
    for sessions in args.sessions:
        sizes = fleet_sizes(args, sessions)
        fleets, workdirs = {}, {}
        try:
            for engine in args.engines:
                workdirs[engine] = args.out / ('fleet-%s-k%d' % (engine, sessions))
                started = time.perf_counter()
                fleets[engine] = Fleet(fleet_config(max(sizes), sessions, engine=engine), workdirs[engine],
                                       start_timeout=300).start()
                say('K=%d: %d emulated hosts (engine %s) listening after %.1fs'
                    % (sessions, max(sizes), engine, time.perf_counter() - started))
            for transport in args.transports:
                for count in sizes:
                    names = host_names(count)
                    for engine in args.engines:
                        fleet, workdir = fleets[engine], workdirs[engine]
                        inventory = write_inventory(fleet, workdir / ('%s-n%d.yml' % (transport, count)), names,
                                                    transport)
                        results += measure_combination(args, fleet, inventory, names, sessions, transport, workdir,
                                                       say, engine=engine)
                        if measured:
                            measured(results)
        finally:
            for fleet in fleets.values():
                fleet.stop()
    return results


def run_phases(args, say=print):
    """The per-command phases on the real engine (``phases.py``), or None when it is not benchmarked."""
    if 'pwsh' not in args.engines or not args.phase_runs:
        return None
    from tests.bench import phases  # the collection's transport module: imported only when needed

    levels = [1] if args.quick else None
    return phases.measure(args.phase_runs, SPEEDUP_SESSIONS, levels=levels, say=say)


def write_document(args, results, phase_document, seconds, complete):
    """The results document, written to ``OUT/results.json`` and ``OUT/results.md`` (also while the sweep still
    runs: ``complete`` false, so that a run stopped early keeps what it measured)."""
    document = {
        'machine': {'python': platform.python_version(), 'platform': platform.platform(),
                    'cpus': _cpu_count()},
        'ansible_core': _ansible_version(),
        'forks': args.forks,
        'repeat': args.repeat,
        'hosts': args.hosts,
        'hosts_for': dict((str(k), v) for k, v in args.hosts_for.items()),
        'sessions': args.sessions,
        'transports': args.transports,
        'engines': args.engines,
        'engine_processes': PROCESS_LIMIT,
        'engine_processes_set': os.environ.get('WINRDS_EMU_ENGINE_PROCESSES') or None,
        'collections_path': str(args.collections_path) if args.collections_path else None,
        'seconds': round(seconds, 1),
        'complete': complete,
        'phases': phase_document,
        'results': results,
    }
    document['targets'] = evaluate_targets(results, phase_document)
    (args.out / 'results.json').write_text(json.dumps(document, indent=2), encoding='utf-8')
    (args.out / 'results.md').write_text(markdown_report(document), encoding='utf-8')
    return document


def main(argv=None):
    """Run the benchmark; return the results document (also written to ``OUT/results.json``).

    The sweep runs first, then the per-command phases.
    """
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = run_sweep(args, measured=lambda so_far: write_document(args, so_far, None, time.perf_counter() - started,
                                                                     False))
    phase_document = run_phases(args)
    document = write_document(args, results, phase_document, time.perf_counter() - started, True)
    if args.plots:
        try:
            from tests.bench.plots import draw_all  # matplotlib only when pictures are wanted
        except ImportError as error:
            print('no pictures (%s): install matplotlib, then run python -m tests.bench.plots %s %s'
                  % (error, args.out / 'results.json', args.out), file=sys.stderr)
        else:
            for path in draw_all(document, args.out):
                print('wrote %s' % path)
    print(markdown_report(document))
    print('the whole run took %.0fs' % document['seconds'])
    return document


def _cpu_count():
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()


def _ansible_version():
    from ansible.release import __version__

    return __version__


if __name__ == '__main__':
    try:
        main()
    except BenchError as error:
        print('benchmark failed: %s' % error, file=sys.stderr)
        sys.exit(1)
