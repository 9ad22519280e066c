"""Waits run together on the host, on both payloads: every session is logged off (or sent its message) before any
is waited for, so that a task takes about one timeout whatever the number of sessions.

Nothing here is timed: the order of the calls the host saw, and the most calls of a kind in progress at once
(``concurrency`` in the host's record of the command), show whether the waits overlapped.
"""

from __future__ import annotations

from tests.engine.payloads import last_command, native_frames, run_payload, wts_document
from tests.engine.test_wts_payload import SNAPSHOT, logoff, targets_of

IDS = (10, 11, 12)
SESSIONS = [{'id': ident, 'name': f'rdp-tcp#{ident}', 'user': f'user{ident}', 'domain': 'CONTOSO', 'state': 'active',
             'logon_time': '2026-11-20T08:00:00'} for ident in IDS]


def native_targets():
    """The guard's identity of each session: its user cell as query user writes it (UTF-8 in this shell)."""
    return [{'id': ident, 'user_hex': ' '.join('%02X' % byte for byte in f'user{ident}'.encode('utf-8')),
             'logon_hex': None, 'account_hex': None} for ident in IDS]


def message(wait):
    return {'op': 'message', 'server': None, 'targets': [{'id': ident} for ident in IDS], 'title': 'T',
            'text': 'Please save your work', 'wait_response': wait, 'timeout_seconds': 2}


def first_after(calls, first, wanted):
    """The index of the first call named ``wanted`` after the first call named ``first``."""
    start = calls.index(first)
    return next(index for index in range(start, len(calls)) if calls[index] == wanted)


def test_wts_logs_every_session_off_before_it_waits_for_any(make_host):
    host = make_host(sessions=SESSIONS)
    host.set_faults({'logoff_hangs': list(IDS)})
    document = wts_document(run_payload(host, 'wts', SNAPSHOT))
    answer = wts_document(run_payload(host, 'wts', logoff(targets_of(document, *IDS), wait=True, timeout=2)))
    assert [(item['id'], item['outcome']) for item in answer['results']] == [(ident, 'timeout') for ident in IDS]
    calls = last_command(host)['calls']
    last_logoff = max(index for index, call in enumerate(calls) if call == 'logoff')
    assert calls.count('logoff') == 3 and last_logoff < first_after(calls, 'logoff', 'query'), calls


def test_native_logs_every_session_off_before_it_waits_for_any(make_host):
    host = make_host(sessions=SESSIONS)
    host.set_faults({'logoff_hangs': list(IDS)})
    data = {'op': 'logoff', 'server': None, 'notice': None, 'wait': True, 'timeout_seconds': 2,
            'targets': native_targets()}
    frames, _codecs = native_frames(run_payload(host, 'native', data))
    assert [(frame.step, frame.id, frame.verdict) for frame in frames if frame.step == 'wait'] == [
        ('wait', ident, 'timeout') for ident in IDS]
    calls = last_command(host)['calls']
    last_logoff = max(index for index, call in enumerate(calls) if call == 'tool logoff')
    assert calls.count('tool logoff') == 3 and last_logoff < first_after(calls, 'tool logoff', 'tool query'), calls


def test_wts_messages_that_wait_for_an_answer_are_shown_together(make_host):
    host = make_host(sessions=SESSIONS, time_scale=1)
    answer = wts_document(run_payload(host, 'wts', message(wait=True)))
    assert [(item['id'], item['outcome'], item['response']) for item in answer['results']] == [
        (ident, 'done', 32000) for ident in IDS]  # IDTIMEOUT: nobody answered
    assert last_command(host)['concurrency']['message'] == 3
    without_wait = wts_document(run_payload(host, 'wts', message(wait=False)))
    assert [item['response'] for item in without_wait['results']] == [32001] * 3  # IDASYNC
    assert last_command(host)['concurrency']['message'] == 1


def test_native_messages_that_wait_for_an_answer_are_shown_together(make_host):
    host = make_host(sessions=SESSIONS, time_scale=1)
    frames, _codecs = native_frames(run_payload(host, 'native', message(wait=True)))
    assert [(frame.step, frame.id) for frame in frames if frame.step == 'msg'] == [('msg', ident) for ident in IDS]
    assert last_command(host)['concurrency']['tool msg'] == 3
    assert len(host.state()['messages']) == 3
