# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The native tools' bytes back from the text a PowerShell remoting session (``psrp``) returns.

Over ``winrm`` PowerShell runs in the WinRS shell's console and writes the tools' output through as the console's
bytes. Over ``psrp`` it runs in a remoting host process without a console: .NET then falls back to the system's ANSI
code page for ``[Console]::OutputEncoding``, with which PowerShell reads the tools' output, while each tool runs in
a console of its own and writes the OEM code page, the one ``chcp`` reports (PowerShell/PowerShell#15128). The
psrp plugin returns PowerShell's strings as UTF-8. Encoding that text again with the ANSI code page gives back the
bytes the tools wrote, which the native path then reads as over winrm.

The ANSI code page that goes with an OEM code page is the system locale's; Windows' locales pair them as below
(the ACP and OEMCP of each locale in tats-u/locale-name-code-page, assets/nls_info.json). Double-byte code pages
are their own ANSI code page.
"""

from __future__ import annotations

import codecs

ANSI_OF_OEM = {
    437: 1252, 850: 1252, 852: 1250, 855: 1251, 857: 1254, 862: 1255, 866: 1251, 720: 1256, 737: 1253,
    775: 1257, 874: 874, 932: 932, 936: 936, 949: 949, 950: 950, 1258: 1258, 65001: 65001,
}
"""OEM code page -> the ANSI code page of the same system locales."""


def code_page_of(codec):
    """The Windows code page number of a codec name as ``native_output.codec_for_code_page`` gives it."""
    return 65001 if codec == 'utf-8' else int(codec[2:])


def _encode(text, codec):
    """``text`` in a Windows code page. Windows' single-byte tables map the bytes they leave undefined to the
    control characters of the same number, which Python's codecs refuse: those go back to their byte."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode(codec)
        except UnicodeEncodeError:
            out += bytes([ord(char)]) if 0x80 <= ord(char) <= 0x9F else b"?"
    return bytes(out)


def tool_bytes(stdout, oem_codec):
    """The bytes the tools wrote, from the UTF-8 text the psrp connection returned for a native call whose chcp
    reported ``oem_codec`` (a codec name: ``cp850``, ``utf-8``)."""
    text = stdout.decode('utf-8', errors='replace')
    ansi = ANSI_OF_OEM.get(code_page_of(oem_codec))
    codec = oem_codec if ansi is None else ('utf-8' if ansi == 65001 else 'cp%d' % ansi)
    try:
        codecs.lookup(codec)
    except LookupError:
        codec = oem_codec
    return _encode(text, codec)


def session_text(text, oem_codec):
    """``text`` as PowerShell reads it in the session when a tool prints it: the tool's OEM bytes read in the ANSI
    code page (what native.ps1 compares the identity cells with). The inverse of :func:`tool_bytes`."""
    ansi = ANSI_OF_OEM.get(code_page_of(oem_codec))
    if ansi is None or ansi == code_page_of(oem_codec):
        return text
    written = text.encode(oem_codec, errors='replace')
    codec = 'cp%d' % ansi
    out = []
    for index in range(len(written)):
        try:
            out.append(written[index:index + 1].decode(codec))
        except UnicodeDecodeError:
            out.append(chr(written[index]))
    return ''.join(out)
