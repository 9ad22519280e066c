"""The real engine: a PowerShell command line of a WinRS command runs in a real ``pwsh`` process.

What the emulated host does around the process is what Windows does around ``powershell.exe``:

- **The program and its arguments.** The command line's arguments are passed as they came (``-NoProfile
  -NonInteractive ... -EncodedCommand <base64>``); the command's stdin is the process's stdin; its stdout,
  stderr (PowerShell writes its own errors as CLIXML with ``-EncodedCommand``, as powershell.exe does) and exit
  code are the command's.
- **The environment of a Windows logon.** ``COMPUTERNAME``, ``USERNAME``, ``USERDOMAIN``, ``USERPROFILE``,
  ``SystemRoot``/``windir`` (a per-host folder whose ``System32`` holds the stand-in tools), ``TEMP``/``TMP``,
  ``PROCESSOR_ARCHITECTURE``; ``PATH`` starts with ``System32``. The culture is the host's ``culture`` setting
  (``LANG``: .NET takes the culture from it; the C library need not know the locale), the time zone its ``utc_offset_minutes`` (``TZ``).
  ``TERM=dumb`` keeps PowerShell 7's colour codes out of its error records (Windows PowerShell writes none).
- **The WTS API.** ``LD_LIBRARY_PATH`` leads to the stand-in ``wtsapi32.dll`` and ``kernel32.dll``
  (``surfaces/wtsapi``); they and the tools reach the host's model through its broker (``WINRDS_EMU_BROKER``,
  ``WINRDS_EMU_TOKEN``).
- **Host policies, and Windows PowerShell where it differs on Linux.** A command with a script runs through
  ``host_policy.ps1``, which applies the host's language mode, its WinRS shell's code page (when it is not the
  UTF-8 that pwsh on Linux has) and a blocked compiler, gives Start-Process with redirected output the Windows
  behaviour (the program writes to the files itself), and then runs the command (its comments say how).

Where pwsh comes from: the ``PWSH`` environment variable (a path), else ``pwsh`` on ``PATH``.

Each command's record (``entry['engine']['timing']``) also says, in seconds, how long it waited for a process slot
(``slot_wait``, the emulator's own limit below), when its process started (``started``, ``time.time()``), how long it
ran (``process``), and when, from its start, the stand-in libraries or tools made their first and last request
(``first_call``, ``last_call``; None when they made none): the benchmark's per-command figures
(docs/performance.md).
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from tests.emulator.surfaces import wtsapi
from tests.emulator.surfaces.tools import launchers

from .bootstrap import describe, is_bootstrap
from .policies import encoded, policy_script
from .powershell import split_command_line


_POLICY = encoded(policy_script('host_policy.ps1'))
UTF8_CODEPAGE = 65001
COMMAND_LIMIT_SECONDS = 1800.0
"""A command still running after this long is stopped (an emulator safeguard; Windows has no such limit)."""
PROCESS_LIMIT = int(os.environ.get('WINRDS_EMU_ENGINE_PROCESSES') or 2 * (os.cpu_count() or 1))
PROCESS_SLOTS = threading.BoundedSemaphore(PROCESS_LIMIT)
"""How many PowerShell processes the emulator runs at once, for all its hosts (WINRDS_EMU_ENGINE_PROCESSES, default
twice the CPUs): each takes a CPU and about 180 MiB while it starts. A command waits for a slot, as a busy host
makes its clients wait. This is the emulator's machine's limit, not a Windows one."""

_VERSION_LOCK = threading.Lock()
_VERSIONS: dict[str, str] = {}


class EngineUnavailable(RuntimeError):
    """No PowerShell to run (neither ``PWSH`` nor ``pwsh`` on PATH), or its stand-in libraries cannot be built."""


def find_pwsh() -> str | None:
    """The PowerShell executable to use, or None."""
    configured = os.environ.get('PWSH')
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which('pwsh')


def engine_version(pwsh: str) -> str:
    """``$PSVersionTable.PSVersion`` of ``pwsh`` (asked once per process)."""
    with _VERSION_LOCK:
        if pwsh not in _VERSIONS:
            done = subprocess.run([pwsh, '-NoProfile', '-NonInteractive', '-Command',
                                   '$PSVersionTable.PSVersion.ToString()'], capture_output=True, text=True,
                                  timeout=120, check=False, env=_launcher_env(), stdin=subprocess.DEVNULL)
            _VERSIONS[pwsh] = done.stdout.strip() or 'unknown'
        return _VERSIONS[pwsh]


def _launcher_env() -> dict[str, str]:
    """What the PowerShell launcher itself needs of the emulator's environment (and nothing of the user's)."""
    keep = ('PATH', 'PWSH_BUNDLE_CACHE', 'XDG_CACHE_HOME', 'HOME', 'DOTNET_ROOT', 'TMPDIR')
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.setdefault('PATH', '/usr/local/bin:/usr/bin:/bin')
    env['TERM'] = 'dumb'
    return env


def _posix_zone(utc_offset_minutes: int) -> str:
    """A POSIX TZ value for a fixed offset (POSIX counts west as positive: UTC+1 is ``XXX-01:00``)."""
    sign = '-' if utc_offset_minutes >= 0 else '+'
    minutes = abs(utc_offset_minutes)
    return f'EMU{sign}{minutes // 60:02d}:{minutes % 60:02d}'


class PwshEngine:
    """Runs PowerShell command lines of one host in real ``pwsh`` processes."""

    name = 'pwsh'

    def __init__(self, host, pwsh: str | None = None, workdir: Path | None = None):
        self.host = host
        self.pwsh = pwsh or find_pwsh()
        if not self.pwsh:
            raise EngineUnavailable('no PowerShell: set PWSH to a pwsh executable or put pwsh on PATH')
        try:
            self.library_dir = wtsapi.library_dir()
        except wtsapi.BuildError as error:
            raise EngineUnavailable(str(error)) from error
        self.root = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix=f'winrds-{host.name}-'))
        self.system_root = self.root / 'Windows'
        launchers.install(self.system_root / 'System32', missing=host.options.missing_tools)
        (self.root / 'Temp').mkdir(parents=True, exist_ok=True)
        self._processes: set[subprocess.Popen] = set()
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return engine_version(self.pwsh)

    def abort_all(self) -> None:
        """Stop every process still running (a reset of the host)."""
        with self._lock:
            running = list(self._processes)
        for process in running:
            _kill(process)

    def track(self, process: subprocess.Popen) -> None:
        """Count a process as the host's, so that a reset or shutdown stops it (a remoting server, remoting.py)."""
        with self._lock:
            self._processes.add(process)

    def untrack(self, process: subprocess.Popen) -> None:
        """Forget a process that has ended."""
        with self._lock:
            self._processes.discard(process)

    def open_runspace_pool(self, configuration: str, env, record, deliver, console_codepage: int):
        """A PowerShell remoting server for one runspace pool of a client (remoting.py)."""
        from .remoting import RemotingSession

        return RemotingSession(self, configuration, env, record, deliver, console_codepage)

    def close(self) -> None:
        """Stop the processes still running and remove the host's folder."""
        self.abort_all()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- one command -------------------------------------------------------------------------------------------

    def environment(self, env, token: str) -> dict[str, str]:
        """The environment variables of a PowerShell process started for ``env``'s caller."""
        host = self.host
        account = env.account.name
        profile = self.root / 'Users' / account
        profile.mkdir(parents=True, exist_ok=True)
        launcher = _launcher_env()
        variables = {
            'PATH': f'{self.system_root / "System32"}{os.pathsep}{launcher["PATH"]}',
            'HOME': str(profile),
            'USERPROFILE': str(profile),
            'COMPUTERNAME': host.computer.computer_name,
            'USERNAME': account,
            'USERDOMAIN': host.computer.computer_name,
            'SystemRoot': str(self.system_root),
            'windir': str(self.system_root),
            'TEMP': str(self.root / 'Temp'),
            'TMP': str(self.root / 'Temp'),
            'TMPDIR': str(self.root / 'Temp'),
            'PROCESSOR_ARCHITECTURE': 'AMD64',
            'TERM': 'dumb',
            'LANG': f'{host.culture.replace("-", "_")}.UTF-8',
            'TZ': _posix_zone(int(host.computer.utc_offset.total_seconds() // 60)),
            'LD_LIBRARY_PATH': str(self.library_dir),
            'WINRDS_EMU_BROKER': host.broker.name,
            'WINRDS_EMU_TOKEN': token,
        }
        for name in ('PWSH_BUNDLE_CACHE', 'DOTNET_ROOT'):
            if name in launcher:
                variables[name] = launcher[name]
        return variables

    def arguments(self, command_line: str, script: str | None, codepage: int) -> tuple[list[str], dict[str, str]]:
        """The pwsh arguments for a command line, and the variables ``host_policy.ps1`` reads.

        A command with a script runs through ``host_policy.ps1``, which applies the host's policies (language mode,
        console code page, a blocked compiler) and what Windows PowerShell does differently from PowerShell on
        Linux (Start-Process with redirected output); a command line pwsh cannot decode runs as it came, so that
        pwsh answers it itself.
        """
        host = self.host
        if script is None:
            return split_command_line(command_line)[1:], {}
        policy: dict[str, str] = {}
        if host.language_mode != 'FullLanguage':
            policy['WINRDS_EMU_LANGUAGE_MODE'] = host.language_mode
        if codepage != UTF8_CODEPAGE:
            policy['WINRDS_EMU_CODEPAGE'] = str(codepage)
        if host.options.add_type_blocked:
            policy['WINRDS_EMU_ADD_TYPE_ERROR'] = host.options.add_type_error
        policy['WINRDS_EMU_COMMAND'] = base64.b64encode(script.encode('utf-16-le')).decode('ascii')
        return ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Unrestricted', '-EncodedCommand', _POLICY], policy

    def run(self, command_line: str, invocation, stdin: bytes, env, entry: dict) -> tuple[int, bytes, bytes]:
        """Run one PowerShell command line (``invocation.script`` is its decoded command, None when it has none)."""
        codepage = env.codepage
        arguments, policy = self.arguments(command_line, invocation.script, codepage)
        waiting = time.monotonic()
        while not PROCESS_SLOTS.acquire(timeout=0.25):
            if env.cancelled is not None and env.cancelled.is_set():
                entry['engine'] = {'name': self.name, 'version': self.version, 'policy': [], 'started': False}
                return 1, b'', b''
        try:
            return self._run(arguments, policy, stdin, env, entry, time.monotonic() - waiting)
        finally:
            PROCESS_SLOTS.release()

    def _run(self, arguments, policy, stdin, env, entry, slot_wait) -> tuple[int, bytes, bytes]:
        token, caller = self.host.broker.register(env)
        try:
            variables = self.environment(env, token)
            variables.update(policy)
            started, clock = time.time(), time.monotonic()
            process = subprocess.Popen([self.pwsh, *arguments], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, env=variables, cwd=str(variables['USERPROFILE']),
                                       start_new_session=True)
            with self._lock:
                self._processes.add(process)
            try:
                stdout, stderr = self._wait(process, stdin, env.cancelled)
            finally:
                with self._lock:
                    self._processes.discard(process)
            ran = time.monotonic() - clock
        finally:
            self.host.broker.release(token)
        entry['engine'] = {'name': self.name, 'version': self.version,
                           'policy': sorted(name for name in policy if name != 'WINRDS_EMU_COMMAND'),
                           'timing': _timing(slot_wait, started, ran, caller)}
        if is_bootstrap(entry.get('script') or ''):
            entry.update(describe(stdin))
        entry['calls'] = list(caller.calls)
        entry['concurrency'] = dict(caller.peak)
        return process.returncode, stdout, stderr

    @staticmethod
    def _wait(process: subprocess.Popen, stdin: bytes, cancelled) -> tuple[bytes, bytes]:
        """The process's output once it ends; it is stopped when the command is aborted or runs too long."""
        deadline = time.monotonic() + COMMAND_LIMIT_SECONDS
        data = stdin
        while True:
            try:
                return process.communicate(data, timeout=0.25)
            except subprocess.TimeoutExpired:
                data = None
            if (cancelled is not None and cancelled.is_set()) or time.monotonic() > deadline:
                _kill(process)
                return process.communicate()


def _timing(slot_wait: float, started: float, ran: float, caller) -> dict:
    """A command's timing record (see the module docstring); seconds, rounded to the microsecond."""
    def since_start(moment):
        return None if moment is None else round(moment - started, 6)

    return {'slot_wait': round(slot_wait, 6), 'started': started, 'process': round(ran, 6),
            'first_call': since_start(caller.first_call), 'last_call': since_start(caller.last_call)}


def _kill(process: subprocess.Popen) -> None:
    """Stop a process and whatever it started (its process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
