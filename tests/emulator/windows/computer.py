"""A Windows computer's session table and the operations on it (the model of the emulated host).

Methods are named after the operations and take plain Python arguments; they return Win32 error codes the
way the WTS API does (0 = success). Permission follows the RDP listener's default ACL: Administrators have
Full Control, a user may act on their own session only (MSDOC logoff; WTSLogoffSession needs the Reset right,
WTSDisconnectSession the Disconnect right, WTSSendMessage the Message right:
docs/sources.md, "WTS functions and rights").
Callers hold the host's lock; nothing here sleeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import errors
from .accounts import Account
from .faults import HostFaults
from .sessions import LISTENER_FIRST_ID, Session

IDASYNC = 32001
"""WTSSendMessage response when bWait is FALSE (docs/sources.md, "WTS functions and rights")."""
IDTIMEOUT = 32000
"""WTSSendMessage response when bWait is TRUE and nobody answered in time.

See docs/sources.md, "WTS functions and rights".
"""


@dataclass
class Journal:
    """What happened on a host: messages shown and sessions ended or disconnected (the state document)."""

    messages: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)


@dataclass
class MessageOutcome:
    """What sending one message did: a Win32 code, the WTSSendMessage response, how long the sender waits."""

    code: int
    response: int | None = None
    wait_seconds: float = 0.0


class Computer:
    """One Windows computer: the host itself or a server reachable from it with ``/server:``."""

    def __init__(self, name: str, sessions: list[Session], *, label: str | None = None, locale: str = 'en-US',
                 computer_name: str | None = None, reachable: bool = True, double_hop: str = 'delegation',
                 utc_offset_minutes: int = 0, console_respawn: bool = True, logoff_latency_seconds: float = 0.0,
                 journal: Journal | None = None, faults: HostFaults | None = None,
                 protected_error: int = errors.ERROR_ACCESS_DENIED, unreachable_error: int = 1722):
        self.name = name
        self.label = label
        self.locale = locale
        self.computer_name = computer_name or name.upper()
        self.reachable = reachable
        self.unreachable_error = unreachable_error
        self.double_hop = double_hop
        self.utc_offset = timedelta(minutes=utc_offset_minutes)
        self.console_respawn = console_respawn
        self.logoff_latency = timedelta(seconds=logoff_latency_seconds)
        self.journal = journal if journal is not None else Journal()
        self.faults = faults if faults is not None else HostFaults()
        self.protected_error = protected_error
        self.sessions: dict[int, Session] = {}
        for session in sessions:
            if session.id in self.sessions:
                raise ValueError(f'{name}: session id {session.id} is configured twice')
            self.sessions[session.id] = session
        self._leaving: dict[int, datetime] = {}
        self.before_read = None
        """Called with the time before every read or operation (the host applies due faults there)."""
        self._last_id = max([s.id for s in sessions if s.id < LISTENER_FIRST_ID], default=0)

    # -- reading -----------------------------------------------------------------------------------------------

    def settle(self, now: datetime) -> None:
        """Apply what is due at ``now``: faults whose time has come, logoffs whose latency has passed."""
        if self.before_read is not None:
            self.before_read(now)
        for session_id, when in list(self._leaving.items()):
            if now >= when:
                del self._leaving[session_id]
                self._remove(session_id, now)

    def list_sessions(self, now: datetime) -> list[Session]:
        """Copies of all sessions (listeners included), by ID."""
        self.settle(now)
        return [self.sessions[key].copy() for key in sorted(self.sessions)]

    def find(self, session_id: int, now: datetime) -> Session | None:
        """A copy of the session with this ID, or None."""
        self.settle(now)
        session = self.sessions.get(session_id)
        return session.copy() if session else None

    def to_utc(self, local: datetime | None) -> datetime | None:
        """Host-local time to UTC (``utc_offset_minutes`` config)."""
        return None if local is None else local - self.utc_offset

    def console_session_id(self, now: datetime) -> int:
        """WTSGetActiveConsoleSessionId: the session attached to the console; 0xFFFFFFFF (an int -1) if none."""
        for session in self.list_sessions(now):
            if session.is_console:
                return session.id
        return -1

    # -- permission --------------------------------------------------------------------------------------------

    def permitted(self, account: Account, session: Session) -> bool:
        """Whether ``account`` may log off, disconnect or message ``session``."""
        if session.id in self.faults.access_denied_ids:
            return False
        return account.admin or session.owned_by(account.name)

    # -- operations --------------------------------------------------------------------------------------------

    def _endable(self, session_id: int, account: Account, now: datetime) -> tuple[Session | None, int | None]:
        """The session a logoff or disconnect may act on, and the code WTS gives instead (None when it may)."""
        self.settle(now)
        session = self.sessions.get(session_id)
        if session is None:
            return None, errors.ERROR_CTX_WINSTATION_NOT_FOUND
        if session.id == 0 or session.is_listener:
            return session, self.protected_error
        if not self.permitted(account, session):
            return session, errors.ERROR_ACCESS_DENIED
        return session, None

    def logoff(self, session_id: int, account: Account, now: datetime, via: str) -> int:
        """WTSLogoffSession semantics: end the session (the console too: the API does not refuse it).

        Session 0 and listeners cannot be ended; the code Windows returns for them is not documented
        (``protected_error``, config ``unknowns.wts_listener_error``, default ERROR_ACCESS_DENIED).
        """
        session, refused = self._endable(session_id, account, now)
        if refused is not None:
            return refused
        self._record(now, 'logoff', session, account, via)
        if session_id in self.faults.logoff_hangs:
            return 0
        if self.logoff_latency:
            self._leaving.setdefault(session_id, now + self.logoff_latency)
        else:
            self._remove(session_id, now)
        return 0

    def disconnect(self, session_id: int, account: Account, now: datetime, via: str) -> int:
        """WTSDisconnectSession semantics: the session stays, without a client and without a name."""
        session, refused = self._endable(session_id, account, now)
        if refused is not None:
            return refused
        if session.is_console:
            # ERROR_CTX_CONSOLE_DISCONNECT; "The console session can't be disconnected" (docs/sources.md, "tsdiscon").
            return errors.ERROR_CTX_CONSOLE_DISCONNECT
        if session.state != 'disconnected':
            self._record(now, 'disconnect', session, account, via)
            session.state = 'disconnected'
            session.name = None
            session.disconnect_time = now
        return 0

    def send_message(self, session_id: int, account: Account, now: datetime, *, title: str | None, text: str,
                     timeout: int, wait: bool, via: str, block_seconds: float) -> MessageOutcome:
        """WTSSendMessage semantics; the caller waits ``wait_seconds`` before it has the response.

        IDASYNC without waiting, the configured answer of an active session's user when waiting, IDTIMEOUT
        when nobody answers within ``timeout`` (docs/sources.md, "WTS functions and rights"). ``timeout`` 0
        waits for ever on Windows; here it waits ``block_seconds`` (an emulator limit). A missing session gives
        7022 (assumed).
        """
        self.settle(now)
        session = self.sessions.get(session_id)
        if session is None or session.is_listener:
            return MessageOutcome(errors.ERROR_CTX_WINSTATION_NOT_FOUND)
        if not self.permitted(account, session):
            return MessageOutcome(errors.ERROR_ACCESS_DENIED)
        record = {'server': self.label, 'session_id': session_id, 'title': title, 'text': text,
                  'time': now.isoformat(timespec='seconds'), 'via': via, 'sender': account.name,
                  'wait': wait, 'timeout_seconds': timeout, 'response': None}
        self.journal.messages.append(record)
        if not wait:
            record['response'] = IDASYNC
            return MessageOutcome(0, IDASYNC)
        limit = float(timeout) if timeout > 0 else float(block_seconds)
        if session.answers is not None and session.state == 'active' and session.answer_delay_seconds <= limit:
            record['response'] = session.answers
            return MessageOutcome(0, session.answers, session.answer_delay_seconds)
        record['response'] = IDTIMEOUT
        return MessageOutcome(0, IDTIMEOUT, limit)

    # -- changes made by faults --------------------------------------------------------------------------------

    def vanish(self, session_ids: list[int], now: datetime) -> None:
        """The sessions end on their own (their users logged off)."""
        for session_id in session_ids:
            if session_id in self.sessions:
                self._record(now, 'vanished', self.sessions[session_id], None, 'fault')
                self._remove(session_id, now)

    def replace_logon(self, session_id: int, user: str, domain: str | None, logon_time: datetime,
                      now: datetime) -> None:
        """The session ID now belongs to another logon (IDs are reused by Windows)."""
        old = self.sessions.get(session_id)
        session = Session(id=session_id, name=(old.name if old and old.name else f'rdp-tcp#{session_id}'),
                          user=user, domain=domain, state='active', logon_time=logon_time, last_input=now,
                          client=old.client if old else None)
        self._leaving.pop(session_id, None)
        self.sessions[session_id] = session
        self._record(now, 'replaced', session, None, 'fault')

    # -- internals ---------------------------------------------------------------------------------------------

    def _record(self, now: datetime, kind: str, session: Session, account: Account | None, via: str) -> None:
        self.journal.events.append({'time': now.isoformat(timespec='seconds'), 'event': kind, 'server': self.label,
                                    'session_id': session.id, 'user': session.user, 'domain': session.domain,
                                    'by': account.name if account else None, 'via': via})

    def _remove(self, session_id: int, now: datetime) -> None:
        session = self.sessions.pop(session_id, None)
        if session is None:
            return
        if session.is_console and self.console_respawn:
            # Windows starts a new console session (a new ID, nobody logged on: state Conn) when the console
            # user logs off; a console without a user shows as "console ... Conn" (id 43787358635 shows
            # "console 1 已连接"; docs/sources.md, "Session 0 and listeners"). Assumed behaviour, configurable
            # (console_respawn).
            self._last_id = max(self._last_id, session_id,
                                *[k for k in self.sessions if k < LISTENER_FIRST_ID])
            self._last_id += 1
            self.sessions[self._last_id] = Session(id=self._last_id, name='console', state='connected')
