"""Run one variant of the benchmark against a running fleet and measure what it cost.

What is measured, per run of ansible-playbook:

- wall time of the ansible-playbook process (``time.perf_counter`` around it);
- controller CPU: user + system time of the ansible-playbook process and its forks, from
  ``resource.getrusage(RUSAGE_CHILDREN)`` deltas around the run (the emulator, a child too, is still running
  then and so not counted);
- the emulator's CPU (user + system, from ``/proc/<pid>/stat``, Linux only): it shares the machine's cores
  with the controller, so the wall time is bounded by the sum of both;
- from the emulator's own counters (``/emu/state``), per host: commands run, HTTP requests, HTTP body bytes in
  and out. These are differences of the counters before and after the run, so a run does not need a reset
  (the rerun variant must start from the state the first run left).
"""

from __future__ import annotations

import os
import resource
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

    @classmethod
    def of(cls, state):
        requests = state['requests']
        return cls(len(state['commands']), requests['total'], requests['bytes_in'], requests['bytes_out'])


@dataclass
class Measurement:
    """The cost of one variant on a fleet of ``hosts`` hosts with ``sessions`` sessions to log off on each."""

    variant: str
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
    other_cpu_seconds: float | None
    """CPU time the machine spent on anything but this run (other processes) while it ran; None off Linux."""

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
    """CPU seconds (user + system) the emulator process has used so far, or None where this cannot be read."""
    process = getattr(fleet, '_process', None)
    try:
        fields = Path('/proc/%d/stat' % process.pid).read_text().rsplit(')', 1)[1].split()
    except (AttributeError, OSError, IndexError):
        return None
    # Fields 14 and 15 of proc(5) (utime, stime), counted here after the ")" that closes field 2.
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


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


def run_playbook(playbook, inventory, forks, workdir, log_path, timeout=1800, collections=None):
    """Run ansible-playbook; return ``(rc, wall seconds, CPU seconds of it and its forks)``."""
    command = [ansible_playbook(), '-i', str(inventory), '-f', str(forks), str(playbook)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(log_path, 'wb') as log:
        completed = subprocess.run(command, cwd=workdir, env=playbook_env(workdir, collections), stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=timeout, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return completed.returncode, wall, cpu


def measure_variant(fleet, variant, inventory, hosts, sessions, forks, transport, workdir, collections=None):
    """Run one variant against ``hosts`` (names) and return its :class:`Measurement` and the hosts' states.

    :param collections: an ANSIBLE_COLLECTIONS_PATH with another copy of the collection (to compare a change).
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / ('%s-%s-n%d-k%d.log' % (variant, transport, len(hosts), sessions))
    before = fleet_counters(fleet, hosts)[0]
    emulator_before, busy_before = emulator_cpu(fleet), machine_busy_cpu()
    rc, wall, cpu = run_playbook(PLAYBOOKS[variant], inventory, forks, workdir, log_path, collections=collections)
    emulator_after, busy_after = emulator_cpu(fleet), machine_busy_cpu()
    if rc != 0:
        tail = log_path.read_text(encoding='utf-8', errors='replace')[-3000:]
        raise BenchError('%s failed (rc=%d) on %d hosts, K=%d; the end of %s:\n%s'
                         % (variant, rc, len(hosts), sessions, log_path.name, tail))
    after, states = fleet_counters(fleet, hosts)
    commands = [after[name].commands - before[name].commands for name in hosts]
    requests = sum(after[name].requests - before[name].requests for name in hosts)
    traffic = sum((after[name].bytes_in - before[name].bytes_in) + (after[name].bytes_out - before[name].bytes_out)
                  for name in hosts)
    sent = sum(len(entry['command_line']) + len(entry['stdin'].encode('utf-8'))
               for name in hosts for entry in states[name]['commands'][before[name].commands:])
    count = len(hosts)
    emulator = None if emulator_before is None or emulator_after is None else emulator_after - emulator_before
    other = None
    if emulator is not None and busy_before is not None and busy_after is not None:
        other = max(0.0, (busy_after - busy_before) - cpu - emulator)
    measurement = Measurement(
        variant=variant, transport=transport, hosts=count, sessions=sessions, forks=forks,
        wall_seconds=wall, cpu_seconds=cpu, commands_per_host=sum(commands) / count,
        requests_per_host=requests / count, bytes_per_host=traffic / count,
        commands_min=min(commands), commands_max=max(commands), sent_per_host=sent / count,
        emulator_cpu_seconds=emulator, other_cpu_seconds=other)
    return measurement, states
