"""The collection's payloads, sent as the controller sends them, run by a real PowerShell.

What only a real engine can show: that the bootstrap and the payloads parse and run, that the WTS functions the
payload defines reach the WTS API with the right signatures and layouts, and what Constrained Language Mode
really refuses. The WTS API and the native tools are the emulated host's stand-ins (``tests/emulator/surfaces``).
"""

from __future__ import annotations

import pytest

from ansible_collections.winrds.sessions.plugins.plugin_utils._transport import PayloadError, bootstrap_command
from tests.engine.payloads import context, last_command, native_frames, run_payload, run_script, wts_document

SNAPSHOT = {'op': 'snapshot', 'server': None}


def test_the_packed_wts_payload_unpacks_and_lists_the_sessions(make_host):
    host = make_host()
    result = run_payload(host, 'wts', SNAPSHOT)
    document = wts_document(result)
    assert document.get('error') is None, document
    assert [session['id'] for session in document['sessions']] == [0, 1, 3, 4, 65536]
    assert last_command(host)['engine']['name'] == 'pwsh'
    # The helper went through the stand-in wtsapi32.dll: enumerate once, then two queries per session.
    calls = last_command(host)['calls']
    assert calls.count('enumerate') == 1 and calls.count('console') == 1


def test_the_native_payload_lists_the_sessions_with_the_tools(make_host):
    host = make_host()
    result = run_payload(host, 'native', SNAPSHOT)
    assert result.rc == 0, result.stderr
    frames, codec = native_frames(result)
    assert [frame.step for frame in frames] == ['chcp', 'oemcp', 'query-session', 'query-user']
    assert all(frame.rc == 0 for frame in frames)
    # The WinRS shell's code page that ansible asks for, which chcp reports, then the OEM one from the registry.
    assert codec.order == ['utf-8', 'cp437']
    assert last_command(host)['calls'] == ['tool chcp', 'tool reg', 'tool query', 'tool query']


def test_a_payload_with_a_syntax_error_fails_and_the_controller_says_so(make_host):
    host = make_host()
    broken = '# winrds payload: native v2\nif ($true {\n'
    result = host.execute(bootstrap_command(), b'{"op":"snapshot"}\n' + broken.encode('ascii'), context(host))
    assert result.rc != 0
    assert result.stderr.startswith(b'#< CLIXML')
    with pytest.raises(PayloadError, match='printed no JSON'):
        wts_document(result)


def test_every_field_of_the_wts_structures_is_read_where_wtsapi32_h_puts_it(make_host):
    """The payload reads WTS_SESSION_INFO_1W and WTSINFOW by their x64 layout (56 and 216 bytes): names, user,
    domain, client and every time come back as the host holds them, and every block WTS handed out is freed."""
    long_user = 'a-user-name-longer-than-twenty-characters'  # WTSINFOW's UserName holds only 20
    sessions = [{'id': 3, 'name': 'rdp-tcp#5', 'user': 'alice', 'domain': 'CONTOSO', 'state': 'active',
                 'logon_time': '2026-11-20T08:15:00', 'last_input_time': '2026-11-22T09:48:00', 'client': 'PC042'},
                {'id': 4, 'name': None, 'user': long_user, 'domain': 'A-DOMAIN-OF-MANY-LETTERS', 'state': 'disconnected',
                 'logon_time': '2026-11-19T17:02:00', 'last_input_time': '2026-11-22T06:40:00',
                 'disconnect_time': '2026-11-22T06:50:00'}]
    host = make_host(sessions=sessions, utc_offset_minutes=60)
    document = wts_document(run_payload(host, 'wts', SNAPSHOT))
    by_id = dict((session['id'], session) for session in document['sessions'])
    assert by_id[3]['name'] == 'RDP-Tcp#5' and by_id[3]['client'] == 'PC042' and by_id[3]['state_code'] == 0
    assert (by_id[3]['logon_time'], by_id[3]['last_input_time']) == ('2026-11-20T07:15:00Z', '2026-11-22T08:48:00Z')
    assert (by_id[4]['user'], by_id[4]['domain'], by_id[4]['state_code']) == (long_user, 'A-DOMAIN-OF-MANY-LETTERS', 4)
    assert (by_id[4]['disconnect_time'], by_id[4]['last_input_time']) == ('2026-11-22T05:50:00Z',
                                                                          '2026-11-22T05:40:00Z')
    assert by_id[4]['current_time'].startswith('2026-11-22T')
    assert (by_id[0]['name'], by_id[0]['user'], by_id[65536]['name']) == ('Services', None, 'RDP-Tcp')
    assert last_command(host)['calls'][-1] == 'outstanding 0'


def test_the_wts_functions_load_where_application_control_blocks_the_compiler(make_host):
    """ansible.windows#588: Add-Type fails under AppLocker (CS1504) in FullLanguage. The payload defines the WTS
    functions with System.Reflection.Emit and needs no compiler, so it works there."""
    host = make_host(add_type_blocked=True)
    assert run_script(host, "try { Add-Type -TypeDefinition 'public class WinrdsProbe {}'; 'allowed' } "
                            "catch { 'refused' }").stdout.split() == [b'refused']
    document = wts_document(run_payload(host, 'wts', SNAPSHOT))
    assert document['error'] is None and len(document['sessions']) == 5


def test_constrained_language_refuses_what_full_language_allows(make_host):
    """The host's language mode is enforced by the engine: New-Object of a .NET type and Add-Type fail in CLM."""
    script = ("try { $null = New-Object IO.MemoryStream; 'new-object allowed' } catch { 'new-object refused' }\n"
              "try { Add-Type -TypeDefinition 'public class WinrdsClmProbe {}'; 'add-type allowed' } "
              "catch { 'add-type refused' }\n"
              "$ExecutionContext.SessionState.LanguageMode\n")
    full = run_script(make_host(), script)
    constrained = run_script(make_host(language_mode='ConstrainedLanguage'), script)
    assert full.stdout.split() == [b'new-object', b'allowed', b'add-type', b'allowed', b'FullLanguage']
    assert constrained.stdout.split() == [b'new-object', b'refused', b'add-type', b'refused', b'ConstrainedLanguage']


def test_in_constrained_language_the_bootstrap_refuses_the_packed_payload_and_native_runs(make_host):
    host = make_host(language_mode='ConstrainedLanguage')
    refused = wts_document(run_payload(host, 'wts', SNAPSHOT))
    assert refused['error']['kind'] == 'helper_unavailable'
    assert refused['language_mode'] == 'ConstrainedLanguage'
    assert last_command(host)['calls'] == []  # nothing of the wts payload ran
    result = run_payload(host, 'native', SNAPSHOT)
    frames, _codec = native_frames(result)
    assert [frame.step for frame in frames] == ['chcp', 'oemcp', 'query-session', 'query-user']
    assert last_command(host)['engine']['policy'] == ['WINRDS_EMU_LANGUAGE_MODE']


HOSTILE = ["o'brien", 'semi;colon', '$(Get-Date)', '`backtick', 'quote"d', 'ünïcødé', '山田太郎', 'a b  c']


def test_hostile_user_names_reach_the_payload_and_come_back_untouched(make_host):
    sessions = [{'id': 10 + index, 'name': f'rdp-tcp#{10 + index}', 'user': name, 'domain': 'CONTOSO',
                 'state': 'active', 'idle_minutes': 1, 'logon_time': '2026-11-20T08:00:00'}
                for index, name in enumerate(HOSTILE)]
    host = make_host(sessions=sessions)
    document = wts_document(run_payload(host, 'wts', SNAPSHOT))
    assert [session['user'] for session in document['sessions'] if session['id'] >= 10 and session['id'] < 65536] \
        == HOSTILE
    frames, codec = native_frames(run_payload(host, 'native', SNAPSHOT))
    users = next(frame for frame in frames if frame.step == 'query-user').text(codec)
    for name in HOSTILE:
        assert name.lower() in users.lower() or name in users
