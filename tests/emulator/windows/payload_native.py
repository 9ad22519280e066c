"""What Windows PowerShell 5.1 does running ``native.ps1`` (winrds payload: native v1) on this host.

This follows the script statement by statement; the tools themselves are the emulated native tools. Effects
of PowerShell that the script relies on, reproduced here:

- ``@(& tool args 2>&1)`` collects the tool's stdout lines, then its stderr lines (as ErrorRecords whose
  ``[string]`` is the line); the body of a frame is those lines decoded from, and written back in, the OEM code
  page, each ended by CRLF (the host's output encoding).
- ``$Stdin | & msg ...`` writes the text to msg's stdin with ``$OutputEncoding``, which is ASCII in Windows
  PowerShell 5.1 (about_Character_Encoding, powershell-5.1): a character outside ASCII reaches msg as ``?``.
  The script sets ``$OutputEncoding`` to the console's (OEM) encoding in FullLanguage mode; a restricted
  language mode refuses the static property, so ASCII stays there.
- ``Test-Identity`` is called as a statement: its frame lines reach stdout, its verdict is left in
  ``$script:verdict``.
- ``Start-Sleep`` and the one-second polling advance the host clock (clock.py).
"""

from __future__ import annotations

import re

from .native import run_tool
from .toolargs import ToolResult
from .toolenv import ToolEnv

_SERVER = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]*$')


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


class NativeRun:
    """One run of native.ps1: the lines it writes to stdout."""

    def __init__(self, env: ToolEnv, data: dict):
        self.env = env
        self.data = data
        self.lines: list[str] = []
        self.server_args: list[str] = []
        self.last_rc = 0
        self.full_language = env.host.language_mode == 'FullLanguage'

    # -- helpers the script defines ---------------------------------------------------------------------------

    def _through_console(self, result: ToolResult) -> list[str]:
        # The tool writes bytes in its encoding; PowerShell reads them with the console's.
        written, console = self.env.tool_codec(), self.env.console_codec()
        return [line.encode(written, errors='replace').decode(console, errors='replace')
                for line in result.out + result.err]

    def _tool(self, tool: str, args: list[str], stdin: str | None = None) -> ToolResult:
        piped = None
        if stdin is not None:
            # PowerShell writes with $OutputEncoding (ASCII, or the console's in FullLanguage); the tool reads
            # with its own encoding.
            written = self.env.console_codec() if self.full_language else 'ascii'
            piped = stdin.encode(written, errors='replace').decode(self.env.tool_codec(), errors='replace') + '\r\n'
        return run_tool(self.env, tool, args, piped)

    def invoke_tool(self, step: str, tool: str, arguments: list[str], ident: int | None = None,
                    stdin: str | None = None) -> list[str]:
        """``Invoke-Tool``: a frame with the tool's merged output; returns the frame's lines."""
        label = step if ident is None else f'{step} {ident}'
        result = self._tool(tool, arguments, stdin)
        self.last_rc = result.rc
        return [f'##winrds:begin {label}', *self._through_console(result), f'##winrds:end {label} rc={result.rc}']

    def test_identity(self, target: dict, step: str) -> tuple[str, list[str]]:
        """``Test-Identity``: the verdict, and the frame lines the function writes."""
        ident = ps_int(target.get('id'))
        result = self._tool('query', ['user', str(ident)] + self.server_args)
        body = self._through_console(result)
        verdict = 'gone'
        if result.rc == 0:
            verdict = 'mismatch'
            user_cell = ps_string(target.get('user_cell'))
            logon_cell = target.get('logon_cell')
            for text in body:
                if user_cell in text and (logon_cell is None or ps_string(logon_cell) in text):
                    verdict = 'match'
        end = f'##winrds:end {step} {ident} rc={result.rc} verdict={verdict}'
        frame = [f'##winrds:begin {step} {ident}', *body, end]
        return verdict, frame

    def guard_matches(self, target: dict) -> bool:
        """``Test-Identity -Target $t -Step 'guard'`` as a statement: the frame goes out, the verdict is kept."""
        verdict, frame = self.test_identity(target, 'guard')
        self.lines += frame
        return verdict == 'match'

    # -- the script body --------------------------------------------------------------------------------------

    def run(self) -> list[str]:
        data = self.data
        server = data.get('server')
        if ps_true(server):
            if not _SERVER.match(ps_string(server)):
                self.lines.append('##winrds:error bad_server 87')
                return self.lines
            self.server_args = [f'/server:{ps_string(server)}']
        self.lines += self.invoke_tool('chcp', 'chcp', [])
        op = ps_string(data.get('op')).lower()
        if op == 'snapshot':
            self.lines += self.invoke_tool('query-session', 'query', ['session'] + self.server_args)
            self.lines += self.invoke_tool('query-user', 'query', ['user'] + self.server_args)
        elif op == 'message':
            for target in _as_list(data.get('targets')):
                ident = ps_int(target.get('id'))
                args = [str(ident)] + self.server_args + [f'/time:{ps_int(data.get("timeout_seconds"))}', '/v']
                if ps_true(data.get('wait_response')):
                    args.append('/w')
                text = ps_string(data.get('text'))
                if ps_true(data.get('title')):
                    text = f'{ps_string(data.get("title"))}\r\n{text}'
                self.lines += self.invoke_tool('msg', 'msg', args, ident, text)
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
        targets = _as_list(data.get('targets'))
        live = [target for target in targets if self.guard_matches(target)]
        notice = data.get('notice')
        if ps_true(notice) and live:
            grace = ps_int(notice.get('grace_seconds'))
            for target in live:
                ident = ps_int(target.get('id'))
                args = [str(ident)] + self.server_args + [f'/time:{grace if grace > 0 else 60}', '/v']
                text = ps_string(notice.get('text'))
                if ps_true(notice.get('title')):
                    text = f'{ps_string(notice.get("title"))}\r\n{text}'
                self.lines += self.invoke_tool('notice', 'msg', args, ident, text)
            if grace > 0:
                self.env.clock.sleep(grace)
            live = [target for target in live if self.guard_matches(target)]
        for target in live:
            ident = ps_int(target.get('id'))
            self.lines += self.invoke_tool(act_tool, act_tool, [str(ident)] + self.server_args + ['/v'], ident)
            if self.last_rc == 0 and op == 'logoff' and ps_true(data.get('wait')):
                verdict = self._wait_gone(target, ident, ps_int(data.get('timeout_seconds')))
                self.lines += [f'##winrds:begin wait {ident}', f'##winrds:end wait {ident} rc=0 verdict={verdict}']

    def _wait_gone(self, target: dict, ident: int, timeout: int) -> str:
        clock = self.env.clock
        deadline = clock.now().timestamp() + timeout
        user_cell = ps_string(target.get('user_cell'))
        while True:
            probe = self._tool('query', ['user', str(ident)] + self.server_args)
            present = probe.rc == 0 and any(user_cell in text for text in self._through_console(probe))
            if not present:
                return 'gone'
            if clock.now().timestamp() >= deadline:
                return 'timeout'
            clock.sleep(1)


def _as_list(value) -> list:
    """``@($value)``: null is empty, a single object a one-element list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def run_native(env: ToolEnv, data: dict) -> list[str]:
    """The stdout lines of native.ps1 for this input."""
    return NativeRun(env, data).run()
