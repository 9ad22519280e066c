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
    # query session shows services (session 0) as disconnected, but it has no connection to lose: state selects
    # the sessions of users (docs/selecting-sessions.md), session 0 only by its ID or name.
    assert [(entry['id'], entry['username']) for entry in result['sessions']] == [(4, 'ivan')]


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_state_never_selects_session_0_but_its_id_and_name_do(run_action, method):
    snapshot = wts_answer(STANDARD_WTS_SESSIONS) if method == 'wts' else native_snapshot()
    for params, ids in (({'state': 'disconnected'}, [4]), ({'session_id': [0]}, [0]),
                        ({'session_name': ['services']}, [0]), ({}, None)):
        result = run_action('win_rds_session_info', dict(params, method=method), FakeConnection([snapshot]))
        listed = [entry['id'] for entry in result['sessions']]
        if ids is None:
            assert 0 in listed and 4 in listed
        else:
            assert listed == ids, (params, listed)


def test_info_says_one_session_in_the_singular(run_action):
    result = run_action('win_rds_session_info', {'session_id': [3]}, FakeConnection([wts_answer(STANDARD_WTS_SESSIONS)]))
    assert result['msg'] == 'listed 1 session'
    result = run_action('win_rds_session_info', {'username': 'nobody'}, FakeConnection([wts_answer(STANDARD_WTS_SESSIONS)]))
    assert result['msg'] == 'listed 0 sessions'


def test_every_module_titles_its_message_boxes_alike_by_default():
    from ansible_collections.winrds.sessions.plugins.module_utils.options import ARGUMENT_SPECS
    titles = set(spec['message_title']['default'] for spec in ARGUMENT_SPECS.values() if 'message_title' in spec)
    assert len(titles) == 1, titles


def test_the_warning_after_a_fallback_names_the_host(run_action):
    connection = FakeConnection([unpack_refused(), native_snapshot()])
    result = run_action('win_rds_session_info', {'username': 'CONTOSO\\alice'}, connection,
                        inventory_hostname='rdsh-berlin')
    assert result['method'] == 'logoff_exe'
    assert len(result['warnings']) == 1
    assert result['warnings'][0].startswith('rdsh-berlin: '), result['warnings']
    assert 'ConstrainedLanguage' in result['warnings'][0], 'the warning says why the native tools ran'


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
