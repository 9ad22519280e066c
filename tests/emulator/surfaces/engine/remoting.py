"""PowerShell remoting on the real engine: one ``pwsh -s`` process per runspace pool a client opens.

On Windows the WinRM service hands the PowerShell Remoting Protocol ([MS-PSRP]) of a ``Microsoft.PowerShell`` or
``PowerShell.7`` shell to PowerShell's WS-Management plugin, and PowerShell runs the runspace pool and its
pipelines. Here PowerShell does the same: ``pwsh -s`` (server mode, the stdio transport that SSH remoting also uses)
speaks the same PSRP messages, framed as one line of text per packet (PowerShell's ``OutOfProcessUtils``):
``<Data Stream='Default' PSGuid='...'>base64</Data>`` both ways, ``<Command PSGuid='...' />`` to create a
pipeline, ``<Signal PSGuid='...' />`` to stop one and ``<Close PSGuid='...' />`` to close one or the pool, each
acknowledged (``DataAck``, ``CommandAck``, ``SignalAck``, ``CloseAck``). The PSGuid of the pool is the empty GUID,
that of a pipeline its PID. So the emulated host only carries the fragments the client sent through WS-Management
into the process and the process's back out (``wsman/remoting.py``); the runspace pool's capability exchange,
its state, the pipelines, their input, output, error records and states, and the fragmenting are PowerShell's.

What the emulated host does around the process is what Windows does around its remoting host process:

- **The environment of the logon** is the one the real engine gives a command (``pwsh.PwshEngine.environment``):
  computer and user names, the stand-in tools and WTS library, the culture and time zone, the broker.
- **No console.** The remoting host process of Windows has no console, so .NET falls back to the ANSI code page
  for ``[Console]::OutputEncoding``, which PowerShell reads native programs' output with, while every native
  program it starts gets a console of its own in the OEM code page (PowerShell/PowerShell#15128: jborean93 and
  mklement0; ansible/ansible#46998). The host setting ``remoting_console_encoding`` (``ansi``, or ``oem`` for a
  host where both agree) chooses; the tools then write in the OEM code page (the ToolEnv's code page).
- **Host policies** (a restricted language mode, Add-Type blocked by application control) apply to the pool's
  runspace: ``remoting_policy.ps1`` runs as the initial command of the server (``pwsh -s -EncodedCommand``,
  PowerShell's ``InitializationScriptForOutOfProcessRunspace``), before any pipeline.

Each pipeline becomes one entry of the host's command record: the script of its CREATE_PIPELINE, its input lines as
``stdin``, the payload and operation, the calls the stand-ins saw while it ran, its final state and ``rc``.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import signal
import subprocess
import threading
from collections.abc import Callable

from . import psrp_messages as psrp
from .bootstrap import describe, is_bootstrap
from .policies import encoded, policy_script

log = logging.getLogger(__name__)

INITIAL_COMMAND = encoded(policy_script('remoting_policy.ps1'))
POOL_GUID = '00000000-0000-0000-0000-000000000000'
"""The PSGuid of packets that belong to the runspace pool rather than to a pipeline (OutOfProcessUtils)."""
ACK_TIMEOUT = 120.0
"""How long a packet waits for its acknowledgement before the pool counts as broken (an emulator safeguard)."""

_DATA = re.compile(r"^<Data Stream='(?P<stream>\w+)' PSGuid='(?P<guid>[0-9A-Fa-f-]+)'>(?P<data>[A-Za-z0-9+/=]*)</Data>$")
_ACK = re.compile(r"^<(?P<kind>DataAck|CommandAck|CloseAck|SignalAck) PSGuid='(?P<guid>[0-9A-Fa-f-]+)' />$")

Deliver = Callable[[str | None, bytes, bool], None]
"""Receives what the server sends: the pipeline id (None for the pool), the fragments, and True once that pipeline
has sent its final state (or, for the pool, once the pool is closed or broken)."""


class RemotingBroken(RuntimeError):
    """The server process ended or stopped answering."""


class _Pipeline:
    """What the host records of one pipeline while it runs."""

    def __init__(self, pid: str, calls_before: int, generation: int):
        self.pid = pid
        self.calls_before = calls_before
        self.generation = generation
        self.client = psrp.Defragmenter()
        self.server = psrp.Defragmenter()
        self.script: str | None = None
        self.input: list[str] = []
        self.errors: list[str] = []
        self.state: int | None = None


class RemotingSession:
    """One runspace pool: a ``pwsh -s`` process with the host's environment and policies.

    :param engine: the host's :class:`pwsh.PwshEngine` (its executable, folders and environment).
    :param configuration: the session configuration the client asked for (``Microsoft.PowerShell``...).
    :param env: the ToolEnv of the pool's logon (its code page is the console code page of the tools).
    :param record: ``record.pipeline_started() -> generation`` and ``record.pipeline_finished(entry, generation)``:
        the host's record of commands.
    :param deliver: where the server's packets go (:data:`Deliver`).
    """

    def __init__(self, engine, configuration: str, env, record, deliver: Deliver, console_codepage: int):
        self.engine = engine
        self.configuration = configuration
        self.env = env
        self.record = record
        self.deliver = deliver
        self.pipelines: dict[str, _Pipeline] = {}
        self.closed = threading.Event()
        self._lock = threading.Lock()
        self._acks: dict[tuple[str, str], int] = {}
        self._ack_changed = threading.Condition(self._lock)
        self._write_lock = threading.Lock()
        self._token, self._caller = engine.host.broker.register(env)
        variables = engine.environment(env, self._token)
        variables['WINRDS_EMU_CONSOLE_CODEPAGE'] = str(console_codepage)
        host = engine.host
        if host.language_mode != 'FullLanguage':
            variables['WINRDS_EMU_LANGUAGE_MODE'] = host.language_mode
        if host.options.add_type_blocked:
            variables['WINRDS_EMU_ADD_TYPE_ERROR'] = host.options.add_type_error
        self.policy = sorted(name for name in ('WINRDS_EMU_LANGUAGE_MODE', 'WINRDS_EMU_ADD_TYPE_ERROR',
                                               'WINRDS_EMU_CONSOLE_CODEPAGE') if name in variables)
        self.process = subprocess.Popen(
            [engine.pwsh, '-NoLogo', '-NoProfile', '-s', '-EncodedCommand', INITIAL_COMMAND],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=variables,
            cwd=str(variables['USERPROFILE']), start_new_session=True)
        engine.track(self.process)
        self._reader = threading.Thread(target=self._read, name=f'psrp-{host.name}', daemon=True)
        self._reader.start()

    # -- client to server --------------------------------------------------------------------------------------

    def send(self, pid: str | None, data: bytes, stream: str = 'Default') -> None:
        """Hand the client's fragments to the pool (``pid`` None) or to a pipeline, and wait until it took them.

        :raises RemotingBroken: the process is gone or does not acknowledge.
        """
        guid = pid or POOL_GUID
        if pid is not None:
            self._client_messages(pid, data)
        encoded = base64.b64encode(data).decode('ascii')
        self._exchange(f"<Data Stream='{stream}' PSGuid='{guid}'>{encoded}</Data>", 'DataAck', guid)

    def create_pipeline(self, pid: str) -> None:
        """Announce a pipeline whose CREATE_PIPELINE follows as its data."""
        generation = self.record.pipeline_started()
        with self._lock:
            self.pipelines[pid] = _Pipeline(pid, len(self._caller.calls), generation)
        self._exchange(f"<Command PSGuid='{pid}' />", 'CommandAck', pid)

    def stop_pipeline(self, pid: str) -> None:
        """Stop a running pipeline (the client's ``powershell/signal/crtl_c``; [MS-PSRP] 3.1.5.4.7)."""
        self._exchange(f"<Signal PSGuid='{pid}' />", 'SignalAck', pid)

    def close_pipeline(self, pid: str) -> None:
        """Forget a pipeline (the client's terminate signal): its transport is closed."""
        with self._lock:
            known = pid in self.pipelines
        if known and self.process.poll() is None:
            try:
                self._exchange(f"<Close PSGuid='{pid}' />", 'CloseAck', pid, timeout=10.0)
            except RemotingBroken:
                log.info('pipeline %s of %s was not closed cleanly', pid, self.engine.host.name)
        with self._lock:
            self.pipelines.pop(pid, None)

    def close(self) -> None:
        """Close the pool and end the process (Delete of the shell, a reset or shutdown of the host)."""
        if self.closed.is_set():
            return
        with self._lock:
            open_pipelines = list(self.pipelines)
        for pid in open_pipelines:  # PowerShell acknowledges the pool's Close once its pipelines are closed
            self.close_pipeline(pid)
        if self.process.poll() is None:
            try:
                self._exchange(f"<Close PSGuid='{POOL_GUID}' />", 'CloseAck', POOL_GUID, timeout=10.0)
            except RemotingBroken:
                pass
        self._end()

    def _end(self) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        if self.env.cancelled is not None:
            self.env.cancelled.set()
        try:
            self.process.stdin.close()
        except OSError:
            pass
        # The pool is closed: its host process ends (Windows ends the remoting host process of a deleted shell);
        # pwsh -s itself would wait for more input a while.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        self.engine.untrack(self.process)
        self.engine.host.broker.release(self._token)

    def _exchange(self, packet: str, ack: str, guid: str, timeout: float = ACK_TIMEOUT) -> None:
        key = (ack, guid.upper())
        with self._lock:
            expected = self._acks.get(key, 0) + 1
        with self._write_lock:
            if self.closed.is_set() or self.process.poll() is not None:
                raise RemotingBroken('the PowerShell remoting host process has ended')
            try:
                self.process.stdin.write(packet.encode('ascii') + b'\n')
                self.process.stdin.flush()
            except (BrokenPipeError, OSError) as error:
                raise RemotingBroken(f'the PowerShell remoting host process has ended: {error}') from error
        with self._ack_changed:
            if not self._ack_changed.wait_for(lambda: self._acks.get(key, 0) >= expected or self.closed.is_set(),
                                              timeout):
                raise RemotingBroken(f'no {ack} for {guid} within {timeout:.0f} s')
            if self._acks.get(key, 0) < expected:
                raise RemotingBroken('the PowerShell remoting host process has ended')

    # -- server to client --------------------------------------------------------------------------------------

    def _read(self) -> None:
        try:
            for raw in self.process.stdout:
                line = raw.decode('ascii', errors='replace').strip()
                if not line:
                    continue
                ack = _ACK.match(line)
                if ack:
                    with self._ack_changed:
                        key = (ack.group('kind'), ack.group('guid').upper())
                        self._acks[key] = self._acks.get(key, 0) + 1
                        self._ack_changed.notify_all()
                    continue
                data = _DATA.match(line)
                if not data:
                    log.warning('unexpected packet from the PowerShell remoting host: %r', line[:200])
                    continue
                guid = data.group('guid').upper()
                payload = base64.b64decode(data.group('data'))
                if guid == POOL_GUID:
                    self.deliver(None, payload, False)
                else:
                    self.deliver(guid, payload, self._server_messages(guid, payload))
        except Exception:  # the reader must end the pool, whatever happened
            log.exception('the PowerShell remoting host of %s failed', self.engine.host.name)
        finally:
            with self._ack_changed:
                self.closed.set()
                self._ack_changed.notify_all()
            self.deliver(None, b'', True)
            self._end()

    # -- the host's record -------------------------------------------------------------------------------------

    def _client_messages(self, pid: str, data: bytes) -> None:
        with self._lock:
            pipeline = self.pipelines.get(pid.upper())
        if pipeline is None:
            return
        try:
            messages = pipeline.client.feed(data)
        except psrp.ProtocolError as error:
            log.info('client fragments of pipeline %s not read: %s', pid, error)
            return
        for message in messages:
            if message.message_type == psrp.CREATE_PIPELINE:
                pipeline.script = psrp.pipeline_script(message)
            elif message.message_type == psrp.PIPELINE_INPUT:
                pipeline.input.extend(psrp.input_strings(message))

    def _server_messages(self, pid: str, data: bytes) -> bool:
        """Read the server's messages of a pipeline; True when its final state has gone out."""
        with self._lock:
            pipeline = self.pipelines.get(pid)
        if pipeline is None:
            return False
        try:
            messages = pipeline.server.feed(data)
        except psrp.ProtocolError as error:
            log.info('server fragments of pipeline %s not read: %s', pid, error)
            return False
        finished = False
        for message in messages:
            if message.message_type == psrp.ERROR_RECORD:
                pipeline.errors.append(psrp.error_message(message))
            elif message.message_type == psrp.PIPELINE_STATE:
                pipeline.state = psrp.pipeline_state(message)
                if pipeline.state in psrp.FINAL_PIPELINE_STATES:
                    finished = True
        if finished:
            self._finish(pipeline)
        return finished

    def _finish(self, pipeline: _Pipeline) -> None:
        stdin = ''.join(line + '\n' for line in pipeline.input)
        entry = {'connection': 'psrp', 'configuration': self.configuration, 'script': pipeline.script,
                 'stdin': stdin, 'account': self.env.account.name, 'auth': self.env.auth,
                 'can_delegate': self.env.can_delegate,
                 'engine': {'name': self.engine.name, 'version': self.engine.version, 'policy': self.policy},
                 'state': psrp.PIPELINE_STATES.get(pipeline.state, str(pipeline.state)),
                 'errors': list(pipeline.errors),
                 # ansible's psrp plugin: the host's exit code, else 1 when the pipeline had errors
                 'rc': 0 if pipeline.state == 4 and not pipeline.errors else 1}
        if is_bootstrap(pipeline.script or ''):
            entry.update(describe(stdin.encode('utf-8')))
        entry['calls'] = list(self._caller.calls[pipeline.calls_before:])
        self.record.pipeline_finished(entry, pipeline.generation)
