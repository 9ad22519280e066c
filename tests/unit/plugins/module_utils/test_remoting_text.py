"""remoting_text: the native tools' bytes back from the text of a PowerShell remoting session."""

from __future__ import annotations

import pytest

from ansible_collections.winrds.sessions.plugins.module_utils.remoting_text import ANSI_OF_OEM, session_text, tool_bytes


@pytest.mark.parametrize('oem, ansi, text', [
    (850, 1252, ' jürgen   Getr.'),
    (437, 1252, ' carol smith  Grüße'),
    (866, 1251, ' Администратор  Активно'),
    (932, 932, ' 田中  切断'),
    (65001, 65001, ' 张伟 ✓'),
])
def test_the_text_powershell_read_in_ansi_gives_back_the_oem_bytes(oem, ansi, text):
    written = text.encode('utf-8' if oem == 65001 else 'cp%d' % oem)
    codec = 'utf-8' if ansi == 65001 else 'cp%d' % ansi
    # .NET decodes bytes its single-byte table leaves undefined (cp1252 0x81...) to the C1 control of that number
    read = ''.join(chr(b) if codec in ('cp1252', 'cp1251') and _undefined(b, codec) else bytes([b]).decode(codec)
                   for b in written) if codec in ('cp1252', 'cp1251') else written.decode(codec)
    assert tool_bytes(read.encode('utf-8'), 'utf-8' if oem == 65001 else 'cp%d' % oem) == written


def _undefined(byte, codec):
    try:
        bytes([byte]).decode(codec)
    except UnicodeDecodeError:
        return True
    return False


def test_an_unknown_oem_code_page_is_taken_as_its_own_ansi_code_page():
    assert 1125 not in ANSI_OF_OEM
    assert tool_bytes('Привіт'.encode('utf-8'), 'cp1125') == 'Привіт'.encode('cp1125')


def test_the_frame_lines_stay_ascii():
    stdout = '##winrds:begin chcp\r\nAktive Codepage: 850.\r\n##winrds:end chcp rc=0\r\n'.encode('utf-8')
    assert tool_bytes(stdout, 'cp850') == stdout


@pytest.mark.parametrize('oem, text', [(850, 'jürgen'), (437, 'Grüße'), (866, 'иван'), (932, '田中'), (65001, 'ünï')])
def test_session_text_is_what_tool_bytes_undoes(oem, text):
    codec = 'utf-8' if oem == 65001 else 'cp%d' % oem
    seen = session_text(text, codec)
    assert tool_bytes(seen.encode('utf-8'), codec) == text.encode(codec)
    assert (seen == text) == (oem in (932, 65001))
