"""Profile the controller CPU of one ansible-playbook run, including its forks (CPU time, not wall time).

ansible-playbook runs each task of each host in a forked worker process, which a profiler started in the
main process does not see. This runs ansible-playbook in-process with ``WorkerProcess._run`` wrapped in
cProfile: every worker writes ``worker-<pid>.pstats`` to the folder named by ``WINRDS_PROFILE_DIR`` just before
it sends its result (after that, ansible-playbook may stop it), and the main process writes ``main.pstats``.
``summarize`` adds them up.

``--emulated`` does all of it against an emulated fleet of the benchmark (``fleet_config.py``) on either engine:
it starts the fleet, runs one variant's playbook profiled (the rerun after an unprofiled first run) and prints
the summary.

Usage (the environment of ``tests/bench/measure.py``: ANSIBLE_COLLECTIONS_PATH set)::

    WINRDS_PROFILE_DIR=DIR python -m tests.bench.profile_run -i INVENTORY -f 10 PLAYBOOK
    python -m tests.bench.profile_run --summarize DIR [--top 40] [--tottime]
    python -m tests.bench.profile_run --emulated ENGINE N K VARIANT DIR [--top 40] [--tottime]
        e.g. --emulated pwsh 20 5 collection .build/profile
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


def _dump(profiler, path):
    """Write a profile whole or not at all (a reader never sees half a file)."""
    partial = path.with_name(path.name + '.part')
    profiler.dump_stats(str(partial))
    os.replace(str(partial), str(path))


def _wrap_workers(folder):
    from ansible.executor.process.worker import WorkerProcess

    original = WorkerProcess._run

    def profiled(self):
        _MAIN.disable()
        profiler = cProfile.Profile(time.process_time)
        path = folder / ('worker-%d.pstats' % os.getpid())
        queue = self._final_q
        send = queue.send_task_result

        def dump_then_send(*args, **kwargs):
            # Once the last result is in, ansible-playbook ends and stops the workers still running: the profile is
            # written before the result goes (what the worker does after sending it is not counted).
            profiler.disable()
            if not path.exists():
                _dump(profiler, path)
            return send(*args, **kwargs)

        queue.send_task_result = dump_then_send  # this worker's copy of the queue object only (it is forked)
        profiler.enable()
        try:
            return original(self)
        finally:
            profiler.disable()
            if not path.exists():
                _dump(profiler, path)

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


def profile_emulated(engine, hosts, sessions, variant, folder):
    """Profile ``variant`` of the benchmark on an emulated fleet of ``hosts`` hosts (``engine``, K = ``sessions``);
    the statistics go to ``folder/pstats``. Returns the exit code of the profiled run."""
    import subprocess

    from tests.bench.fleet_config import fleet_config, host_names
    from tests.bench.measure import PLAYBOOKS, playbook_env
    from tests.bench.run_bench import write_inventory
    from tests.emulator.fleet import Fleet

    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    with Fleet(fleet_config(hosts, sessions, engine=engine), folder / 'fleet', start_timeout=300) as fleet:
        inventory = write_inventory(fleet, folder / 'inventory.yml', host_names(hosts), 'ntlm')
        env = playbook_env(folder)
        env['PYTHONPATH'] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                          env.get('PYTHONPATH')]))
        runs = [('collection', None)] if variant == 'collection_rerun' else []
        runs.append((variant, folder / 'pstats'))
        for name, pstats_dir in runs:
            if pstats_dir is None:
                command = [str(Path(sys.executable).parent / 'ansible-playbook')]
            else:
                env['WINRDS_PROFILE_DIR'] = str(pstats_dir)
                command = [sys.executable, '-m', 'tests.bench.profile_run']
            done = subprocess.run(command + ['-i', str(inventory), '-f', str(min(hosts, 50)), str(PLAYBOOKS[name])],
                                  cwd=str(folder), env=env, check=False)
            if done.returncode:
                return done.returncode
    return 0


if __name__ == '__main__':
    top = int(sys.argv[sys.argv.index('--top') + 1]) if '--top' in sys.argv else 40
    order = 'tottime' if '--tottime' in sys.argv else 'cumulative'
    if sys.argv[1:2] == ['--summarize']:
        summarize(sys.argv[2], top=top, sort=order)
    elif sys.argv[1:2] == ['--emulated']:
        engine_name, host_count, session_count, variant_name, out = sys.argv[2:7]
        code = profile_emulated(engine_name, int(host_count), int(session_count), variant_name, out)
        if code:
            sys.exit(code)
        summarize(Path(out) / 'pstats', top=top, sort=order)
    else:
        sys.exit(run_playbook(sys.argv[1:]))
