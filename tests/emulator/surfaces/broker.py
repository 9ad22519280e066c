"""The broker: what the stand-in libraries and tools of a real PowerShell process ask the emulated host.

A real ``pwsh`` started for one WinRS command (``engine/pwsh.py``) loads the stand-in ``wtsapi32.dll`` and
``kernel32.dll`` (``wtsapi/``) and starts the stand-in tools (``tools/stub.py``). None of them keeps Windows
state: they connect to this broker over an abstract Unix socket (its name in ``WINRDS_EMU_BROKER``), say which
command they belong to (``hello <token>``, the token in ``WINRDS_EMU_TOKEN``), and ask. The broker answers from
the host's Windows model with the rights of the command's caller, exactly as ``ToolEnv`` gives them to the
contract engine, so both engines meet one model.

Wire format (one request line, one answer line; ``channel.h`` has the C side): words separated by a space;
a string is ``=`` and the hex of its UTF-16LE code units, ``-`` a NULL pointer; bytes (a tool's stdin and
output) are ``#`` and their hex. Answers are ``ok ...`` or ``err <win32 code>``.

=====================================================  ==============================================================
request                                                answer
=====================================================  ==============================================================
``open <name>``                                        ``ok <handle>`` or ``err <code>`` (WTSOpenServerW)
``close <handle>``                                     ``ok``
``enumerate <handle>``                                 ``ok <n>``, then n lines ``<exec env> <state> <id> <name>
                                                       <host> <user> <domain> <farm>`` (WTSEnumerateSessionsExW)
``query <handle> <id> <class>``                        class 24: ``ok <state> <id> <winstation> <domain> <user>
                                                       <connect> <disconnect> <last input> <logon> <current>``
                                                       (FILETIMEs, 0 when unset); string classes: ``ok <string>``
``logoff|disconnect <handle> <id> <wait>``             ``ok`` or ``err <code>``
``message <handle> <id> <title> <text> <style>         ``ok <response>`` or ``err <code>`` (WTSSendMessageW)
<timeout> <wait>``
``console``                                            ``ok <id>`` (WTSGetActiveConsoleSessionId, 4294967295: none)
``outstanding <n>``                                    ``ok`` (at exit: blocks the process never freed)
``tool <name> <arg>...``                               ``stdin`` when the tool reads its standard input (the
                                                       client then sends ``stdin #<bytes>``), then
                                                       ``ok <rc> #<stdout> #<stderr>``
=====================================================  ==============================================================

Handle 0 is ``WTS_CURRENT_SERVER_HANDLE``: the host itself.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from tests.emulator.windows import errors
from tests.emulator.surfaces.tools.dispatch import reads_stdin, run_tool

log = logging.getLogger(__name__)

WTS_SESSION_INFO = 24
"""WTS_INFO_CLASS WTSSessionInfo: a WTSINFOW structure."""
WTS_STRING_CLASSES = {5: 'user', 6: 'winstation', 7: 'domain', 10: 'client'}
"""WTS_INFO_CLASS values answered with a string: WTSUserName, WTSWinStationName, WTSDomainName, WTSClientName."""
NO_CONSOLE = 0xFFFFFFFF
_FILETIME_EPOCH = datetime(1601, 1, 1)


def wide(text: str | None) -> str:
    """A string as the channel carries it."""
    if text is None:
        return '-'
    return '=' + text.encode('utf-16-le').hex()


def unwide(word: str) -> str | None:
    """The string of a channel word (None for ``-``)."""
    if word == '-':
        return None
    if not word.startswith('='):
        raise ValueError(f'not a string word: {word[:20]!r}')
    return bytes.fromhex(word[1:]).decode('utf-16-le', errors='surrogatepass')


def filetime(moment: datetime | None) -> int:
    """A UTC time as FILETIME ticks (100 ns since 1601-01-01), 0 for none."""
    if moment is None:
        return 0
    delta = moment - _FILETIME_EPOCH
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


@dataclass
class Handle:
    """A server handle of one command: the computer it reaches, or the error every call on it gets."""

    computer: object | None
    code: int = 0


@dataclass
class Caller:
    """One command a real engine runs: who runs it and what its processes did through the broker.

    ``first_call`` and ``last_call`` are the times (``time.time()``) of its first request and of its last one before
    the library's report at exit (``outstanding``): where a command's processes start to work on the host and stop.
    """

    env: object
    calls: list[str] = field(default_factory=list)
    first_call: float | None = None
    last_call: float | None = None
    in_flight: dict[str, int] = field(default_factory=dict)
    peak: dict[str, int] = field(default_factory=dict)
    """The most calls of each kind that were in progress at once (threads or processes of the command calling
    together: a test sees that waits overlapped without timing them)."""
    handles: dict[int, Handle] = field(default_factory=dict)
    next_handle: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)


class Broker:
    """The channel server of one host; ``register`` a command before its engine starts, ``release`` it after."""

    def __init__(self, host):
        self.host = host
        self.name = f'winrds-emu-{os.getpid()}-{secrets.token_hex(6)}'
        self._callers: dict[str, Caller] = {}
        self._lock = threading.Lock()
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.bind('\0' + self.name)
        self._socket.listen(64)
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name=f'broker-{host.name}', daemon=True)
        self._thread.start()

    # -- commands ----------------------------------------------------------------------------------------------

    def register(self, env) -> tuple[str, Caller]:
        """A new token for a command run by ``env`` (a ``ToolEnv``: caller, host, shell code page)."""
        token = secrets.token_hex(16)
        caller = Caller(env=env)
        with self._lock:
            self._callers[token] = caller
        return token, caller

    def release(self, token: str) -> None:
        """Forget a command: its processes' later calls fail (as RPC does to a process whose host is gone)."""
        with self._lock:
            self._callers.pop(token, None)

    def close(self) -> None:
        """Stop accepting connections."""
        self._closed = True
        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._socket.close()

    # -- the server --------------------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closed:
            try:
                connection, _unused = self._socket.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection, connection.makefile('rwb', buffering=0) as stream:
            hello = stream.readline().decode('ascii', errors='replace').split()
            with self._lock:
                caller = self._callers.get(hello[1]) if len(hello) == 2 and hello[0] == 'hello' else None
            if caller is None:
                return
            while True:
                line = stream.readline()
                if not line:
                    return
                words = line.decode('ascii', errors='replace').split()
                try:
                    answer = self._answer(caller, words, stream)
                except (ValueError, IndexError) as error:
                    log.warning('broker: bad request %r: %s', line[:80], error)
                    answer = [f'err {errors.ERROR_INVALID_PARAMETER}']
                except Exception:  # an emulator bug: answer, never hang the engine
                    log.exception('broker: request %r failed', line[:80])
                    answer = ['err 1726']
                stream.write(('\n'.join(answer) + '\n').encode('ascii'))

    # -- requests ----------------------------------------------------------------------------------------------

    def _answer(self, caller: Caller, words: list[str], stream) -> list[str]:
        op = words[0]
        label = op
        if op == 'tool':
            label = f'tool {unwide(words[1])}'
        elif op == 'outstanding':
            label = f'outstanding {int(words[1])}'
        with caller.lock:
            caller.calls.append(label)
            if op != 'outstanding':
                caller.last_call = time.time()
                if caller.first_call is None:
                    caller.first_call = caller.last_call
            caller.in_flight[label] = caller.in_flight.get(label, 0) + 1
            caller.peak[label] = max(caller.peak.get(label, 0), caller.in_flight[label])
        try:
            return self._dispatch(caller, op, words, stream)
        finally:
            with caller.lock:
                caller.in_flight[label] -= 1

    def _dispatch(self, caller: Caller, op: str, words: list[str], stream) -> list[str]:
        if op == 'tool':
            return self._tool(caller, words, stream)
        env = caller.env
        if op == 'console':
            with env.lock:
                found = env.host.computer.console_session_id(env.now())
            return [f'ok {found & NO_CONSOLE}']
        if op == 'outstanding':
            return ['ok']
        if op == 'open':
            return self._open(caller, unwide(words[1]))
        if op == 'close':
            with caller.lock:
                caller.handles.pop(int(words[1]), None)
            return ['ok']
        computer, code = self._computer(caller, int(words[1]))
        if computer is None:
            return [f'err {code}']
        if op == 'enumerate':
            return self._enumerate(env, computer)
        if op == 'query':
            return self._query(env, computer, int(words[2]), int(words[3]))
        if op in ('logoff', 'disconnect'):
            with env.lock:
                now = env.now()
                if op == 'logoff':
                    code = computer.logoff(int(words[2]), env.account, now, via='WTSLogoffSession')
                else:
                    code = computer.disconnect(int(words[2]), env.account, now, via='WTSDisconnectSession')
            return [f'err {code}'] if code else ['ok']
        if op == 'message':
            return self._message(env, computer, words)
        raise ValueError(f'unknown request {op!r}')

    def _open(self, caller: Caller, name: str | None) -> list[str]:
        env = caller.env
        with env.lock:
            computer, code, _remote = env.computer(name or None)
        if computer is None and env.options.wts_open_server_failure == 'null':
            return [f'err {code}']
        with caller.lock:
            handle = caller.next_handle
            caller.next_handle += 1
            caller.handles[handle] = Handle(computer, code)
        return [f'ok {handle}']

    @staticmethod
    def _computer(caller: Caller, handle: int):
        if handle == 0:
            return caller.env.host.computer, 0
        with caller.lock:
            opened = caller.handles.get(handle)
        if opened is None:
            return None, 6  # ERROR_INVALID_HANDLE
        return opened.computer, opened.code

    @staticmethod
    def _enumerate(env, computer) -> list[str]:
        with env.lock:
            sessions = computer.list_sessions(env.now())
        lines = [f'ok {len(sessions)}']
        for index, session in enumerate(sessions):
            user = session.user if session.has_user else None
            domain = session.domain if session.has_user else None
            lines.append(f'{index} {session.state_code} {session.id} {wide(session.wts_name)} '
                         f'{wide(computer.computer_name)} {wide(user)} {wide(domain)} -')
        return lines

    @staticmethod
    def _query(env, computer, session_id: int, info_class: int) -> list[str]:
        with env.lock:
            now = env.now()
            session = computer.find(session_id, now)
        if session is None:
            return [f'err {errors.ERROR_CTX_WINSTATION_NOT_FOUND}']
        if session.is_listener:
            # A listener is a WinStation without a session: its information is refused (assumed; no source
            # shows the code, and the collection's helper reads no listener's details).
            return [f'err {errors.ERROR_INVALID_PARAMETER}']
        has_user = session.has_user
        if info_class == WTS_SESSION_INFO:
            times = [filetime(computer.to_utc(moment)) for moment in (
                session.logon_time if has_user else None, session.disconnect_time,
                session.last_input if has_user else None, session.logon_time if has_user else None, now)]
            return [f'ok {session.state_code} {session.id} {wide(session.wts_name)} '
                    f'{wide(session.domain if has_user else "")} {wide(session.user if has_user else "")} '
                    + ' '.join(str(value) for value in times)]
        field_name = WTS_STRING_CLASSES.get(info_class)
        if field_name is None:
            return [f'err {errors.ERROR_INVALID_PARAMETER}']
        value = {'user': session.user if has_user else '', 'domain': session.domain if has_user else '',
                 'winstation': session.wts_name, 'client': session.client or ''}[field_name]
        return [f'ok {wide(value or "")}']

    @staticmethod
    def _message(env, computer, words: list[str]) -> list[str]:
        session_id = int(words[2])
        title, text = unwide(words[3]), unwide(words[4])
        timeout, wait = int(words[6]), words[7] == '1'
        with env.lock:
            outcome = computer.send_message(session_id, env.account, env.now(), title=title, text=text or '',
                                            timeout=timeout, wait=wait, via='WTSSendMessage',
                                            block_seconds=env.options.message_block_seconds)
        if outcome.code:
            return [f'err {outcome.code}']
        env.clock.sleep(outcome.wait_seconds)
        return [f'ok {int(outcome.response)}']

    @staticmethod
    def _tool(caller: Caller, words: list[str], stream) -> list[str]:
        name = unwide(words[1])
        args = [unwide(word) or '' for word in words[2:]]
        env = caller.env
        codec = env.tool_codec()
        stdin_text = None
        if reads_stdin(name, args):
            stream.write(b'stdin\n')
            reply = stream.readline().decode('ascii', errors='replace').split()
            data = bytes.fromhex(reply[1][1:]) if len(reply) == 2 and reply[1].startswith('#') else b''
            stdin_text = data.decode(codec, errors='replace')
        result = run_tool(env, name, args, stdin_text)
        return [f'ok {result.rc} #{result.stdout(codec).hex()} #{result.stderr(codec).hex()}']
