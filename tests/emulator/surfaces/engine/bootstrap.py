"""Recognise the collection's fixed bootstrap and take a payload off stdin (docs/architecture.md, wire contract).

The bootstrap text is read from ``plugins/plugin_utils/bootstrap.ps1`` when this module is imported,
so a change to that file changes what the emulated host recognises: it cannot diverge silently. A command is the
bootstrap when its code lines (the lines that are neither blank nor ``#`` comments, without indentation) are the
file's, so the file's comments may be sent or left out. The payload
scripts are emulated by name and version (``payload_wts.py``, ``payload_native.py``); a payload whose version
differs from the emulated one is refused loudly, and a unit test compares these versions with the files.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path


REPO = Path(__file__).resolve().parents[4]
PLUGIN_UTILS = REPO / 'plugins' / 'plugin_utils'
BOOTSTRAP_FILE = PLUGIN_UTILS / 'bootstrap.ps1'
PAYLOAD_DIR = PLUGIN_UTILS / 'methods'
"""The payload scripts, each beside the controller's driver that speaks to it."""
EMULATED_VERSIONS = {'wts': 3, 'native': 2}
"""The payload versions whose behaviour payload_wts.py and payload_native.py reproduce."""

_HEADER = re.compile(r'^#\s*winrds payload:\s*(?P<name>[A-Za-z0-9_-]+)\s+v(?P<version>\d+)\s*$')


def _code(text: str) -> list[str]:
    lines = (line.strip() for line in text.replace('\r\n', '\n').split('\n'))
    return [line for line in lines if line and not line.startswith('#')]


def _read_bootstrap() -> list[str] | None:
    try:
        return _code(BOOTSTRAP_FILE.read_text(encoding='utf-8-sig'))
    except FileNotFoundError:
        return None


BOOTSTRAP = _read_bootstrap()
"""The bootstrap's code lines, or None when the checkout has no bootstrap.ps1."""

DEFLATE_MARK = '#deflate '
"""stdin line 2 of a packed payload starts with this; the bootstrap inflates the base64 after it."""


def is_bootstrap(script: str) -> bool:
    """True when an encoded command is the collection's bootstrap."""
    return BOOTSTRAP is not None and _code(script) == BOOTSTRAP


class UnpackError(Exception):
    """The packed script cannot be decoded or inflated: what .NET throws in the bootstrap, as PowerShell words it
    (the method called, its argument count, the .NET exception type and message)."""

    def __init__(self, method: str, arguments: int, exception: str, message: str):
        super().__init__(f'Exception calling "{method}" with "{arguments}" argument(s): "{message}"')
        self.method = method
        self.exception = exception


@dataclass
class Payload:
    """A payload as the bootstrap receives it: the JSON line and the script (``packed``: still DEFLATE-packed)."""

    data_text: str
    script: str
    name: str | None
    version: int | None
    packed: bool = False

    def unpacked(self) -> Payload:
        """The payload with its script inflated as the bootstrap does in FullLanguage.

        ``[Convert]::FromBase64String`` then ``DeflateStream`` (raw DEFLATE, RFC 1951) read to the end with a
        UTF-8 ``StreamReader``. The two messages are .NET Framework's for a bad base64 string and for data that is
        not a DEFLATE stream (FormatException and InvalidDataException; wording as .NET 4.x prints it, assumed).

        :raises UnpackError: the text after the mark is not base64, or not a DEFLATE stream.
        """
        try:
            # FromBase64String skips white space, line breaks included.
            packed = base64.b64decode(''.join(self.script[len(DEFLATE_MARK):].split()), validate=True)
        except (binascii.Error, ValueError):
            raise UnpackError('FromBase64String', 1, 'FormatException',
                              'The input is not a valid Base-64 string as it contains a '
                              'non-base 64 character, more than two padding characters, or an illegal character '
                              'among the padding characters. ')
        try:
            script = zlib.decompress(packed, -15).decode('utf-8', errors='replace')
        except zlib.error:
            raise UnpackError('ReadToEnd', 0, 'InvalidDataException', 'Block length does not match with its complement.')
        return _payload(self.data_text, script.replace('\r\n', '\n').split('\n'))


def _payload(data_text: str, script_lines: list[str]) -> Payload:
    script = '\n'.join(script_lines)
    match = _HEADER.match(script_lines[0].strip())
    if not match:
        return Payload(data_text, script, None, None)
    return Payload(data_text, script, match.group('name'), int(match.group('version')))


def read_stdin(stdin: bytes) -> Payload | None:
    """Split stdin as the bootstrap does (``$input`` lines: line 1 the data, the rest the script)."""
    text = stdin.decode('utf-8', errors='replace')
    lines = text.replace('\r\n', '\n').split('\n')
    if text.endswith('\n'):
        lines = lines[:-1]
    if len(lines) < 2:
        return None
    if lines[1][:len(DEFLATE_MARK)].lower() == DEFLATE_MARK:
        # -like '#deflate *', case-insensitive as PowerShell's comparison operators are.
        return Payload(lines[0], '\n'.join(lines[1:]), None, None, packed=True)
    return _payload(lines[0], lines[1:])


def describe(stdin: bytes) -> dict:
    """``payload`` (name) and ``op`` of a bootstrap command's stdin, for the host's record of the command (the
    real engine runs the script itself; the record only names what it ran). Empty when stdin is no payload."""
    payload = read_stdin(stdin)
    if payload is None:
        return {}
    try:
        payload = payload.unpacked() if payload.packed else payload
        data = json.loads(payload.data_text)
    except (UnpackError, ValueError):
        return {}
    return {'payload': payload.name, 'op': data.get('op') if isinstance(data, dict) else None}


def payload_file_versions() -> dict[str, int]:
    """The ``vN`` in the first line of each payload script of the checkout (for the consistency test)."""
    versions = {}
    for path in sorted(PAYLOAD_DIR.glob('*.ps1')):
        first = path.read_text(encoding='utf-8-sig').splitlines()[0] if path.stat().st_size else ''
        match = _HEADER.match(first.strip())
        if match:
            versions[match.group('name')] = int(match.group('version'))
    return versions
