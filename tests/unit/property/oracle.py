"""A second, deliberately plain reading of docs/selecting-sessions.md, to check the engine against.

Nothing here imports the engine's matching code: wildcards are matched character by character with a
table, and the rules are written as the user documentation states them.

- ``*`` matches any run of characters (none too), ``?`` exactly one character; nothing else is special.
  The whole name must match; names and users compare without regard to case.
- Options of different kinds narrow each other; values of one option widen each other; ``session_id`` and
  ``session_name`` (and ``session``) widen each other.
- ``user`` matches in any domain; ``DOMAIN\\user`` and ``user@domain`` only in that domain, and
  ``user@contoso.com`` also in the NetBIOS domain ``CONTOSO``. When a session's domain is unknown (the native
  tools found none) and only it would decide (a qualified pattern's user part matches, no bare pattern does, and
  every other option accepts the session), the task fails before acting.
- Protected: session 0, listeners (IDs from 65536 or state ``listen``), and, for logoff and disconnect, the
  console. Named explicitly (by ID or by a name without wildcards), a protected session is an error.
- Disconnect leaves disconnected sessions alone; a message goes only to sessions with a user.
"""

from __future__ import annotations

import re


def _same(pattern_char, char):
    return pattern_char.casefold() == char.casefold()


def glob_matches(pattern, text):
    """Whether the whole of ``text`` matches ``pattern``, character by character."""
    if text is None:
        return False
    rows, cols = len(pattern), len(text)
    table = [[False] * (cols + 1) for _unused in range(rows + 1)]
    table[0][0] = True
    for i in range(1, rows + 1):
        if pattern[i - 1] == '*':
            table[i][0] = table[i - 1][0]
        for j in range(1, cols + 1):
            wanted = pattern[i - 1]
            if wanted == '*':
                table[i][j] = table[i - 1][j] or table[i][j - 1]
            elif wanted == '?':
                table[i][j] = table[i - 1][j - 1]
            else:
                table[i][j] = table[i - 1][j - 1] and _same(wanted, text[j - 1])
    return table[rows][cols]


def user_matches(pattern, session):
    """Whether a ``username`` value selects the session."""
    if '\\' in pattern:
        domain, user = pattern.split('\\', 1)
        candidates = [domain]
    elif '@' in pattern:
        user, domain = pattern.rsplit('@', 1)
        candidates = [domain] + ([domain.split('.', 1)[0]] if '.' in domain else [])
    else:
        user, candidates = pattern, None
    if not session.username or not glob_matches(user, session.username):
        return False
    if candidates is None:
        return True
    return bool(session.domain) and any(glob_matches(candidate, session.domain) for candidate in candidates)


def _user_part(pattern):
    if '\\' in pattern:
        return pattern.split('\\', 1)[1], True
    if '@' in pattern:
        return pattern.rsplit('@', 1)[0], True
    return pattern, False


def minutes(value):
    """The durations the strategies write: an int, digits, ``<n>m``, ``<n>h`` or ``<d>d<h>h<m>m``."""
    if isinstance(value, int):
        return value
    parts = dict((unit, int(number)) for number, unit in re.findall(r'(\d+)([dhm]?)', value))
    return parts.get('d', 0) * 1440 + parts.get('h', 0) * 60 + parts.get('m', 0) + parts.get('', 0)


class Expected:
    """What the documentation says a selector and an operation do to a table."""

    def __init__(self, options):
        self.ids = set(int(value) for value in options.get('session_id') or [])
        self.names = list(options.get('session_name') or [])
        session = options.get('session')
        if session is not None:
            if session.strip().isdigit():
                self.ids.add(int(session.strip()))
            else:
                self.names.append(session.strip())
        self.users = list(options.get('username') or [])
        self.states = set(options.get('state') or [])
        idle = options.get('idle_time')
        self.idle = None if idle is None else minutes(idle)

    def undecided(self, session):
        """Only the unknown domain of the session would decide whether it is selected."""
        if session.domain or not session.username:
            return False
        parts = [_user_part(user) for user in self.users]
        if not any(qualified and glob_matches(part, session.username) for part, qualified in parts):
            return False
        if any(not qualified and glob_matches(part, session.username) for part, qualified in parts):
            return False
        others = Expected({})
        others.ids, others.names, others.states, others.idle = self.ids, self.names, self.states, self.idle
        return others.matches(session)

    def matches(self, session):
        if (self.ids or self.names) and session.id not in self.ids and not any(
                glob_matches(name, session.name) for name in self.names):
            return False
        if self.users and not any(user_matches(user, session) for user in self.users):
            return False
        if self.states and session.state not in self.states:
            return False
        if self.idle is not None and (session.idle_minutes is None or session.idle_minutes < self.idle):
            return False
        return True

    def named_explicitly(self, session):
        return session.id in self.ids or any(
            '*' not in name and '?' not in name and glob_matches(name, session.name) for name in self.names)

    @staticmethod
    def protected(session, operation):
        if session.id == 0 or session.id >= 65536 or session.state == 'listen':
            return True
        return session.is_console and operation in ('logoff', 'disconnect')

    def plan(self, table, operation):
        """``(matched ids, target ids, error expected)`` in ID order."""
        matched = sorted(session.id for session in table if self.matches(session))
        if any(self.undecided(session) for session in table):
            return matched, [], True
        by_id = dict((session.id, session) for session in table)
        if operation == 'info':
            return matched, matched, False
        if any(self.protected(by_id[ident], operation) and self.named_explicitly(by_id[ident])
               for ident in matched):
            return matched, [], True
        targets = []
        for ident in matched:
            session = by_id[ident]
            if self.protected(session, operation):
                continue
            if operation == 'disconnect' and session.state == 'disconnected':
                continue
            if operation == 'message' and not session.username:
                continue
            targets.append(ident)
        return matched, targets, False
