# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The framed output of the native payload and the code pages that decode it.

The native payload (docs/architecture.md, "native payload") runs each tool with its standard output and error
redirected to files and writes their bytes as hexadecimal between ASCII frame lines::

    ##winrds:begin query-user
    ##winrds:out 20 55 53 45 52 4E 41 4D 45 ...
    ##winrds:err 45 72 72 6F 72 ...
    ##winrds:note The system cannot find the file specified.
    ##winrds:end query-user rc=0

so no console, code page or PowerShell decoding changes a byte on the way. Which code page the tools wrote in is
not documented for a WinRM shell, whose console code page ansible-core sets to 65001: the payload reports both the
console code page (``chcp``) and the OEM code page of the system locale (``reg query ... OEMCP``), and
:class:`Codecs` decodes with the console's when the bytes are valid in it and with the OEM code page otherwise.
"""

from __future__ import annotations

import binascii
import codecs
import re
from dataclasses import dataclass, field

_PREFIX = b'##winrds:'
_END_FIELDS = re.compile(r'^(?P<label>.*?) rc=(?P<rc>-?\d+)(?: verdict=(?P<verdict>\w+))?$')
_TOOL_ERROR = re.compile(r'Error \[(\d+)\]:\s*(.*)')
_TOOL_HEX_ERROR = re.compile(r'Error 0x([0-9A-Fa-f]{8})')
_CODE_PAGE = re.compile(r'(\d{3,5})')


class NativeOutputError(ValueError):
    """The native payload's output is not what it writes: truncated, corrupted or from something else."""


@dataclass
class Frame:
    """One step of the native payload: the tool's exact output bytes and how it ended.

    ``rc`` is None when the end line never came (the answer was cut). ``rc`` -1 with verdict ``missing``: the tool
    could not be started, and ``note`` says why (in the host's words, non-ASCII characters as '?').
    """

    step: str
    id: int | None
    out: bytes = b''
    err: bytes = b''
    note: str = ''
    rc: int | None = None
    verdict: str | None = None
    stray: list = field(default_factory=list)

    @property
    def complete(self):
        return self.rc is not None

    @property
    def missing(self):
        return self.verdict == 'missing'

    def text(self, codecs_):
        """The standard output, decoded (see :class:`Codecs`)."""
        return codecs_.decode(self.out)

    def error_text(self, codecs_):
        """The standard error, decoded; the reason a tool could not start when it could not."""
        return codecs_.decode(self.err) or self.note

    def all_text(self, codecs_):
        """Standard output then standard error, as a person reading the console would see them."""
        return '\r\n'.join(part for part in (self.text(codecs_).rstrip('\r\n'), self.error_text(codecs_)) if part)


def _label(raw):
    text = raw.decode('ascii', errors='replace').strip()
    step, _unused, rest = text.partition(' ')
    ident = int(rest) if rest.strip().isdigit() else None
    return step, ident


def _hex(raw, line):
    try:
        return binascii.unhexlify(raw.replace(b' ', b''))
    except (binascii.Error, ValueError):
        raise NativeOutputError('a frame holds a line that is not hexadecimal: %r' % line[:120])


def _printable(line):
    return all(32 <= byte < 127 or byte == 9 for byte in line)


def split_frames(stdout):
    """Split the payload's stdout into frames and whole-call errors.

    :returns: ``(frames, errors)``; ``errors`` is a list of ``(kind, code)``. A frame whose end line is missing
        (the output was cut) is returned with ``rc`` None. Lines of plain text inside a frame that the payload does
        not write (PowerShell's own, if any) are kept in ``stray``.
    :raises NativeOutputError: the output is not the payload's. When whole frames came before the damage, the
        answer is read as cut where it breaks instead: those frames are the host's word on their sessions, and the
        frame the damage hit is incomplete.
    """
    frames = []
    errors = []
    current = None
    for raw_line in stdout.split(b'\n'):
        line = raw_line.rstrip(b'\r')
        try:
            current = _read_line(line, current, frames, errors)
        except NativeOutputError:
            if not any(frame.complete for frame in frames):
                raise
            break
    if current is not None:
        frames.append(current)
    return frames, errors


def _read_line(line, current, frames, errors):
    """Apply one output line; returns the frame being read (None between frames)."""
    if not line.startswith(_PREFIX):
        if not line.strip():
            return current
        if current is None or not _printable(line):
            raise NativeOutputError('output outside any frame: %r' % line[:120] if current is None
                                    else 'a frame holds bytes that are not text: %r' % line[:120])
        current.stray.append(line.decode('ascii'))
        return current
    kind, _unused, rest = line[len(_PREFIX):].partition(b' ')
    if kind == b'begin':
        if current is not None:
            frames.append(current)
        step, ident = _label(rest)
        return Frame(step=step, id=ident)
    if kind == b'error':
        name, _unused, code = rest.decode('ascii', errors='replace').strip().partition(' ')
        errors.append((name, int(code) if code.isdigit() else 0))
        return current
    if current is None:
        raise NativeOutputError('a frame line outside any frame: %r' % line[:120])
    if kind == b'out':
        current.out += _hex(rest, line)
    elif kind == b'err':
        current.err += _hex(rest, line)
    elif kind == b'note':
        current.note = rest.decode('ascii', errors='replace').strip()
    elif kind == b'end':
        match = _END_FIELDS.match(rest.decode('ascii', errors='replace').strip())
        if not match:
            raise NativeOutputError('a frame end line is malformed: %r' % line[:120])
        current.rc = int(match.group('rc'))
        current.verdict = match.group('verdict')
        frames.append(current)
        return None
    else:
        raise NativeOutputError('an unknown frame line: %r' % line[:120])
    return current


def code_page_of(frame):
    """The code page number a ``chcp`` or ``reg query ... OEMCP`` frame reports, or None.

    chcp's text is localized (``Active code page: 437``, ``Aktive Codepage: 850.``, ``現在のコード ページ: 932``)
    and reg prints ``OEMCP    REG_SZ    866``, but the number is ASCII digits in every language and code page, so
    the last number of the output is the code page.
    """
    if frame is None or not frame.complete or frame.rc != 0:
        return None
    numbers = _CODE_PAGE.findall(frame.out.decode('ascii', errors='replace'))
    return int(numbers[-1]) if numbers else None


def codec_name(code_page):
    """The Python codec of a Windows code page; NativeOutputError when this controller has none."""
    codec = 'utf-8' if code_page == 65001 else 'cp%d' % code_page
    try:
        codecs.lookup(codec)
    except LookupError:
        raise NativeOutputError('the host uses code page %d, which this controller cannot decode' % code_page)
    return codec


class Codecs:
    """How one call's tool output is decoded: the console code page first, the OEM code page of the system locale
    when the bytes are not valid in the console's.

    The tools write either in the console code page (65001 in ansible-core's WinRM shell) or in the OEM code page;
    no public source says which (docs/languages.md). UTF-8 is strict: OEM text with non-ASCII characters is
    almost never valid UTF-8, and ASCII text reads the same in both. Undecodable bytes of the last resort become
    U+FFFD, never an exception.
    """

    def __init__(self, console=None, oem=None):
        if console is None and oem is None:
            raise NativeOutputError('the host reported neither its console nor its OEM code page (chcp and reg '
                                    'query gave nothing)')
        self.console = console
        self.oem = oem
        self.order = [codec for codec in (console, oem) if codec]
        if len(self.order) == 2 and self.order[0] == self.order[1]:
            self.order = self.order[:1]

    @classmethod
    def from_frames(cls, frames):
        steps = dict((frame.step, frame) for frame in frames)
        console, oem = code_page_of(steps.get('chcp')), code_page_of(steps.get('oemcp'))
        return cls(console=codec_name(console) if console else None, oem=codec_name(oem) if oem else None)

    def codec_of(self, data):
        """The codec that decodes these bytes: the first in order that reads them without error."""
        for codec in self.order[:-1]:
            try:
                data.decode(codec)
                return codec
            except UnicodeDecodeError:
                continue
        return self.order[-1]

    def decode(self, data):
        return data.decode(self.codec_of(data), errors='replace')


def cell_hex(text, codec):
    """A cell's text as the payload compares it: its bytes in the tool's codec, upper-case hex pairs joined by
    blanks (``'bob'`` -> ``'62 6F 62'``); None when the text cannot be written in that codec."""
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        return None
    return ' '.join('%02X' % byte for byte in data)


def tool_error(text):
    """The Win32 error a native tool printed, as ``(code, message)``, or None.

    The tools print ``Error [5]:Access is denied.``; a remote query may print only ``Error 0x000006BA ...``
    first (docs/sources.md, the session tools' error lines).
    """
    match = _TOOL_ERROR.search(text)
    if match:
        return int(match.group(1)), match.group(2).strip()
    match = _TOOL_HEX_ERROR.search(text)
    if match:
        return int(match.group(1), 16), text.strip().splitlines()[0]
    return None
