"""The collection's payloads, sent as the controller sends them, run by a real PowerShell.

What only a real engine can show: that the bootstrap and the payloads parse and run, that the C# helper compiles
and its P/Invoke declarations reach the WTS API with the right layouts, and what Constrained Language Mode
really refuses. The WTS API and the native tools are the emulated host's stand-ins (``tests/emulator/surfaces``).
"""

from __future__ import annotations

import re

import pytest

from ansible_collections.winrds.sessions.plugins.plugin_utils._transport import (
    PayloadError, bootstrap_command, payload_script)
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
    assert [frame.step for frame in frames] == ['chcp', 'query-session', 'query-user']
    assert all(frame.rc == 0 for frame in frames)
    assert codec == 'utf-8'  # the WinRS shell's code page that ansible asks for, which chcp reports
    assert last_command(host)['calls'] == ['tool chcp', 'tool query', 'tool query']


def test_a_payload_with_a_syntax_error_fails_and_the_controller_says_so(make_host):
    host = make_host()
    broken = '# winrds payload: native v1\nif ($true {\n'
    result = host.execute(bootstrap_command(), b'{"op":"snapshot"}\n' + broken.encode('ascii'), context(host))
    assert result.rc != 0
    assert result.stderr.startswith(b'#< CLIXML')
    with pytest.raises(PayloadError, match='printed no JSON'):
        wts_document(result)


def _helper_source():
    return re.search(r"\$helper = @'\n(.*?)\n'@", payload_script('wts'), re.DOTALL).group(1)


def test_the_csharp_helper_compiles_and_its_structures_match_wtsapi32(make_host):
    """Add-Type compiles the helper as the payload does; Marshal.SizeOf of its structures equals the sizes the
    stand-in library has from wtsapi32.h's layout (216 bytes for WTSINFOW, 56 for WTS_SESSION_INFO_1W on x64)."""
    host = make_host()
    script = (
        "$helper = @'\n" + _helper_source() + "\n'@\n"
        "Add-Type -TypeDefinition $helper -Language CSharp\n"
        "Add-Type -TypeDefinition @'\n"
        "using System.Runtime.InteropServices;\n"
        "public static class StandIn {\n"
        "  [DllImport(\"wtsapi32.dll\")] public static extern int winrds_sizeof_wtsinfo();\n"
        "  [DllImport(\"wtsapi32.dll\")] public static extern int winrds_sizeof_session_info_1();\n"
        "}\n"
        "'@\n"
        "$flags = [Reflection.BindingFlags]'NonPublic'\n"
        "$sizeOf = [Runtime.InteropServices.Marshal].GetMethod('SizeOf', [Type[]]@([Type]))\n"
        "$info = $sizeOf.Invoke($null, @([WinRdsSessions.Wts].GetNestedType('WTSINFO', $flags)))\n"
        "$one = $sizeOf.Invoke($null, @([WinRdsSessions.Wts].GetNestedType('WTS_SESSION_INFO_1', $flags)))\n"
        "'{0} {1} {2} {3}' -f $info, [StandIn]::winrds_sizeof_wtsinfo(), $one, [StandIn]::winrds_sizeof_session_info_1()\n")
    result = run_script(host, script)
    assert result.rc == 0, result.stderr.decode('utf-8', 'replace')
    assert result.stdout.split() == [b'216', b'216', b'56', b'56']


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
    assert [frame.step for frame in frames] == ['chcp', 'query-session', 'query-user']
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
