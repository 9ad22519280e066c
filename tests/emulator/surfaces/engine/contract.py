"""The contract engine: what Windows PowerShell 5.1 does with a command line, reproduced without PowerShell.

For machines without ``pwsh``. It recognises the collection's fixed bootstrap (``bootstrap.py``) and answers its
payloads as ``payload_wts.py`` and ``payload_native.py`` reproduce them; any other script runs statement by
statement, each statement naming a native tool (what ``raw: query user`` sends). It judges the payloads by their
documented contract, not by running them: only the real engine (``pwsh.py``) runs their code.
"""

from __future__ import annotations

import json

from tests.emulator.windows.bootstrap import EMULATED_VERSIONS, UnpackError, is_bootstrap, read_stdin
from tests.emulator.windows.native import run_tool, tool_name
from tests.emulator.windows.payload_native import run_native
from tests.emulator.windows.payload_wts import run_wts
from tests.emulator.windows.powershell import (
    clixml_errors,
    convert_to_json,
    error_record_lines,
    exit_code,
    not_recognized_lines,
    split_statements,
    tokenize,
)
from tests.emulator.windows.toolargs import encode_lines

VERSION = '5.1 (emulated by contract)'


class ContractEngine:
    """Answers PowerShell command lines of one host by the payloads' contract."""

    name = 'contract'
    version = VERSION

    def __init__(self, host):
        self.host = host

    def close(self) -> None:
        """Nothing runs outside the emulator's process."""

    def abort_all(self) -> None:
        """Nothing runs outside the emulator's process."""

    def run(self, command_line: str, invocation, stdin: bytes, env, entry: dict) -> tuple[int, bytes, bytes]:
        """Run a PowerShell command line (``invocation`` is its parse: ``powershell`` or ``error``)."""
        del command_line
        entry['engine'] = {'name': self.name, 'version': self.version}
        if invocation.kind == 'error':
            if invocation.error == 'bad_encoded_command':
                # powershell.exe's own message for a -EncodedCommand it cannot decode (wording assumed).
                text = ('Cannot process the command because the value specified with -EncodedCommand is not '
                        'properly encoded. The value must be Base64 encoded.')
            else:
                text = 'This test host runs PowerShell only with -EncodedCommand or -Command.'
            return 1, b'', (text + '\r\n').encode('ascii')
        if is_bootstrap(invocation.script):
            return self._run_payload(stdin, env, entry)
        return self._run_script(invocation.script, stdin, env)

    def _run_script(self, script: str, stdin: bytes, env) -> tuple[int, bytes, bytes]:
        codec = env.tool_codec()
        stdin_text = stdin.decode(codec, errors='replace') if stdin else None
        stdout, stderr, errors = b'', b'', []
        native_rc, failed = None, False
        for statement in split_statements(script):
            words = tokenize(statement)
            if not words:
                continue
            if words[0].lower() in ('cmd', 'cmd.exe'):
                rc, out, err = self.host.run_cmd(' '.join(words), stdin, env)
                stdout, stderr, native_rc, failed = stdout + out, stderr + err, rc, False
                continue
            name = tool_name(words[0])
            if name is None:
                errors += not_recognized_lines(words[0], statement)
                native_rc, failed = None, True
                continue
            # A native command that is a whole statement writes to PowerShell's own handles: its bytes pass.
            result = run_tool(env, name, words[1:], stdin_text)
            stdout += result.stdout(codec)
            stderr += result.stderr(codec)
            native_rc, failed = result.rc, False
        if errors:
            stderr += clixml_errors(errors)
        return exit_code(native_rc, failed, self.host.options.powershell_exit_code), stdout, stderr

    def _run_payload(self, stdin: bytes, env, entry: dict) -> tuple[int, bytes, bytes]:
        host = self.host
        payload = read_stdin(stdin)
        if payload is None:
            return 0, b'', b''
        if payload.packed:
            if host.language_mode != 'FullLanguage':
                # The bootstrap's own answer (bootstrap.ps1): .NET streams are not core types in this mode
                # (about_Language_Modes), so it prints this and runs nothing.
                refusal = {'payload': 'bootstrap', 'computer': host.computer.computer_name,
                           'language_mode': host.language_mode, 'error': {'kind': 'unpack_refused'}}
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
        return 0, encode_lines(run_native(env, data), env.console_codec()), b''
