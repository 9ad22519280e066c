"""Run real ansible-playbook against the emulated fleet and read back what every task returned."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.conftest import COLLECTIONS_ROOT
from tests.emulator.fleet import Fleet

CALLBACKS = Path(__file__).parent / 'callback_plugins'
NO_REALM_KRB5_CONF = Path(__file__).parent / 'krb5-no-realm.conf'
BOOTSTRAP_PREFIX = 'PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand '
"""KRB5_CONFIG of every run that is given no realm: Kerberos fails at once, without asking DNS or any KDC."""


def ansible_tool(name):
    """The ansible command ``name`` of the interpreter running the tests."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise RuntimeError('%s is not installed next to %s: run the tests through make' % (name, sys.executable))
    return str(path)


@dataclass
class PlaybookRun:
    """One ansible-playbook run: exit code, output, and each task's result per host."""

    rc: int
    stdout: str
    results: list = field(default_factory=list)

    def result(self, task, host):
        """The result of the task named ``task`` on ``host`` (the last one, if it ran several times)."""
        found = [entry for entry in self.results if entry['task'] == task and entry['host'] == host]
        if not found:
            raise AssertionError('no result for task %r on %s; ran: %s\n%s' % (
                task, host, sorted(set((e['task'], e['host']) for e in self.results)), self.stdout[-3000:]))
        return found[-1]

    def sessions(self, task, host):
        return dict((entry['id'], entry) for entry in self.result(task, host)['result'].get('sessions', []))


def ansible_env(workdir, results, extra=None):
    """The environment of an ansible command: the checkout's collection, the recording callback, a private
    ANSIBLE_HOME and temporary folder, the machine's Kerberos configuration replaced, then ``extra``."""
    env = dict(os.environ)
    env.update({
        'KRB5_CONFIG': str(NO_REALM_KRB5_CONF),
        'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS_ROOT),
        'ANSIBLE_CALLBACK_PLUGINS': str(CALLBACKS),
        'ANSIBLE_CALLBACKS_ENABLED': 'record_results',
        'ANSIBLE_LOCAL_TEMP': str(Path(workdir) / 'ansible-tmp'),
        'ANSIBLE_HOME': str(Path(workdir) / 'ansible-home'),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_RETRY_FILES_ENABLED': 'false',
        'ANSIBLE_HOST_KEY_CHECKING': 'false',
        'WINRDS_RESULTS': str(results),
    })
    env.pop('ANSIBLE_CONFIG', None)
    env.pop('KRB5CCNAME', None)
    env.update(extra or {})
    return env


def run_playbook(workdir, inventory, playbook, limit=None, check=False, diff=False, extra_vars=None, timeout=300,
                 env=None):
    """Write ``playbook`` (YAML text) to ``workdir`` and run it; return a :class:`PlaybookRun`.

    ``env`` adds to the environment (a realm's ``client_env``)."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    index = len(list(workdir.glob('play-*.yml')))
    play_path = workdir / ('play-%d.yml' % index)
    play_path.write_text(textwrap.dedent(playbook), encoding='utf-8')
    results = workdir / ('results-%d.jsonl' % index)
    command = [ansible_tool('ansible-playbook'), '-i', str(inventory), str(play_path)]
    if limit:
        command += ['--limit', limit]
    if check:
        command.append('--check')
    if diff:
        command.append('--diff')
    if extra_vars:
        command += ['--extra-vars', json.dumps(extra_vars)]
    completed = subprocess.run(command, cwd=workdir, env=ansible_env(workdir, results, env), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout, stdin=subprocess.DEVNULL, check=False)
    entries = []
    if results.exists():
        entries = [json.loads(line) for line in results.read_text(encoding='utf-8').splitlines() if line.strip()]
    return PlaybookRun(completed.returncode, completed.stdout.decode('utf-8', errors='replace'), entries)


def one_task(module, args, hosts='all', name='act'):
    """A playbook of one task of a winrds.sessions module, with ``args`` as YAML (JSON is YAML)."""
    return '''
    - hosts: %s
      gather_facts: false
      tasks:
        - name: %s
          winrds.sessions.%s: %s
    ''' % (hosts, name, module, json.dumps(args))


CONNECTIONS = ['winrm', 'psrp']
"""The connection plugins the end-to-end tests run over (``psrp`` where the hosts serve PowerShell remoting)."""


def remoting_available():
    """True when the emulated hosts run the real PowerShell engine, which alone serves PowerShell remoting
    (``WINRDS_EMU_ENGINE``, else pwsh found: tests/emulator/surfaces/engine)."""
    from tests.emulator.surfaces.engine import default_engine

    return default_engine() == 'pwsh'


def powershell_7_hosts(config):
    """``{host: 'PowerShell.7'}`` for the hosts of a fleet file that register that session configuration."""
    with open(config, encoding='utf-8') as handle:
        document = yaml.safe_load(handle)
    return dict((entry['name'], 'PowerShell.7') for entry in document['hosts']
                if 'PowerShell.7' in (entry.get('remoting_configurations') or []))


class ConnectedFleet:
    """A running fleet as one connection sees it: ``inventory(fleet, 'ntlm')`` is the psrp inventory of the
    same accounts when ``connection`` is psrp. Everything else is the fleet's."""

    def __init__(self, fleet, connection):
        self._fleet = fleet
        self.connection = connection

    def __getattr__(self, name):
        return getattr(self._fleet, name)


def inventory(fleet, name='ntlm'):
    if getattr(fleet, 'connection', 'winrm') == 'psrp':
        name = 'psrp-' + name
    return fleet.workdir / ('%s.yml' % name)


def is_bootstrap_command(command):
    """The host ran the collection's fixed bootstrap: as the WinRS command line, or, over psrp, as the script of
    the pipeline (ansible's psrp plugin decodes -EncodedCommand and runs the script in the runspace)."""
    from tests.emulator.surfaces.engine.bootstrap import is_bootstrap

    if command.get('connection') == 'psrp':
        return is_bootstrap(command.get('script') or '')
    return command['command_line'].startswith(BOOTSTRAP_PREFIX)


def sessions_of(fleet, host, server=None):
    """The emulated host's own session table (ids to session), or that of a server it reaches."""
    state = fleet.state(host)
    table = state['sessions']
    if server:
        table = next(item for item in state['servers'] if item['name'] == server)['sessions']
    return dict((session['id'], session) for session in table)


def commands_of(fleet, host):
    return fleet.state(host)['commands']


def run_task(fleet, host, module, args, inventory_name='ntlm', check=False, diff=False, env=None):
    """Run one task of ``module`` on ``host``; return ``(run, entry)`` with entry = that task's record."""
    runs = fleet.workdir / 'runs'
    runs.mkdir(exist_ok=True)
    workdir = runs / ('%s-%d' % (host, len(list(runs.iterdir()))))
    run = run_playbook(workdir, inventory(fleet, inventory_name), one_task(module, args), limit=host, check=check,
                       diff=diff, env=env)
    return run, run.result('act', host)


def by_id(entry):
    return dict((item['id'], item) for item in entry['result'].get('sessions', []))


@contextmanager
def running_fleet(config, workdir, inventories, env=None):
    """Start the emulated fleet of ``config`` and write an inventory ``<name>.yml`` per entry of ``inventories``
    (``name`` to the keyword arguments of ``Fleet.inventory``); ``env`` adds to the emulator's environment."""
    with Fleet(config, workdir, env={'KRB5_CONFIG': str(NO_REALM_KRB5_CONF), **(env or {})}) as running:
        for name, options in inventories.items():
            running.inventory(workdir / ('%s.yml' % name), **options)
        yield running
