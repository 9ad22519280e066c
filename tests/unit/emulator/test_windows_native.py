"""The native tools as ``raw`` runs them: texts, streams, exit codes, permissions, /server and the double hop."""

from __future__ import annotations

import pytest

from tests.emulator.windows.testing import run_raw, sample_host


def out(result, codec='cp437') -> list[str]:
    return result.stdout.decode(codec).splitlines()


def err(result, codec='cp437') -> list[str]:
    return result.stderr.decode(codec).splitlines()


@pytest.fixture
def host():
    return sample_host()


def users(host) -> set[int]:
    return {s['id'] for s in host.state()['sessions'] if s['user']}


# -- query --------------------------------------------------------------------------------------------------------

def test_query_user_lists_user_sessions_without_a_marker_from_winrm(host):
    result = run_raw(host, 'query user')
    assert result.rc == 0 and result.stderr == b''
    lines = out(result)
    assert lines[0] == ' USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME'
    assert lines[1:] == [
        ' administrator         console             1  Active          .  11/20/2026 7:58 AM',
        ' alice                 rdp-tcp#5           3  Active         12  11/20/2026 8:15 AM',
        ' bob                                       4  Disc         3:10  11/19/2026 5:02 PM',
    ]
    assert result.stdout.endswith(b'PM\r\n')  # console tools end lines with CRLF


def test_quser_and_query_user_agree_and_filter_by_id_name_or_user(host):
    assert run_raw(host, 'quser').stdout == run_raw(host, 'query user').stdout
    assert [line.split()[0] for line in out(run_raw(host, 'quser 3'))[1:]] == ['alice']
    assert [line.split()[0] for line in out(run_raw(host, 'quser RDP-TCP#5'))[1:]] == ['alice']
    assert [line.split()[0] for line in out(run_raw(host, 'quser BOB'))[1:]] == ['bob']


def test_no_user_exists_goes_to_stderr_with_rc_1_and_powershell_exits_1():
    host = sample_host(sessions=[])
    result = run_raw(host, 'quser')
    assert (result.rc, result.stdout, err(result)) == (1, b'', ['No User exists for *'])
    assert err(run_raw(host, 'query user nobody')) == ['No User exists for nobody']


def test_powershell_can_pass_the_native_exit_code_when_configured():
    host = sample_host(sessions=[], powershell_exit_code='lastexitcode')
    assert run_raw(host, 'quser').rc == 1
    host = sample_host(powershell_exit_code='lastexitcode')
    assert run_raw(host, 'logoff 1').rc == 1


def test_query_session_marks_services_locally_and_lists_the_listener(host):
    lines = out(run_raw(host, 'qwinsta'))
    assert lines == [' SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE',
                     '>services                                    0  Disc',
                     ' console           Administrator             1  Active',
                     ' rdp-tcp#5         alice                     3  Active',
                     '                   bob                       4  Disc',
                     ' rdp-tcp                                 65536  Listen']
    assert err(run_raw(host, 'query session 99')) == ['No session exists for 99']


def test_no_services_and_no_listener_when_configured():
    host = sample_host(services=False, listener=False)
    assert [line.split()[-2] for line in out(run_raw(host, 'qwinsta'))[1:]] == ['1', '3', '4']


def test_usage_and_bad_switches(host):
    usage = run_raw(host, 'quser /?')
    assert usage.rc == 0 and out(usage)[0] == 'Display information about users logged on to the system.'
    bad = run_raw(host, 'query user /bogus')
    assert bad.stdout == b''
    assert err(bad)[:2] == ['Invalid parameter(s)', 'Display information about users logged on to the system.']
    assert out(run_raw(host, 'query')) == ['QUERY { PROCESS | SESSION | TERMSERVER | USER }']


# -- /server and the second hop -------------------------------------------------------------------------------

def test_server_query_has_no_marker(host):
    lines = out(run_raw(host, 'query session /server:rdsh02', auth='credssp'))
    assert not any(line.startswith('>') for line in lines)
    assert out(run_raw(host, 'quser /SERVER:RDSH02', auth='credssp'))[1].startswith(' carol ')


def test_second_hop_from_ntlm_is_access_denied(host):
    # pypsrp#57, dbatools#10616: an NTLM logon has no credentials to pass on.
    quser = run_raw(host, 'quser /server:rdsh02', auth='ntlm')
    assert (quser.rc, err(quser)) == (1, ['Error 0x00000005 enumerating sessionnames', 'Error [5]:Access is denied.'])
    qwinsta = run_raw(host, 'qwinsta /server:rdsh02', auth='ntlm')
    assert err(qwinsta) == ['Error opening Terminal server rdsh02', '', 'Error [5]:Access is denied.']
    assert run_raw(host, 'qwinsta /server:rdsh04', auth='ntlm').rc == 0  # double_hop: allowed


def test_unreachable_or_unknown_server_is_rpc_1722(host):
    for server in ('rdsh03', 'nosuchhost'):
        result = run_raw(host, f'quser /server:{server}')
        assert err(result) == ['Error 0x000006BA enumerating sessionnames',
                               'Error [1722]:The RPC server is unavailable.']
    assert err(run_raw(host, 'msg 3 /server:rdsh03 hi')) == ['Error 1722 getting session names']


def test_server_naming_the_host_itself_is_local_without_marker(host):
    lines = out(run_raw(host, 'qwinsta /server:RDSH01', auth='ntlm'))
    assert lines[1] == ' services                                    0  Disc'


# -- logoff -------------------------------------------------------------------------------------------------------

def test_logoff_by_id_ends_the_session(host):
    result = run_raw(host, 'logoff 3')
    assert (result.rc, result.stdout, result.stderr) == (0, b'', b'')
    assert 3 not in users(host)
    event = host.state()['events'][-1]
    assert (event['event'], event['session_id'], event['via']) == ('logoff', 3, 'logoff.exe')


def test_logoff_refuses_the_console_even_for_an_administrator(host):
    # KB Q259436 and MSDOC logoff: the console session cannot be logged off with logoff.exe.
    result = run_raw(host, 'logoff 1 /v')
    assert result.rc == 1
    assert err(result) == ['Could not logoff session ID 1 from session Console, Error code 5',
                           'Error [5]:Access is denied.']
    assert 1 in users(host)


def test_logoff_by_name_needs_an_active_session(host):
    assert run_raw(host, 'logoff rdp-tcp#5').rc == 0
    assert 3 not in users(host)
    missing = run_raw(host, 'logoff rdp-tcp#5')
    assert missing.rc == 1 and err(missing)[0] == 'Could not logoff session ID rdp-tcp#5, Error code 7022'


def test_non_admin_cannot_log_off_another_users_session_but_can_their_own(host):
    denied = run_raw(host, 'logoff 4', user='helpdesk')
    assert err(denied) == ['Could not logoff session ID 4 from session , Error code 5', 'Error [5]:Access is denied.']
    assert 4 in users(host)
    assert run_raw(host, 'logoff 3', user='alice').rc == 0


def test_logoff_without_target_acts_on_the_winrm_session_zero(host):
    result = run_raw(host, 'logoff')
    assert err(result)[0] == 'Could not logoff session ID 0 from session Services, Error code 5'


def test_logoff_unknown_message_is_configurable():
    host = sample_host(unknowns={'logoff_not_found': 'Session {target} not found', 'failure_rc': 7})
    result = run_raw(host, 'logoff 42', )
    assert err(result) == ['Session 42 not found'] and result.rc == 1  # powershell.exe maps 7 to 1
    assert run_raw(sample_host(unknowns={'failure_rc': 7}, powershell_exit_code='lastexitcode'), 'logoff 42').rc == 7


def test_logoff_through_server_needs_the_hop(host):
    result = run_raw(host, 'logoff 2 /server:rdsh02', auth='ntlm')
    assert err(result) == ['Error opening Terminal server rdsh02', '', 'Error [5]:Access is denied.']
    assert run_raw(host, 'logoff 2 /server:rdsh02', auth='credssp').rc == 0
    assert host.state()['servers'][0]['sessions'][0]['id'] == 0  # carol's session 2 is gone


def test_console_logoff_by_wts_starts_a_new_console_session():
    from tests.emulator.windows.testing import run_wts
    host = sample_host()
    target = {'id': 1, 'user': 'Administrator', 'domain': 'RDSH01', 'logon_time': '2026-11-20T07:58:00Z'}
    answer = run_wts(host, {'op': 'logoff', 'server': None, 'targets': [target], 'notice': None, 'wait': True,
                            'timeout_seconds': 5})
    assert answer['results'][0]['outcome'] == 'done'
    console = [s for s in host.state()['sessions'] if s['name'] == 'console']
    assert [(s['id'], s['state'], s['user']) for s in console] == [(5, 'connected', None)]


# -- tsdiscon -----------------------------------------------------------------------------------------------------

def test_tsdiscon_disconnects_and_blanks_the_name(host):
    result = run_raw(host, 'tsdiscon 3 /v')
    assert result.rc == 0 and out(result) == ['Disconnecting sessionID 3 from sessionname rdp-tcp#5']
    alice = next(s for s in host.state()['sessions'] if s['id'] == 3)
    assert (alice['state'], alice['name']) == ('disconnected', None)
    assert out(run_raw(host, 'quser 3'))[1].startswith(' alice                                     3  Disc')


def test_tsdiscon_refuses_the_console_with_7041(host):
    result = run_raw(host, 'tsdiscon 1')
    assert err(result) == ['Could not disconnect sessionID 1 from sessionname console, Error code 7041',
                           'Error [7041]:Disconnecting the console session is not supported.']


def test_tsdiscon_access_denied_for_non_admin(host):
    assert err(run_raw(host, 'tsdiscon 3', user='helpdesk'))[1] == 'Error [5]:Access is denied.'


# -- msg ----------------------------------------------------------------------------------------------------------

def test_msg_records_the_message_and_verbose_lines(host):
    result = run_raw(host, 'msg 3 /time:30 /v Please save your work')
    assert result.rc == 0
    assert out(result) == ['Sending message to session RDP-Tcp#5, display time 30',
                           'Async message sent to session RDP-Tcp#5']
    message = host.state()['messages'][-1]
    assert (message['session_id'], message['text'], message['response'], message['via']) == \
        (3, 'Please save your work', 32001, 'msg.exe')


def test_msg_reads_the_message_from_stdin(host):
    assert run_raw(host, 'msg alice', stdin=b'from stdin\r\n').rc == 0
    assert host.state()['messages'][-1]['text'] == 'from stdin'


def test_msg_star_includes_missing_session_one(host):
    # ansible#67414 and community.windows#533: session 1 is always targeted.
    headless = sample_host(sessions=[{'id': 2, 'name': 'rdp-tcp#0', 'user': 'dave', 'domain': 'X'}])
    result = run_raw(headless, 'msg * hello')
    assert result.rc == 1 and err(result) == ['Error sending message to session Console : Error 2147500058']
    assert [m['session_id'] for m in headless.state()['messages']] == [2]
    assert run_raw(host, 'msg * hello').rc == 0
    assert sorted(m['session_id'] for m in host.state()['messages']) == [1, 3, 4]


def test_msg_wait_uses_the_user_answer_or_times_out():
    host = sample_host(sessions=[{'id': 3, 'name': 'rdp-tcp#5', 'user': 'alice', 'domain': 'C', 'answers': 1}])
    answered = run_raw(host, 'msg 3 /time:10 /v /w hi')
    assert out(answered)[-1] == 'Message to session RDP-Tcp#5 responded to by user'
    assert host.state()['messages'][-1]['response'] == 1
    before = host.clock.now()
    host2 = sample_host()
    timed_out = run_raw(host2, 'msg 3 /time:10 /w hi')
    assert timed_out.rc == 0 and host2.state()['messages'][-1]['response'] == 32000
    assert (host2.clock.now() - before).total_seconds() == 10  # the sender waited the display time


def test_msg_access_denied_for_non_admin(host):
    result = run_raw(host, 'msg 4 hi', user='helpdesk')
    assert err(result) == ['Error sending message to session  : Error 5'] and result.rc == 1


# -- hostname, whoami, chcp -----------------------------------------------------------------------------------

def test_hostname_whoami_chcp(host):
    assert out(run_raw(host, 'hostname')) == ['rdsh01']
    assert out(run_raw(host, 'whoami', user='helpdesk')) == ['rdsh01\\helpdesk']
    # chcp shows the console's code page, which is the WinRS shell's: ansible asks for 65001, pywinrm's default
    # is 437 ([MS-WSMV] WINRS_CODEPAGE).
    assert out(run_raw(host, 'chcp')) == ['Active code page: 65001']
    assert out(run_raw(host, 'chcp', codepage=437)) == ['Active code page: 437']
    assert out(run_raw(host, 'chcp.com 850', codepage=437)) == ['Active code page: 850']
    assert out(run_raw(host, 'chcp', codepage=437)) == ['Active code page: 437']  # each command is a new process
    assert err(run_raw(host, 'chcp 932')) == ['Invalid code page']
    assert err(run_raw(host, 'chcp --help')) == ['Parameter format not correct - --help']
    assert err(run_raw(host, 'whoami -help')) == ["ERROR: Invalid argument/option - '-help'.",
                                                  'Type "WHOAMI /?" for usage.']
    assert err(run_raw(host, 'hostname -s')) == ['hostname -s is not supported.']


@pytest.mark.parametrize('tag, codec, line', [
    ('de-DE', 'cp850', 'Aktive Codepage: 850.'),
    ('ru-RU', 'cp866', 'Текущая кодовая страница: 866'),
    ('zh-CN', 'cp936', '活动代码页: 936'),
    ('ja-JP', 'cp932', '現在のコード ページ: 932'),
])
def test_output_is_in_the_oem_code_page_where_the_tools_write_oem(tag, codec, line):
    """native_output_encoding: oem: the tools write the OEM code page whatever the console's.

    No source says which they do: docs/sources.md, "Which code page the tools write".
    """
    host = sample_host(locale=tag, native_output_encoding='oem')
    oem = int(codec[2:])
    result = run_raw(host, 'chcp', codepage=oem)
    assert result.stdout == (line + '\r\n').encode(codec)
    if not line.isascii():
        assert result.stdout != (line + '\r\n').encode('utf-8')  # OEM bytes, not UTF-8
    in_utf8_shell = run_raw(host, 'chcp')
    assert in_utf8_shell.stdout == (line.replace(str(oem), '65001') + '\r\n').encode(codec)


@pytest.mark.parametrize('tag, line', [('de-DE', 'Aktive Codepage: 65001.'), ('ja-JP', '現在のコード ページ: 65001')])
def test_output_is_in_the_console_code_page_where_the_tools_write_the_console(tag, line):
    """native_output_encoding: console (the default): the tools write the console's code page."""
    result = run_raw(sample_host(locale=tag), 'chcp')
    assert result.stdout == (line + '\r\n').encode('utf-8')


def test_german_host_prints_german_tables_in_cp850():
    host = sample_host(locale='de-DE', native_output_encoding='oem')
    lines = run_raw(host, 'qwinsta').stdout.decode('cp850').splitlines()
    assert lines[0] == ' SITZUNGSNAME      BENUTZERNAME             ID  STATUS  TYP         GERÄT'
    assert lines[-1] == ' rdp-tcp                                 65536  Abhör.'
    assert 'GER\x8eT'.encode('latin-1') in run_raw(host, 'qwinsta').stdout  # Ä is 0x8E in cp850
