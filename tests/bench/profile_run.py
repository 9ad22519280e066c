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
    python -m tests.bench.profile_run --parts DIR N
    python -m tests.bench.profile_run --emulated ENGINE N K VARIANT DIR [--top 40] [--tottime] [--parts]
        e.g. --emulated pwsh 20 5 collection .build/profile

``--parts`` prints, instead of the function lists, the CPU per host of a collection variant split by who spends it
(``parts``): ansible-core, the connection (ansible-core's winrm plugin with pywinrm), the collection's own code,
and the main process's wait for results.
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


def _calls(stats, file_suffix, function):
    """``(calls, cumulative seconds)`` of the functions named ``function`` in files ending with ``file_suffix``."""
    calls, seconds = 0, 0.0
    for (path, _line, name), (_primitive, count, _own, cumulative, _callers) in stats.stats.items():
        if name == function and path.replace(os.sep, '/').endswith(file_suffix):
            calls += count
            seconds += cumulative
    return calls, seconds


def parts(folder, hosts):
    """The CPU of a profiled run per host, in milliseconds, split by who spends it, and the counts that explain it.

    Workers (one per host and task): ``ansible`` is ansible-core's task machinery (the worker, templating, the
    result's way back), ``connection`` ansible-core's winrm plugin and pywinrm with what they use (requests, NTLM,
    the SOAP building; opening and closing the shell included), ``receive`` the part of it spent on WinRM Receive
    requests, of which there are ``receives`` per host (one per command, more when a command outlasts the operation
    timeout and the request comes back empty), ``collection`` the collection's action plugin less the connection,
    ``json`` every JSON dump and load. Main process: ``main`` its CPU, ``main_polls`` the passes of its loop that
    waits for results (each sleeps ``internal_poll_interval``, then checks every worker slot for a dead worker:
    ``worker_checks`` is the count of those checks) and ``main_polling`` the CPU of the checks and result reads.
    Read from the saved profiles; a profile that could not be read is left out.
    """
    folder = Path(folder)
    workers = None
    for path in sorted(folder.glob('worker-*.pstats')):
        try:
            one = pstats.Stats(str(path))
        except (EOFError, ValueError, TypeError):
            continue
        workers = one if workers is None else workers.add(one)
    main = pstats.Stats(str(folder / 'main.pstats'))
    per_host = 1000.0 / hosts
    figures = {}
    if workers is not None:
        action = _calls(workers, 'plugin_utils/_action.py', 'run')[1]
        command = _calls(workers, 'connection/winrm.py', 'exec_command')[1]
        close = _calls(workers, 'connection/winrm.py', 'close')[1]
        receives, receive = _calls(workers, 'connection/winrm.py', '_winrm_get_raw_command_output')
        json_time = sum(_calls(workers, 'json/__init__.py', name)[1] for name in ('dumps', 'loads'))
        figures.update({
            'workers': workers.total_tt * per_host,
            'ansible': (workers.total_tt - action - close) * per_host,
            'connection': (command + close) * per_host,
            'receive': receive * per_host,
            'receives': receives / float(hosts),
            'collection': (action - command) * per_host,
            'json': json_time * per_host,
        })
    polls, checking = _calls(main, 'executor/task_queue_manager.py', 'has_dead_workers')
    figures.update({
        'main': main.total_tt * per_host,
        'main_polls': polls,
        'worker_checks': _calls(main, 'multiprocessing/process.py', 'exitcode')[0],
        'main_polling': (checking + _calls(main, 'plugins/strategy/__init__.py', '_process_pending_results')[1]) * per_host,
    })
    return figures


_COUNTS = {'receives': 'per host', 'main_polls': 'in all', 'worker_checks': 'in all'}


def print_parts(figures):
    """Print :func:`parts` one figure a line, with its unit."""
    for name, value in figures.items():
        print('%-14s %10.1f %s' % (name, value, _COUNTS.get(name, 'ms of CPU per host')))


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
    elif sys.argv[1:2] == ['--parts']:
        print_parts(parts(sys.argv[2], int(sys.argv[3])))
    elif sys.argv[1:2] == ['--emulated']:
        engine_name, host_count, session_count, variant_name, out = sys.argv[2:7]
        code = profile_emulated(engine_name, int(host_count), int(session_count), variant_name, out)
        if code:
            sys.exit(code)
        if '--parts' in sys.argv:
            print_parts(parts(Path(out) / 'pstats', int(host_count)))
        else:
            summarize(Path(out) / 'pstats', top=top, sort=order)
    else:
        sys.exit(run_playbook(sys.argv[1:]))
