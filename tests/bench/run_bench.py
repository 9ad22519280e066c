"""Benchmark win_rds_logoff against the status-quo playbook on an emulated fleet (``make bench``).

For every K in ``--sessions`` one emulator serves the largest N of ``--hosts`` hosts with K sessions to log
off on each; for every N the first N hosts run, side by side:

0. ``startup``: a play over the same inventory that contacts no host: ansible-playbook's fixed cost;
1. ``collection``: win_rds_logoff logs off the K matched sessions of every host;
2. ``collection_rerun``: the same task again, with nothing left to do;
3. ``status_quo``: ``raw: query user``, a Jinja parse, ``raw: logoff {{ item }}`` in a loop.

After each variant every host must have lost exactly its K matched sessions and kept the others. Results go
to ``OUT/results.json`` and ``OUT/results.md``, the pictures (unless ``--no-plots``) to ``OUT/*.png``.

Usage (from the repository root, with the test environment's Python)::

    python -m tests.bench.run_bench --hosts 10,50,200 --sessions 1,5,20 --forks 50 --out .build/bench
    python -m tests.bench.run_bench --quick --out /some/dir
"""

from __future__ import annotations

import argparse
import json
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
from tests.bench.report import evaluate_targets, markdown_report  # noqa: E402
from tests.emulator.fleet import Fleet  # noqa: E402

VARIANTS = ('startup', 'collection', 'collection_rerun', 'status_quo')
QUICK = {'hosts': [2], 'sessions': [2], 'forks': 2}


def _numbers(text):
    try:
        values = [int(part) for part in text.split(',') if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not a comma-separated list of numbers' % text) from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError('%r: give positive numbers' % text)
    return values


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', type=_numbers, help='N, the fleet sizes (default 10,50,200)')
    parser.add_argument('--sessions', type=_numbers, help='K, the sessions to log off per host (default 1,5,20)')
    parser.add_argument('--forks', type=int, help='ansible-playbook -f (default 50)')
    parser.add_argument('--transports', default='ntlm',
                        help='comma-separated: ntlm (the default, as on real fleets) and/or basic')
    parser.add_argument('--out', required=True, type=Path, help='folder for results, logs and pictures')
    parser.add_argument('--collections-path', type=Path,
                        help='run the collection found in this ANSIBLE_COLLECTIONS_PATH instead of the checkout '
                             '(to measure a change against the same fleet)')
    parser.add_argument('--repeat', type=int, default=1,
                        help='run each combination this many times and keep the fastest run of each variant')
    parser.add_argument('--quick', action='store_true', help='a smoke run: N=2, K=2, 2 forks, no pictures')
    parser.add_argument('--no-plots', action='store_true', help='do not draw the pictures')
    args = parser.parse_args(argv)
    quick = QUICK if args.quick else {'hosts': [10, 50, 200], 'sessions': [1, 5, 20], 'forks': 50}
    args.hosts = sorted(set(args.hosts or quick['hosts']))
    args.sessions = sorted(set(args.sessions or quick['sessions']))
    args.forks = args.forks or quick['forks']
    args.transports = [name.strip() for name in args.transports.split(',') if name.strip()]
    # ansible-playbook runs in a folder of the output, so every path handed to it must be absolute.
    args.out = args.out.resolve()
    if args.repeat < 1:
        parser.error('--repeat: at least 1')
    if set(args.transports) - {'ntlm', 'basic'} or not args.transports:
        parser.error('--transports: ntlm and/or basic')
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


def measure_combination(args, fleet, inventory, names, sessions, transport, workdir, say):
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
                                                  workdir / 'runs', collections=args.collections_path)
            if variant == 'startup':
                if measurement.commands_max:
                    raise BenchError('the start-up variant ran %d commands on a host' % measurement.commands_max)
            else:
                verify(states, sessions, variant)
            walls[variant].append(round(measurement.wall_seconds, 3))
            if variant not in best or measurement.wall_seconds < best[variant].wall_seconds:
                best[variant] = measurement
            other = measurement.other_cpu_seconds
            say('  %-5s N=%-4d K=%-3d %-17s %7.2fs wall  %5.1f commands/host  %5.1f requests/host  %7.0f bytes/host  '
                '%6.1f ms CPU/host  other work %s'
                % (transport, len(names), sessions, variant, measurement.wall_seconds, measurement.commands_per_host,
                   measurement.requests_per_host, measurement.bytes_per_host, measurement.cpu_per_host_ms,
                   '-' if other is None else '%.1fs' % other))
    found = []
    for variant in VARIANTS:
        entry = best[variant].to_dict()
        entry['wall_runs'] = walls[variant]
        found.append(entry)
    return found


def run_sweep(args, say=print):
    """Run every (transport, K, N) combination; return the list of measurement dictionaries."""
    results = []
    largest = max(args.hosts)
    for sessions in args.sessions:
        workdir = args.out / ('fleet-k%d' % sessions)
        started = time.perf_counter()
        with Fleet(fleet_config(largest, sessions), workdir, start_timeout=120) as fleet:
            say('K=%d: %d emulated hosts listening after %.1fs' % (sessions, largest, time.perf_counter() - started))
            for transport in args.transports:
                for count in args.hosts:
                    names = host_names(count)
                    inventory = write_inventory(fleet, workdir / ('%s-n%d.yml' % (transport, count)), names,
                                                transport)
                    results += measure_combination(args, fleet, inventory, names, sessions, transport, workdir,
                                                   say)
    return results


def main(argv=None):
    """Run the benchmark; return the results document (also written to ``OUT/results.json``)."""
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = run_sweep(args)
    document = {
        'machine': {'python': platform.python_version(), 'platform': platform.platform(),
                    'cpus': _cpu_count()},
        'ansible_core': _ansible_version(),
        'forks': args.forks,
        'repeat': args.repeat,
        'hosts': args.hosts,
        'sessions': args.sessions,
        'transports': args.transports,
        'collections_path': str(args.collections_path) if args.collections_path else None,
        'seconds': round(time.perf_counter() - started, 1),
        'results': results,
    }
    document['targets'] = evaluate_targets(results)
    (args.out / 'results.json').write_text(json.dumps(document, indent=2), encoding='utf-8')
    (args.out / 'results.md').write_text(markdown_report(document), encoding='utf-8')
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
