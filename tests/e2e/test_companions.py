"""win_rds_disconnect, win_rds_message and win_rds_session_info end to end, in several languages, asserting on
the emulated hosts' own state."""

from __future__ import annotations

import pytest

from tests.e2e.harness import by_id, commands_of, run_task, sessions_of

LANGUAGES = ['en', 'de', 'ru', 'zh', 'ja']


@pytest.mark.psrp_one_language_per_code_pages
@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
@pytest.mark.parametrize('language', LANGUAGES)
def test_session_info_in_every_language(hosts, language, method):
    host = 'rdsh-%s' % language
    run, entry = run_task(hosts, host, 'win_rds_session_info', {'method': method}, check=True)
    assert entry['status'] == 'ok', run.stdout[-2000:]
    listed = by_id(entry)
    table = sessions_of(hosts, host)
    assert sorted(listed) == sorted(table)  # services and listener included
    for sid, session in table.items():
        assert listed[sid]['state'] == session['state']
        if session.get('user') and sid != 0:
            assert listed[sid]['username'].casefold() == session['user'].casefold()
    assert listed[1]['is_console'] is True
    assert len(commands_of(hosts, host)) == 1


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_session_info_by_state_lists_the_users_sessions_not_services(hosts, method):
    # Windows reports session 0 (services) as disconnected (WTS_CONNECTSTATE_CLASS; "Disc" in query session), but it
    # never had a client to lose: state selects the users' sessions (docs/selecting-sessions.md).
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_session_info', {'state': 'disconnected', 'method': method})
    assert entry['status'] == 'ok', run.stdout[-2000:]
    assert sorted(by_id(entry)) == [4, 6, 7]
    assert entry['result']['msg'] == 'listed 3 sessions'
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_session_info', {'session_id': [0], 'method': method})
    assert sorted(by_id(entry)) == [0] and entry['result']['msg'] == 'listed 1 session'


def test_session_info_filters_and_reports_wts_details(hosts):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_session_info', {'username': 'CONTOSO\\alice'})
    sessions = by_id(entry)
    assert sorted(sessions) == [3, 7]
    assert sessions[3]['client_name'] == 'PC042' and sessions[3]['domain'] == 'CONTOSO'
    assert sessions[7]['state'] == 'disconnected' and sessions[7]['idle_minutes'] == 500


def test_session_info_of_a_server(hosts):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_session_info', {'server': 'rdsh-far', 'username': '*'})
    assert [(s['id'], s['username']) for s in entry['result']['sessions']] == [(2, 'erin'), (3, 'frank')]


@pytest.mark.psrp_one_language_per_code_pages
@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
@pytest.mark.parametrize('language', ['en', 'ru', 'ja'])
def test_disconnect_keeps_the_session_and_is_idempotent(hosts, language, method):
    host = 'rdsh-%s' % language
    run, entry = run_task(hosts, host, 'win_rds_disconnect', {'username': 'anna' if language != 'en' else 'alice',
                                                              'method': method})
    assert entry['status'] == 'changed', run.stdout[-2000:]
    target = 2 if language != 'en' else 3
    assert by_id(entry)[target]['outcome'] == 'disconnected'
    table = sessions_of(hosts, host)
    assert table[target]['state'] == 'disconnected'  # still in memory, not logged off
    run, entry = run_task(hosts, host, 'win_rds_disconnect', {'username': 'anna' if language != 'en' else 'alice',
                                                              'method': method})
    assert entry['status'] == 'ok'
    assert {item['outcome'] for item in entry['result']['sessions']} == {'already_disconnected'}


def test_disconnect_console_is_refused(hosts):
    run, entry = run_task(hosts, 'rdsh-en', 'win_rds_disconnect', {'session_id': [1]})
    assert entry['status'] == 'failed' and 'console' in entry['result']['msg']
    assert sessions_of(hosts, 'rdsh-en')[1]['state'] == 'active'


@pytest.mark.parametrize('method', ['wts', 'logoff_exe'])
def test_message_on_a_host_without_console_session_1(hosts, method):
    run, entry = run_task(hosts, 'rdsh-headless', 'win_rds_message',
                          {'username': '*', 'message': 'Neustart um 22:00', 'message_title': 'Wartung',
                           'method': method})
    assert entry['status'] == 'changed', run.stdout[-2000:]
    assert {item['outcome'] for item in entry['result']['sessions']} == {'sent'}
    messages = hosts.state('rdsh-headless')['messages']
    assert sorted(message['session_id'] for message in messages) == [2, 3]
    assert all('Neustart um 22:00' in message['text'] for message in messages)


def test_message_wait_reports_acknowledged_and_timed_out(hosts):
    run, entry = run_task(hosts, 'rdsh-headless', 'win_rds_message',
                          {'username': '*', 'message': 'Please close the app', 'wait': True, 'timeout': 30})
    sessions = by_id(entry)
    assert sessions[2]['outcome'] == 'acknowledged'  # alice clicks OK (the host's answers: 1)
    assert sessions[3]['outcome'] == 'timed_out'


@pytest.mark.winrm_only('check mode stops on the controller after the snapshot')
def test_message_check_mode_sends_nothing(hosts):
    run, entry = run_task(hosts, 'rdsh-de', 'win_rds_message', {'username': '*', 'message': 'Hallo'}, check=True)
    assert entry['status'] == 'changed'
    assert {item['outcome'] for item in entry['result']['sessions']} == {'would_send'}
    assert hosts.state('rdsh-de')['messages'] == []
