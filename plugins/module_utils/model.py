# Copyright (c) 2026 winrds.sessions contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The session model: what a Remote Desktop session is, and which sessions are never touched.

State names follow WTS_CONNECTSTATE_CLASS (MS-RSMC 3.6.4.1.3.3), in its order, so that the index of a name is
the API's state code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STATE_NAMES = (
    'active', 'connected', 'connect_query', 'shadow', 'disconnected',
    'idle', 'listen', 'reset', 'down', 'init',
)

UNKNOWN_STATE = 'unknown'
"""The state of a session whose state word the native tools printed in a language no public source lists."""

SERVICES_SESSION_ID = 0
"""Session 0 holds the services since Windows Vista; it is never a user's session."""

FIRST_LISTENER_ID = 65536
"""Listener sessions have IDs from 65536 on (MS-TSTS 2.2.2.13)."""


def state_name(code):
    """Return the canonical state name of a WTS_CONNECTSTATE_CLASS code."""
    if not isinstance(code, int) or not 0 <= code < len(STATE_NAMES):
        raise ValueError('unknown session state code %r' % (code,))
    return STATE_NAMES[code]


@dataclass(frozen=True)
class Session:
    """One session of a Remote Desktop Session Host, as a snapshot saw it.

    ``identity`` is what the payload compares right before acting to be sure that the ID still belongs to the
    same logon: for the WTS method user, domain and logon time; for the native tools the USERNAME and LOGON
    TIME cells of ``query user``.
    """

    id: int
    name: str | None = None
    username: str | None = None
    domain: str | None = None
    state: str = 'active'
    idle_minutes: int | None = None
    logon_time: str | None = None
    disconnect_time: str | None = None
    client_name: str | None = None
    is_console: bool = False
    identity: dict = field(default_factory=dict, compare=False, hash=False)
    state_word: str | None = None
    """The state word the native tools printed, kept when the state is unknown (``UNKNOWN_STATE``)."""

    @property
    def protection(self):
        """Why this session may never be acted on, or None."""
        if self.id == SERVICES_SESSION_ID:
            return 'session 0 holds the services'
        if self.id >= FIRST_LISTENER_ID or self.state == 'listen':
            return 'a listener is not a user session'
        if self.is_console:
            return 'the console session cannot be logged off or disconnected'
        return None

    @property
    def account(self):
        """The user as ``DOMAIN\\user`` when the domain is known, else the bare user name."""
        if not self.username:
            return None
        if self.domain:
            return '%s\\%s' % (self.domain, self.username)
        return self.username

    def describe(self):
        """A one-line description used in diffs and messages."""
        parts = ['%d' % self.id, self.name or '-', self.account or '-', self.state]
        if self.idle_minutes is not None:
            parts.append('idle %dm' % self.idle_minutes)
        return ' '.join(parts)

    def to_result(self):
        """The public description of the session in module results (``state_word`` only for an unknown state)."""
        result = {
            'id': self.id,
            'name': self.name,
            'username': self.username,
            'domain': self.domain,
            'state': self.state,
            'idle_minutes': self.idle_minutes,
            'logon_time': self.logon_time,
            'disconnect_time': self.disconnect_time,
            'client_name': self.client_name,
            'is_console': self.is_console,
        }
        if self.state == UNKNOWN_STATE:
            result['state_word'] = self.state_word
        return result
