"""Profile the controller CPU of one ansible-playbook run, including its forks (CPU time, not wall time).

ansible-playbook runs each task of each host in a forked worker process, which a profiler started in the
main process does not see. This runs ansible-playbook in-process with ``WorkerProcess._run`` wrapped in
cProfile: every worker writes ``worker-<pid>.pstats`` to the folder named by ``WINRDS_PROFILE_DIR``, and the
main process writes ``main.pstats``. ``summarize`` adds them up.

Usage (the environment of ``tests/bench/measure.py``: ANSIBLE_COLLECTIONS_PATH set)::

    WINRDS_PROFILE_DIR=DIR python -m tests.bench.profile_run -i INVENTORY -f 10 PLAYBOOK
    python -m tests.bench.profile_run --summarize DIR [--top 40]
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

_MAIN = cProfile.Profile(time.process_time)
"""The main process's profiler; a forked worker inherits it running and stops it first."""


def _wrap_workers(folder):
    from ansible.executor.process.worker import WorkerProcess

    original = WorkerProcess._run

    def profiled(self):
        _MAIN.disable()
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        try:
            return original(self)
        finally:
            profiler.disable()
            profiler.dump_stats(str(folder / ('worker-%d.pstats' % os.getpid())))

    WorkerProcess._run = profiled


def run_playbook(argv):
    """Run ``ansible-playbook argv`` in this process with every worker profiled; return its exit code."""
    folder = Path(os.environ['WINRDS_PROFILE_DIR'])
    folder.mkdir(parents=True, exist_ok=True)
    from ansible.cli.playbook import PlaybookCLI

    _wrap_workers(folder)
    _MAIN.enable()
    try:
        return PlaybookCLI.cli_executor(['ansible-playbook'] + list(argv))
    finally:
        _MAIN.disable()
        _MAIN.dump_stats(str(folder / 'main.pstats'))


def summarize(folder, top=40, sort='cumulative'):
    """Print the summed statistics of every worker, then those of the main process."""
    folder = Path(folder)
    stats, count = None, 0
    for path in sorted(folder.glob('worker-*.pstats')):
        try:
            one = pstats.Stats(str(path))
        except (EOFError, ValueError, TypeError):
            continue  # a worker ended before its file was whole (its task had failed or was cut)
        count += 1
        stats = one if stats is None else stats.add(one)
    if stats is not None:
        print('== %d workers, summed' % count)
        stats.sort_stats(sort).print_stats(top)
    main = folder / 'main.pstats'
    if main.exists():
        print('== the main process')
        pstats.Stats(str(main)).sort_stats(sort).print_stats(top)


if __name__ == '__main__':
    if sys.argv[1:2] == ['--summarize']:
        top = int(sys.argv[sys.argv.index('--top') + 1]) if '--top' in sys.argv else 40
        summarize(sys.argv[2], top=top, sort='tottime' if '--tottime' in sys.argv else 'cumulative')
    else:
        sys.exit(run_playbook(sys.argv[1:]))
