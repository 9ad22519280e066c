"""What PowerShell does running native.ps1 on the contract engine: frames with each tool's exact bytes, the code page
frames, the guard compared as bytes, the tools started as processes (the real engine's run: tests/engine)."""

from __future__ import annotations

import re

import pytest

from tests.emulator.windows.testing import run_payload, sample_host

FRAME = re.compile(rb'^##winrds:(begin|end|error|out|err|note) ?(.*)$')


def frames(stdout: bytes) -> list[tuple[str, bytes, bytes, bytes]]:
    """``(label, output bytes, error bytes, end line)`` per frame (the payload's lines end in CRLF)."""
    assert stdout.endswith(b'\r\n')
    result, label, out, err = [], None, b'', b''
    for line in stdout[:-2].split(b'\r\n'):
        match = FRAME.match(line)
        assert match, line
        kind, rest = match.group(1), match.group(2)
        if kind == b'begin':
            label, out, err = rest.decode('ascii'), b'', b''
        elif kind == b'out':
            out += bytes.fromhex(rest.decode('ascii'))
        elif kind == b'err':
            err += bytes.fromhex(rest.decode('ascii'))
        elif kind == b'end':
            result.append((label, out, err, line))
            label = None
        elif kind == b'error':
            result.append(('error', b'', b'', line))
    return result


def labels(stdout: bytes) -> list[str]:
    return [label for label, _unused, _unused, _unused in frames(stdout)]


def hexed(text: str, codec: str = 'utf-8') -> str:
    return ' '.join('%02X' % byte for byte in text.encode(codec))


ALICE = {'id': 3, 'user_hex': hexed('alice'), 'logon_hex': hexed('11/20/2026 8:15 AM'), 'account_hex': None}
BOB = {'id': 4, 'user_hex': hexed('bob'), 'logon_hex': hexed('11/19/2026 5:02 PM'), 'account_hex': None}


@pytest.fixture
def host():
    return sample_host()


def test_snapshot_frames_code_pages_query_session_query_user(host):
    result = run_payload(host, 'native', {'op': 'snapshot', 'server': None})
    assert result.rc == 0 and result.stderr == b''
    assert labels(result.stdout) == ['chcp', 'oemcp', 'query-session', 'query-user']
    (_unused, chcp, _unused, chcp_end), (_unused, oemcp, _unused, _unused), (_unused, qs, _unused, _unused), \
        (_unused, qu, qu_err, qu_end) = frames(result.stdout)
    # chcp reports the console's code page: the WinRS shell's, 65001 as ansible opens it; reg the OEM one.
    assert (chcp, chcp_end) == (b'Active code page: 65001\r\n', b'##winrds:end chcp rc=0')
    assert b'    OEMCP    REG_SZ    437\r\n' in oemcp
    assert qs.split(b'\r\n')[1] == b'>services                                    0  Disc'
    assert qu.split(b'\r\n')[2] == b' alice                 rdp-tcp#5           3  Active         12  11/20/2026 8:15 AM'
    assert qu_err == b'' and qu_end == b'##winrds:end query-user rc=0'


def test_snapshot_with_domains_adds_tasklist(host):
    result = run_payload(host, 'native', {'op': 'snapshot', 'server': None, 'domains': True})
    assert labels(result.stdout) == ['chcp', 'oemcp', 'query-session', 'query-user', 'tasklist']
    rows = frames(result.stdout)[-1][1].decode('utf-8').splitlines()
    assert any(row.startswith('"explorer.exe",') and ',"3",' in row and '\\alice"' in row for row in rows)


@pytest.mark.parametrize('encoding,console,expected', [
    ('oem', 65001, 'cp866'), ('console', 65001, 'utf-8'), ('console', 866, 'cp866')])
def test_tool_bytes_are_in_the_encoding_the_tools_write(encoding, console, expected):
    host = sample_host(locale='ru-RU', native_output_encoding=encoding)
    result = run_payload(host, 'native', {'op': 'snapshot', 'server': None}, codepage=console)
    found = dict((label, (out, end)) for label, out, _unused, end in frames(result.stdout))
    assert found['chcp'][0].decode(expected).endswith(': %d\r\n' % console)
    assert b'OEMCP    REG_SZ    866' in found['oemcp'][0]
    assert found['query-user'][0].decode(expected).splitlines()[0] == \
        ' ПОЛЬЗОВАТЕЛЬ          СЕАНС              ID  СТАТУС  БЕЗДЕЙСТВ. ВРЕМЯ ВХОДА'
    assert found['query-session'][0].decode(expected).splitlines()[-1] == \
        ' rdp-tcp                                 65536  Прием'


def test_a_failing_tool_keeps_its_output_and_error_apart(host):
    result = run_payload(host, 'native', {'op': 'snapshot', 'server': 'rdsh02'}, auth='ntlm')
    found = dict((label, (out, err, end)) for label, out, err, end in frames(result.stdout))
    out, err, _unused = found['query-session']
    assert out + err == b'Error opening Terminal server rdsh02\r\n\r\nError [5]:Access is denied.\r\n'
    out, err, end = found['query-user']
    assert b'Error [5]:Access is denied.' in out + err and end == b'##winrds:end query-user rc=1'


def test_bad_server_and_bad_op_are_whole_call_errors(host):
    bad_server = run_payload(host, 'native', {'op': 'snapshot', 'server': 'x y'})
    assert bad_server.stdout == b'##winrds:error bad_server 87\r\n'
    assert run_payload(host, 'native', {'op': 'reboot', 'server': None, 'targets': []}).stdout.endswith(
        b'##winrds:error bad_op 87\r\n')


def test_logoff_guards_every_target_then_acts_then_waits_for_all(host):
    result = run_payload(host, 'native', {'op': 'logoff', 'server': None, 'targets': [ALICE, BOB], 'notice': None,
                                          'wait': True, 'timeout_seconds': 10})
    assert labels(result.stdout) == ['chcp', 'oemcp', 'guard 3', 'guard 4', 'logoff 3', 'logoff 4', 'wait 3', 'wait 4']
    ends = [end for _unused, _unused, _unused, end in frames(result.stdout)]
    assert ends[2].endswith(b'verdict=match') and ends[3].endswith(b'verdict=match')
    assert ends[6:] == [b'##winrds:end wait 3 rc=0 verdict=gone', b'##winrds:end wait 4 rc=0 verdict=gone']
    assert {s['id'] for s in host.state()['sessions'] if s['user']} == {1}
    assert [c['payload'] for c in host.state()['commands']] == ['native']


def test_guard_mismatch_skips_the_action_and_a_missing_session_is_gone(host):
    stale = dict(ALICE, logon_hex=hexed('11/19/2026 8:15 AM'))
    result = run_payload(host, 'native', {'op': 'logoff', 'server': None, 'targets': [stale, {'id': 9, 'user_hex': '78'}],
                                          'notice': None, 'wait': False, 'timeout_seconds': 10})
    assert labels(result.stdout) == ['chcp', 'oemcp', 'guard 3', 'guard 9']
    ends = [end for _unused, _unused, _unused, end in frames(result.stdout)]
    assert ends[2].endswith(b'verdict=mismatch') and ends[3].endswith(b'verdict=gone')
    assert 3 in {s['id'] for s in host.state()['sessions']}


def test_guard_checks_the_account_with_tasklist_when_the_domain_is_known(host):
    alice = dict(ALICE, account_hex=hexed('"CONTOSO\\alice"'))
    other = dict(BOB, account_hex=hexed('"FABRIKAM\\bob"'))
    result = run_payload(host, 'native', {'op': 'logoff', 'server': None, 'targets': [alice, other], 'notice': None,
                                          'wait': False, 'timeout_seconds': 10})
    assert labels(result.stdout) == ['chcp', 'oemcp', 'guard 3', 'guard-account 3', 'guard 4', 'guard-account 4',
                                     'logoff 3']
    ends = dict((label, end) for label, _unused, _unused, end in frames(result.stdout))
    assert ends['guard 3'].endswith(b'verdict=match') and ends['guard 4'].endswith(b'verdict=mismatch')


def test_an_identity_check_that_fails_with_an_error_is_not_gone(host):
    host.set_faults({'query_error_ids': {'3': 1722}})
    result = run_payload(host, 'native', {'op': 'logoff', 'server': None, 'targets': [ALICE], 'notice': None,
                                          'wait': False, 'timeout_seconds': 10})
    assert labels(result.stdout) == ['chcp', 'oemcp', 'guard 3']
    assert frames(result.stdout)[-1][3].endswith(b'verdict=error')


def test_notice_text_reaches_msg_whole_as_one_argument(host):
    start = host.clock.now()
    notice = {'title': 'Wartung', 'text': 'Bitte abmelden, Grüße "heute" C:\\Temp\\', 'grace_seconds': 30}
    result = run_payload(host, 'native', {'op': 'disconnect', 'server': None, 'targets': [ALICE], 'notice': notice,
                                          'wait': False, 'timeout_seconds': 10})
    assert labels(result.stdout) == ['chcp', 'oemcp', 'guard 3', 'notice 3', 'guard 3', 'tsdiscon 3']
    _unused, out, _unused, end = frames(result.stdout)[3]
    assert out == (b'Sending message to session RDP-Tcp#5, display time 30\r\n'
                   b'Async message sent to session RDP-Tcp#5\r\n')
    assert end == b'##winrds:end notice 3 rc=0'
    assert host.state()['messages'][0]['text'] == 'Wartung\r\nBitte abmelden, Grüße "heute" C:\\Temp\\'
    assert (host.clock.now() - start).total_seconds() == 30
    _unused, out, _unused, end = frames(result.stdout)[5]
    assert out == b'Disconnecting sessionID 3 from sessionname rdp-tcp#5\r\n' and end.endswith(b'rc=0')


def test_console_logoff_is_refused_by_logoff_exe(host):
    console = {'id': 1, 'user_hex': hexed('administrator'), 'logon_hex': hexed('11/20/2026 7:58 AM')}
    result = run_payload(host, 'native', {'op': 'logoff', 'server': None, 'targets': [console], 'notice': None,
                                          'wait': True, 'timeout_seconds': 10})
    label, out, err, end = frames(result.stdout)[3]
    assert (label, end) == ('logoff 1', b'##winrds:end logoff 1 rc=1')
    assert out + err == b'Could not logoff session ID 1 from session Console, Error code 5\r\nError [5]:Access is denied.\r\n'
    assert labels(result.stdout) == ['chcp', 'oemcp', 'guard 1', 'logoff 1']  # no wait after a failed logoff


def test_logoff_that_hangs_ends_with_a_timeout_verdict(host):
    host.set_faults({'logoff_hangs': [3]})
    start = host.clock.now()
    result = run_payload(host, 'native', {'op': 'logoff', 'server': None, 'targets': [ALICE], 'notice': None,
                                          'wait': True, 'timeout_seconds': 5})
    assert frames(result.stdout)[-1][3] == b'##winrds:end wait 3 rc=0 verdict=timeout'
    assert (host.clock.now() - start).total_seconds() == 5  # polled once a second


def test_sessions_that_never_leave_are_waited_for_together(host):
    host.set_faults({'logoff_hangs': [3, 4]})
    start = host.clock.now()
    result = run_payload(host, 'native', {'op': 'logoff', 'server': None, 'targets': [ALICE, BOB], 'notice': None,
                                          'wait': True, 'timeout_seconds': 5})
    assert [end for _unused, _unused, _unused, end in frames(result.stdout)][-2:] == [
        b'##winrds:end wait 3 rc=0 verdict=timeout', b'##winrds:end wait 4 rc=0 verdict=timeout']
    assert (host.clock.now() - start).total_seconds() == 5  # one timeout for both


def test_message_frames_with_wait(host):
    result = run_payload(host, 'native', {'op': 'message', 'server': None, 'targets': [{'id': 3}, {'id': 8}],
                                          'title': 'T', 'text': 'hello', 'wait_response': True, 'timeout_seconds': 7})
    assert labels(result.stdout) == ['chcp', 'oemcp', 'msg 3', 'msg 8']
    assert frames(result.stdout)[2][1].startswith(b'Sending message to session RDP-Tcp#5, display time 7\r\n')
    assert frames(result.stdout)[3][3] == b'##winrds:end msg 8 rc=1'
    assert host.state()['messages'][0]['response'] == 32000


def test_a_missing_tool_ends_its_frame_with_verdict_missing():
    host = sample_host(missing_tools=['query'])
    result = run_payload(host, 'native', {'op': 'snapshot', 'server': None})
    assert b'##winrds:note This command cannot be run due to the error: The system cannot find the file specified.' \
        in result.stdout
    assert frames(result.stdout)[2][3] == b'##winrds:end query-session rc=-1 verdict=missing'


def test_native_payload_works_in_constrained_language():
    host = sample_host(language_mode='ConstrainedLanguage')
    assert labels(run_payload(host, 'native', {'op': 'snapshot', 'server': None}).stdout) == \
        ['chcp', 'oemcp', 'query-session', 'query-user']
