"""The native path (method logoff_exe, and method auto on Constrained Language hosts) is as right as the WTS path.

The hosts of fleet_native.yml: two users called suzuki in two domains, a session whose processes are gone (so
tasklist cannot show its domain), Russian and Japanese hosts whose tools write the OEM code page or the console's,
a client edition without query.exe.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import by_id, commands_of, run_task, sessions_of


def events(fleet, host):
    return [(event['event'], event['session_id']) for event in fleet.state(host)['events']]


@pytest.mark.parametrize('host', ['rdsh-dom-clm', 'rdsh-dom-full'])
def test_a_domain_qualified_user_is_the_same_task_on_both_kinds_of_host(native_over, host):
    """``CONTOSO\\suzuki`` logs off the CONTOSO suzuki, never the FABRIKAM one, whichever method the host allows."""
    run, entry = run_task(native_over, host, 'win_rds_logoff', {'username': 'CONTOSO\\suzuki'})
    assert entry['status'] == 'changed', run.stdout[-3000:]
    assert [(item['id'], item['domain'], item['outcome']) for item in by_id(entry).values()] == [
        (3, 'CONTOSO', 'logged_off')]
    assert events(native_over, host) == [('logoff', 3)]
    assert entry['result']['method'] == ('logoff_exe' if host.endswith('clm') else 'wts')


def test_a_domain_the_tools_cannot_show_fails_before_anything_is_done(native):
    """tanaka's processes are gone, so no tool shows tanaka's domain: ``CONTOSO\\tanaka`` cannot be judged."""
    run, entry = run_task(native, 'rdsh-dom-clm', 'win_rds_logoff', {'username': ['CONTOSO\\tanaka', 'sato']})
    assert entry['status'] == 'failed', run.stdout[-3000:]
    message = entry['result']['msg']
    assert 'session 5' in message and 'domain' in message and 'tanaka' in message
    assert events(native, 'rdsh-dom-clm') == []


@pytest.mark.parametrize('host', ['rdsh-ru-oem', 'rdsh-ru-console', 'rdsh-ja-oem'])
def test_the_tools_output_is_read_right_in_either_encoding(native_over, host):
    # query user prints user names in lower case (the captures show it), so they compare without case.
    run, entry = run_task(native_over, host, 'win_rds_session_info', {'method': 'logoff_exe'})
    assert entry['status'] == 'ok', run.stdout[-3000:]
    expected = dict((ident, (session['user'].lower(), session['state']))
                    for ident, session in sessions_of(native_over, host).items() if session['user'])
    assert dict((ident, (item['username'].lower(), item['state'])) for ident, item in by_id(entry).items()
                if item['username']) == expected


def test_a_message_reaches_msg_exe_intact_on_a_constrained_host(native_over):
    run, entry = run_task(native_over, 'rdsh-dom-clm', 'win_rds_message',
                          {'session_id': [3], 'message_title': 'Wartung', 'message': 'Grüße – bitte speichern'})
    assert entry['status'] == 'changed', run.stdout[-3000:]
    texts = [message['text'] for message in native_over.state('rdsh-dom-clm')['messages']]
    assert texts == ['Wartung\r\nGrüße – bitte speichern']


def test_a_message_longer_than_msg_exe_takes_is_refused_before_anything_runs(native):
    run, entry = run_task(native, 'rdsh-dom-clm', 'win_rds_message',
                          {'session_id': [3], 'message': 'x' * 300, 'method': 'logoff_exe'})
    assert entry['status'] == 'failed', run.stdout[-3000:]
    assert '255' in entry['result']['msg']
    assert commands_of(native, 'rdsh-dom-clm') == []


def test_a_missing_query_tool_is_reported_not_read_as_no_sessions(native):
    run, entry = run_task(native, 'rdsh-client', 'win_rds_session_info', {'username': '*'})
    assert entry['status'] == 'failed', run.stdout[-3000:]
    assert 'query.exe' in entry['result']['msg']


def test_an_identity_check_that_fails_is_not_read_as_a_session_gone(native):
    """Only "no such session" means gone; an RPC or access error of ``query user <id>`` fails that session."""
    native.faults('rdsh-dom-clm', {'query_error_ids': {'6': 1722}})
    run, entry = run_task(native, 'rdsh-dom-clm', 'win_rds_logoff', {'username': 'sato'})
    assert entry['status'] == 'failed', run.stdout[-3000:]
    item = by_id(entry)[6]
    assert item['outcome'] == 'failed' and '1722' in item['reason'], item
    assert events(native, 'rdsh-dom-clm') == []
