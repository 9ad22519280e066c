# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn what a payload reports into :class:`Session` objects, for either method."""

from __future__ import annotations

from datetime import datetime

from .model import UNKNOWN_STATE, Session, state_name

_NO_CONSOLE = 0xFFFFFFFF
"""WTSGetActiveConsoleSessionId's answer when no session is attached to the console (wts payload v2 sends null)."""


def _parse_time(text):
    if not text:
        return None
    # The payload writes yyyy-MM-ddTHH:mm:ssZ (UTC). fromisoformat, not strptime: strptime builds its regular
    # expression on the first call in every forked worker, which cost more than the rest of the parse.
    text = text.rstrip('Z')
    if len(text) != 19 or text[10] != 'T':
        raise ValueError('time %r is not yyyy-MM-ddTHH:mm:ssZ' % text)
    return datetime.fromisoformat(text)


def _idle_minutes(record, state):
    """Minutes since the session was last used, or None when WTSINFO does not tell.

    A disconnected session is idle since its disconnection; any other since its last input. An active session
    can hold the disconnect time of an earlier disconnection (its user reconnected): that says nothing about its
    idle time, and no recorded input means not idle (as Cassia's TerminalServicesSession.IdleTime reads them).
    """
    times = dict((key, _parse_time(record.get(key))) for key in ('current_time', 'last_input_time', 'disconnect_time'))
    now = times['current_time']
    since = times['disconnect_time' if state == 'disconnected' else 'last_input_time']
    if now is None or since is None or not record.get('user'):
        return None
    return max(0, int((now - since).total_seconds() // 60))


def sessions_from_wts(document):
    """Sessions from the ``snapshot`` document of the wts payload."""
    console_id = document.get('console_session_id')
    sessions = []
    for record in document.get('sessions') or []:
        name = record.get('name') or None
        session_id = int(record['id'])
        is_console = (name or '').casefold() == 'console' or (
            console_id is not None and console_id != _NO_CONSOLE and session_id == console_id and session_id != 0)
        state = state_name(int(record['state_code']))
        sessions.append(Session(
            id=session_id,
            name=name,
            username=record.get('user') or None,
            domain=record.get('domain') or None,
            state=state,
            idle_minutes=_idle_minutes(record, state),
            logon_time=record.get('logon_time'),
            disconnect_time=record.get('disconnect_time'),
            client_name=record.get('client') or None,
            is_console=is_console,
            identity={'user': record.get('user') or '', 'domain': record.get('domain') or '',
                      'logon_time': record.get('logon_time')},
        ))
    return sessions


def domain_of(username, accounts):
    """The domain of a session's user, from the accounts its processes run under (``DOMAIN\\user``, as tasklist
    prints them): the one domain whose account has the session's user name, or None when there is none or more
    than one (the native tools print no domain anywhere else)."""
    if not username:
        return None, None
    found = {}
    for account in accounts or ():
        domain, sep, user = account.rpartition('\\')
        if sep and domain and user.casefold() == username.casefold():
            found.setdefault(domain.casefold(), account)
    if len(found) != 1:
        return None, None
    account = next(iter(found.values()))
    return account.rpartition('\\')[0], account


def sessions_from_native(session_rows, user_rows, accounts=None):
    """Sessions from parsed ``query session`` and ``query user`` rows (see query_parser).

    ``query session`` lists every session, listeners and services included; ``query user`` adds idle and
    logon times for user sessions and is preferred for the user name. A session only one of them shows (it
    came or went between the two commands) is kept as that command saw it. ``accounts`` maps a session ID to the
    accounts its processes run under (tasklist), which give the user's domain (see :func:`domain_of`); without it
    every domain is unknown (None).
    """
    users = dict((row['id'], row) for row in user_rows)
    sessions = dict((row['id'], row) for row in session_rows)
    merged = []
    seen = set()
    for row in list(session_rows) + list(user_rows):
        if row['id'] in seen:
            continue
        seen.add(row['id'])
        user_row = users.get(row['id'])
        username = (user_row or row).get('username') or row.get('username')
        name = row.get('session_name') if row.get('session_name') is not None else (user_row or {}).get('session_name')
        # The state from query user, unless only query session's word is one a source lists.
        state_row = user_row or row
        if state_row['state'] == UNKNOWN_STATE and sessions.get(row['id'], state_row)['state'] != UNKNOWN_STATE:
            state_row = sessions[row['id']]
        domain, account = domain_of(username, (accounts or {}).get(row['id']))
        merged.append(Session(
            id=row['id'],
            name=name,
            username=username or None,
            domain=domain,
            state=state_row['state'],
            state_word=state_row.get('state_word') if state_row['state'] == UNKNOWN_STATE else None,
            idle_minutes=(user_row or {}).get('idle_minutes'),
            logon_time=(user_row or {}).get('logon_time'),
            is_console=(name or '').casefold() == 'console',
            identity={'user_cell': (user_row or {}).get('username') or username or '',
                      'logon_cell': (user_row or {}).get('logon_time'),
                      'account': account},
        ))
    return merged
