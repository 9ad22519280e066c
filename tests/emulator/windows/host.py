"""The emulated Windows host: accounts, the command-line front, the state document, faults.

``Host.execute`` is what a WinRS command does on Windows: the protocol layer hands it the command line and
stdin it received and returns rc, stdout and stderr to the client. Three kinds of command line:

1. ``PowerShell ... -EncodedCommand <bootstrap>`` (the collection's fixed command, docs/architecture.md):
   stdin holds the payload; payload_wts.py / payload_native.py reproduce what PowerShell does running it.
2. ``PowerShell ... -EncodedCommand <short script>`` (what ``raw`` sends, field-notes §4): each statement
   that names a native tool runs it; anything else fails as PowerShell fails on an unknown command.
3. Any other command line runs as cmd.exe runs it (``cmd /c`` is accepted).

Thread-safe: one lock guards the tables; sleeps (grace periods, waits) happen outside it.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from . import locales
from .accounts import Account, find_account
from .bootstrap import EMULATED_VERSIONS, UnpackError, is_bootstrap, read_stdin
from .clock import Clock
from .computer import Computer, Journal
from .config import ComputerConfig, HostConfig, build_sessions
from .delegation import can_make_second_hop
from .faults import HostFaults
from .native import run_tool, tool_name
from .payload_native import run_native
from .payload_wts import run_wts
from .powershell import (
    clixml_errors,
    cmd_not_recognized,
    convert_to_json,
    error_record_lines,
    exit_code,
    not_recognized_lines,
    parse_command_line,
    split_command_line,
    split_statements,
    tokenize,
)
from .sessions import Session
from .toolargs import encode_lines
from .toolenv import ToolEnv

log = logging.getLogger(__name__)

LOCAL_ALIASES = ('localhost', '.', '127.0.0.1')


@dataclass
class ExecContext:
    """Who runs a command: the authenticated account, the authentication used, the transport scheme, and whether
    the logon brought reusable credentials (``wsman.ExecContext`` has the same fields)."""

    account: Account
    auth: str
    scheme: str = 'http'
    can_delegate: bool = False


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
        self.clock = Clock(config.clock, config.time_scale)
        self._accounts = list(config.accounts)
        self.reset()

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
                        console_respawn=self.config.console_respawn,
                        logoff_latency_seconds=self.config.logoff_latency_seconds, journal=self.journal,
                        faults=self.faults if label is None else None,
                        protected_error=int(self.options.unknown('wts_listener_error')))

    def reset(self) -> None:
        """Back to the configured state: sessions, clock, faults, messages, commands, events."""
        with self.lock:
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
        if computer is None or not computer.reachable:
            return None, 1722, True
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
        can_delegate = bool(getattr(ctx, 'can_delegate', False))
        env = ToolEnv(self, ctx.account, ctx.auth, can_delegate)
        entry = {'command_line': command_line, 'stdin': stdin.decode('utf-8', errors='replace'),
                 'account': ctx.account.name, 'auth': ctx.auth, 'can_delegate': can_delegate}
        try:
            rc, stdout, stderr = self._run(command_line, stdin, env, entry)
        except Exception as error:  # a bug of the emulator: answer, record it, never hang the client
            log.exception('the emulated host %s failed on %r', self.name, command_line[:200])
            entry['internal_error'] = f'{type(error).__name__}: {error}'
            rc, stdout, stderr = 1, b'', f'emulated host internal error: {entry["internal_error"]}\r\n'.encode()
        with self.lock:
            stdout = self.faults.damage(stdout)
            entry['rc'] = rc
            self.commands.append(entry)
            self.faults.command_finished()
            self._apply_due_changes()
        return CommandResult(rc, stdout, stderr)

    def _run(self, command_line: str, stdin: bytes, env: ToolEnv, entry: dict) -> tuple[int, bytes, bytes]:
        invocation = parse_command_line(command_line)
        if invocation.kind == 'cmd':
            return self._run_cmd(invocation.text, stdin, env)
        if invocation.kind == 'error':
            if invocation.error == 'bad_encoded_command':
                # powershell.exe's own message for a -EncodedCommand it cannot decode (wording assumed).
                text = ('Cannot process the command because the value specified with -EncodedCommand is not '
                        'properly encoded. The value must be Base64 encoded.')
            else:
                text = 'This test host runs PowerShell only with -EncodedCommand or -Command.'
            return 1, b'', (text + '\r\n').encode('ascii')
        entry['script'] = invocation.script
        if is_bootstrap(invocation.script):
            return self._run_payload(stdin, env, entry)
        return self._run_script(invocation.script, stdin, env)

    def _stdin_text(self, stdin: bytes) -> str | None:
        return stdin.decode(self.locale.codec, errors='replace') if stdin else None

    def _run_cmd(self, text: str, stdin: bytes, env: ToolEnv) -> tuple[int, bytes, bytes]:
        words = split_command_line(text)
        if words and words[0].lower() in ('cmd', 'cmd.exe') and len(words) > 1 and words[1].lower() in ('/c', '/k'):
            words = words[2:]
        if not words:
            return 0, b'', b''
        name = tool_name(words[0])
        codec = self.locale.codec
        if name is None:
            return 1, b'', encode_lines(cmd_not_recognized(words[0]), codec)
        result = run_tool(env, name, words[1:], self._stdin_text(stdin))
        return result.rc, result.stdout(codec), result.stderr(codec)

    def _run_script(self, script: str, stdin: bytes, env: ToolEnv) -> tuple[int, bytes, bytes]:
        codec = self.locale.codec
        stdout, stderr, errors = b'', b'', []
        native_rc, failed = None, False
        for statement in split_statements(script):
            words = tokenize(statement)
            if not words:
                continue
            if words[0].lower() in ('cmd', 'cmd.exe'):
                rc, out, err = self._run_cmd(' '.join(words), stdin, env)
                stdout, stderr, native_rc, failed = stdout + out, stderr + err, rc, False
                continue
            name = tool_name(words[0])
            if name is None:
                errors += not_recognized_lines(words[0], statement)
                native_rc, failed = None, True
                continue
            result = run_tool(env, name, words[1:], self._stdin_text(stdin))
            stdout += result.stdout(codec)
            stderr += result.stderr(codec)
            native_rc, failed = result.rc, False
        if errors:
            stderr += clixml_errors(errors)
        return exit_code(native_rc, failed, self.options.powershell_exit_code), stdout, stderr

    def _run_payload(self, stdin: bytes, env: ToolEnv, entry: dict) -> tuple[int, bytes, bytes]:
        payload = read_stdin(stdin)
        if payload is None:
            return 0, b'', b''
        if payload.packed:
            if self.language_mode != 'FullLanguage':
                # The bootstrap's own answer (bootstrap.ps1): .NET streams are not core types in this mode
                # (about_Language_Modes), so it prints this and runs nothing.
                refusal = {'payload': 'bootstrap', 'computer': self.computer.computer_name,
                           'language_mode': self.language_mode, 'error': {'kind': 'unpack_refused'}}
                entry['payload'] = 'bootstrap'
                return 0, (convert_to_json(refusal) + '\r\n').encode('ascii'), b''
            try:
                payload = payload.unpacked()
            except UnpackError as error:
                statement = f'$s = {error.method}'
                lines = error_record_lines(str(error), 'NotSpecified: (:) [], MethodInvocationException',
                                           error.exception, statement)
                return 1, b'', clixml_errors(lines)
        entry['payload'] = payload.name
        if payload.name not in EMULATED_VERSIONS or payload.version != EMULATED_VERSIONS[payload.name]:
            message = (f'This test host emulates the payloads {EMULATED_VERSIONS} and cannot run '
                       f'{payload.name} v{payload.version}: update tests/emulator/windows.')
            return 1, b'', clixml_errors([message])
        try:
            data = json.loads(payload.data_text)
        except ValueError:
            lines = error_record_lines(f'ConvertFrom-Json : Invalid JSON primitive: {payload.data_text[:40]}.',
                                       'NotSpecified: (:) [ConvertFrom-Json], ArgumentException',
                                       'System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand',
                                       '$data = ConvertFrom-Json -InputObject $InputJson')
            return 1, b'', clixml_errors(lines)
        if not isinstance(data, dict):
            data = {}
        entry['op'] = data.get('op')
        if payload.name == 'wts':
            return 0, (run_wts(env, data) + '\r\n').encode('ascii'), b''
        return 0, encode_lines(run_native(env, data), self.locale.codec), b''

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
