"""What Windows PowerShell 5.1 does running ``wts.ps1`` (winrds payload: wts v3) on this host: the contract engine.

The script defines the WTS functions with System.Reflection.Emit and calls them; this module answers those calls
from the session table with the API's documented behaviour (docs/sources.md, "The WTS API"):

- ``WTSOpenServerW`` for a server it cannot reach returns "a handle that is not valid" (Microsoft's reference):
  NULL with the error (the helper then throws in ``Open``), or, with ``wts_open_server_failure: deferred``, a
  handle whose first call fails. The error is 1722 (RPC server unavailable), the server's ``unreachable_error``,
  or, for a ``/server`` hop from an NTLM logon, 5 (pypsrp#57, dbatools#10616). ``WTSGetActiveConsoleSessionId``
  is the session attached to the console; none is reported as null.
- WTSEnumerateSessionsEx lists every session (services and listeners too); WTSQuerySessionInformation
  (WTSSessionInfo) gives FILETIMEs, 0 when unset (then null in the JSON), and fails for a listener (assumed).
- WTSLogoffSession with bWait FALSE returns at once and needs the Reset right; it does end the console
  session (only logoff.exe refuses that). WTSDisconnectSession refuses the console with 7041.
- WTSSendMessage: IDASYNC (32001) without waiting, IDTIMEOUT (32000) when nobody answers in time.

PowerShell's share: a failed call throws a Win32Exception whose Data carries the code and the call, and the
script answers ``<call>: <message>``; ``Win32Exception(code).Message`` is the FormatMessage text without its final
period (errors.dotnet_message); ``ConvertTo-Json`` is convert_to_json. Application control that blocks the compiler
(``add_type_blocked``) does not matter: nothing is compiled. Sleeps advance the host clock.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from tests.emulator.windows import errors
from tests.emulator.windows.computer import Computer
from tests.emulator.windows.sessions import Session
from tests.emulator.windows.toolenv import ToolEnv

from .contract_native import _as_list, ps_int, ps_string, ps_true
from .powershell import convert_to_json


_CALLED = {'Open': 'WTSOpenServer', 'Enumerate': 'WTSEnumerateSessionsEx', 'LogonTime': 'WTSQuerySessionInformation'}


class ScriptError(Exception):
    """A ``throw "..."`` of the script itself (no Win32 code)."""


class MethodInvocationError(Exception):
    """A WtsException thrown by a helper method, as PowerShell wraps it."""

    def __init__(self, method: str, code: int, text: str):
        super().__init__(f'{_CALLED[method]}: {errors.dotnet_message(text)}')
        self.code = code


def _error_kind(code: int) -> str:
    """The error kind of wts.ps1's last catch: ``win32`` when the exception carries a code."""
    return 'win32' if code else 'exception'


def _utc(computer: Computer, moment: datetime | None) -> str | None:
    utc = computer.to_utc(moment)
    return None if utc is None else utc.strftime('%Y-%m-%dT%H:%M:%S') + 'Z'


def session_document(computer: Computer, session: Session, now: datetime) -> dict:
    """``ConvertTo-SessionDocument`` of one enumerated session."""
    listener = session.is_listener
    has_user = session.has_user
    return {
        'id': session.id,
        'name': session.wts_name,
        'user': session.user if has_user else None,
        'domain': session.domain if has_user else None,
        'state_code': session.state_code,
        'client': None if listener else (session.client or ''),
        'logon_time': None if listener or not has_user else _utc(computer, session.logon_time),
        'disconnect_time': None if listener else _utc(computer, session.disconnect_time),
        'last_input_time': None if listener or not has_user else _utc(computer, session.last_input),
        'current_time': None if listener else _utc(computer, now),
    }


class WtsRun:
    """One run of wts.ps1."""

    def __init__(self, env: ToolEnv, data: dict):
        self.env = env
        self.data = data
        host = env.host
        self.result = {'payload': 'wts', 'version': 3, 'computer': host.computer.computer_name,
                       'server': data.get('server'), 'language_mode': host.language_mode,
                       'console_session_id': None, 'error': None}
        self.target: Computer | None = None
        self.open_code = 0

    # -- the helper's methods ---------------------------------------------------------------------------------

    def _enumerate(self, method: str) -> list[Session]:
        if self.target is None:
            raise MethodInvocationError(method, self.open_code, self.env.locale.error_text(self.open_code))
        return self.target.list_sessions(self.env.now())

    def logons(self) -> dict[int, dict]:
        """``Get-Logons``: every session's document by ID, from one enumeration."""
        with self.env.lock:
            now = self.env.now()
            return {session.id: session_document(self.target, session, now) for session in self._enumerate('Enumerate')}

    @staticmethod
    def test_identity(logons: dict[int, dict], target: dict) -> str:
        """``Test-Identity``: match, gone or identity_changed (PowerShell ``-eq`` ignores case)."""
        now = logons.get(ps_int(target.get('id')))
        if now is None:
            return 'gone'
        same = all(ps_string(now[key]).lower() == ps_string(target.get(key)).lower()
                   for key in ('user', 'domain', 'logon_time'))
        return 'match' if same else 'identity_changed'

    def logon_time(self, session_id: int) -> str | None:
        """``[Wts]::LogonTime``: '' when the session has none, None when it does not exist."""
        if self.target is None:
            raise MethodInvocationError('LogonTime', self.open_code, self.env.locale.error_text(self.open_code))
        with self.env.lock:
            session = self.target.find(session_id, self.env.now())
        if session is None:
            return None
        return (_utc(self.target, session.logon_time) if session.has_user else None) or ''

    def send_message(self, session_id: int, title: str, text: str, timeout: int, wait: bool) -> tuple[int, int]:
        """``[Wts]::SendMessage``: ``(win32_code, response)``; blocks while the user has not answered."""
        if self.target is None:
            return self.open_code, 0
        with self.env.lock:
            outcome = self.target.send_message(session_id, self.env.account, self.env.now(), title=title, text=text,
                                               timeout=timeout, wait=wait, via='WTSSendMessage',
                                               block_seconds=self.env.options.message_block_seconds)
        if outcome.code:
            return outcome.code, 0
        self.env.clock.sleep(outcome.wait_seconds)
        return 0, int(outcome.response)

    def act(self, op: str, session_id: int) -> int:
        """``[Wts]::Logoff`` or ``[Wts]::Disconnect``: a Win32 code."""
        if self.target is None:
            return self.open_code
        with self.env.lock:
            now = self.env.now()
            if op == 'logoff':
                return self.target.logoff(session_id, self.env.account, now, via='WTSLogoffSession')
            return self.target.disconnect(session_id, self.env.account, now, via='WTSDisconnectSession')

    # -- the script body --------------------------------------------------------------------------------------

    def _outcome(self, ident, outcome: str, code: int = 0, message: str = '', response=None) -> dict:
        return {'id': ps_int(ident), 'outcome': outcome, 'code': code, 'message': message, 'response': response}

    def _failed(self, ident, code: int) -> dict:
        return self._outcome(ident, 'failed', code, errors.dotnet_message(self.env.locale.error_text(code)))

    def run(self) -> str:
        env, data, result = self.env, self.data, self.result
        mode = result['language_mode']
        if mode != 'FullLanguage':
            result['error'] = {'kind': 'helper_unavailable', 'code': 0,
                               'message': f'PowerShell runs in {mode} mode: the WTS functions cannot be loaded.'}
            return convert_to_json(result)
        server = ps_string(data.get('server'))
        try:
            with env.lock:
                self.target, self.open_code, _remote = env.computer(server or None)
                if not ps_true(data.get('server')):
                    console = env.host.computer.console_session_id(env.now())
                    result['console_session_id'] = None if console < 0 else console
            if self.target is None and env.options.wts_open_server_failure == 'null':
                raise MethodInvocationError('Open', self.open_code, env.locale.error_text(self.open_code))
            op = ps_string(data.get('op')).lower()
            if op == 'snapshot':
                with env.lock:
                    now = env.now()
                    listed = self._enumerate('Enumerate')
                    result['sessions'] = [session_document(self.target, s, now) for s in listed]
            elif op == 'message':
                result['results'] = self._message()
            elif op in ('logoff', 'disconnect'):
                result['results'] = self._logoff_or_disconnect(op)
            else:
                raise ScriptError(f"unknown operation '{ps_string(data.get('op'))}'")
        except MethodInvocationError as error:
            result['error'] = {'kind': _error_kind(error.code), 'code': error.code, 'message': str(error)}
        except ScriptError as error:
            result['error'] = {'kind': 'exception', 'code': 0, 'message': str(error)}
        return convert_to_json(result)

    def _message(self) -> list[dict]:
        data = self.data
        targets = _as_list(data.get('targets'))
        wait = ps_true(data.get('wait_response'))

        def send(target):
            return self.send_message(ps_int(target.get('id')), ps_string(data.get('title')), ps_string(data.get('text')),
                                     ps_int(data.get('timeout_seconds')), wait)

        if wait and len(targets) > 1:
            # Send-MessagesTogether: one thread per message (64 at most), each blocked until its answer.
            with ThreadPoolExecutor(max_workers=min(64, len(targets))) as pool:
                replies = list(pool.map(send, targets))
        else:
            replies = [send(target) for target in targets]
        results = []
        for target, (code, response) in zip(targets, replies):
            if code == 0:
                results.append(self._outcome(target.get('id'), 'done', response=response))
            else:
                results.append(self._failed(target.get('id'), code))
        return results

    def _logoff_or_disconnect(self, op: str) -> list[dict]:
        data = self.data
        targets = _as_list(data.get('targets'))
        outcomes: dict[int, dict] = {}
        live = []
        logons = self.logons()
        for target in targets:
            verdict = self.test_identity(logons, target)
            if verdict == 'match':
                live.append(target)
            else:
                outcomes[ps_int(target.get('id'))] = self._outcome(target.get('id'), verdict)
        notice = data.get('notice')
        if ps_true(notice) and live:
            grace = ps_int(notice.get('grace_seconds'))
            for target in live:
                self.send_message(ps_int(target.get('id')), ps_string(notice.get('title')),
                                  ps_string(notice.get('text')), grace if grace > 0 else 60, False)
            if grace > 0:
                self.env.clock.sleep(grace)
            logons = self.logons()
        waiting = []
        for target in live:
            ident = ps_int(target.get('id'))
            if ps_true(notice):
                verdict = self.test_identity(logons, target)
                if verdict != 'match':
                    outcomes[ident] = self._outcome(ident, verdict)
                    continue
            code = self.act(op, ident)
            if code:
                outcomes[ident] = self._failed(ident, code)
                continue
            outcomes[ident] = self._outcome(ident, 'done')
            if op == 'logoff' and ps_true(data.get('wait')):
                waiting.append(target)
        # Every session was asked to leave; they are waited for together, each asked about once per poll.
        deadline = self.env.now() + timedelta(seconds=ps_int(data.get('timeout_seconds')))
        while waiting:
            waiting = [target for target in waiting
                       if (self.logon_time(ps_int(target.get('id'))) or '').lower()
                       == ps_string(target.get('logon_time')).lower()]
            if not waiting:
                break
            if self.env.now() >= deadline:
                for target in waiting:
                    outcomes[ps_int(target.get('id'))] = self._outcome(target.get('id'), 'timeout')
                break
            self.env.clock.sleep(0.5)
        return [outcomes[ps_int(target.get('id'))] for target in targets]


def run_wts(env: ToolEnv, data: dict) -> str:
    """The JSON line wts.ps1 prints for this input."""
    return WtsRun(env, data).run()
