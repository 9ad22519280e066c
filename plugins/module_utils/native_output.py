# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The framed output of the native payload, decoded with the host's OEM code page.

The native tools write in the OEM code page of the host's system locale. The payload frames each tool's output
with ASCII lines (docs/architecture.md, "native payload"); an ASCII line can be found in the raw bytes of every
OEM code page, single- or double-byte, because the trail bytes of cp932/936/949/950 are never below 0x40, so
line feeds and '#' always stand for themselves.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BEGIN = b'##winrds:begin '
_END = b'##winrds:end '
_ERROR = b'##winrds:error '
_END_FIELDS = re.compile(r'^(?P<label>.*?) rc=(?P<rc>-?\d+)(?: verdict=(?P<verdict>\w+))?$')
_TOOL_ERROR = re.compile(r'Error \[(\d+)\]:\s*(.*)')
_TOOL_HEX_ERROR = re.compile(r'Error 0x([0-9A-Fa-f]{8})')
_CODE_PAGE = re.compile(r'(\d{3,5})')


class NativeOutputError(ValueError):
    """The native payload's output is not what it writes: truncated, corrupted or from something else."""


@dataclass
class Frame:
    """One step of the native payload: the tool's raw output and how it ended."""

    step: str
    id: int | None
    body: bytes
    rc: int | None = None
    verdict: str | None = None

    @property
    def complete(self):
        return self.rc is not None

    def text(self, codec):
        """The body decoded with the host's code page (undecodable bytes become U+FFFD, never an exception)."""
        return self.body.decode(codec, errors='replace')


def _label(raw):
    text = raw.decode('ascii', errors='replace').strip()
    step, _unused, rest = text.partition(' ')
    ident = int(rest) if rest.strip().isdigit() else None
    return step, ident


def split_frames(stdout):
    """Split the payload's stdout into frames and whole-call errors.

    :returns: ``(frames, errors)``; ``errors`` is a list of ``(kind, code)``. A frame whose end line is missing
        (the output was cut) is returned with ``rc`` None.
    """
    frames = []
    errors = []
    current = None
    body = []
    for raw_line in stdout.split(b'\n'):
        line = raw_line[:-1] if raw_line.endswith(b'\r') else raw_line
        if line.startswith(_BEGIN):
            if current is not None:
                current.body = b'\n'.join(body)
                frames.append(current)
            step, ident = _label(line[len(_BEGIN):])
            current = Frame(step=step, id=ident, body=b'')
            body = []
        elif line.startswith(_END) and current is not None:
            match = _END_FIELDS.match(line[len(_END):].decode('ascii', errors='replace').strip())
            if not match:
                raise NativeOutputError('a frame end line is malformed: %r' % line[:120])
            current.body = b'\n'.join(body)
            current.rc = int(match.group('rc'))
            current.verdict = match.group('verdict')
            frames.append(current)
            current = None
            body = []
        elif line.startswith(_ERROR):
            kind, _unused, code = line[len(_ERROR):].decode('ascii', errors='replace').strip().partition(' ')
            errors.append((kind, int(code) if code.isdigit() else 0))
        elif current is not None:
            body.append(line)
        elif line.strip():
            raise NativeOutputError('output outside any frame: %r' % line[:120])
    if current is not None:
        current.body = b'\n'.join(body)
        frames.append(current)
    return frames, errors


def codec_for_code_page(frame):
    """The Python codec of the code page that the ``chcp`` frame reports.

    chcp's text is localized (``Active code page: 437``, ``Aktive Codepage: 850.``, ``現在のコード ページ: 932``)
    but the number is ASCII digits in every language, so the last number in the text is the code page.
    """
    if frame is None or not frame.complete:
        raise NativeOutputError('the host did not report its code page (chcp output is missing)')
    numbers = _CODE_PAGE.findall(frame.body.decode('ascii', errors='replace'))
    if not numbers:
        raise NativeOutputError('chcp printed no code page number: %r' % frame.body[:120])
    code_page = int(numbers[-1])
    codec = 'utf-8' if code_page == 65001 else 'cp%d' % code_page
    try:
        codecs.lookup(codec)
    except LookupError:
        raise NativeOutputError('the host uses code page %d, which this controller cannot decode' % code_page)
    return codec


def tool_error(text):
    """The Win32 error a native tool printed, as ``(code, message)``, or None.

    The tools print ``Error [5]:Access is denied.``; a remote query may print only ``Error 0x000006BA ...``
    first (windows-tools.md sections 1-2).
    """
    match = _TOOL_ERROR.search(text)
    if match:
        return int(match.group(1)), match.group(2).strip()
    match = _TOOL_HEX_ERROR.search(text)
    if match:
        return int(match.group(1), 16), text.strip().splitlines()[0]
    return None
