"""What PowerShell 5.1 does running native.ps1 here: frames, OEM bodies, stdin in ASCII, swallowed guard frames."""

from __future__ import annotations

import re

import pytest

from tests.emulator.windows.testing import run_payload, sample_host

FRAME = re.compile(rb'^##winrds:(begin|end|error) ?(.*)$')


def frames(stdout: bytes) -> list[tuple[str, list[bytes], bytes]]:
    """``(label, body lines, end line)`` per frame (lines end in CRLF)."""
    assert stdout.endswith(b'\r\n')
    result, label, body = [], None, []
    for line in stdout[:-2].split(b'\r\n'):
        match = FRAME.match(line)
        if match and match.group(1) == b'begin':
            label, body = match.group(2).decode('ascii'), []
        elif match and match.group(1) == b'end':
            result.append((label, body, line))
            label = None
        elif match:
            result.append(('error', [], line))
        else:
            body.append(line)
    return result


def labels(stdout: bytes) -> list[str]:
    return [label for label, _unused, _unused in frames(stdout)]


ALICE = {'id': 3, 'user_cell': 'alice', 'logon_cell': '11/20/2026 8:15 AM'}
BOB = {'id': 4, 'user_cell': 'bob', 'logon_cell': '11/19/2026 5:02 PM'}


@pytest.fixture
def host():
    return sample_host()


def test_snapshot_frames_chcp_query_session_query_user(host):
    result = run_payload(host, 'native', {'op': 'snapshot', 'server': None})
    assert result.rc == 0 and result.stderr == b''
    (chcp, chcp_body, chcp_end), (qs, qs_body, _unused), (qu, qu_body, qu_end) = frames(result.stdout)
    # chcp reports the console's code page: the WinRS shell's, 65001 as ansible opens it.
    assert (chcp, chcp_body, chcp_end) == ('chcp', [b'Active code page: 65001'], b'##winrds:end chcp rc=0')
    assert qs == 'query-session' and qs_body[1] == b'>services                                    0  Disc'
    assert qu == 'query-user'
    assert qu_body[2] == b' alice                 rdp-tcp#5           3  Active         12  11/20/2026 8:15 AM'
    assert qu_end == b'##winrds:end query-user rc=0'


def test_snapshot_on_a_russian_host_is_cp866_between_ascii_frames():
    # A shell in the OEM code page (a client that asks for 866), tools that write OEM: cp866 all the way.
    host = sample_host(locale='ru-RU', native_output_encoding='oem')
    result = run_payload(host, 'native', {'op': 'snapshot', 'server': None}, codepage=866)
    (_unused, chcp_body, _unused), (_unused, qs_body, _unused), (_unused, qu_body, _unused) = frames(result.stdout)
    assert chcp_body == ['Текущая кодовая страница: 866'.encode('cp866')]
    assert qu_body[0].decode('cp866') == ' ПОЛЬЗОВАТЕЛЬ          СЕАНС              ID  СТАТУС  БЕЗДЕЙСТВ. ВРЕМЯ ВХОДА'
    assert qs_body[-1].decode('cp866') == ' rdp-tcp                                 65536  Прием'


def test_failing_tool_output_is_merged_into_the_frame(host):
    result = run_payload(host, 'native', {'op': 'snapshot', 'server': 'rdsh02'}, auth='ntlm')
    (_unused, _unused, _unused), (_unused, qs_body, qs_end), (_unused, qu_body, qu_end) = frames(result.stdout)
    assert qs_body == [b'Error opening Terminal server rdsh02', b'', b'Error [5]:Access is denied.']
    assert (qu_body, qu_end) == ([b'Error 0x00000005 enumerating sessionnames', b'Error [5]:Access is denied.'],
                                 b'##winrds:end query-user rc=1')


def test_bad_server_and_bad_op_are_whole_call_errors(host):
    bad_server = run_payload(host, 'native', {'op': 'snapshot', 'server': 'x y'})
    assert bad_server.stdout == b'##winrds:error bad_server 87\r\n'
    assert run_payload(host, 'native', {'op': 'reboot', 'server': None, 'targets': []}).stdout.endswith(
        b'##winrds:error bad_op 87\r\n')


def test_logoff_writes_guard_frames_then_acts(host):
    # Test-Identity is called as a statement: its frame reaches stdout, the verdict stays in $script:verdict.
    result = run_payload(host, 'native', {'op': 'logoff', 'server': None, 'targets': [ALICE, BOB], 'notice': None,
                                          'wait': True, 'timeout_seconds': 10})
    assert labels(result.stdout) == ['chcp', 'guard 3', 'guard 4', 'logoff 3', 'wait 3', 'logoff 4', 'wait 4']
    ends = [end for _unused, _unused, end in frames(result.stdout)]
    assert ends[1].endswith(b'verdict=match') and ends[2].endswith(b'verdict=match')
    assert ends[4] == b'##winrds:end wait 3 rc=0 verdict=gone'
    assert {s['id'] for s in host.state()['sessions'] if s['user']} == {1}
    assert [c['payload'] for c in host.state()['commands']] == ['native']


def test_guard_mismatch_skips_the_action(host):
    stale = dict(ALICE, logon_cell='11/19/2026 8:15 AM')
    targets = [stale, {'id': 9, 'user_cell': 'x'}]
    result = run_payload(host, 'native', {'op': 'logoff', 'server': None, 'targets': targets, 'notice': None,
                                          'wait': False, 'timeout_seconds': 10})
    assert labels(result.stdout) == ['chcp', 'guard 3', 'guard 9']
    ends = [end for _unused, _unused, end in frames(result.stdout)]
    assert ends[1].endswith(b'verdict=mismatch') and ends[2].endswith(b'verdict=gone')
    assert 3 in {s['id'] for s in host.state()['sessions']}


def test_notice_text_reaches_msg_in_the_oem_code_page(host):
    # The script sets $OutputEncoding to the console's OEM encoding in FullLanguage: cp437 has "ü" and "ß".
    start = host.clock.now()
    notice = {'title': 'Wartung', 'text': 'Bitte abmelden, Grüße', 'grace_seconds': 30}
    result = run_payload(host, 'native', {'op': 'disconnect', 'server': None, 'targets': [ALICE], 'notice': notice,
                                          'wait': False, 'timeout_seconds': 10})
    assert labels(result.stdout) == ['chcp', 'guard 3', 'notice 3', 'guard 3', 'tsdiscon 3']
    _unused, notice_body, notice_end = frames(result.stdout)[2]
    assert notice_body == [b'Sending message to session RDP-Tcp#5, display time 30',
                           b'Async message sent to session RDP-Tcp#5']
    assert notice_end == b'##winrds:end notice 3 rc=0'
    assert host.state()['messages'][0]['text'] == 'Wartung\r\nBitte abmelden, Grüße'
    assert (host.clock.now() - start).total_seconds() == 30
    _unused, body, end = frames(result.stdout)[4]
    assert body == [b'Disconnecting sessionID 3 from sessionname rdp-tcp#5'] and end.endswith(b'rc=0')


def test_console_logoff_is_refused_by_logoff_exe(host):
    console = {'id': 1, 'user_cell': 'administrator', 'logon_cell': '11/20/2026 7:58 AM'}
    result = run_payload(host, 'native', {'op': 'logoff', 'server': None, 'targets': [console], 'notice': None,
                                          'wait': True, 'timeout_seconds': 10})
    label, body, end = frames(result.stdout)[2]
    assert (label, end) == ('logoff 1', b'##winrds:end logoff 1 rc=1')
    assert body == [b'Could not logoff session ID 1 from session Console, Error code 5', b'Error [5]:Access is denied.']
    assert labels(result.stdout) == ['chcp', 'guard 1', 'logoff 1']  # no wait frame after a failed logoff


def test_logoff_that_hangs_ends_with_a_timeout_verdict(host):
    host.set_faults({'logoff_hangs': [3]})
    start = host.clock.now()
    result = run_payload(host, 'native', {'op': 'logoff', 'server': None, 'targets': [ALICE], 'notice': None,
                                          'wait': True, 'timeout_seconds': 5})
    assert frames(result.stdout)[-1][2] == b'##winrds:end wait 3 rc=0 verdict=timeout'
    assert (host.clock.now() - start).total_seconds() == 5  # polled once a second


def test_message_frames_with_wait(host):
    result = run_payload(host, 'native', {'op': 'message', 'server': None, 'targets': [{'id': 3}, {'id': 8}],
                                          'title': 'T', 'text': 'hello', 'wait_response': True, 'timeout_seconds': 7})
    assert labels(result.stdout) == ['chcp', 'msg 3', 'msg 8']
    assert frames(result.stdout)[1][1][0] == b'Sending message to session RDP-Tcp#5, display time 7'
    assert frames(result.stdout)[2][2] == b'##winrds:end msg 8 rc=1'
    assert host.state()['messages'][0]['response'] == 32000


def test_native_payload_works_in_constrained_language():
    host = sample_host(language_mode='ConstrainedLanguage')
    assert labels(run_payload(host, 'native', {'op': 'snapshot', 'server': None}).stdout) == \
        ['chcp', 'query-session', 'query-user']
