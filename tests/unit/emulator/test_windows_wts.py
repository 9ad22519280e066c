"""The wts payload's JSON contract (docs/architecture.md), answered from the session table."""

from __future__ import annotations

import pytest

from tests.emulator.windows.testing import run_payload, run_wts, sample_host

ALICE = {'id': 3, 'user': 'alice', 'domain': 'CONTOSO', 'logon_time': '2026-11-20T08:15:00Z'}
BOB = {'id': 4, 'user': 'BOB', 'domain': 'contoso', 'logon_time': '2026-11-19T17:02:00Z'}  # case is ignored
CONSOLE = {'id': 1, 'user': 'Administrator', 'domain': 'RDSH01', 'logon_time': '2026-11-20T07:58:00Z'}


def act(op, targets, notice=None, wait=False, timeout=30, **kwargs):
    return {'op': op, 'server': kwargs.pop('server', None), 'targets': targets, 'notice': notice, 'wait': wait,
            'timeout_seconds': timeout}


@pytest.fixture
def host():
    return sample_host()


def test_snapshot_reports_every_session_with_utc_times(host):
    answer = run_wts(host, {'op': 'snapshot', 'server': None})
    header = {'payload': 'wts', 'version': 3, 'computer': 'RDSH01', 'server': None, 'language_mode': 'FullLanguage',
              'console_session_id': 1, 'error': None}
    assert {key: answer[key] for key in header} == header
    assert 'results' not in answer
    by_id = {s['id']: s for s in answer['sessions']}
    assert sorted(by_id) == [0, 1, 3, 4, 65536]
    assert by_id[3] == {'id': 3, 'name': 'RDP-Tcp#5', 'user': 'alice', 'domain': 'CONTOSO', 'state_code': 0,
                        'client': 'PC042', 'logon_time': '2026-11-20T08:15:00Z', 'disconnect_time': None,
                        'last_input_time': '2026-11-22T09:48:00Z', 'current_time': '2026-11-22T10:00:00Z'}
    assert (by_id[4]['state_code'], by_id[4]['name']) == (4, '')  # WTSDisconnected, no WinStation name
    assert (by_id[0]['name'], by_id[0]['user'], by_id[0]['state_code']) == ('Services', None, 4)
    assert (by_id[65536]['name'], by_id[65536]['state_code']) == ('RDP-Tcp', 6)  # WTSListen


def test_times_follow_the_configured_utc_offset():
    host = sample_host(utc_offset_minutes=60)
    alice = next(s for s in run_wts(host, {'op': 'snapshot'})['sessions'] if s['id'] == 3)
    assert (alice['logon_time'], alice['current_time']) == ('2026-11-20T07:15:00Z', '2026-11-22T09:00:00Z')


def test_logoff_removes_the_session_and_waits_for_it(host):
    answer = run_wts(host, act('logoff', [ALICE, BOB], wait=True))
    assert answer['results'] == [{'id': 3, 'outcome': 'done', 'code': 0, 'message': '', 'response': None},
                                 {'id': 4, 'outcome': 'done', 'code': 0, 'message': '', 'response': None}]
    assert {s['id'] for s in host.state()['sessions']} == {0, 1, 65536}
    assert [e['via'] for e in host.state()['events']] == ['WTSLogoffSession', 'WTSLogoffSession']


def test_logoff_needs_the_reset_right(host):
    answer = run_wts(host, act('logoff', [ALICE, BOB]), user='alice')
    assert answer['results'][0]['outcome'] == 'done'  # her own session
    assert answer['results'][1] == {'id': 4, 'outcome': 'failed', 'code': 5, 'message': 'Access is denied',
                                    'response': None}


def test_gone_and_identity_changed_are_reported_without_acting(host):
    stale = dict(ALICE, logon_time='2026-11-19T08:15:00Z')
    answer = run_wts(host, act('logoff', [{'id': 9, 'user': 'x', 'domain': 'y', 'logon_time': None}, stale]))
    assert [r['outcome'] for r in answer['results']] == ['gone', 'identity_changed']
    assert 3 in {s['id'] for s in host.state()['sessions']}


def test_notice_is_sent_then_grace_then_identity_checked_again(host):
    start = host.clock.now()
    host.set_faults({'replace': {'after_seconds': 30, 'id': 3, 'user': 'mallory', 'domain': 'CONTOSO'}})
    notice = {'title': 'Maintenance', 'text': 'Logging off in 1 minute', 'grace_seconds': 60}
    answer = run_wts(host, act('logoff', [ALICE, BOB], notice=notice))
    assert [r['outcome'] for r in answer['results']] == ['identity_changed', 'done']
    assert (host.clock.now() - start).total_seconds() == 60
    messages = host.state()['messages']
    assert [(m['session_id'], m['title'], m['response'], m['timeout_seconds']) for m in messages] == \
        [(3, 'Maintenance', 32001, 60), (4, 'Maintenance', 32001, 60)]
    assert next(s for s in host.state()['sessions'] if s['id'] == 3)['user'] == 'mallory'


def test_logoff_that_never_completes_times_out():
    host = sample_host()
    host.set_faults({'logoff_hangs': [3]})
    answer = run_wts(host, act('logoff', [ALICE], wait=True, timeout=10))
    assert answer['results'][0]['outcome'] == 'timeout'
    assert 3 in {s['id'] for s in host.state()['sessions']}


def test_sessions_that_never_leave_are_waited_for_together():
    """Every session is asked to leave before any is waited for: two stuck sessions cost one timeout of the host's
    (virtual) clock, not two."""
    host = sample_host()
    host.set_faults({'logoff_hangs': [3, 4]})
    start = host.clock.now()
    answer = run_wts(host, act('logoff', [ALICE, BOB], wait=True, timeout=10))
    assert [item['outcome'] for item in answer['results']] == ['timeout', 'timeout']
    assert 10 <= (host.clock.now() - start).total_seconds() < 11


def test_logoff_latency_is_waited_out():
    host = sample_host(logoff_latency_seconds=3)
    answer = run_wts(host, act('logoff', [ALICE], wait=True, timeout=10))
    assert answer['results'][0]['outcome'] == 'done'
    assert 3 not in {s['id'] for s in host.state()['sessions']}


def test_wts_logs_off_the_console_but_refuses_to_disconnect_it(host):
    # WTSLogoffSession documents no console exception; WTSDisconnectSession: ERROR_CTX_CONSOLE_DISCONNECT.
    disconnect = run_wts(host, act('disconnect', [CONSOLE]))
    assert disconnect['results'][0] == {'id': 1, 'outcome': 'failed', 'code': 7041,
                                        'message': 'Disconnecting the console session is not supported',
                                        'response': None}
    assert run_wts(host, act('logoff', [CONSOLE]))['results'][0]['outcome'] == 'done'


def test_disconnect_keeps_the_session_without_a_name(host):
    answer = run_wts(host, act('disconnect', [ALICE]))
    assert answer['results'][0]['outcome'] == 'done'
    alice = next(s for s in run_wts(host, {'op': 'snapshot'})['sessions'] if s['id'] == 3)
    assert (alice['state_code'], alice['name'], alice['disconnect_time']) == (4, '', '2026-11-22T10:00:00Z')


def test_message_responses_async_timeout_and_answer():
    host = sample_host(sessions=[
        {'id': 3, 'name': 'rdp-tcp#5', 'user': 'alice', 'domain': 'CONTOSO', 'answers': 1, 'answer_delay_seconds': 4},
        {'id': 4, 'name': None, 'user': 'bob', 'domain': 'CONTOSO', 'state': 'disconnected'}])
    base = {'op': 'message', 'server': None, 'title': 'Hi', 'text': 'Grüße', 'timeout_seconds': 20,
            'targets': [{'id': 3}, {'id': 4}, {'id': 8}]}
    quick = run_wts(host, dict(base, wait_response=False))
    assert [(r['outcome'], r['response'], r['code']) for r in quick['results']] == \
        [('done', 32001, 0), ('done', 32001, 0), ('failed', None, 7022)]
    start = host.clock.now()
    waited = run_wts(host, dict(base, wait_response=True))
    assert [r['response'] for r in waited['results'][:2]] == [1, 32000]  # alice clicks OK; nobody at bob's
    assert (host.clock.now() - start).total_seconds() == 24
    assert host.state()['messages'][0]['text'] == 'Grüße'  # the WTS path keeps Unicode


def test_server_unreachable_and_second_hop(host):
    # WTSOpenServerW returns NULL (wts_open_server_failure: null, the default): the helper's Open throws.
    unreachable = run_wts(host, {'op': 'snapshot', 'server': 'rdsh03'})
    assert unreachable['console_session_id'] is None and 'sessions' not in unreachable
    assert unreachable['error'] == {'kind': 'win32', 'code': 1722,
                                    'message': 'WTSOpenServer: The RPC server is unavailable'}
    hop = run_wts(host, act('logoff', [{'id': 2, 'user': 'carol', 'domain': 'CONTOSO', 'logon_time': None}],
                            server='rdsh02'), auth='ntlm')
    assert hop['error']['kind'] == 'win32' and hop['error']['code'] == 5
    message = run_wts(host, {'op': 'message', 'server': 'rdsh02', 'targets': [{'id': 2}], 'title': 't', 'text': 'x',
                             'wait_response': False, 'timeout_seconds': 5}, auth='ntlm')
    assert message['error']['code'] == 5 and 'results' not in message


def test_server_unreachable_with_a_deferred_invalid_handle():
    # wts_open_server_failure: deferred: the handle is returned and its first call fails.
    host = sample_host(wts_open_server_failure='deferred')
    unreachable = run_wts(host, {'op': 'snapshot', 'server': 'rdsh03'})
    assert unreachable['error']['code'] == 1722
    assert unreachable['error']['message'].startswith('WTSEnumerateSessionsEx: ')
    message = run_wts(host, {'op': 'message', 'server': 'rdsh02', 'targets': [{'id': 2}], 'title': 't', 'text': 'x',
                             'wait_response': False, 'timeout_seconds': 5}, auth='ntlm')
    assert message['error'] is None and message['results'][0]['code'] == 5
    remote = run_wts(host, {'op': 'snapshot', 'server': 'rdsh02'}, auth='credssp')
    assert [s['user'] for s in remote['sessions']] == [None, 'carol', None]


def test_constrained_language_refuses_the_wts_functions():
    # about_Language_Modes: no .NET types beyond the core ones in ConstrainedLanguage, so no Reflection.Emit.
    host = sample_host(language_mode='ConstrainedLanguage')
    answer = run_wts(host, {'op': 'snapshot'})
    assert answer['language_mode'] == 'ConstrainedLanguage'
    assert answer['error'] == {'kind': 'helper_unavailable', 'code': 0, 'message':
                               'PowerShell runs in ConstrainedLanguage mode: the WTS functions cannot be loaded.'}
    # A blocked compiler (ansible.windows#588) does not matter: nothing is compiled.
    blocked = run_wts(sample_host(add_type_blocked=True), {'op': 'snapshot'})
    assert blocked['error'] is None and blocked['language_mode'] == 'FullLanguage'


def test_unknown_operation_is_an_exception(host):
    answer = run_wts(host, {'op': 'reboot'})
    assert answer['error'] == {'kind': 'exception', 'code': 0, 'message': "unknown operation 'reboot'"}


def test_output_is_one_ascii_json_line(host):
    host2 = sample_host(sessions=[{'id': 2, 'name': 'rdp-tcp#0', 'user': 'Администратор', 'domain': 'SRV'}])
    result = run_payload(host2, 'wts', {'op': 'snapshot'})
    assert result.stdout.endswith(b'}\r\n') and result.stdout.count(b'\n') == 1
    assert b'\\u0410\\u0434\\u043c' in result.stdout
    result.stdout.decode('ascii')
