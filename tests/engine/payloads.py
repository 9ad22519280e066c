"""Run the collection's payloads as the controller sends them, against an in-process emulated host."""

from __future__ import annotations

import base64

from ansible_collections.winrds.sessions.plugins.module_utils.native_output import Codecs, split_frames
from ansible_collections.winrds.sessions.plugins.plugin_utils import _transport
from tests.emulator.windows import testing
from tests.emulator.windows.host import ExecContext

HowToGetPwsh = ('To run them, install PowerShell 7 for Linux '
                '(https://learn.microsoft.com/powershell/scripting/install/installing-powershell-on-linux) and put '
                'pwsh on PATH, or set PWSH to its path.')


def context(host, user='administrator', codepage=65001, auth='ntlm'):
    """The caller of a command: one of the host's accounts, in a WinRS shell of ``codepage``."""
    base = testing.context(host, user, auth)
    return ExecContext(account=base.account, auth=auth, scheme='http', codepage=codepage)


def run_payload(host, name, data, user='administrator', codepage=65001):
    """Send payload ``name`` with ``data`` exactly as the controller does (fixed command line, stdin)."""
    return host.execute(_transport.bootstrap_command(), _transport.payload_stdin(name, data),
                        context(host, user, codepage))


def run_script(host, script, stdin=b'', user='administrator', codepage=65001):
    """Run any PowerShell script as ``raw`` sends it (``-EncodedCommand``)."""
    encoded = base64.b64encode(script.encode('utf-16-le')).decode('ascii')
    return host.execute(testing.POWERSHELL + encoded, stdin, context(host, user, codepage))


def as_result(result):
    """The command's outcome in the controller's own type, so that its readers can be used on it."""
    return _transport.CommandResult(result.rc, result.stdout, result.stderr, 0.0, 0)


def wts_document(result):
    """The wts payload's answer, read by the controller's reader (raises PayloadError as the controller would)."""
    return _transport.parse_json_answer('wts', as_result(result))


def native_frames(result):
    """The native payload's frames and the codecs its code page frames name, read by the controller's readers."""
    frames, errors = split_frames(result.stdout)
    assert not errors, errors
    return frames, Codecs.from_frames(frames)


def last_command(host):
    """The host's record of the last command (engine, payload, calls)."""
    return host.state()['commands'][-1]
