"""What PowerShell does running ``native.ps1`` (winrds payload: native v2) on this host, for the contract engine.

The real engine (pwsh.py) runs the script itself; this follows it statement by statement for the ansible-core
lines that run on the contract engine, with the emulated tools. What the script relies on, reproduced here:

- ``Start-Process -RedirectStandardOutput/-RedirectStandardError`` gives the files to the new process as its
  standard handles (CreateProcess with STARTUPINFO handles, PowerShell's Start-Process on Windows): the files
  hold the tool's bytes, in the encoding the tool writes (``native_output_encoding``); the script writes them as
  hexadecimal, so the console code page never touches them.
- The argument string reaches the program as ``CommandLineToArgvW`` splits it; ``ConvertTo-Argument`` quotes a
  message so that it comes back as one argument, unchanged: the argument lists here are what the tools receive.
- A tool the host does not have: Start-Process fails ("The system cannot find the file specified"), the frame
  ends with rc=-1 and verdict=missing and the reason as a note.
- ``Start-Sleep`` and the one-second polling advance the host clock (clock.py).
"""

from __future__ import annotations

import re

from tests.emulator.surfaces.tools.dispatch import ToolMissing, run_tool
from tests.emulator.windows.toolenv import ToolEnv

_SERVER = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]*$')
_GONE = re.compile(r' 5B( 3[0-9])+ 5D ')
_NOT_FOUND = 'This command cannot be run due to the error: The system cannot find the file specified.'


def ps_string(value) -> str:
    """``[string]$value`` of a JSON value: '' for null, ``True``/``False`` for booleans."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'True' if value else 'False'
    return str(value)


def ps_int(value) -> int:
    """``[int]$value`` (null is 0; a fraction rounds to even, as .NET does)."""
    if value is None or value == '':
        return 0
    return int(round(float(value)))


def ps_true(value) -> bool:
    """PowerShell truthiness of a JSON value."""
    return bool(value)


def to_hex(data: bytes) -> str:
    """``ConvertTo-Hex``: upper-case pairs joined by blanks."""
    return ' '.join('%02X' % byte for byte in data)


class NativeRun:
    """One run of native.ps1: the lines it writes to stdout."""

    def __init__(self, env: ToolEnv, data: dict):
        self.env = env
        self.data = data
        self.lines: list[str] = []
        self.server_args: list[str] = []
        self.task_server_args: list[str] = []
        self.last_rc = 0
        self.last_hex = '  '

    # -- the functions the script defines ---------------------------------------------------------------------

    def complete_tool(self, step: str, tool: str, args: list[str], ident: int | None = None,
                      verdict: str = '') -> list[str]:
        """``Start-Tool`` then ``Complete-Tool``: the frame lines; leaves the exit code and the hex behind."""
        label = step if ident is None else f'{step} {ident}'
        frame = [f'##winrds:begin {label}']
        out = err = ''
        try:
            result = run_tool(self.env, tool, args)
            rc = result.rc
            codec = self.env.tool_codec()
            out, err = to_hex(result.stdout(codec)), to_hex(result.stderr(codec))
            if out:
                frame.append(f'##winrds:out {out}')
            if err:
                frame.append(f'##winrds:err {err}')
        except ToolMissing:
            rc, verdict = -1, 'missing'
            frame.append(f'##winrds:note {_NOT_FOUND}')
        self.last_rc = rc
        self.last_hex = f' {out} {err} '
        frame.append(f'##winrds:end {label} rc={rc}' + (f' verdict={verdict}' if verdict else ''))
        return frame

    def gone(self) -> bool:
        """``Test-Gone``: no ``[digits]`` in the last output."""
        return _GONE.search(self.last_hex) is None

    def _shows(self, target: dict) -> bool:
        user, logon = ps_string(target.get('user_hex')), target.get('logon_hex')
        return f' {user} ' in self.last_hex and (not ps_true(logon) or f' {ps_string(logon)} ' in self.last_hex)

    def test_identity(self, target: dict, step: str) -> str:
        """``Test-Identity``: writes the guard frame (and the account check's) and returns the verdict."""
        ident = ps_int(target.get('id'))
        frame = self.complete_tool(step, 'query', ['user', str(ident)] + self.server_args, ident, 'pending')
        if frame[-1].endswith('verdict=missing'):
            verdict = 'error'
        elif self.last_rc != 0:
            verdict = 'gone' if self.gone() else 'error'
        elif self._shows(target):
            verdict = 'match'
        else:
            verdict = 'mismatch'
        if verdict == 'match' and ps_true(target.get('account_hex')):
            accounts = ['/v', '/fo', 'csv', '/nh', '/fi', f'SESSION eq {ident}'] + self.task_server_args
            frame += self.complete_tool(f'{step}-account', 'tasklist', accounts, ident)
            if self.last_rc != 0:
                verdict = 'error'
            elif f' {ps_string(target.get("account_hex"))} ' not in self.last_hex:
                verdict = 'mismatch'
        self.lines += [line.replace('verdict=pending', f'verdict={verdict}') for line in frame]
        return verdict

    # -- the script body --------------------------------------------------------------------------------------

    def run(self) -> list[str]:
        data = self.data
        server = data.get('server')
        if ps_true(server):
            if not _SERVER.match(ps_string(server)):
                self.lines.append('##winrds:error bad_server 87')
                return self.lines
            self.server_args = [f'/server:{ps_string(server)}']
            self.task_server_args = ['/s', ps_string(server)]
        self.lines += self.complete_tool('chcp', 'chcp', [])
        self.lines += self.complete_tool('oemcp', 'reg', ['query', 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage',
                                                          '/v', 'OEMCP'])
        op = ps_string(data.get('op'))
        if op == 'snapshot':
            self.lines += self.complete_tool('query-session', 'query', ['session'] + self.server_args)
            self.lines += self.complete_tool('query-user', 'query', ['user'] + self.server_args)
            if ps_true(data.get('domains')):
                self.lines += self.complete_tool('tasklist', 'tasklist', ['/v', '/fo', 'csv', '/nh']
                                                 + self.task_server_args)
        elif op == 'message':
            text = ps_string(data.get('text'))
            if ps_true(data.get('title')):
                text = f'{ps_string(data.get("title"))}\r\n{text}'
            switches = self.server_args + [f'/time:{ps_int(data.get("timeout_seconds"))}', '/v']
            if ps_true(data.get('wait_response')):
                switches.append('/w')
            # The script starts every msg before it waits for any; here they run one after another (the real
            # engine runs them at once), which gives the same frames in the same order.
            for target in _as_list(data.get('targets')):
                ident = ps_int(target.get('id'))
                self.lines += self.complete_tool('msg', 'msg', [str(ident)] + switches + [text], ident)
        else:
            self._act(op)
        return self.lines

    def _act(self, op: str) -> None:
        data = self.data
        if op == 'logoff':
            act_tool = 'logoff'
        elif op == 'disconnect':
            act_tool = 'tsdiscon'
        else:
            self.lines.append('##winrds:error bad_op 87')
            return
        live = [target for target in _as_list(data.get('targets')) if self.test_identity(target, 'guard') == 'match']
        notice = data.get('notice')
        if ps_true(notice) and live:
            grace = ps_int(notice.get('grace_seconds'))
            text = ps_string(notice.get('text'))
            if ps_true(notice.get('title')):
                text = f'{ps_string(notice.get("title"))}\r\n{text}'
            for target in live:
                ident = ps_int(target.get('id'))
                self.lines += self.complete_tool('notice', 'msg', [str(ident)] + self.server_args
                                                 + [f'/time:{grace if grace > 0 else 60}', '/v', text], ident)
            if grace > 0:
                self.env.clock.sleep(grace)
            live = [target for target in live if self.test_identity(target, 'guard') == 'match']
        acted = []
        for target in live:
            ident = ps_int(target.get('id'))
            self.lines += self.complete_tool(act_tool, act_tool, [str(ident)] + self.server_args + ['/v'], ident)
            if self.last_rc == 0:
                acted.append(target)
        if op == 'logoff' and ps_true(data.get('wait')) and acted:
            left = self._wait_gone(acted, ps_int(data.get('timeout_seconds')))
            for target in acted:
                ident = ps_int(target.get('id'))
                verdict = 'gone' if ident in left else 'timeout'
                self.lines += [f'##winrds:begin wait {ident}', f'##winrds:end wait {ident} rc=0 verdict={verdict}']

    def _wait_gone(self, acted: list[dict], timeout: int) -> set[int]:
        """The wait loop: every session probed each second until all are gone or the deadline passed."""
        clock = self.env.clock
        deadline = clock.now().timestamp() + timeout
        waiting, left = list(acted), set()
        while waiting:
            still = []
            for target in waiting:
                ident = ps_int(target.get('id'))
                self.complete_tool('probe', 'query', ['user', str(ident)] + self.server_args, ident)
                present = (self.last_rc == 0 and self._shows(target)) or (self.last_rc != 0 and not self.gone())
                if present:
                    still.append(target)
                else:
                    left.add(ident)
            waiting = still
            if not waiting or clock.now().timestamp() >= deadline:
                break
            clock.sleep(1)
        return left


def _as_list(value) -> list:
    """``@($value)``: null is empty, a single object a one-element list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def run_native(env: ToolEnv, data: dict) -> list[str]:
    """The stdout lines of native.ps1 for this input."""
    return NativeRun(env, data).run()
