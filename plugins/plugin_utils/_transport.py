# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send a payload to a Windows host over the task's connection and bring its answer back.

Every command has the same, fixed command line (the bootstrap); the payload script and all user data travel on
stdin. stdin is ASCII only, the data JSON-escaped, so no console code page on the way can alter it. This module
is the only place that talks to the connection.

Errors (one root, :class:`PayloadError`)::

    PayloadError                 the payload ran but its answer cannot be used
    AnsibleConnectionFailure     (ansible's) the transport failed: the host is unreachable for this task
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
import zlib
from dataclasses import dataclass

from ansible.errors import AnsibleConnectionFailure, AnsibleError

_HERE = os.path.dirname(__file__)
PAYLOAD_FILES = {
    'bootstrap': os.path.join(_HERE, 'bootstrap.ps1'),
    'wts': os.path.join(_HERE, 'methods', 'wts.ps1'),
    'native': os.path.join(_HERE, 'methods', 'native.ps1'),
}
"""Where each script is: the bootstrap beside this module, each payload beside the driver that speaks to it."""
_POWERSHELL = 'PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand '
"""The prefix ansible-core 2.19's winrm plugin recognises and 2.21's passes through (" -EncodedCommand ")."""

_CLIXML_STRING = re.compile(r'<S S="Error">(.*?)</S>', re.DOTALL)
_CLIXML_ESCAPE = re.compile(r'_x([0-9A-Fa-f]{4})_')


class PayloadError(AnsibleError):
    """The payload ran, but its answer is missing, cut short or not what the payload writes."""


def _read_payload(name):
    with open(PAYLOAD_FILES[name], 'r', encoding='ascii') as handle:
        return handle.read()


PACKED_PAYLOADS = frozenset(['wts'])
"""Payloads sent DEFLATE-packed. Unpacking needs FullLanguage, which the wts payload needs anyway (it defines the
WTS functions with .NET);
the native payload is the one that must run in ConstrainedLanguage, so it is always sent as text."""

DEFLATE_MARK = '#deflate '
"""How stdin line 2 starts when the payload script is packed (bootstrap.ps1 tests for it)."""


def strip_comments(text):
    """The code of a PowerShell script: its first line (the header) and every other line that is not blank or a
    ``#`` comment, without indentation. Here-string bodies are kept verbatim (the C# helper lives in one). So a
    payload script must not spread any other string over several lines.

    :raises ValueError: the script has a ``<# #>`` block comment, which this does not parse.
    """
    lines = text.replace('\r\n', '\n').split('\n')
    code = [lines[0].rstrip()]
    here_string = False
    for line in lines[1:]:
        stripped = line.strip()
        if here_string:
            code.append(line.rstrip())
            here_string = not (line.startswith("'@") or line.startswith('"@'))
            continue
        if not stripped or stripped.startswith('#'):
            continue
        if '<#' in stripped:
            raise ValueError('block comments are not supported in payload scripts: %r' % stripped)
        code.append(stripped)
        here_string = stripped.endswith("@'") or stripped.endswith('@"')
    return '\n'.join(code)


OPERATIONS = ('snapshot', 'logoff', 'disconnect', 'message')
"""The operations the payloads know (the ``op`` of their input)."""

_ONLY = '# winrds-only:'


def for_operation(text, op):
    """A payload script without the blocks that only other operations run.

    A block starts with a line ``# winrds-only: <op> [<op>...]`` and ends with ``# winrds-only: end``; blocks do not
    nest. Each operation is sent only the code it can run, so a task ships less (docs/performance.md); an operation
    no block names gets every unmarked line and no block.

    :raises ValueError: a block is not closed, or one starts inside another.
    """
    kept = []
    wanted = None
    for line in text.replace('\r\n', '\n').split('\n'):
        stripped = line.strip()
        if stripped.startswith(_ONLY):
            ops = stripped[len(_ONLY):].split()
            if ops == ['end']:
                if wanted is None:
                    raise ValueError('a "# winrds-only: end" line without a block to end')
                wanted = None
            elif wanted is not None:
                raise ValueError('a "# winrds-only:" block starts inside another: %r' % stripped)
            else:
                wanted = op in ops
            continue
        if wanted is None or wanted:
            kept.append(line)
    if wanted is not None:
        raise ValueError('a "# winrds-only:" block is not ended')
    return '\n'.join(kept)


def pack(script):
    """A script as one stdin line: the mark and the base64 of its raw DEFLATE stream (no zlib header)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(script.encode('ascii')) + packer.flush()
    return DEFLATE_MARK + base64.b64encode(packed).decode('ascii')


_CACHE = {}


def payload_script(name):
    """The text of a payload script (``wts``, ``native`` or ``bootstrap``) as the file has it, read once."""
    if name not in _CACHE:
        _CACHE[name] = _read_payload(name)
    return _CACHE[name]


def _sent_script(name, op=None):
    """What follows the JSON line on stdin for payload ``name`` and operation ``op``: the code that operation runs,
    packed or as text."""
    key = 'sent:%s:%s' % (name, op)
    if key not in _CACHE:
        code = strip_comments(for_operation(payload_script(name), op))
        _CACHE[key] = pack(code) if name in PACKED_PAYLOADS else code
    return _CACHE[key]


def bootstrap_command():
    """The fixed command line: PowerShell running the bootstrap's code, encoded (never contains user data)."""
    if 'command' not in _CACHE:
        script = strip_comments(payload_script('bootstrap'))
        _CACHE['command'] = _POWERSHELL + base64.b64encode(script.encode('utf-16-le')).decode('ascii')
    return _CACHE['command']


def _prepare():
    """Read, strip and pack every payload once, when this module is imported.

    ansible-playbook imports the action plugins in its main process and forks a worker per host and task, so
    what is prepared here is inherited by every worker instead of being redone in each. A missing or unreadable
    payload is left to fail, with its own message, when a task needs it.
    """
    try:
        bootstrap_command()
        for name in ('wts', 'native'):
            for op in OPERATIONS:
                _sent_script(name, op)
    except (OSError, ValueError):
        pass


def payload_stdin(name, data):
    """stdin for a payload: the JSON data on the first line, the script after it, all ASCII."""
    line = json.dumps(data, ensure_ascii=True, separators=(',', ':'), sort_keys=True)
    op = data.get('op') if isinstance(data, dict) else None
    return (line + '\n' + _sent_script(name, op)).encode('ascii')


_prepare()


def clixml_to_text(stderr):
    """The error text of PowerShell's serialized error stream (``#< CLIXML``), or the bytes as text."""
    text = stderr.decode('utf-8', errors='replace')
    if not text.startswith('#< CLIXML'):
        return text.strip()
    pieces = [_CLIXML_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), piece)
              for piece in _CLIXML_STRING.findall(text)]
    return ''.join(pieces).strip()


@dataclass
class CommandResult:
    """What one command returned, as bytes, with its cost."""

    rc: int
    stdout: bytes
    stderr: bytes
    seconds: float
    bytes_sent: int


class PayloadRunner:
    """Runs payloads over an Ansible connection and counts what it costs."""

    def __init__(self, connection, display=None, host=None):
        self._connection = connection
        self._display = display
        self._host = host
        self.commands = 0
        self.bytes_sent = 0
        self.bytes_received = 0

    def run(self, name, data):
        """Run payload ``name`` with ``data``; return a :class:`CommandResult`.

        :raises AnsibleConnectionFailure: the transport failed (the host is unreachable for this task).
        """
        command = bootstrap_command()
        stdin = payload_stdin(name, data)
        if self._display:
            self._display.vvvv('winrds: running the %s payload (%s), %d bytes on stdin'
                               % (name, data.get('op'), len(stdin)), host=self._host)
            self._display.vvvvv('winrds: payload data %s' % stdin.split(b'\n', 1)[0].decode('ascii'),
                                host=self._host)
        started = time.monotonic()
        try:
            rc, stdout, stderr = self._connection.exec_command(command, in_data=stdin, sudoable=False)
        except AnsibleConnectionFailure:
            raise
        except Exception as error:  # the connection plugins raise transport errors of many kinds
            raise AnsibleConnectionFailure('running the %s payload failed on the way: %s: %s'
                                           % (name, type(error).__name__, error)) from error
        self.commands += 1
        self.bytes_sent += len(command) + len(stdin)
        stdout = stdout if isinstance(stdout, bytes) else str(stdout).encode('utf-8')
        stderr = stderr if isinstance(stderr, bytes) else str(stderr).encode('utf-8')
        self.bytes_received += len(stdout) + len(stderr)
        return CommandResult(rc, stdout, stderr, time.monotonic() - started, len(command) + len(stdin))


def parse_json_answer(name, result):
    """The JSON document a payload printed.

    :raises PayloadError: the output is empty, cut short or not JSON; the message says which and shows the start.
    """
    text = result.stdout.decode('utf-8', errors='replace').strip()
    start = text.find('{')
    if start < 0:
        problem = clixml_to_text(result.stderr) or '(no output at all)'
        raise PayloadError('the %s payload printed no JSON (rc=%s): %s' % (name, result.rc, problem[:500]))
    try:
        document = json.loads(text[start:])
    except ValueError as error:
        raise PayloadError('the %s payload printed output that is not whole JSON (%s; %d bytes, starting %r): '
                           'the output was cut short or corrupted on the way.'
                           % (name, error, len(result.stdout), text[start:start + 120]))
    if isinstance(document, dict) and document.get('payload') == 'bootstrap' and name in PACKED_PAYLOADS:
        return _unpack_refused(name, document)
    if not isinstance(document, dict) or document.get('payload') != name:
        raise PayloadError('the %s payload printed JSON that is not its answer: %r' % (name, text[start:start + 120]))
    return document


def _unpack_refused(name, document):
    """The bootstrap's answer when it could not unpack a packed payload, as the payload's own error answer.

    The bootstrap prints it only outside FullLanguage, where the packed payloads could not run either, so it is
    the same ``helper_unavailable`` error the payload itself gives there (and the runner falls back on it).
    """
    error = document.get('error') or {}
    if error.get('kind') != 'unpack_refused':
        raise PayloadError('the bootstrap answered for the %s payload with an error this controller does not know: %r'
                           % (name, error))
    mode = document.get('language_mode') or 'an unknown language'
    return {
        'payload': name,
        'computer': document.get('computer'),
        'language_mode': mode,
        'error': {'kind': 'helper_unavailable', 'code': 0,
                  'message': 'PowerShell runs in %s mode: the %s payload needs FullLanguage (it is sent packed and '
                             'defines the WTS functions with .NET)' % (mode, name)},
    }
