"""The native path over ansible's psrp connection, which returns PowerShell's strings, not the console's bytes.

In a PowerShell remoting session the host process has no console: PowerShell reads a native tool's output with the
ANSI code page .NET falls back to, while the tool, in a console of its own, wrote the OEM code page that chcp
reports (PowerShell/PowerShell#15128). The psrp plugin then hands the controller those strings as UTF-8. The frames
of the native payload must still read as the tools wrote them.
"""

from __future__ import annotations

import pytest

from tests.unit.fakes import FakeConnection, chcp_frame, frame, native_snapshot

MODULE = 'win_rds_logoff'


class PsrpConnection(FakeConnection):
    """A scripted connection that says it is ansible's psrp plugin (``Connection.transport``)."""

    transport = 'psrp'


def windows_decode(data, code_page):
    """What .NET's Encoding.GetEncoding(code_page) makes of bytes. A single-byte table's undefined bytes become the
    control character of the same number, as Windows' tables map them (MultiByteToWideChar)."""
    codec = 'cp%d' % code_page
    if code_page in (932, 936):
        return data.decode(codec)
    return ''.join(_char(data[index:index + 1], codec) for index in range(len(data)))


def _char(byte, codec):
    try:
        return byte.decode(codec)
    except UnicodeDecodeError:
        return chr(byte[0])


def over_psrp(answer, ansi_code_page):
    """A native payload answer as the psrp plugin returns it from a remoting session of that ANSI code page."""
    rc, stdout, stderr = answer
    return rc, windows_decode(stdout, ansi_code_page).encode('utf-8'), stderr


def by_id(result):
    return dict((entry['id'], entry) for entry in result['sessions'])


@pytest.mark.parametrize('locale, oem, ansi, user', [
    ('ru-RU', 866, 1251, 'Администратор'),
    ('en-US', 437, 1252, 'Administrator'),
])
def test_a_native_snapshot_over_psrp_reads_as_the_tools_wrote_it(run_action, locale, oem, ansi, user):
    connection = PsrpConnection([over_psrp(native_snapshot(locale, oem), ansi)])
    result = run_action(MODULE, {'username': user, 'method': 'logoff_exe'}, connection)
    assert not result.get('failed'), result
    assert by_id(result)[1]['outcome'] == 'skipped' and 'console' in by_id(result)[1]['reason']


def test_a_native_logoff_over_psrp_guards_with_the_cells_the_tools_printed(run_action):
    act = (0, chcp_frame(866) + frame('guard', 'ivan'.encode('cp866'), ident=4, verdict='match')
           + frame('logoff', b'', ident=4) + frame('wait', b'', ident=4, verdict='gone'), b'')
    connection = PsrpConnection([over_psrp(native_snapshot('ru-RU', 866), 1251), over_psrp(act, 1251)])
    result = run_action(MODULE, {'state': 'disconnected', 'method': 'logoff_exe'}, connection)
    assert by_id(result)[4]['outcome'] == 'logged_off', result
    assert connection.data(1)['targets'] == [{'id': 4, 'user_cell': 'ivan', 'logon_cell': '19.11.2026 17:02'}]


def test_a_host_whose_ansi_and_oem_code_pages_agree_over_psrp(run_action):
    # A Japanese system locale (932 both): the Russian table, whose letters cp932 has, stands in for its text.
    connection = PsrpConnection([over_psrp(native_snapshot('ru-RU', 932), 932)])
    result = run_action(MODULE, {'username': 'Администратор', 'method': 'logoff_exe'}, connection)
    assert not result.get('failed'), result
    assert by_id(result)[1]['outcome'] == 'skipped'


def test_over_winrm_the_console_bytes_are_read_as_they_are(run_action):
    connection = FakeConnection([native_snapshot('ru-RU', 866)])
    result = run_action(MODULE, {'username': 'Администратор', 'method': 'logoff_exe'}, connection)
    assert by_id(result)[1]['outcome'] == 'skipped'


RUSSIAN_USERS = (' ПОЛЬЗОВАТЕЛЬ          СЕАНС              ID  СТАТУС  БЕЗДЕЙСТВ. ВРЕМЯ ВХОДА\n'
                 ' иван                                      4  Диск         3:10  19.11.2026 17:02\n')


def test_over_psrp_the_identity_cells_are_sent_as_powershell_reads_the_tools_there(run_action):
    # native.ps1 compares the cells with the lines of query user as PowerShell read them in the session: in the
    # ANSI code page. Sent as the tools print them, a non-ASCII user would never match and never be logged off.
    snapshot = native_snapshot('ru-RU', 866, user_text=RUSSIAN_USERS)
    act = (0, chcp_frame(866) + frame('guard', 'иван'.encode('cp866'), ident=4, verdict='match')
           + frame('logoff', b'', ident=4) + frame('wait', b'', ident=4, verdict='gone'), b'')
    connection = PsrpConnection([over_psrp(snapshot, 1251), over_psrp(act, 1251)])
    result = run_action(MODULE, {'username': 'иван', 'method': 'logoff_exe'}, connection)
    assert by_id(result)[4]['outcome'] == 'logged_off', result
    (target,) = connection.data(1)['targets']
    assert target['user_cell'] == windows_decode('иван'.encode('cp866'), 1251)
    assert target['logon_cell'] == '19.11.2026 17:02'
