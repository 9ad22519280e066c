"""win_rds_disconnect, win_rds_message and win_rds_session_info through a scripted connection."""

from __future__ import annotations

import pytest

from tests.unit.fakes import (FakeConnection, STANDARD_WTS_SESSIONS, chcp_frame, frame, native_snapshot,
                              unpack_refused, wts_answer)


def by_id(result):
    return dict((entry['id'], entry) for entry in result['sessions'])


def test_disconnect_acts_only_on_connected_sessions(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS), wts_answer(results=[{'id': 3, 'outcome': 'done'}])])
    result = run_action('win_rds_disconnect', {'username': ['alice', 'bob']}, connection)
    sessions = by_id(result)
    assert sessions[3]['outcome'] == 'disconnected' and result['changed'] is True
    assert sessions[4]['outcome'] == 'already_disconnected'
    assert connection.data(1)['op'] == 'disconnect' and [t['id'] for t in connection.data(1)['targets']] == [3]


def test_disconnect_of_only_disconnected_sessions_is_ok_with_one_command(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS)])
    result = run_action('win_rds_disconnect', {'username': 'bob'}, connection)
    assert result['changed'] is False and by_id(result)[4]['outcome'] == 'already_disconnected'
    assert len(connection.calls) == 1


def test_disconnect_console_by_name_is_refused(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS)])
    result = run_action('win_rds_disconnect', {'session': 'console'}, connection)
    assert result['failed'] is True and 'console' in result['msg']


def test_disconnect_native_uses_tsdiscon_frames(run_action):
    act = (0, chcp_frame() + frame('guard', b' alice', ident=3, verdict='match') + frame('tsdiscon', b'', ident=3), b'')
    connection = FakeConnection([native_snapshot(), act])
    result = run_action('win_rds_disconnect', {'session': '3', 'method': 'logoff_exe'}, connection)
    assert by_id(result)[3]['outcome'] == 'disconnected'


def test_message_outcomes_with_wait(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS), wts_answer(results=[
        {'id': 1, 'outcome': 'done', 'response': 1}, {'id': 3, 'outcome': 'done', 'response': 32000},
        {'id': 5, 'outcome': 'failed', 'code': 5, 'message': 'Access is denied.'}])])
    result = run_action('win_rds_message', {'state': 'active', 'message': 'hello', 'wait': True, 'timeout': 30},
                        connection)
    sessions = by_id(result)
    assert sessions[1]['outcome'] == 'acknowledged'  # the console may get messages
    assert sessions[3]['outcome'] == 'timed_out'
    assert sessions[5]['outcome'] == 'failed' and 'Message' in sessions[5]['reason']
    data = connection.data(1)
    assert data['op'] == 'message' and data['text'] == 'hello' and data['wait_response'] is True
    assert data['timeout_seconds'] == 30 and data['title'] == 'Message from your administrator'


def test_message_without_wait_is_sent_and_changed(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS),
                                 wts_answer(results=[{'id': 3, 'outcome': 'done', 'response': 32001}])])
    result = run_action('win_rds_message', {'username': 'alice', 'message': 'hi'}, connection)
    assert by_id(result)[3]['outcome'] == 'sent' and result['changed'] is True


def test_message_check_mode_sends_nothing(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS)])
    result = run_action('win_rds_message', {'username': '*', 'message': 'hi'}, connection, check_mode=True)
    assert {entry['outcome'] for entry in result['sessions'] if entry['id'] in (1, 3, 4, 5)} == {'would_send'}
    assert len(connection.calls) == 1


def test_message_requires_text(run_action):
    connection = FakeConnection([])
    result = run_action('win_rds_message', {'username': '*', 'message': '   '}, connection)
    assert result['failed'] is True and 'empty message' in result['msg'] and connection.calls == []


def test_info_lists_everything_without_selectors(run_action):
    connection = FakeConnection([wts_answer(STANDARD_WTS_SESSIONS)])
    result = run_action('win_rds_session_info', {}, connection)
    assert [entry['id'] for entry in result['sessions']] == [0, 1, 3, 4, 5, 65536]
    assert result['changed'] is False and 'outcome' not in result['sessions'][0]
    assert by_id(result)[3]['client_name'] == 'PC042' and by_id(result)[1]['is_console'] is True


def test_info_filters_and_works_in_check_mode(run_action):
    connection = FakeConnection([native_snapshot('ru-RU', 866)])
    result = run_action('win_rds_session_info', {'state': 'disconnected', 'method': 'logoff_exe'}, connection,
                        check_mode=True)
    # services (session 0) is disconnected too, as query session shows it
    assert [(entry['id'], entry['username']) for entry in result['sessions']] == [(0, None), (4, 'ivan')]


@pytest.mark.parametrize('module, params, check_mode', [('win_rds_session_info', {}, False),
                                                        ('win_rds_message', {'message': 'hi', 'username': 'alice'}, True)])
def test_companions_report_why_they_fell_back(run_action, module, params, check_mode):
    # fallback_reason is documented on every module: the read-only info, and a message in check mode.
    connection = FakeConnection([unpack_refused(), native_snapshot()])
    result = run_action(module, params, connection, check_mode=check_mode)
    assert not result.get('failed'), result.get('msg')
    assert result['method'] == 'logoff_exe'
    assert 'ConstrainedLanguage mode' in result['fallback_reason']
    assert len(connection.calls) == 2


LONG = 'x' * 230


def test_a_message_too_long_for_msg_exe_is_refused_before_anything_is_sent(run_action):
    # method logoff_exe: the title, a line break and the text count against msg.exe's 255 characters.
    connection = FakeConnection([])
    result = run_action('win_rds_message', {'message': LONG, 'message_title': 'Twenty-four characters!!',
                                            'username': 'alice', 'method': 'logoff_exe'}, connection)
    assert result['failed'] is True and 'at most 255' in result['msg'] and '256' in result['msg']
    assert connection.calls == []
    fits = run_action('win_rds_message', {'message': LONG, 'message_title': 'Twenty-three characters',
                                          'username': 'alice', 'method': 'logoff_exe'},
                      FakeConnection([native_snapshot()]), check_mode=True)
    assert not fits.get('failed'), fits.get('msg')


@pytest.mark.parametrize('check_mode', [False, True])
def test_after_a_fallback_a_message_too_long_for_msg_exe_fails_before_acting(run_action, check_mode):
    connection = FakeConnection([unpack_refused(), native_snapshot()])
    result = run_action('win_rds_message', {'message': 'y' * 300, 'username': 'alice'}, connection,
                        check_mode=check_mode)
    assert result['failed'] is True and 'method: wts' in result['msg'] and 'Nothing was changed' in result['msg']
    assert len(connection.calls) == 2  # the two snapshots, no message


def test_logoff_with_a_notice_too_long_for_msg_exe_after_a_fallback_changes_nothing(run_action):
    connection = FakeConnection([unpack_refused(), native_snapshot()])
    result = run_action('win_rds_logoff', {'message': 'z' * 300, 'username': 'alice'}, connection)
    assert result['failed'] is True and 'msg.exe' in result['msg'] and len(connection.calls) == 2


def test_a_missing_query_exe_is_a_clear_error(run_action):
    missing = (0, chcp_frame() + b'##winrds:begin query-session\r\n##winrds:note This command cannot be run due to '
               b'the error: The system cannot find the file specified.\r\n##winrds:end query-session rc=-1 '
               b'verdict=missing\r\n', b'')
    result = run_action('win_rds_session_info', {'method': 'logoff_exe'}, FakeConnection([missing]))
    assert result['failed'] is True and 'query.exe could not be started' in result['msg']
    assert 'method: wts' in result['msg']


def test_a_guard_that_fails_with_an_error_leaves_the_session_and_says_why(run_action):
    act = (0, chcp_frame() + frame('guard', b'', ident=3, verdict='error', rc=1,
                                   err=b'Error [1722]:The RPC server is unavailable.\r\n'), b'')
    connection = FakeConnection([native_snapshot(), act])
    result = run_action('win_rds_disconnect', {'session': '3', 'method': 'logoff_exe'}, connection)
    entry = by_id(result)[3]
    assert entry['outcome'] == 'failed' and result['failed'] is True
    assert 'left untouched' in entry['reason'] and 'RPC' in entry['reason']
