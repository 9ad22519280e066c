"""The wts payload on a real PowerShell: what a reading of it against Microsoft's documentation found.

Each test drives the payload as the controller does, reads the answer with the controller's own readers, and looks
at the emulated host's model for what really happened (its events, and the WTS calls the stand-in library made).
"""

from __future__ import annotations

import pytest

from ansible_collections.winrds.sessions.plugins.module_utils import diagnostics
from ansible_collections.winrds.sessions.plugins.module_utils.snapshot import sessions_from_wts
from tests.engine.payloads import last_command, run_payload, wts_document

SNAPSHOT = {'op': 'snapshot', 'server': None}


def targets_of(document, *ids):
    """What the controller sends for these sessions of a snapshot: their identity and ID (``_runner.act``)."""
    return [dict(session.identity, id=session.id) for session in sessions_from_wts(document) if session.id in ids]


def logoff(targets, server=None, wait=False, timeout=30):
    return {'op': 'logoff', 'server': server, 'notice': None, 'wait': wait, 'timeout_seconds': timeout,
            'targets': targets}


@pytest.mark.parametrize('culture', ['fi-FI', 'th-TH', 'ar-SA'])
def test_times_do_not_follow_the_hosts_culture(make_host, culture):
    """.NET custom formats use the culture's time separator (fi-FI: '.') and calendar (th-TH: Buddhist years,
    ar-SA: Um al-Qura): the payload must write invariant ISO times whatever the format culture of the logon."""
    host = make_host(culture=culture)
    document = wts_document(run_payload(host, 'wts', SNAPSHOT))
    alice = next(session for session in document['sessions'] if session['id'] == 3)
    assert alice['logon_time'] == '2026-11-20T08:15:00Z'
    assert [session.id for session in sessions_from_wts(document)] == [0, 1, 3, 4, 65536]


@pytest.mark.parametrize('open_failure', ['null', 'deferred'])
def test_an_unreachable_server_fails_and_nothing_on_the_host_itself_is_touched(make_host, open_failure):
    """WTSOpenServerW returns "a handle that is not valid" when it fails (Microsoft's reference): NULL is also
    WTS_CURRENT_SERVER_HANDLE, so a payload that uses it unchecked acts on the managed host itself."""
    host = make_host(wts_open_server_failure=open_failure)
    listed = wts_document(run_payload(host, 'wts', {'op': 'snapshot', 'server': 'rdsh03'}))
    assert listed['error'] and listed['error']['code'] == 1722
    assert diagnostics.kind_of(listed['error']['kind'], 1722) == 'rpc_unavailable'
    assert 'sessions' not in listed
    local = wts_document(run_payload(host, 'wts', SNAPSHOT))
    answer = wts_document(run_payload(host, 'wts', logoff(targets_of(local, 3, 4), server='rdsh03')))
    assert answer['error'] and answer['error']['code'] == 1722
    assert host.state()['events'] == []
    assert {3, 4} <= {session['id'] for session in host.state()['sessions']}


@pytest.mark.parametrize('utc_offset_minutes', [0, 60])
def test_the_identity_check_accepts_the_session_it_was_given(make_host, utc_offset_minutes):
    """PowerShell 7's ConvertFrom-Json turns ISO time strings into DateTime (5.1 leaves them strings): the logon
    time of a target must still compare equal to the one the host reports."""
    host = make_host(utc_offset_minutes=utc_offset_minutes)
    document = wts_document(run_payload(host, 'wts', SNAPSHOT))
    answer = wts_document(run_payload(host, 'wts', logoff(targets_of(document, 3, 4))))
    assert [(item['id'], item['outcome']) for item in answer['results']] == [(3, 'done'), (4, 'done')]
    assert [(event['event'], event['session_id']) for event in host.state()['events']] == [('logoff', 3),
                                                                                           ('logoff', 4)]


def test_a_changed_logon_is_still_refused(make_host):
    host = make_host()
    document = wts_document(run_payload(host, 'wts', SNAPSHOT))
    host.set_faults({'replace': {'after_commands': 0, 'id': 3, 'user': 'mallory', 'domain': 'CONTOSO'}})
    answer = wts_document(run_payload(host, 'wts', logoff(targets_of(document, 3))))
    assert [(item['id'], item['outcome']) for item in answer['results']] == [(3, 'identity_changed')]
    assert [event['event'] for event in host.state()['events']] == ['replaced']


def test_no_console_session_is_not_reported_as_session_minus_one(make_host):
    """WTSGetActiveConsoleSessionId returns the DWORD 0xFFFFFFFF when no session is attached to the console."""
    sessions = [{'id': 3, 'name': 'rdp-tcp#5', 'user': 'alice', 'domain': 'CONTOSO', 'state': 'active'}]
    host = make_host(sessions=sessions)
    document = wts_document(run_payload(host, 'wts', SNAPSHOT))
    assert document['console_session_id'] is None
    with_console = wts_document(run_payload(make_host(), 'wts', SNAPSHOT))
    assert with_console['console_session_id'] == 1


@pytest.mark.parametrize('code, kind', [
    (1722, 'rpc_unavailable'), (1753, 'rpc_endpoint_not_registered'), (1726, 'rpc_call_failed'),
    (1727, 'rpc_call_failed'), (53, 'server_not_found'), (1707, 'server_not_found'), (5, 'access_denied'),
    (7045, 'access_denied')])
def test_errors_of_a_remote_server_have_a_kind_and_an_explanation(make_host, code, kind):
    host = make_host(servers=[{'name': 'rdsh09', 'reachable': False, 'unreachable_error': code}])
    error = wts_document(run_payload(host, 'wts', {'op': 'snapshot', 'server': 'rdsh09'}))['error']
    assert (error['code'], diagnostics.kind_of(error['kind'], error['code'])) == (code, kind)
    text = diagnostics.explain(error['kind'], error['code'], error['message'], server='rdsh09')
    assert str(code) in text and 'rdsh09' in text
    assert not text.startswith('The host could not'), text  # a cause and a next step, not the generic sentence


def test_waiting_for_a_logoff_asks_only_about_the_targets(make_host):
    """Polling while a logoff completes queries the target sessions, not every session of the host each time."""
    sessions = [{'id': 10 + n, 'name': f'rdp-tcp#{n}', 'user': f'user{n}', 'domain': 'CONTOSO', 'state': 'active',
                 'logon_time': '2026-11-20T08:00:00'} for n in range(12)]
    host = make_host(sessions=sessions, logoff_latency_seconds=2)
    document = wts_document(run_payload(host, 'wts', SNAPSHOT))
    answer = wts_document(run_payload(host, 'wts', logoff(targets_of(document, 10), wait=True, timeout=30)))
    assert [(item['id'], item['outcome']) for item in answer['results']] == [(10, 'done')]
    calls = last_command(host)['calls']
    assert calls.count('enumerate') <= 1, calls
    assert len(calls) < 60, len(calls)  # 15 sessions, each enumerated with 2 queries, every 500 ms: hundreds
