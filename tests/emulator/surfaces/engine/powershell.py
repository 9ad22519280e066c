"""What Windows PowerShell 5.1 and cmd.exe do with a command line, as far as this host needs it.

- ``powershell ... -EncodedCommand <base64>``: the script is the base64 of UTF-16-LE text
  (docs/sources.md, "What ansible-core sends"; ansible-core ``_internal/_powershell/_script.py`` builds it so).
  PowerShell accepts any unambiguous prefix of a parameter name (``-enc``, ``-e``).
- The exit code of ``powershell -Command``/``-EncodedCommand`` is 0 when the last statement succeeded and 1 when
  it failed, even when it was a native command with another exit code (PowerShell/PowerShell#13501,
  about_PowerShell_exe): ``powershell_exit_code: status`` (default). ``lastexitcode`` passes the native code on.
- A native command run as a whole statement writes to PowerShell's own stdout and stderr handles, so its
  bytes arrive unchanged (docs/sources.md, "Which code page the tools write"). PowerShell's own errors arrive
  as CLIXML: ``#< CLIXML`` then ``<Objs>`` with one ``<S S="Error">`` per line, control characters as ``_xHHHH_``
  (ansible-core ``plugins/shell/powershell.py`` ``_parse_clixml`` reads exactly this).
- An unknown command: ``x : The term 'x' is not recognized as the name of a cmdlet, function, script file, or
  operable program...`` with position and category lines (transcripts ids 30346974921, 46999368336).
- cmd.exe: ``'x' is not recognized as an internal or external command,`` / ``operable program or batch file.``
  (transcript id 11101950510).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape


CLIXML_HEADER = '#< CLIXML\r\n'
_CLIXML_OPEN = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
_POWERSHELL_NAMES = ('powershell', 'powershell.exe', 'pwsh', 'pwsh.exe')


@dataclass
class Invocation:
    """How a command line runs: ``kind`` is ``powershell`` (``script`` set), ``cmd`` or ``error``."""

    kind: str
    script: str | None = None
    text: str = ''
    error: str | None = None


def split_command_line(line: str) -> list[str]:
    """Words of a Windows command line: blanks separate, double quotes group (CommandLineToArgvW, simplified)."""
    words, current, quoted, started = [], [], False, False
    for char in line:
        if char == '"':
            quoted = not quoted
            started = True
        elif char in ' \t' and not quoted:
            if started:
                words.append(''.join(current))
                current, started = [], False
        else:
            current.append(char)
            started = True
    if started:
        words.append(''.join(current))
    return words


def _is_parameter(word: str, name: str, minimum: int) -> bool:
    lowered = word.lower()
    return lowered.startswith('-') and len(lowered) > minimum and name.startswith(lowered[1:])


def parse_command_line(command_line: str) -> Invocation:
    """Classify a command line and decode an encoded PowerShell script."""
    words = split_command_line(command_line)
    if not words:
        return Invocation('cmd', text='')
    program = words[0].replace('/', '\\').rsplit('\\', 1)[-1].lower()
    if program not in _POWERSHELL_NAMES:
        return Invocation('cmd', text=command_line.strip())
    for index, word in enumerate(words[1:], start=1):
        # -EncodedCommand: "-e" and "-ec" are the documented short forms; "-ex..." is -ExecutionPolicy.
        if _is_parameter(word, 'encodedcommand', 1) and not word.lower().startswith('-ex'):
            if index + 1 >= len(words):
                return Invocation('error', error='missing_encoded_command')
            try:
                raw = base64.b64decode(words[index + 1], validate=True)
                return Invocation('powershell', script=raw.decode('utf-16-le'))
            except (binascii.Error, UnicodeDecodeError):
                return Invocation('error', error='bad_encoded_command')
        if _is_parameter(word, 'command', 1):
            return Invocation('powershell', script=' '.join(words[index + 1:]))
    return Invocation('error', error='no_command')


def split_statements(script: str) -> list[str]:
    """Statements of a simple script: split on newlines and ``;`` outside quotes, blanks dropped."""
    statements, current, quote = [], [], None
    for char in script:
        if quote:
            current.append(char)
            if char == quote:
                quote = None
        elif char in '\'"':
            quote = char
            current.append(char)
        elif char in ';\n':
            statements.append(''.join(current))
            current = []
        else:
            current.append(char)
    statements.append(''.join(current))
    return [s.strip() for s in statements if s.strip() and not s.strip().startswith('#')]


def tokenize(statement: str) -> list[str]:
    """Arguments of one command statement: blanks separate; '...' and "..." group; a leading ``&`` is dropped."""
    words, current, quote, started = [], [], None, False
    for char in statement:
        if quote:
            if char == quote:
                quote = None
            else:
                current.append(char)
        elif char in '\'"':
            quote = char
            started = True
        elif char in ' \t\r':
            if started:
                words.append(''.join(current))
                current, started = [], False
        else:
            current.append(char)
            started = True
    if started:
        words.append(''.join(current))
    if words and words[0] == '&':
        words = words[1:]
    return words


def _clixml_string(text: str) -> str:
    escaped = escape(text)
    return re.sub(r'[\x00-\x1f]', lambda m: f'_x{ord(m.group()):04X}_', escaped)


def clixml_errors(lines: list[str]) -> bytes:
    """PowerShell's serialized error stream for these lines (stderr of ``powershell -EncodedCommand``)."""
    body = ''.join(f'<S S="Error">{_clixml_string(line + chr(13) + chr(10))}</S>' for line in lines)
    return (CLIXML_HEADER + _CLIXML_OPEN + body + '</Objs>').encode('utf-8')


def not_recognized_lines(word: str, statement: str) -> list[str]:
    """The error record PowerShell 5.1 writes for a command it cannot find."""
    return [
        f"{word} : The term '{word}' is not recognized as the name of a cmdlet, function, script file, or "
        'operable program. Check the spelling of the name, or if a path was included, verify that the path '
        'is correct and try again.',
        'At line:1 char:1',
        f'+ {statement}',
        '+ ' + '~' * len(word),
        f'    + CategoryInfo          : ObjectNotFound: ({word}:String) [], CommandNotFoundException',
        '    + FullyQualifiedErrorId : CommandNotFoundException',
        ' ',
    ]


def error_record_lines(message: str, category: str, error_id: str, statement: str) -> list[str]:
    """A generic PowerShell 5.1 error record (message, position, category and id lines)."""
    return [message, 'At line:1 char:1', f'+ {statement}', '+ ' + '~' * max(1, len(statement.split(' ')[0])),
            f'    + CategoryInfo          : {category}', f'    + FullyQualifiedErrorId : {error_id}', ' ']


def cmd_not_recognized(word: str) -> list[str]:
    """cmd.exe's message for an unknown command."""
    return [f"'{word}' is not recognized as an internal or external command,", 'operable program or batch file.']


def exit_code(native_rc: int | None, statement_failed: bool, mode: str) -> int:
    """powershell.exe's exit code after the last statement (see the module docstring)."""
    if mode == 'lastexitcode' and native_rc is not None:
        return native_rc
    if native_rc is not None:
        return 0 if native_rc == 0 else 1
    return 1 if statement_failed else 0


def convert_to_json(value) -> str:
    """``ConvertTo-Json -Compress`` of Windows PowerShell 5.1, then the payload's non-ASCII escaping.

    5.1 serializes with JavaScriptSerializer, which also escapes ``<``, ``>``, ``&`` and ``'`` as ``\\u003c``
    and so on (assumed from the serializer's documented HTML-safe output); the payload then writes every
    non-ASCII character as ``\\uXXXX`` (wts.ps1 Write-Result).
    """
    text = json.dumps(value, ensure_ascii=True, separators=(',', ':'))
    for char, code in (('<', '\\u003c'), ('>', '\\u003e'), ('&', '\\u0026'), ("'", '\\u0027')):
        text = text.replace(char, code)
    return text
