"""Run one variant of the benchmark against a running fleet and measure what it cost.

What is measured, per run of ansible-playbook:

- wall time of the ansible-playbook process (``time.perf_counter`` around it);
- controller CPU: user + system time of the ansible-playbook process and its forks, from
  ``resource.getrusage(RUSAGE_CHILDREN)`` deltas around the run (the emulator, a child too, is still running
  then and so not counted);
- the emulator's CPU (user + system, from ``/proc/<pid>/stat``, Linux only): it shares the machine's cores
  with the controller, so the wall time is bounded by the sum of both;
- the engine's CPU: that of the processes the emulator started and waited for (its children's user + system time
  in the same file): the real engine's PowerShell processes and the stand-in tools they start;
- from the emulator's own counters (``/emu/state``), per host: commands run, HTTP requests (and among them the
  OperationTimeout answers that only tell the client to poll again), HTTP body bytes in and out. These are
  differences of the counters before and after the run, so a run does not need a reset (the rerun variant must
  start from the state the first run left);
- on the real engine, per command (the host's record of it, ``engine.timing``): how long it waited for one of the
  emulator's process slots, how long its process ran, and when the stand-in WTS library or tool first asked the
  host; summed per host and summarized per kind of command (``commands_by_kind``).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.conftest import COLLECTIONS_ROOT

HERE = Path(__file__).resolve().parent
PLAYBOOKS = {
    'startup': HERE / 'startup.yml',
    'collection': HERE / 'collection_logoff.yml',
    'collection_rerun': HERE / 'collection_logoff.yml',
    'status_quo': HERE / 'status_quo.yml',
}
"""The playbook of each variant: 0 startup, 1 collection, 2 collection_rerun, 3 status_quo."""


class BenchError(RuntimeError):
    """A run failed, or left the hosts in a state other than the one expected."""


@dataclass
class Counters:
    """The emulator's counters of one host at one moment."""

    commands: int
    requests: int
    bytes_in: int
    bytes_out: int
    polls: int

    @classmethod
    def of(cls, state):
        requests = state['requests']
        return cls(len(state['commands']), requests['total'], requests['bytes_in'], requests['bytes_out'],
                   requests.get('operation_timeouts', 0))


@dataclass
class Measurement:
    """The cost of one variant on a fleet of ``hosts`` hosts with ``sessions`` sessions to log off on each."""

    variant: str
    engine: str
    transport: str
    hosts: int
    sessions: int
    forks: int
    wall_seconds: float
    cpu_seconds: float
    commands_per_host: float
    requests_per_host: float
    bytes_per_host: float
    commands_min: int
    commands_max: int
    sent_per_host: float
    """Bytes of command lines and stdin per host: what the playbook itself sends, before WinRM wraps it."""
    emulator_cpu_seconds: float | None
    engine_cpu_seconds: float | None
    """CPU time of the processes the emulator ran for the commands (PowerShell, the stand-in tools)."""
    other_cpu_seconds: float | None
    """CPU time the machine spent on anything but this run (other processes) while it ran; None off Linux."""
    polls_per_host: float = 0.0
    """OperationTimeout answers per host: the client polled again because the command was still running (or still
    waiting for a process slot). Counted in ``requests_per_host``."""
    host_seconds_per_host: float | None = None
    """Real engine: seconds its processes ran, summed over a host's commands (None on the contract engine)."""
    slot_wait_per_host: float | None = None
    """Real engine: seconds a host's commands waited for a process slot of the emulator, summed."""
    commands_by_kind: dict | None = None
    """Real engine: ``{kind: {count, process, first_call, after_last_call, slot_wait}}``, medians in seconds; kind
    ``wts snapshot``, ``wts logoff``, ``raw query``, ``raw logoff``..."""

    @property
    def cpu_per_host_ms(self):
        return 1000.0 * self.cpu_seconds / self.hosts

    def to_dict(self):
        data = asdict(self)
        data['cpu_per_host_ms'] = self.cpu_per_host_ms
        return data


def ansible_playbook():
    """The ansible-playbook next to the interpreter running the benchmark."""
    path = Path(sys.executable).parent / 'ansible-playbook'
    if not path.exists():
        raise BenchError('ansible-playbook is not installed next to %s: run the benchmark through make bench'
                         % sys.executable)
    return str(path)


def playbook_env(workdir, collections=None):
    """The environment of ansible-playbook: the collection from the checkout (or ``collections``), no user
    configuration."""
    env = dict(os.environ)
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': str(collections or COLLECTIONS_ROOT),
        'ANSIBLE_LOCAL_TEMP': str(Path(workdir) / 'ansible-tmp'),
        'ANSIBLE_HOME': str(Path(workdir) / 'ansible-home'),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_RETRY_FILES_ENABLED': 'false',
    })
    env.pop('ANSIBLE_CONFIG', None)
    return env


def emulator_cpu(fleet):
    """``(own, children)``: CPU seconds (user + system) the emulator process has used so far, and those of the
    processes it started and waited for (the real engine's); ``(None, None)`` where this cannot be read."""
    process = getattr(fleet, '_process', None)
    try:
        fields = Path('/proc/%d/stat' % process.pid).read_text().rsplit(')', 1)[1].split()
    except (AttributeError, OSError, IndexError):
        return None, None
    # Fields 14 to 17 of proc(5) (utime, stime, cutime, cstime), counted here after the ")" that closes field 2.
    tick = float(os.sysconf('SC_CLK_TCK'))
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def machine_busy_cpu():
    """CPU seconds all the machine's cores have spent busy since boot (``/proc/stat``), or None."""
    try:
        with open('/proc/stat', encoding='ascii') as handle:
            fields = [int(value) for value in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal ...: everything but idle and iowait is busy (proc(5)).
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf('SC_CLK_TCK')


def fleet_counters(fleet, hosts):
    """``{host: Counters}`` for every host (the state calls run in parallel: 200 hosts take a while)."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        states = list(pool.map(fleet.state, hosts))
    return dict((name, Counters.of(state)) for name, state in zip(hosts, states)), dict(zip(hosts, states))


def run_playbook(playbook, inventory, forks, workdir, log_path, timeout=1800, collections=None, extra_args=()):
    """Run ansible-playbook; return ``(rc, wall seconds, CPU seconds of it and its forks)``."""
    command = [ansible_playbook(), '-i', str(inventory), '-f', str(forks)] + list(extra_args) + [str(playbook)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(log_path, 'wb') as log:
        completed = subprocess.run(command, cwd=workdir, env=playbook_env(workdir, collections), stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=timeout, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return completed.returncode, wall, cpu


def command_kind(entry):
    """What a recorded command was: ``wts snapshot``, ``wts logoff``... for a payload, ``raw <tool>`` for a raw
    command that started a native tool."""
    if entry.get('payload'):
        return '%s %s' % (entry['payload'], entry.get('op') or '?')
    tools = [call.split(' ', 1)[1] for call in entry.get('calls') or () if call.startswith('tool ')]
    return 'raw %s' % (tools[0] if tools else '?')


def _median(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def engine_timing(entries, count):
    """``(host seconds per host, slot wait per host, by kind)`` from the real engine's timing records of these
    commands; ``(None, None, None)`` when none has one (the contract engine)."""
    timed = [entry for entry in entries if (entry.get('engine') or {}).get('timing')]
    if not timed:
        return None, None, None
    kinds = {}
    for entry in timed:
        kinds.setdefault(command_kind(entry), []).append(entry['engine']['timing'])
    by_kind = {}
    for kind, timings in sorted(kinds.items()):
        by_kind[kind] = {
            'count': len(timings),
            'process': _median(t['process'] for t in timings),
            'first_call': _median(t['first_call'] for t in timings),
            'after_last_call': _median(None if t['last_call'] is None else t['process'] - t['last_call']
                                       for t in timings),
            'slot_wait': _median(t['slot_wait'] for t in timings),
            'slot_wait_max': max(t['slot_wait'] for t in timings),
        }
    process = sum(entry['engine']['timing']['process'] for entry in timed)
    waited = sum(entry['engine']['timing']['slot_wait'] for entry in timed)
    return process / count, waited / count, by_kind


def measure_variant(fleet, variant, inventory, hosts, sessions, forks, transport, workdir, collections=None,
                    engine='contract'):
    """Run one variant against ``hosts`` (names) and return its :class:`Measurement` and the hosts' states.

    :param collections: an ANSIBLE_COLLECTIONS_PATH with another copy of the collection (to compare a change).
    :param engine: the engine of the fleet's hosts (recorded with the figures).
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / ('%s-%s-%s-n%d-k%d.log' % (variant, engine, transport, len(hosts), sessions))
    before = fleet_counters(fleet, hosts)[0]
    (emulator_before, engine_before), busy_before = emulator_cpu(fleet), machine_busy_cpu()
    rc, wall, cpu = run_playbook(PLAYBOOKS[variant], inventory, forks, workdir, log_path, collections=collections)
    (emulator_after, engine_after), busy_after = emulator_cpu(fleet), machine_busy_cpu()
    if rc != 0:
        tail = log_path.read_text(encoding='utf-8', errors='replace')[-3000:]
        raise BenchError('%s failed (rc=%d) on %d hosts, K=%d; the end of %s:\n%s'
                         % (variant, rc, len(hosts), sessions, log_path.name, tail))
    after, states = fleet_counters(fleet, hosts)
    commands = [after[name].commands - before[name].commands for name in hosts]
    requests = sum(after[name].requests - before[name].requests for name in hosts)
    traffic = sum((after[name].bytes_in - before[name].bytes_in) + (after[name].bytes_out - before[name].bytes_out)
                  for name in hosts)
    polls = sum(after[name].polls - before[name].polls for name in hosts)
    entries = [entry for name in hosts for entry in states[name]['commands'][before[name].commands:]]
    sent = sum(len(entry['command_line']) + len(entry['stdin'].encode('utf-8')) for entry in entries)
    count = len(hosts)
    emulator = None if emulator_before is None or emulator_after is None else emulator_after - emulator_before
    engine_cpu = None if engine_before is None or engine_after is None else engine_after - engine_before
    other = None
    if emulator is not None and busy_before is not None and busy_after is not None:
        other = max(0.0, (busy_after - busy_before) - cpu - emulator - (engine_cpu or 0.0))
    host_seconds, slot_wait, by_kind = engine_timing(entries, count)
    measurement = Measurement(
        variant=variant, engine=engine, transport=transport, hosts=count, sessions=sessions, forks=forks,
        wall_seconds=wall, cpu_seconds=cpu, commands_per_host=sum(commands) / count,
        requests_per_host=requests / count, bytes_per_host=traffic / count,
        commands_min=min(commands), commands_max=max(commands), sent_per_host=sent / count,
        emulator_cpu_seconds=emulator, engine_cpu_seconds=engine_cpu, other_cpu_seconds=other,
        polls_per_host=polls / count, host_seconds_per_host=host_seconds, slot_wait_per_host=slot_wait,
        commands_by_kind=by_kind)
    return measurement, states
