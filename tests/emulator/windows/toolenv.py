"""What a native tool sees of the host it runs on: the caller's account, the session tables, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .accounts import Account

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .computer import Computer
    from .host import Host


@dataclass
class ToolEnv:
    """One command's view of the host: who runs it, over which authentication, with reusable credentials or not."""

    host: Host
    account: Account
    auth: str
    can_delegate: bool = False

    @property
    def locale(self):
        return self.host.locale

    @property
    def codec(self) -> str:
        return self.host.locale.codec

    @property
    def options(self):
        return self.host.options

    @property
    def clock(self):
        return self.host.clock

    @property
    def lock(self):
        return self.host.lock

    def now(self):
        return self.host.clock.now()

    def computer(self, server: str | None) -> tuple[Computer | None, int, bool]:
        """The computer a ``/server:`` names: ``(computer, win32_code, remote)`` (see ``Host.resolve``)."""
        return self.host.resolve(server, self.auth, self.can_delegate)

    def current_session_id(self, remote: bool) -> int | None:
        """The session the command runs in, for the ``>`` marker: none when the table is another server's."""
        return None if remote else self.options.current_session_id
