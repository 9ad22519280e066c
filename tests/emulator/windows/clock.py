"""The emulated host's clock: deterministic virtual time, with optional real waiting.

Virtual time starts at ``clock`` (config, default 2026-11-22T10:00:00, host-local time) and moves only when
the host sleeps (a grace period, a ``/time:`` wait, a polling loop) or when a test calls :meth:`Clock.advance`.
A sleep also waits ``seconds * time_scale`` of real time (``time_scale`` config, default 1.0; 0.01 makes a
60 s grace period take 0.6 s; 0 never waits), so a client's own timeouts still see time pass. Two commands
sleeping at once both advance the clock: virtual time is the sum of the waits, not a wall clock.

With ``follow_real_time`` (a host whose PowerShell is the real engine: its ``Start-Sleep`` and ``Get-Date`` are
real) the clock also moves with real time since the start or the last reset, on top of the host's own sleeps.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

DEFAULT_START = '2026-11-22T10:00:00'


class Clock:
    """Virtual host-local time."""

    def __init__(self, start: datetime | str = DEFAULT_START, time_scale: float = 1.0, follow_real_time: bool = False):
        self._start = start if isinstance(start, datetime) else datetime.fromisoformat(start)
        if self._start.tzinfo is not None:
            raise ValueError('clock: give a host-local time without a zone (utc_offset_minutes sets the zone)')
        if time_scale < 0:
            raise ValueError('time_scale must not be negative')
        self.time_scale = float(time_scale)
        self.follow_real_time = follow_real_time
        self._elapsed = 0.0
        self._origin = time.monotonic()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current host-local time."""
        with self._lock:
            real = time.monotonic() - self._origin if self.follow_real_time else 0.0
            return self._start + timedelta(seconds=self._elapsed + real)

    def advance(self, seconds: float) -> None:
        """Move virtual time forward without waiting."""
        if seconds < 0:
            raise ValueError('the clock does not go back')
        with self._lock:
            self._elapsed += seconds

    def sleep(self, seconds: float) -> None:
        """Emulate a sleep: advance virtual time and wait the scaled real time."""
        if seconds <= 0:
            return
        self.advance(seconds)
        if self.time_scale:
            time.sleep(seconds * self.time_scale)

    def reset(self) -> None:
        """Back to the start time."""
        with self._lock:
            self._elapsed = 0.0
            self._origin = time.monotonic()
