# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which sessions an option set selects.

Options of different kinds narrow each other (AND); the values of one list option widen each other (OR).
Names compare case-insensitively one character at a time, as Windows' ordinal comparison does (each character
uppercased on its own: ``straße`` and ``strasse`` stay different names, and ``?`` matches ``ß``); ``*`` and
``?`` are the only wildcards (no character classes, so a literal ``[`` in a session name is matched as
written).
"""

from __future__ import annotations

import re

from .durations import parse_minutes
from .model import STATE_NAMES

SELECTOR_OPTIONS = ('session', 'session_id', 'session_name', 'username', 'state', 'idle_time')

_MAX_PATTERN_LENGTH = 256


def fold(text):
    """Uppercase each character on its own, keeping the length (CompareStringOrdinal with bIgnoreCase)."""
    return ''.join(char.upper() if len(char.upper()) == 1 else char for char in text)


class SelectorError(ValueError):
    """An option value that cannot select sessions; raised before anything reaches a host."""


def _compile_pattern(pattern, what):
    """Compile a ``*``/``?`` wildcard pattern into an anchored, case-insensitive regular expression."""
    if not isinstance(pattern, str) or pattern == '':
        raise SelectorError('%s: an empty value selects nothing; remove it or write a name' % what)
    if len(pattern) > _MAX_PATTERN_LENGTH:
        raise SelectorError('%s: a value of %d characters is longer than any Windows name (at most %d)'
                            % (what, len(pattern), _MAX_PATTERN_LENGTH))
    if '\x00' in pattern:
        raise SelectorError('%s: a value may not contain a NUL character' % what)
    parts = []
    for char in fold(pattern):
        if char == '*':
            parts.append('.*')
        elif char == '?':
            parts.append('.')
        else:
            parts.append(re.escape(char))
    return re.compile(''.join(parts), re.DOTALL)


def _has_wildcard(pattern):
    return '*' in pattern or '?' in pattern


class NamePattern:
    """A session-name pattern."""

    def __init__(self, text, what='session_name'):
        self.text = text
        self.literal = not _has_wildcard(text)
        self._regex = _compile_pattern(text, what)

    def matches(self, value):
        return value is not None and self._regex.fullmatch(fold(value)) is not None


class UserPattern:
    """A user pattern: ``user``, ``DOMAIN\\user`` or ``user@domain``, each part with wildcards.

    A bare user name matches in any domain. ``user@contoso.com`` matches the NetBIOS domain ``CONTOSO`` as well
    as ``CONTOSO.COM``, because sessions report the NetBIOS name. A domain-qualified pattern never matches a
    session whose domain is unknown (the native tools do not show domains): ``domain_checked`` is False then.
    """

    def __init__(self, text):
        if not isinstance(text, str):
            raise SelectorError('username: %r is not a user name' % (text,))
        self.text = text
        domain = None
        user = text
        if '\\' in text:
            domain, _unused, user = text.partition('\\')
            if '\\' in user:
                raise SelectorError("username: '%s' has more than one backslash; write DOMAIN\\user" % text)
        elif '@' in text:
            user, _unused, domain = text.rpartition('@')
        if domain is not None and domain == '':
            raise SelectorError("username: '%s' has an empty domain part" % text)
        self.user = _compile_pattern(user, 'username')
        self.user_literal = not _has_wildcard(user)
        self.domains = None
        if domain is not None:
            candidates = [domain]
            if '.' in domain and '@' in text:
                candidates.append(domain.split('.', 1)[0])
            self.domains = [_compile_pattern(candidate, 'username') for candidate in candidates]

    @property
    def qualified(self):
        return self.domains is not None

    def matches_user(self, session):
        """True when the user part matches, whatever the domain."""
        return bool(session.username) and self.user.fullmatch(fold(session.username)) is not None

    def matches(self, session):
        if not session.username or not self.user.fullmatch(fold(session.username)):
            return False
        if self.domains is None:
            return True
        if not session.domain:
            return False
        return any(regex.fullmatch(fold(session.domain)) for regex in self.domains)


def _as_list(value, what):
    if value is None:
        return []
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise SelectorError('%s: expected a list, got %r' % (what, value))


def _session_id(value, what):
    if isinstance(value, bool):
        raise SelectorError('%s: %r is not a session ID' % (what, value))
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise SelectorError("%s: '%s' is not a session ID (a whole number)" % (what, value))
    if number < 0 or number > 0xFFFFFFFF:
        raise SelectorError('%s: %d is not a valid session ID' % (what, number))
    return number


class Selector:
    """The set of sessions named by the selector options of a task."""

    def __init__(self, session=None, session_id=None, session_name=None, username=None, state=None,
                 idle_time=None):
        self.ids = set()
        self.names = []
        if session is not None and (session_id or session_name):
            raise SelectorError('session cannot be combined with session_id or session_name: it already names '
                                'one session by name or ID, like the argument of logoff.exe')
        if session is not None:
            text = str(session).strip()
            if text == '':
                raise SelectorError('session: an empty value names no session')
            if text.isdigit():
                self.ids.add(_session_id(text, 'session'))
            else:
                if _has_wildcard(text):
                    raise SelectorError("session: '%s' has a wildcard; session names one session exactly, like "
                                        "logoff.exe. Use session_name for patterns" % text)
                self.names.append(NamePattern(text, 'session'))
        for value in _as_list(session_id, 'session_id'):
            self.ids.add(_session_id(value, 'session_id'))
        for value in _as_list(session_name, 'session_name'):
            self.names.append(NamePattern(str(value) if isinstance(value, int) else value))
        self.users = [UserPattern(value) for value in _as_list(username, 'username')]
        self.states = set()
        for value in _as_list(state, 'state'):
            name = str(value).strip().lower()
            if name not in STATE_NAMES:
                raise SelectorError("state: '%s' is not a session state; use one of %s"
                                    % (value, ', '.join(STATE_NAMES)))
            self.states.add(name)
        self.min_idle_minutes = None
        if idle_time is not None and idle_time != '':
            try:
                self.min_idle_minutes = parse_minutes(idle_time)
            except ValueError as error:
                raise SelectorError('idle_time: %s' % error)

    @classmethod
    def from_params(cls, params):
        """Build a selector from a task's arguments (only the selector options are read)."""
        return cls(**dict((name, params.get(name)) for name in SELECTOR_OPTIONS))

    @property
    def empty(self):
        return not (self.ids or self.names or self.users or self.states or self.min_idle_minutes is not None)

    @property
    def has_qualified_user(self):
        return any(user.qualified for user in self.users)

    def names_explicitly(self, session):
        """True when the session is named by ID or by a wildcard-free name, not merely caught by a pattern."""
        if session.id in self.ids:
            return True
        return any(pattern.literal and pattern.matches(session.name) for pattern in self.names)

    def undecided_by_domain(self, session):
        """True when only the session's domain, which is unknown, decides whether a domain-qualified username
        pattern selects it: its user part matches and every other given selector kind accepts it."""
        if session.domain or not session.username:
            return False
        if not any(user.qualified and user.matches_user(session) for user in self.users):
            return False
        if any(not user.qualified and user.matches(session) for user in self.users):
            return False  # a bare pattern selects it anyway
        return self._other_kinds_match(session)

    def _other_kinds_match(self, session):
        if self.ids or self.names:
            if session.id not in self.ids and not any(pattern.matches(session.name) for pattern in self.names):
                return False
        if self.states and session.state not in self.states:
            return False
        if self.min_idle_minutes is not None:
            if session.idle_minutes is None or session.idle_minutes < self.min_idle_minutes:
                return False
        return True

    @property
    def uses_state(self):
        """True when a ``state`` selector is given."""
        return bool(self.states)

    def matches_but_state(self, session):
        """True when every given selector kind but ``state`` accepts the session."""
        if self.ids or self.names:
            if session.id not in self.ids and not any(pattern.matches(session.name) for pattern in self.names):
                return False
        if self.users and not any(user.matches(session) for user in self.users):
            return False
        if self.min_idle_minutes is not None:
            if session.idle_minutes is None or session.idle_minutes < self.min_idle_minutes:
                return False
        return True

    def matches(self, session):
        """True when every given selector kind accepts the session."""
        return self.matches_but_state(session) and not (self.states and session.state not in self.states)
