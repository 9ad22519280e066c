"""One Remote Desktop session of an emulated host, and the names Windows gives it.

Sources: session states are ``WTS_CONNECTSTATE_CLASS`` (MS-RSMC 3.6.4.1.3.3; docs/sources.md, "Session states");
listener IDs start at 65536 (MS-TSTS 2.2.2.13) and session 0 is ``services``
(docs/sources.md, "Session 0 and listeners").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

STATES = ('active', 'connected', 'connectquery', 'shadow', 'disconnected', 'idle', 'listen', 'reset', 'down', 'init')
"""Canonical state names, in ``WTS_CONNECTSTATE_CLASS`` order: the index is the state code."""

STATE_CODES = {name: code for code, name in enumerate(STATES)}
LISTENER_FIRST_ID = 65536


@dataclass
class Session:
    """A session as the host keeps it. Times are host-local; ``last_input`` None means no input was recorded.

    ``name`` is the session name as configured (``rdp-tcp#5``, ``console``), None when blank (a disconnected
    session has no WinStation name: docs/sources.md, "Session names and the current-session marker").
    ``answers`` is the response a user gives to a message box (1 = IDOK) when the emulator should pretend
    someone clicked; None: nobody answers.
    """

    id: int
    name: str | None = None
    user: str | None = None
    domain: str | None = None
    state: str = 'active'
    logon_time: datetime | None = None
    last_input: datetime | None = None
    disconnect_time: datetime | None = None
    client: str | None = None
    type: str | None = None
    device: str | None = None
    answers: int | None = None
    answer_delay_seconds: float = 0.0
    processes: bool = True
    """Whether the user's own processes run (tasklist shows them under the user's account)."""

    def copy(self) -> Session:
        """An independent copy (sessions are mutated in place by the host)."""
        return replace(self)

    @property
    def is_listener(self) -> bool:
        """True for a listener (``rdp-tcp``), which is a WinStation but not a session anybody uses."""
        return self.id >= LISTENER_FIRST_ID or self.state == 'listen'

    @property
    def is_console(self) -> bool:
        """True for the session attached to the physical console."""
        return (self.name or '').lower() == 'console'

    @property
    def has_user(self) -> bool:
        """True when somebody is logged on (the rows ``query user`` lists)."""
        return bool(self.user) and not self.is_listener

    @property
    def display_name(self) -> str:
        """The SESSIONNAME cell: the TS tools print WinStation names in lower case (every capture does)."""
        return (self.name or '').lower()

    @property
    def wts_name(self) -> str:
        """The WinStation name as the WTS API and msg.exe show it (``Console``, ``RDP-Tcp#5``, ``Services``).

        docs/architecture.md shows ``"name": "RDP-Tcp#5"`` from the WTS API for the session ``query`` lists as
        ``rdp-tcp#5``; msg.exe names ``session Console`` (docs/sources.md, "msg"); logoff ``from session Console``
        (docs/sources.md, "logoff").
        """
        name = self.name or ''
        low = name.lower()
        if low == 'console':
            return 'Console'
        if low == 'services':
            return 'Services'
        if low.startswith('rdp-tcp'):
            return 'RDP-Tcp' + name[len('rdp-tcp'):]
        return name

    @property
    def state_code(self) -> int:
        """The ``WTS_CONNECTSTATE_CLASS`` value."""
        return STATE_CODES[self.state]

    def idle_minutes(self, now: datetime) -> int | None:
        """Whole minutes since the last input, or None when no input was recorded."""
        if self.last_input is None:
            return None
        return max(0, int((now - self.last_input).total_seconds() // 60))

    def owned_by(self, user: str) -> bool:
        """True when the session belongs to the account named ``user`` (case-insensitive)."""
        return bool(self.user) and self.user.lower() == user.lower()
