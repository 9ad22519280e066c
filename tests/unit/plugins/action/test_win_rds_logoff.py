"""The win_rds_logoff action plugin driven through a scripted connection: both methods, check mode, fallback,
errors. What the host would answer is built in tests/unit/conftest.py."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleConnectionFailure
from ansible.errors import AnsibleActionFail

from tests.unit.fakes import (
    FakeConnection, STANDARD_WTS_SESSIONS, chcp_frame, frame, native_snapshot, unpack_refused, wts_answer)

MODULE = 'win_rds_logoff'


def by_id(result):
    return dict((entry['id'], entry) for entry in result['sessions'])


def test_logs_off_by_name_with_one_snapshot_and_one_action(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS),
                                 wts_answer(results=[{'id': 3, 'outcome': 'done', 'code': 0, 'message': ''}])])
    result = run_action(MODULE, {'session': 'rdp-tcp#5'}, connection)
    assert result['changed'] is True
    assert not result.get('failed')
    assert result['method'] == 'wts'
    assert result['commands'] == 2
    assert by_id(result)[3]['outcome'] == 'logged_off'
    assert list(by_id(result)) == [3]
    sent = connection.data(1)
    assert sent['op'] == 'logoff'
    assert sent['targets'] == [{'id': 3, 'user': 'alice', 'domain': 'CONTOSO', 'logon_time': '2026-11-20T08:15:00Z'}]
    assert sent['wait'] is True and sent['timeout_seconds'] == 120


def test_nothing_matched_costs_one_command_and_is_ok(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS)])
    result = run_action(MODULE, {'username': 'nobody'}, connection)
    assert result['changed'] is False
    assert result['sessions'] == []
    assert len(connection.calls) == 1


def test_command_line_is_fixed_and_user_data_only_on_stdin(run_action):
    hostile = 'x"; Remove-Item C:\\ -Recurse; $(whoami) `& %PATH%'
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS)])
    run_action(MODULE, {'username': hostile, 'message': hostile}, connection)
    command, stdin = connection.calls[0]
    assert command.startswith('PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand ')
    assert len(command) < 8191
    assert hostile not in command
    assert all(byte < 128 for byte in stdin)


def test_check_mode_reports_and_acts_on_nothing(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS)])
    result = run_action(MODULE, {'state': ['disconnected'], 'idle_time': '1h'}, connection, check_mode=True)
    assert result['changed'] is True
    assert by_id(result)[4]['outcome'] == 'would_log_off'
    assert len(connection.calls) == 1


def test_diff_shows_before_and_after(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS)])
    result = run_action(MODULE, {'username': ['alice', 'bob']}, connection, check_mode=True, diff=True)
    assert 'CONTOSO\\alice' in result['diff']['before'] and 'CONTOSO\\bob' in result['diff']['before']
    assert result['diff']['after'] == ''


def test_console_is_skipped_by_a_pattern(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS),
                                 wts_answer(results=[{'id': 3, 'outcome': 'done'}, {'id': 4, 'outcome': 'done'},
                                                     {'id': 5, 'outcome': 'done'}])])
    result = run_action(MODULE, {'username': '*'}, connection)
    sessions = by_id(result)
    assert sessions[1]['outcome'] == 'skipped' and 'console' in sessions[1]['reason']
    assert [target['id'] for target in connection.data(1)['targets']] == [3, 4, 5]
    assert 0 not in sessions and 65536 not in sessions


@pytest.mark.parametrize('args', [{'session': 'console'}, {'session': '1'}, {'session_id': [0]},
                                  {'session_id': [65536]}, {'session_name': ['rdp-tcp']}])
def test_naming_a_protected_session_fails_before_acting(run_action, args):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS)])
    result = run_action(MODULE, args, connection)
    assert result['failed'] is True
    assert 'protected' in result['msg'] and 'Nothing was changed' in result['msg']
    assert len(connection.calls) == 1


def test_no_selector_fails_before_reaching_the_host(run_action):
    connection = FakeConnection([])
    result = run_action(MODULE, {}, connection)
    assert result['failed'] is True
    assert 'session 0' in result['msg'] and "username: '*'" in result['msg']
    assert connection.calls == []


@pytest.mark.parametrize('args,words', [
    ({'session': '3', 'session_id': [4]}, 'mutually exclusive'),
    ({'idle_time': 'soon', 'state': ['active']}, 'not a duration'),
    ({'state': ['sleeping']}, 'value of state must be one or more of'),
    ({'username': 'alice', 'server': 'bad host'}, 'not a host name'),
    ({'username': 'alice', 'grace_period': 30}, 'set message too'),
    ({'session': 'rdp*'}, 'session_name for patterns'),
    ({'username': 'alice', 'timeout': -1}, 'negative'),
])
def test_bad_values_fail_before_reaching_the_host(run_action, args, words):
    connection = FakeConnection([])
    try:
        result = run_action(MODULE, args, connection)
    except AnsibleActionFail as error:  # raised by validate_argument_spec for spec violations
        result = {'failed': True, 'msg': str(error)}
    assert result['failed'] is True
    assert words in result['msg']
    assert connection.calls == []


def test_max_sessions_fails_before_acting(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS)])
    result = run_action(MODULE, {'username': '*', 'max_sessions': 2}, connection)
    assert result['failed'] is True and 'max_sessions=2' in result['msg']
    assert len(connection.calls) == 1


def test_partial_failure_reports_every_session(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS), wts_answer(results=[
        {'id': 3, 'outcome': 'done'}, {'id': 4, 'outcome': 'failed', 'code': 5, 'message': 'Access is denied.'},
        {'id': 5, 'outcome': 'identity_changed'}])])
    result = run_action(MODULE, {'username': ['alice', 'bob', 'carol smith']}, connection)
    sessions = by_id(result)
    assert result['failed'] is True and result['changed'] is True
    assert sessions[3]['outcome'] == 'logged_off'
    assert sessions[4]['outcome'] == 'failed' and 'Full Control' in sessions[4]['reason']
    assert sessions[5]['outcome'] == 'skipped' and 'another logon' in sessions[5]['reason']
    assert 'session 4' in result['msg']


def test_gone_and_timeout_outcomes(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS), wts_answer(results=[
        {'id': 3, 'outcome': 'gone'}, {'id': 4, 'outcome': 'timeout'}])])
    result = run_action(MODULE, {'username': ['alice', 'bob'], 'timeout': 30}, connection)
    sessions = by_id(result)
    assert sessions[3]['outcome'] == 'already_gone'
    assert sessions[4]['outcome'] == 'failed' and '30s' in sessions[4]['reason']
    assert result['failed'] is True


def test_message_and_grace_period_travel_as_data(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS), wts_answer(results=[{'id': 3, 'outcome': 'done'}])])
    run_action(MODULE, {'username': 'alice', 'message': 'Bye ü', 'grace_period': 60, 'message_title': 'T'},
               connection)
    assert connection.data(1)['notice'] == {'title': 'T', 'text': 'Bye ü', 'grace_seconds': 60}


def test_whole_call_access_denied_explains_full_control(run_action):
    connection = FakeConnection([wts_answer(error={'kind': 'access_denied', 'code': 5, 'message': 'Access is denied.'})])
    result = run_action(MODULE, {'username': 'alice'}, connection)
    assert result['failed'] is True and 'Full Control' in result['msg']


def test_server_double_hop_hint(run_action):
    connection = FakeConnection([wts_answer(error={'kind': 'access_denied', 'code': 5, 'message': 'denied'})])
    result = run_action(MODULE, {'username': 'alice', 'server': 'rdsh02'}, connection)
    assert 'second hop' in result['msg'] and 'CredSSP' in result['msg'] and 'rdsh02' in result['msg']
    assert connection.data(0)['server'] == 'rdsh02'


def test_server_rpc_unavailable(run_action):
    connection = FakeConnection([wts_answer(error={'kind': 'rpc_unavailable', 'code': 1722, 'message': 'x'})])
    result = run_action(MODULE, {'username': 'alice', 'server': 'rdsh09'}, connection)
    assert 'AllowRemoteRPC' in result['msg'] and '1722' in result['msg']


def _alice_logged_off_natively():
    return (0, chcp_frame() + frame('guard', b' alice ... 11/20/2026 8:15 AM', ident=3, verdict='match')
            + frame('logoff', b'', ident=3) + frame('wait', b'', ident=3, verdict='gone'), b'')


def test_auto_falls_back_to_native_tools_in_constrained_language(run_action):
    # In ConstrainedLanguage the bootstrap may not unpack the packed wts payload and says so itself.
    connection = FakeConnection([unpack_refused(), native_snapshot(), _alice_logged_off_natively()])
    result = run_action(MODULE, {'username': 'alice'}, connection)
    assert result['method'] == 'logoff_exe' and result['computer'] == 'RDSH01'
    assert 'ConstrainedLanguage mode' in result['fallback_reason']
    assert by_id(result)[3]['outcome'] == 'logged_off'
    assert [connection.payload(i) for i in range(3)] == ['wts', 'native', 'native']
    assert connection.calls[0][1].split(b'\n')[1].startswith(b'#deflate ')
    assert not connection.calls[1][1].split(b'\n')[1].startswith(b'#deflate '), 'native must run in CLM: as text'
    # The guard compares the bytes query user wrote: 'alice' and '11/20/2026 8:15 AM' in the OEM code page.
    assert connection.data(2)['targets'] == [{'id': 3, 'user_hex': '61 6C 69 63 65', 'account_hex': None,
                                              'logon_hex': '31 31 2F 32 30 2F 32 30 32 36 20 38 3A 31 35 20 41 4D'}]


def test_auto_falls_back_when_add_type_fails_in_full_language(run_action):
    failed = wts_answer(error={'kind': 'helper_unavailable', 'code': 0, 'message': 'Add-Type failed: csc.exe'})
    connection = FakeConnection([failed, native_snapshot(), _alice_logged_off_natively()])
    result = run_action(MODULE, {'username': 'alice'}, connection)
    assert result['method'] == 'logoff_exe' and 'Add-Type failed' in result['fallback_reason']
    assert by_id(result)[3]['outcome'] == 'logged_off'


def test_an_unknown_bootstrap_error_is_not_taken_for_a_language_mode(run_action):
    strange = (0, b'{"payload": "bootstrap", "error": {"kind": "disk_full"}}', b'')
    result = run_action(MODULE, {'username': 'alice'}, FakeConnection([strange]))
    assert result['failed'] is True and 'disk_full' in result['msg'] and 'nothing was changed' in result['msg']


def test_explicit_wts_does_not_fall_back(run_action):
    connection = FakeConnection([unpack_refused()])
    result = run_action(MODULE, {'username': 'alice', 'method': 'wts'}, connection)
    assert result['failed'] is True and 'logoff_exe' in result['msg']
    assert len(connection.calls) == 1


def test_native_method_on_a_russian_host_decodes_cp866(run_action):
    act = (0, chcp_frame(866) + frame('guard', 'ivan'.encode('cp866'), ident=4, verdict='match')
           + frame('logoff', b'', ident=4) + frame('wait', b'', ident=4, verdict='gone'), b'')
    connection = FakeConnection([native_snapshot('ru-RU', 866), act])
    result = run_action(MODULE, {'state': 'disconnected', 'method': 'logoff_exe'}, connection)
    assert by_id(result)[4]['outcome'] == 'logged_off'
    assert by_id(result)[4]['username'] == 'ivan'
    assert connection.data(1)['targets'] == [{'id': 4, 'user_hex': '69 76 61 6E', 'account_hex': None,
                                              'logon_hex': '31 39 2E 31 31 2E 32 30 32 36 20 31 37 3A 30 32'}]


def test_native_console_is_protected_in_russian_too(run_action):
    connection = FakeConnection([native_snapshot('ru-RU', 866)])
    result = run_action(MODULE, {'username': 'Администратор', 'method': 'logoff_exe'}, connection)
    assert not result.get('failed') and result['changed'] is False
    assert by_id(result)[1]['outcome'] == 'skipped' and 'console' in by_id(result)[1]['reason']
    assert len(connection.calls) == 1


def test_native_identity_mismatch_and_failure(run_action):
    act = (0, chcp_frame() + frame('guard', b'mallory', ident=3, verdict='mismatch')
           + frame('guard', b'bob', ident=4, verdict='match')
           + frame('logoff', b'Could not logoff session ID 4 from session , Error code 5\r\nError [5]:Access is denied.',
                   rc=1, ident=4), b'')
    connection = FakeConnection([native_snapshot(), act])
    result = run_action(MODULE, {'username': ['alice', 'bob'], 'method': 'logoff_exe'}, connection)
    sessions = by_id(result)
    assert sessions[3]['outcome'] == 'skipped'
    assert sessions[4]['outcome'] == 'failed' and 'access denied' in sessions[4]['reason']
    assert any('Access is denied' in line for line in sessions[4]['output'])


def test_native_output_cut_short_is_unknown_not_success(run_action):
    act = (0, chcp_frame() + b'##winrds:begin guard 3\r\n alice', b'')
    connection = FakeConnection([native_snapshot(), act])
    result = run_action(MODULE, {'username': 'alice', 'method': 'logoff_exe'}, connection)
    assert by_id(result)[3]['outcome'] == 'unknown' and result['failed'] is True


def test_no_user_exists_is_an_empty_host(run_action):
    only_system = (' SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE \r\n'
                   '>services                                    0  Disc\r\n'
                   ' rdp-tcp                                 65536  Listen\r\n')
    snap = native_snapshot(user_rc=1, user_text='No User exists for *\r\n', session_text=only_system)
    connection = FakeConnection([snap])
    result = run_action(MODULE, {'username': '*', 'method': 'logoff_exe'}, connection)
    assert not result.get('failed') and result['changed'] is False
    assert result['sessions'] == [] and len(connection.calls) == 1


def test_truncated_json_is_a_clear_error(run_action):
    connection = FakeConnection([(0, b'{"payload": "wts", "sessi', b'')])
    result = run_action(MODULE, {'username': 'alice'}, connection)
    assert result['failed'] is True and 'not whole JSON' in result['msg']


def test_connection_failure_during_action_marks_outcomes_unknown(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS), AnsibleConnectionFailure('reset by peer')])
    result = run_action(MODULE, {'username': 'alice'}, connection)
    assert result['failed'] is True and 'unknown' in result['msg']
    assert by_id(result)[3]['outcome'] == 'unknown'


@pytest.mark.parametrize('failure', [AnsibleConnectionFailure('reset by peer'), (0, b'{"payload": "wts", "res', b'')],
                         ids=['connection', 'unreadable'])
def test_a_failed_action_still_reports_the_sessions_it_left_alone(run_action, failure):
    """Every matched session is in the result: the targets as unknown, the protected ones as skipped."""
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS), failure])
    result = run_action(MODULE, {'state': 'active'}, connection)
    assert result['failed'] is True
    sessions = by_id(result)
    assert sessions[1]['outcome'] == 'skipped' and 'console' in sessions[1]['reason']
    assert sessions[3]['outcome'] == 'unknown'


def test_not_a_windows_host(run_action):
    connection = FakeConnection([], windows=False)
    result = run_action(MODULE, {'username': 'alice'}, connection)
    assert result['failed'] is True and 'not to Windows' in result['msg']


def test_unreadable_session_record_is_a_clear_error(run_action):
    broken = [dict(STANDARD_WTS_SESSIONS[2], state_code=42)]
    connection = FakeConnection([wts_answer(broken)])
    result = run_action(MODULE, {'username': 'alice'}, connection)
    assert result['failed'] is True and 'cannot read' in result['msg'] and 'state code 42' in result['msg']


def test_message_timeout_zero_is_refused(run_action):
    connection = FakeConnection([])
    result = run_action('win_rds_message', {'username': 'alice', 'message': 'x', 'timeout': 0}, connection)
    assert result['failed'] is True and 'for ever' in result['msg'] and connection.calls == []
