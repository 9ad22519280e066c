"""Payload documents to sessions, for both methods."""

from __future__ import annotations

import pytest

from ansible_collections.winrds.sessions.plugins.module_utils.query_parser import (
    parse_query_session, parse_query_user)
from ansible_collections.winrds.sessions.plugins.module_utils.snapshot import domain_of, sessions_from_native, sessions_from_wts
from tests.unit.fakes import FIXTURES, STANDARD_WTS_SESSIONS


def test_wts_sessions():
    sessions = dict((session.id, session) for session in sessions_from_wts(
        {'console_session_id': 1, 'sessions': STANDARD_WTS_SESSIONS}))
    assert sessions[4].state == 'disconnected' and sessions[4].name is None and sessions[4].idle_minutes == 190
    assert sessions[3].idle_minutes == 12 and sessions[3].client_name == 'PC042'
    assert sessions[1].is_console and not sessions[3].is_console
    assert sessions[65536].state == 'listen' and sessions[65536].protection
    assert sessions[0].protection and sessions[0].idle_minutes is None
    assert sessions[3].identity == {'user': 'alice', 'domain': 'CONTOSO', 'logon_time': '2026-11-20T08:15:00Z'}


@pytest.mark.parametrize('bad', ['2026-11-22', '2026-11-22 08:15:00Z', '2026-11-22T08:15:00+01:00',
                                 '2026-13-22T08:15:00Z', '22.11.2026 08:15:00'])
def test_wts_times_other_than_the_payloads_utc_form_are_refused(bad):
    record = dict(STANDARD_WTS_SESSIONS[2], last_input_time=bad)
    with pytest.raises(ValueError):
        sessions_from_wts({'console_session_id': 1, 'sessions': [record]})


def _record(state_code, last_input, disconnect):
    return dict(STANDARD_WTS_SESSIONS[2], state_code=state_code, last_input_time=last_input,
                disconnect_time=disconnect, current_time='2026-11-22T10:00:00Z')


def test_idle_time_of_an_active_session_counts_from_its_last_input_only():
    """An active session that reconnected keeps an old DisconnectTime: it is not idle since then (Cassia's
    TerminalServicesSession.IdleTime reads DisconnectTime only for disconnected sessions, danports/cassia#7)."""
    reconnected = _record(0, '2026-11-22T09:55:00Z', '2026-11-19T10:00:00Z')
    assert sessions_from_wts({'sessions': [reconnected]})[0].idle_minutes == 5
    no_input = _record(0, None, '2026-11-19T10:00:00Z')
    assert sessions_from_wts({'sessions': [no_input]})[0].idle_minutes is None  # no input recorded: not idle


def test_idle_time_of_a_disconnected_session_counts_from_its_disconnection():
    left = _record(4, '2026-11-22T07:55:00Z', '2026-11-22T08:00:00Z')
    assert sessions_from_wts({'sessions': [left]})[0].idle_minutes == 120
    unknown = _record(4, '2026-11-22T07:55:00Z', None)
    assert sessions_from_wts({'sessions': [unknown]})[0].idle_minutes is None


def test_wts_no_console_attached():
    sessions = sessions_from_wts({'console_session_id': 0xFFFFFFFF, 'sessions': STANDARD_WTS_SESSIONS[2:3]})
    assert not sessions[0].is_console


def test_native_merge_prefers_query_user_and_keeps_listeners():
    text_s = (FIXTURES / 'en-US_query_session.txt').read_text(encoding='utf-8')
    text_u = (FIXTURES / 'en-US_query_user.txt').read_text(encoding='utf-8')
    sessions = dict((s.id, s) for s in sessions_from_native(parse_query_session(text_s), parse_query_user(text_u)))
    assert sorted(sessions) == [0, 1, 3, 4, 5, 65536]
    assert sessions[1].username == 'administrator' and sessions[1].is_console
    assert sessions[4].name is None and sessions[4].idle_minutes == 190 and sessions[4].domain is None
    assert sessions[5].username == 'carol smith'
    assert sessions[3].identity == {'user_cell': 'alice', 'logon_cell': '11/20/2026 8:15 AM', 'account': None}
    assert sessions[65536].identity['logon_cell'] is None


def test_native_session_seen_only_by_query_user_is_kept():
    user_rows = [{'id': 9, 'session_name': None, 'username': 'late', 'state': 'disconnected', 'current': False,
                  'idle_minutes': 1, 'logon_time': 'x'}]
    sessions = sessions_from_native([], user_rows)
    assert [(s.id, s.username) for s in sessions] == [(9, 'late')]


def test_native_sessions_keep_an_unknown_state_word():
    header_s = ' SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE'
    header_u = ' USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME'
    sessions = sessions_from_native(
        parse_query_session(header_s + '\n rdp-tcp#9         jan                       7  Actief\n'),
        parse_query_user(header_u + '\n jan                   rdp-tcp#9           7  Actief          4  11/20/2026 8:15 AM\n'))
    assert [(s.id, s.state, s.state_word) for s in sessions] == [(7, 'unknown', 'Actief')]
    assert sessions[0].to_result()['state_word'] == 'Actief'
    known = sessions_from_native(parse_query_session(header_s + '\n rdp-tcp#9         jan                       7  Active\n'), [])
    assert known[0].state_word is None and 'state_word' not in known[0].to_result()


def test_the_domain_comes_from_the_one_account_of_that_user_among_the_processes():
    assert domain_of('alice', ['NT AUTHORITY\\SYSTEM', 'CONTOSO\\alice', 'Window Manager\\DWM-3']) == \
        ('CONTOSO', 'CONTOSO\\alice')
    assert domain_of('ALICE', ['contoso\\Alice']) == ('contoso', 'contoso\\Alice')
    assert domain_of('alice', ['CONTOSO\\alice', 'RDSH01\\alice']) == (None, None)  # two accounts: unknown
    assert domain_of('alice', ['NT AUTHORITY\\SYSTEM']) == (None, None)  # no process of hers left
    assert domain_of(None, ['CONTOSO\\alice']) == (None, None)


def test_native_sessions_take_their_domain_from_tasklist_accounts():
    text_s = (FIXTURES / 'en-US_query_session.txt').read_text(encoding='utf-8')
    text_u = (FIXTURES / 'en-US_query_user.txt').read_text(encoding='utf-8')
    accounts = {3: ['NT AUTHORITY\\SYSTEM', 'CONTOSO\\alice'], 4: ['CONTOSO\\bob', 'FABRIKAM\\bob']}
    rows = parse_query_session(text_s), parse_query_user(text_u)
    sessions = dict((s.id, s) for s in sessions_from_native(*rows, accounts=accounts))
    assert sessions[3].domain == 'CONTOSO' and sessions[3].identity['account'] == 'CONTOSO\\alice'
    assert sessions[4].domain is None and sessions[4].identity['account'] is None
    assert sessions[5].domain is None
