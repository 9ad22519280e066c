"""Request counters and wire faults: the protocol half of the ``/emu/*`` control API.

Counters count HTTP requests to ``/wsman`` only. ``by_action`` has the short Action name of every
request that carried an envelope (``Create``, ``Receive``...), ``Authenticate`` for requests the
authentication layer answered by itself (401 challenges, the empty POST that completes an NTLM
handshake) and ``Unknown`` for bodies that did not parse.

Wire faults count *operations*: requests that passed authentication and carried a body, so that a
fault lands on the same WS-Man request whether the host uses Basic (no handshake) or NTLM (three
handshake legs first). "The Nth request from now" is the Nth operation after the fault was set.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

WIRE_FAULT_KEYS = ("drop_connection_after_requests", "http_500_on_requests", "command_delay_seconds")

DROP = "drop"
HTTP_500 = "http_500"


class RequestCounters:
    """Thread-safe counters of the WS-Man traffic of one host."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self._total = 0
            self._by_action: Counter[str] = Counter()
            self._bytes_in = 0
            self._bytes_out = 0
            self._auth_failures = 0
            self._faults_served = 0
            self._operation_timeouts = 0
            self._faults_injected = 0

    def request(self, body_bytes: int) -> None:
        """Count one HTTP request to /wsman and its body."""
        with self._lock:
            self._total += 1
            self._bytes_in += body_bytes

    def action(self, name: str) -> None:
        """Count the request as one of ``name``."""
        with self._lock:
            self._by_action[name] += 1

    def response(self, body_bytes: int, fault: bool | str = False) -> None:
        """Count the body of an answer; ``fault`` when it carried a SOAP fault (``"timeout"`` for the
        OperationTimeout answer to a Receive, which only tells the client to poll again)."""
        with self._lock:
            self._bytes_out += body_bytes
            if fault:
                self._faults_served += 1
            if fault == "timeout":
                self._operation_timeouts += 1

    def auth_failure(self) -> None:
        """Count refused credentials or tokens."""
        with self._lock:
            self._auth_failures += 1

    def injected(self) -> None:
        """Count a wire fault that was applied."""
        with self._lock:
            self._faults_injected += 1

    def snapshot(self) -> dict[str, Any]:
        """The ``requests`` document of ``/emu/state``."""
        with self._lock:
            return {
                "total": self._total,
                "by_action": dict(sorted(self._by_action.items())),
                "bytes_in": self._bytes_in,
                "bytes_out": self._bytes_out,
                "auth_failures": self._auth_failures,
                "faults_served": self._faults_served,
                "operation_timeouts": self._operation_timeouts,
                "faults_injected": self._faults_injected,
            }


class WireFaults:
    """The faults the protocol layer injects itself; set through ``POST /emu/faults``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._operations = 0
        self.clear()

    def clear(self) -> None:
        """Remove every fault (the operation count goes on)."""
        with self._lock:
            self._drop_at: int | None = None
            self._http_500_at: set[int] = set()
            self._delay = 0.0

    @staticmethod
    def validate(spec: dict[str, Any]) -> None:
        """Check the wire keys of a fault document without applying them.

        :raises ValueError: a wire key with a value of the wrong type.
        """
        drop = spec.get("drop_connection_after_requests")
        http_500 = spec.get("http_500_on_requests")
        delay = spec.get("command_delay_seconds")
        if drop is not None and (not isinstance(drop, int) or isinstance(drop, bool) or drop < 1):
            raise ValueError("drop_connection_after_requests must be a positive integer")
        if http_500 is not None and (
            not isinstance(http_500, list)
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in http_500)
        ):
            raise ValueError("http_500_on_requests must be a list of positive integers")
        if delay is not None and (not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0):
            raise ValueError("command_delay_seconds must be a non-negative number")

    def set(self, spec: dict[str, Any]) -> None:
        """Apply the wire keys of a fault document; other keys are ignored here.

        A key with the value ``null`` removes that fault.

        :raises ValueError: a wire key with a value of the wrong type.
        """
        self.validate(spec)
        drop = spec.get("drop_connection_after_requests")
        http_500 = spec.get("http_500_on_requests")
        delay = spec.get("command_delay_seconds")
        with self._lock:
            base = self._operations
            if "drop_connection_after_requests" in spec:
                self._drop_at = base + drop if drop is not None else None
            if "http_500_on_requests" in spec:
                self._http_500_at = {base + n for n in http_500} if http_500 is not None else set()
            if "command_delay_seconds" in spec:
                self._delay = float(delay) if delay is not None else 0.0

    def next_operation(self) -> str | None:
        """Count one operation; return ``DROP``, ``HTTP_500`` or None for what to do with it."""
        with self._lock:
            self._operations += 1
            number = self._operations
            if self._drop_at == number:
                self._drop_at = None
                return DROP
            if number in self._http_500_at:
                self._http_500_at.discard(number)
                return HTTP_500
            return None

    def command_delay(self) -> float:
        """Seconds each new command waits before it runs."""
        with self._lock:
            return self._delay

    def snapshot(self) -> dict[str, Any]:
        """The pending wire faults, numbered from the next operation (1 = the next one)."""
        with self._lock:
            base = self._operations
            return {
                "drop_connection_after_requests": self._drop_at - base if self._drop_at else None,
                "http_500_on_requests": sorted(n - base for n in self._http_500_at),
                "command_delay_seconds": self._delay,
            }
