"""Host-side faults: the session table changing under the collection, refusals, damaged output.

``Host.set_faults(spec)`` merges ``spec`` into the current faults: a key given replaces its old value, a key
given as None clears it. Keys the protocol layer owns (``drop_connection_after_requests``,
``http_500_on_requests``, ``command_delay_seconds``) and any other key are ignored here.

=========================  ==========================================================================
``vanish``                 ``{after_commands: N, ids: [..]}`` or ``{after_seconds: S, ids: [..]}``: the
                           sessions end (as if their users logged off) once N more commands have run
                           (N = 0: now) or S seconds of host time have passed.
``replace``                ``{after_commands: N, id: 3, user: mallory, domain: CONTOSO}`` (or
                           ``after_seconds``): the ID now belongs to another logon, with a new logon time
                           (``logon_time`` to choose it; default: the moment it happens).
``logoff_hangs``           ``[ids]``: logoff is accepted (rc 0 / WTS success) but the session never leaves.
``access_denied_ids``      ``[ids]``: every action on these sessions fails with error 5.
``query_error_ids``        ``{id: code}``: ``query user <id>`` of these sessions fails with that Win32 error (an RPC or
                           access failure, not "no such user").
``stdout_truncate_bytes``  N: every command's stdout is cut to its first N bytes.
``stdout_garbage``         true: the second half of every command's stdout is replaced by bytes that are
                           neither JSON nor text in any code page (``b"\\x00\\xff\\xfe<garbage>\\x8f\\x90"``).
=========================  ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

PROTOCOL_KEYS = frozenset({'drop_connection_after_requests', 'http_500_on_requests', 'command_delay_seconds'})
GARBAGE = b'\x00\xff\xfe<garbage>\x8f\x90'


@dataclass
class Timer:
    """When a table change is due: after a number of commands or at a host time."""

    commands_left: int | None = None
    due_at: datetime | None = None

    def due(self, now: datetime) -> bool:
        if self.commands_left is not None and self.commands_left <= 0:
            return True
        return self.due_at is not None and now >= self.due_at


def _timer(spec: dict, now: datetime, key: str) -> Timer:
    if 'after_commands' in spec:
        return Timer(commands_left=int(spec['after_commands']))
    if 'after_seconds' in spec:
        return Timer(due_at=now + timedelta(seconds=float(spec['after_seconds'])))
    raise ValueError(f'{key}: give after_commands or after_seconds')


@dataclass
class TableChange:
    """A pending ``vanish`` or ``replace``."""

    kind: str
    timer: Timer
    spec: dict


@dataclass
class HostFaults:
    """The faults in force on one host."""

    changes: dict[str, TableChange] = field(default_factory=dict)
    logoff_hangs: frozenset[int] = frozenset()
    access_denied_ids: frozenset[int] = frozenset()
    query_error_ids: dict[int, int] = field(default_factory=dict)
    stdout_truncate_bytes: int | None = None
    stdout_garbage: bool = False

    def merge(self, spec: dict, now: datetime) -> None:
        """Merge a fault specification (see the module docstring)."""
        for key, value in spec.items():
            if key in ('vanish', 'replace'):
                if value is None:
                    self.changes.pop(key, None)
                    continue
                if key == 'vanish' and not isinstance(value.get('ids'), list):
                    raise ValueError('vanish: ids must be a list of session ids')
                if key == 'replace' and ('id' not in value or 'user' not in value):
                    raise ValueError('replace: give id and user (and domain)')
                self.changes[key] = TableChange(key, _timer(value, now, key), dict(value))
            elif key == 'logoff_hangs':
                self.logoff_hangs = frozenset(int(i) for i in (value or ()))
            elif key == 'access_denied_ids':
                self.access_denied_ids = frozenset(int(i) for i in (value or ()))
            elif key == 'query_error_ids':
                self.query_error_ids = dict((int(ident), int(code)) for ident, code in (value or {}).items())
            elif key == 'stdout_truncate_bytes':
                self.stdout_truncate_bytes = None if value is None else int(value)
            elif key == 'stdout_garbage':
                self.stdout_garbage = bool(value)
            # Anything else belongs to the protocol layer (PROTOCOL_KEYS) or to nobody: ignored.

    def command_finished(self) -> None:
        """Count one command towards the ``after_commands`` timers."""
        for change in self.changes.values():
            if change.timer.commands_left is not None:
                change.timer.commands_left -= 1

    def take_due(self, now: datetime) -> list[TableChange]:
        """Remove and return the table changes that are due."""
        due = [change for change in self.changes.values() if change.timer.due(now)]
        for change in due:
            del self.changes[change.kind]
        return due

    def damage(self, stdout: bytes) -> bytes:
        """Apply the output faults to a command's stdout."""
        if self.stdout_garbage:
            stdout = stdout[:len(stdout) // 2] + GARBAGE
        if self.stdout_truncate_bytes is not None:
            stdout = stdout[:self.stdout_truncate_bytes]
        return stdout

    def describe(self) -> dict:
        """The faults in force, for the state document."""
        return {
            'pending': {kind: change.spec for kind, change in self.changes.items()},
            'logoff_hangs': sorted(self.logoff_hangs),
            'access_denied_ids': sorted(self.access_denied_ids),
            'query_error_ids': dict(sorted(self.query_error_ids.items())),
            'stdout_truncate_bytes': self.stdout_truncate_bytes,
            'stdout_garbage': self.stdout_garbage,
        }
