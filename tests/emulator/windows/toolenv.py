"""What a native tool sees of the host it runs on: the caller's account, the session tables, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .accounts import Account

if TYPE_CHECKING:  # pragma: no cover - typing only
    from .computer import Computer
    from .host import Host


def codec_of(codepage: int) -> str:
    """The Python codec of a Windows code page (65001 is UTF-8)."""
    return 'utf-8' if codepage == 65001 else f'cp{codepage}'


@dataclass
class ToolEnv:
    """One command's view of the host: who runs it, over which authentication (with reusable credentials or not),
    in a shell of which code page."""

    host: Host
    account: Account
    auth: str
    codepage: int = 65001
    cancelled: object = None
    """A ``threading.Event`` set when the command is aborted (its client signalled it or deleted its shell)."""
    can_delegate: bool = False

    @property
    def locale(self):
        return self.host.locale

    @property
    def codec(self) -> str:
        """The host's OEM code page (its system locale's)."""
        return self.host.locale.codec

    def console_codec(self) -> str:
        """The console's code page: the WinRS shell's (``chcp`` shows it; PowerShell reads and writes with it)."""
        return codec_of(self.codepage)

    def tool_codec(self) -> str:
        """How the native tools encode what they write here (the host's ``native_output_encoding`` setting:
        ``console``, the console's code page, or ``oem``, the OEM code page whatever the console's)."""
        return self.codec if self.options.native_output_encoding == 'oem' else self.console_codec()

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
