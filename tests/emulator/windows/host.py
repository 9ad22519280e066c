"""The emulated Windows host: accounts, the command-line front, the state document, faults.

``Host.execute`` is what a WinRS command does on Windows: the protocol layer hands it the command line and
stdin it received and returns rc, stdout and stderr to the client. Two kinds of command line:

1. ``PowerShell ...`` / ``pwsh ...`` (the collection's fixed bootstrap, what ``raw`` sends): the host's PowerShell
   engine runs it (``surfaces/engine``): a real ``pwsh`` process (``engine: pwsh``), or, on machines without
   one, the contract engine that reproduces what Windows PowerShell 5.1 does with the collection's payloads.
2. Any other command line runs as cmd.exe runs it (``cmd /c`` is accepted): the native tool it names.

Thread-safe: one lock guards the tables; sleeps (grace periods, waits) happen outside it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from tests.emulator.surfaces.engine.powershell import cmd_not_recognized, parse_command_line, split_command_line
from tests.emulator.surfaces.tools.args import encode_lines
from tests.emulator.surfaces.tools.dispatch import run_tool, tool_name

from . import locales
from .accounts import Account, find_account
from .clock import Clock
from .computer import Computer, Journal
from .config import ComputerConfig, HostConfig, build_sessions
from .delegation import can_make_second_hop
from .faults import HostFaults
from .sessions import Session
from .toolenv import ToolEnv

log = logging.getLogger(__name__)

LOCAL_ALIASES = ('localhost', '.', '127.0.0.1')


@dataclass
class ExecContext:
    """Who runs a command: the authenticated account, the authentication used, the transport scheme, the code
    page of the WinRS shell it runs in (ansible's winrm connection asks for 65001, pywinrm's default is 437), and
    whether the logon brought reusable credentials (``wsman.ExecContext`` has the same fields)."""

    account: Account
    auth: str
    scheme: str = 'http'
    codepage: int = 65001
    cancelled: object = None
    can_delegate: bool = False


class UnknownConfiguration(LookupError):
    """A client asked for a PowerShell session configuration the host does not have."""


@dataclass
class CommandResult:
    """What a command returns to the client."""

    rc: int
    stdout: bytes
    stderr: bytes


def _session_state(session: Session, now) -> dict:
    return {'id': session.id, 'name': session.name, 'user': session.user, 'domain': session.domain,
            'state': session.state, 'idle_minutes': session.idle_minutes(now),
            'logon_time': session.logon_time.isoformat(timespec='seconds') if session.logon_time else None,
            'disconnect_time': (session.disconnect_time.isoformat(timespec='seconds')
                                if session.disconnect_time else None),
            'client': session.client}


class Host:
    """One emulated Windows computer with Remote Desktop Session Host."""

    def __init__(self, config: HostConfig):
        self.config = config
        self.name = config.name
        self.lock = threading.RLock()
        self.locale = locales.load(config.computer.locale)
        self.options = config.options
        self.language_mode = config.language_mode
        self.culture = config.culture or self.locale.tag
        self._accounts = list(config.accounts)
        self.broker = None
        self.generation = 0
        self.engine = self._choose_engine(config.engine)
        # A real engine sleeps and reads the time for real: the host's clock then moves with real time too.
        self.clock = Clock(config.clock, config.time_scale, follow_real_time=self.engine.name == 'pwsh')
        self.reset()

    def _choose_engine(self, setting: str):
        """The PowerShell engine of this host (``engine`` setting: pwsh, contract, or auto = pwsh when found)."""
        from tests.emulator.surfaces.engine import choose_engine  # the surfaces import the model

        return choose_engine(self, setting)

    def close(self) -> None:
        """Stop what runs outside this process (the real engine's processes) and the broker."""
        self.engine.close()
        if self.broker is not None:
            self.broker.close()

    # -- accounts ----------------------------------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        """The local accounts."""
        return list(self._accounts)

    def account(self, user: str) -> Account | None:
        """The account a logon name means (``DOMAIN\\user``, ``user@domain``, any case), or None."""
        return find_account(self._accounts, user)

    def authenticate_basic(self, user: str, password: str) -> Account | None:
        """The account when the password is right (passwords are case-sensitive), else None."""
        account = self.account(user)
        return account if account is not None and account.password == password else None

    # -- tables ------------------------------------------------------------------------------------------------

    def _build(self, config: ComputerConfig, label: str | None) -> Computer:
        return Computer(config.name, build_sessions(config, self.config.clock), label=label, locale=config.locale,
                        computer_name=config.computer_name, reachable=config.reachable,
                        double_hop=config.double_hop, utc_offset_minutes=config.utc_offset_minutes,
                        unreachable_error=config.unreachable_error,
                        console_respawn=self.config.console_respawn,
                        logoff_latency_seconds=self.config.logoff_latency_seconds, journal=self.journal,
                        faults=self.faults if label is None else None,
                        protected_error=int(self.options.unknown('wts_listener_error')))

    def reset(self) -> None:
        """Back to the configured state: sessions, clock, faults, messages, commands, events; what still runs for
        an earlier command is stopped and will not be recorded."""
        self.engine.abort_all()
        with self.lock:
            self.generation += 1
            self.clock.reset()
            self.faults = HostFaults()
            self.journal = Journal()
            self.commands: list[dict] = []
            self.computer = self._build(self.config.computer, None)
            self.computer.before_read = lambda _now: self._apply_due_changes()
            self.servers = {c.name.lower(): self._build(c, c.name) for c in self.config.servers}

    def resolve(self, server: str | None, auth: str, can_delegate: bool = False) -> tuple[Computer | None, int, bool]:
        """The computer ``/server:`` names, as seen from a shell logged on with ``auth``.

        :param can_delegate: the logon brought reusable credentials (``ExecContext.can_delegate``).
        :returns: ``(computer, 0, remote)``, or ``(None, 1722, True)`` when it cannot be reached (unknown names
            fail the RPC bind the same way), or ``(None, 5, True)`` for a second hop the logon cannot make
            (delegation.py).
        """
        if not server:
            return self.computer, 0, False
        wanted = server.lower()
        if wanted in (self.name.lower(), self.computer.computer_name.lower()) + LOCAL_ALIASES:
            return self.computer, 0, True
        computer = self.servers.get(wanted)
        if computer is None:
            return None, 1722, True
        if not computer.reachable:
            return None, computer.unreachable_error, True
        if computer.double_hop != 'allowed' and not can_make_second_hop(
                auth, can_delegate, trusted_for_delegation=self.config.trusted_for_delegation,
                basic_logon=self.config.basic_logon):
            return None, 5, True
        return computer, 0, True

    # -- faults ------------------------------------------------------------------------------------------------

    def set_faults(self, spec: dict) -> None:
        """Merge host-side faults (faults.py); keys of the protocol layer are ignored."""
        with self.lock:
            self.faults.merge(spec or {}, self.clock.now())
            self._apply_due_changes()

    def _apply_due_changes(self) -> None:
        now = self.clock.now()
        for change in self.faults.take_due(now):
            if change.kind == 'vanish':
                self.computer.vanish([int(i) for i in change.spec['ids']], now)
            else:
                logon = change.spec.get('logon_time')
                self.computer.replace_logon(int(change.spec['id']), str(change.spec['user']),
                                            change.spec.get('domain'),
                                            now if logon is None else datetime.fromisoformat(str(logon)), now)

    # -- commands ----------------------------------------------------------------------------------------------

    def execute(self, command_line: str, stdin: bytes, ctx: ExecContext) -> CommandResult:
        """Run one command as Windows would; may sleep (host time scaled by ``time_scale``)."""
        stdin = stdin or b''
        with self.lock:
            self._apply_due_changes()
            generation = self.generation
        can_delegate = bool(getattr(ctx, 'can_delegate', False))
        env = ToolEnv(self, ctx.account, ctx.auth, getattr(ctx, 'codepage', 65001), getattr(ctx, 'cancelled', None),
                      can_delegate=can_delegate)
        entry = {'command_line': command_line, 'stdin': stdin.decode('utf-8', errors='replace'),
                 'account': ctx.account.name, 'auth': ctx.auth, 'can_delegate': can_delegate}
        try:
            rc, stdout, stderr = self._run(command_line, stdin, env, entry)
        except Exception as error:  # a bug of the emulator: answer, record it, never hang the client
            log.exception('the emulated host %s failed on %r', self.name, command_line[:200])
            entry['internal_error'] = f'{type(error).__name__}: {error}'
            rc, stdout, stderr = 1, b'', f'emulated host internal error: {entry["internal_error"]}\r\n'.encode()
        with self.lock:
            if generation != self.generation:  # the host was reset while it ran: it belongs to no test any more
                return CommandResult(rc, stdout, stderr)
            stdout = self.faults.damage(stdout)
            entry['rc'] = rc
            self.commands.append(entry)
            self.faults.command_finished()
            self._apply_due_changes()
        return CommandResult(rc, stdout, stderr)

    def _run(self, command_line: str, stdin: bytes, env: ToolEnv, entry: dict) -> tuple[int, bytes, bytes]:
        invocation = parse_command_line(command_line)
        if invocation.kind == 'cmd':
            return self.run_cmd(invocation.text, stdin, env)
        if invocation.script is not None:
            entry['script'] = invocation.script
        return self.engine.run(command_line, invocation, stdin, env, entry)

    def run_cmd(self, text: str, stdin: bytes, env: ToolEnv) -> tuple[int, bytes, bytes]:
        """What cmd.exe does with a command line naming a native tool (``cmd /c`` is accepted)."""
        words = split_command_line(text)
        if words and words[0].lower() in ('cmd', 'cmd.exe') and len(words) > 1 and words[1].lower() in ('/c', '/k'):
            words = words[2:]
        if not words:
            return 0, b'', b''
        name = tool_name(words[0])
        codec = env.tool_codec()
        if name is None:
            return 1, b'', encode_lines(cmd_not_recognized(words[0]), codec)
        stdin_text = stdin.decode(codec, errors='replace') if stdin else None
        result = run_tool(env, name, words[1:], stdin_text)
        return result.rc, result.stdout(codec), result.stderr(codec)

    # -- PowerShell remoting ---------------------------------------------------------------------------------

    def remoting_configurations(self) -> list[str]:
        """The PowerShell session configurations a client may open: the configured ones where the engine can serve
        them (the real engine; the contract engine runs command lines only)."""
        if not hasattr(self.engine, 'open_runspace_pool'):
            return []
        return list(self.config.remoting_configurations)

    def open_runspace_pool(self, configuration: str, ctx, deliver):
        """Open a runspace pool of ``configuration`` for the caller of ``ctx`` (``wsman/remoting.py``).

        Native programs started in the session get a console of their own in the OEM code page, which is also
        what ``chcp`` shows there; PowerShell reads their output with ``remoting_console_encoding``
        (surfaces/engine/remoting.py says why).

        :param deliver: receives the server's packets (surfaces/engine/remoting.py ``Deliver``).
        :raises UnknownConfiguration: no such session configuration on this host.
        """
        name = next((known for known in self.remoting_configurations() if known.lower() == configuration.lower()),
                    None)
        if name is None:
            raise UnknownConfiguration(configuration)
        env = ToolEnv(self, ctx.account, ctx.auth, self.locale.oem_codepage, threading.Event(),
                      can_delegate=bool(getattr(ctx, 'can_delegate', False)))
        codepage = (self.locale.ansi_codepage if self.config.remoting_console_encoding == 'ansi'
                    else self.locale.oem_codepage)
        return self.engine.open_runspace_pool(name, env, self, deliver, codepage)

    def pipeline_started(self) -> int:
        """A remoting pipeline starts: due changes happen first, as before a command; returns the generation."""
        with self.lock:
            self._apply_due_changes()
            return self.generation

    def pipeline_finished(self, entry: dict, generation: int) -> None:
        """Record a finished remoting pipeline as a command (unless the host was reset while it ran)."""
        with self.lock:
            if generation != self.generation:
                return
            self.commands.append(entry)
            self.faults.command_finished()
            self._apply_due_changes()

    # -- state -------------------------------------------------------------------------------------------------

    def state(self) -> dict:
        """The state document other tools read (keys documented in the package docstring)."""
        with self.lock:
            self._apply_due_changes()
            now = self.clock.now()
            return {
                'name': self.name,
                'computer_name': self.computer.computer_name,
                'locale': self.locale.tag,
                'language_mode': self.language_mode,
                'culture': self.culture,
                'engine': {'name': self.engine.name, 'version': self.engine.version},
                'clock': now.isoformat(timespec='seconds'),
                'sessions': [_session_state(s, now) for s in self.computer.list_sessions(now)],
                'servers': [{'name': c.name, 'locale': c.locale,
                             'sessions': [_session_state(s, now) for s in c.list_sessions(now)]}
                            for c in self.servers.values()],
                'messages': [dict(m) for m in self.journal.messages],
                'commands': [dict(c) for c in self.commands],
                'events': [dict(e) for e in self.journal.events],
                'faults': self.faults.describe(),
            }
